package openai_test

// The bot's agent loop over this client and an OpenAI-compatible server on
// loopback that speaks the streaming wire format.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
	"github.com/parleybot/parley/model/openai"
	"github.com/parleybot/parley/model/openai/openaitest"
)

type LookupArgs struct {
	Order string   `json:"order"`
	Lines []string `json:"lines"`
}

func newOpenAIModel(srv *openaitest.Server) *openai.Model {
	return openai.New(openai.Config{BaseURL: srv.URL, APIKey: "sk-test", Model: "gpt-test"})
}

func TestLoopOverOpenAIWire(t *testing.T) {
	t.Parallel()
	srv := openaitest.NewServer(t)
	srv.Enqueue(
		openaitest.Response{ToolCalls: []openaitest.ToolCall{{
			ID: "call_abc", Name: "lookup",
			ArgumentChunks: []string{`{"order": "A-1`, `001", "lines": ["sh`, `oes", "hat"]}`},
		}}},
		openaitest.Response{Text: "Order A-1001 has 2 lines: shoes and a hat.", TextChunks: 6},
	)
	var got LookupArgs
	lookup := bot.DefineTool(bot.ToolSpec[LookupArgs]{Name: "lookup", Description: "Look up an order.",
		Handler: func(_ context.Context, a LookupArgs, _ *bot.ToolContext) (any, error) {
			got = a
			return map[string]any{"order": a.Order, "count": len(a.Lines)}, nil
		}})
	h := bottest.Start(t, bot.Config{Model: newOpenAIModel(srv), Tools: []*bot.Tool{lookup}, Instructions: "Help with orders.",
		StreamInterval: time.Nanosecond})
	h.Send(bottest.Ana, "what's in A-1001?")

	if got.Order != "A-1001" || strings.Join(got.Lines, ",") != "shoes,hat" {
		t.Errorf("handler got %+v", got)
	}
	reqs := srv.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	first := reqs[0]
	if first.Model != "gpt-test" || !first.Stream || first.Header.Get("Authorization") != "Bearer sk-test" {
		t.Errorf("first request: model %q, stream %v, auth %q", first.Model, first.Stream, first.Header.Get("Authorization"))
	}
	if len(first.Tools) != 1 || first.Tools[0].Name != "lookup" || !json.Valid(first.Tools[0].Parameters) {
		t.Errorf("first request tools %+v", first.Tools)
	}
	if m := first.Messages; len(m) != 2 || m[0].Role != "system" || m[0].Content != "Help with orders." ||
		m[1].Role != "user" || m[1].Name != "ana" || m[1].Content != "what's in A-1001?" {
		t.Errorf("first request messages %+v", m)
	}
	second := reqs[1].Messages
	if len(second) != 4 {
		t.Fatalf("second request has %d messages: %+v", len(second), second)
	}
	call, result := second[2], second[3]
	if call.Role != "assistant" || len(call.ToolCalls) != 1 || call.ToolCalls[0].ID != "call_abc" ||
		call.ToolCalls[0].Arguments != `{"order": "A-1001", "lines": ["shoes", "hat"]}` {
		t.Errorf("assistant message %+v", call)
	}
	if result.Role != "tool" || result.ToolCallID != "call_abc" || result.Content != `{"count":2,"order":"A-1001"}` {
		t.Errorf("tool message %+v", result)
	}
	posts := h.Adapter.Posts()
	if len(posts) != 1 || posts[0].Text() != "Order A-1001 has 2 lines: shoes and a hat." {
		t.Fatalf("posts %+v", posts)
	}
	if n := len(posts[0].Versions); n < 3 {
		t.Errorf("the answer arrived in %d versions; it should have streamed as a post and edits", n)
	}
}

// logBuffer collects log records for assertions.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestModelServiceFailures(t *testing.T) {
	t.Parallel()
	fast := map[string][]string{"Retry-After-Ms": {"1"}}
	tests := []struct {
		name      string
		responses []openaitest.Response
		notice    string
		requests  int
	}{
		{"401", []openaitest.Response{{Status: 401, ErrorMessage: "Incorrect API key provided: sk-test"}},
			"refused the bot's credentials (HTTP 401)", 1},
		{"429 after retries", []openaitest.Response{{Status: 429, Header: fast}, {Status: 429, Header: fast}, {Status: 429, Header: fast}},
			"rate limiting the bot (HTTP 429)", 3},
		{"500 after retries", []openaitest.Response{{Status: 500, Header: fast}, {Status: 500, Header: fast}, {Status: 500, Header: fast}},
			"the model service failed (HTTP 500)", 3},
		{"stream cut", []openaitest.Response{{Text: "Half an ans", TextChunks: 3, CutAfter: 2}},
			"broke off before the answer was complete", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := openaitest.NewServer(t)
			srv.Enqueue(tt.responses...)
			logs := &logBuffer{}
			h := bottest.Start(t, bot.Config{Model: newOpenAIModel(srv), Logger: slog.New(slog.NewTextHandler(logs, nil))})
			h.Send(bottest.Ana, "hello")
			texts := h.Adapter.Texts()
			last := h.Adapter.LastText()
			if !strings.Contains(last, tt.notice) {
				t.Errorf("thread got %q, want a notice containing %q", texts, tt.notice)
			}
			if strings.Contains(last, "sk-test") {
				t.Errorf("the notice leaks the key: %q", last)
			}
			if n := len(srv.Requests()); n != tt.requests {
				t.Errorf("%d requests, want %d", n, tt.requests)
			}
			if l := logs.String(); !strings.Contains(l, "level=ERROR") || !strings.Contains(l, "model call failed") {
				t.Errorf("no error logged:\n%s", l)
			}
			// The bot lives on and answers the next message.
			srv.Enqueue(openaitest.Response{Text: "Back."})
			h.Send(bottest.Ana, "again?")
			if got := h.Adapter.LastText(); got != "Back." {
				t.Errorf("after the failure the bot answered %q", got)
			}
		})
	}
}

