package terminal_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/adapters/terminal"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
	"github.com/parleybot/parley/render"
)

// screen is a concurrency-safe output buffer.
type screen struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *screen) waitFor(t *testing.T, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(s.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("screen never showed %q; it shows:\n%s", want, s.String())
		}
		time.Sleep(time.Millisecond)
	}
}

func TestConversation(t *testing.T) {
	t.Parallel()
	inR, inW := io.Pipe()
	out := &screen{}
	dir := t.TempDir()
	term := terminal.New(terminal.Config{In: inR, Out: out, User: bot.User{ID: "u1", Name: "ana"}, FileDir: dir})

	report := bot.DefineTool(bot.ToolSpec[struct{}]{Name: "report", Description: "Report.",
		Handler: func(ctx context.Context, _ struct{}, tc *bot.ToolContext) (any, error) {
			if _, err := tc.Thread.PostFile(ctx, bot.File{Name: "r.txt", Data: []byte("42"), Comment: "Here it is."}); err != nil {
				return nil, err
			}
			u, err := tc.Thread.LookupUser(ctx, tc.User.ID)
			if err != nil {
				return nil, err
			}
			_, err = tc.Thread.Post(ctx, render.Card{
				Title:   "Send to " + u.Name + "?",
				Actions: render.Actions(render.Button("Yes", true).OnAction("send"), render.Button("No", false).OnAction("send")),
			})
			return "posted", err
		}})
	model := bottest.NewModel(bottest.Call("report", struct{}{}), bottest.Reply("Report ready, ana."))
	b, err := bot.New(bot.Config{Store: bot.NewMemoryStore(), Model: model, Adapters: []bot.Adapter{term}, Tools: []*bot.Tool{report}, Logger: bottest.Logger(t)})
	if err != nil {
		t.Fatal(err)
	}
	clicked := make(chan bool, 1)
	b.OnAction("send", func(ctx context.Context, th *bot.Thread, e bot.ActionEvent) error {
		var yes bool
		if err := e.Decode(&yes); err != nil {
			return err
		}
		clicked <- yes
		return th.Update(ctx, e.Message, render.Text("Sent by "+e.User.Name+"."))
	})
	if err := b.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Stop(context.Background()) })

	io.WriteString(inW, "make the report\n")
	out.waitFor(t, "bot: Report ready, ana.\n")
	io.WriteString(inW, "2\n")
	if yes := <-clicked; yes {
		t.Error("typing 2 chose Yes")
	}
	out.waitFor(t, "(edited) bot: Sent by ana.")
	// The buttons are gone: a number is a message now. (A pipe write
	// returns once the reader has the line, so the bot has it too.)
	io.WriteString(inW, "1\n")
	inW.Close()
	select {
	case <-term.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("Done not closed at end of input")
	}
	waitIdle(t, b)

	got := out.String()
	for _, want := range []string{
		"  · bot is thinking…\n",
		"bot: Here it is.\n  📎 r.txt (2 bytes): " + filepath.Join(dir, "r.txt"),
		"bot: Send to ana?\n  [1] Yes  [2] No\n  (type a number to choose)\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("screen lacks %q:\n%s", want, got)
		}
	}
	if data, err := os.ReadFile(filepath.Join(dir, "r.txt")); err != nil || string(data) != "42" {
		t.Errorf("file: %q, %v", data, err)
	}
	hist, err := term.Messages(context.Background(), terminal.Address, 0)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, m := range hist {
		lines = append(lines, m.Text)
	}
	if got := strings.Join(lines, "|"); !strings.HasPrefix(got, "make the report|Here it is.\n📎 r.txt|Sent by ana.|Report ready, ana.|1|") {
		t.Errorf("history %q", got)
	}
	// The third message, "1", went to the model, which had nothing left.
	if n := len(model.Requests()); n != 3 {
		t.Errorf("model called %d times, want 3", n)
	}
	if !strings.Contains(got, "can't answer right now") && !strings.Contains(got, "something went wrong") {
		t.Errorf("the exhausted model's failure was not shown:\n%s", got)
	}
}

// waitIdle waits until the terminal has read everything written to it and
// the bot has handled it.
func waitIdle(t *testing.T, b *bot.Bot) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := b.Idle(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestLookupUnknownUser(t *testing.T) {
	t.Parallel()
	term := terminal.New(terminal.Config{In: strings.NewReader(""), Out: io.Discard})
	if _, err := term.LookupUser(context.Background(), terminal.Address, "nobody"); err == nil {
		t.Error("looked up an unknown user")
	}
	if err := term.Start(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if err := term.Start(context.Background(), nil); err == nil {
		t.Error("second Start succeeded")
	}
	<-term.Done()
}

func TestStreamAfterClose(t *testing.T) {
	t.Parallel()
	term := terminal.New(terminal.Config{Out: io.Discard})
	s, _ := term.StartStream(context.Background(), terminal.Address, bot.StreamOptions{})
	if _, err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := s.Append(context.Background(), "x"); err == nil {
		t.Error("append after close succeeded")
	}
}