func TestCancelStopsStream(t *testing.T) {
	t.Parallel()
	srv := openaitest.NewServer(t)
	srv.Enqueue(openaitest.Response{Text: "I will think about this for a very long time", TextChunks: 4, Stall: true})
	h := bottest.Start(t, bot.Config{Model: newOpenAIModel(srv)})
	var runErr error
	var took time.Duration
	h.Bot.OnMention(func(ctx context.Context, th *bot.Thread, m bot.Message) error {
		ctx, cancel := context.WithCancel(ctx)
		go func() {
			// Cancel once the first words are in the thread.
			h.Adapter.WaitFor(ctx, func(ps []bottest.Posted) bool { return len(ps) > 0 })
			cancel()
		}()
		start := time.Now()
		_, runErr = th.RunAgent(ctx, bot.RunOptions{})
		took = time.Since(start)
		return nil
	})
	h.Send(bottest.Ana, "think")
	if !errors.Is(runErr, context.Canceled) {
		t.Errorf("RunAgent = %v, want context.Canceled", runErr)
	}
	if took > 5*time.Second {
		t.Errorf("the run took %v to notice the cancel", took)
	}
	waitUntil(t, "the server to see the client go", func() bool {
		r := srv.Requests()
		return len(r) == 1 && r[0].ClientGone
	})
	// What had streamed stays visible.
	if got := h.Adapter.LastText(); !strings.HasPrefix(got, "I will") {
		t.Errorf("thread shows %q", got)
	}
}

func TestStopCancelsStreamingRun(t *testing.T) {
	t.Parallel()
	srv := openaitest.NewServer(t)
	srv.Enqueue(openaitest.Response{Text: "Working on it", Stall: true})
	a := bottest.NewAdapter()
	b, err := bot.New(bot.Config{Store: bot.NewMemoryStore(), Model: newOpenAIModel(srv), Adapters: []bot.Adapter{a}, Logger: bottest.Logger(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	a.Send(bottest.Ana, "go")
	waitUntil(t, "the stream to start", func() bool { return len(a.Posts()) == 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := b.Stop(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Stop = %v", err)
	}
	if got := a.LastText(); !strings.Contains(got, "shutting down") {
		t.Errorf("thread's last message %q, want the stop notice", got)
	}
	waitUntil(t, "the server to see the client go", func() bool { return srv.Requests()[0].ClientGone })
}

// BenchmarkTurn measures one user message → one streamed tool call → the
// final streamed answer, through the real client and the fake server on
// loopback.
func BenchmarkTurnOverTheWire(b *testing.B) {
	srv := openaitest.NewServer(b)
	lookup := bot.DefineTool(bot.ToolSpec[LookupArgs]{Name: "lookup", Description: "Look up an order.",
		Handler: func(_ context.Context, a LookupArgs, _ *bot.ToolContext) (any, error) {
			return map[string]any{"order": a.Order, "count": len(a.Lines)}, nil
		}})
	chat := bottest.NewAdapter()
	bt, err := bot.New(bot.Config{
		Store: bot.NewMemoryStore(),
		Model: newOpenAIModel(srv), Adapters: []bot.Adapter{chat}, Tools: []*bot.Tool{lookup},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if err := bt.Start(ctx); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { bt.Stop(ctx) })
	call := openaitest.Response{ToolCalls: []openaitest.ToolCall{{ID: "call_1", Name: "lookup",
		ArgumentChunks: []string{`{"order": "A-1`, `001", "lines": ["sh`, `oes", "hat"]}`}}}}
	answer := openaitest.Response{Text: "Order A-1001 has 2 lines: shoes and a hat.", TextChunks: 6}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		srv.Enqueue(call, answer)
		chat.Deliver(bot.Message{
			Address: bot.Address{Platform: bottest.Platform, Channel: "C1", Thread: strconv.Itoa(i)},
			User:    bottest.Ana, Text: "what's in A-1001?", Mention: true,
		})
		if err := bt.Idle(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if n := srv.Pending(); n != 0 {
		b.Fatalf("%d scripted responses unused", n)
	}
}

// waitUntil polls cond until it holds, failing the test after 5 seconds.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
