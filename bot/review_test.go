package bot_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
	"github.com/parleybot/parley/render"
)

func TestAnswerFromModelThatDoesNotStream(t *testing.T) {
	t.Parallel()
	for _, caps := range []bot.Capabilities{bot.AllCapabilities, bot.AllCapabilities.Without(bot.CapStreaming)} {
		t.Run(caps.String(), func(t *testing.T) {
			t.Parallel()
			h := bottest.Start(t, bot.Config{Model: bottest.NewModel(bottest.Step{Text: "All at once.", Silent: true})})
			h.Adapter.SetCapabilities(caps)
			h.Send(bottest.Ana, "hi")
			posts := h.Adapter.Posts()
			if len(posts) != 1 || posts[0].Text() != "All at once." || !posts[0].Closed {
				t.Errorf("posts %+v", posts)
			}
		})
	}
}

func TestStreamSurvivesPassingPlatformFailures(t *testing.T) {
	t.Parallel()
	answer := "one two three four five six"
	for _, caps := range []bot.Capabilities{bot.AllCapabilities, bot.AllCapabilities.Without(bot.CapStreaming)} {
		t.Run(caps.String(), func(t *testing.T) {
			t.Parallel()
			h := bottest.Start(t, bot.Config{Model: bottest.NewModel(bottest.Reply(answer)), StreamInterval: time.Nanosecond})
			h.Adapter.SetCapabilities(caps)
			h.Adapter.FailNext(2, errors.New("ratelimited"))
			h.Send(bottest.Ana, "count")
			texts := h.Adapter.Texts()
			if len(texts) != 1 || texts[0] != answer {
				t.Errorf("thread shows %q, want the whole answer once", texts)
			}
		})
	}
	t.Run("final edit fails twice", func(t *testing.T) {
		t.Parallel()
		var a *bottest.Adapter
		// The first word is posted; then the platform breaks for the final
		// edit and its retry.
		model := modelFunc(func(ctx context.Context, req *bot.ModelRequest, onText func(string)) (*bot.ModelResponse, error) {
			onText("one ")
			a.FailNext(2, errors.New("gone"))
			return &bot.ModelResponse{Text: "one two"}, nil
		})
		h := bottest.Start(t, bot.Config{Model: model, StreamInterval: time.Hour})
		a = h.Adapter
		var runErr error
		h.Bot.OnMention(func(ctx context.Context, th *bot.Thread, m bot.Message) error {
			_, runErr = th.RunAgent(ctx, bot.RunOptions{})
			return runErr
		})
		h.Send(bottest.Ana, "count")
		if runErr == nil || !strings.Contains(runErr.Error(), "gone") {
			t.Errorf("RunAgent = %v, want the final edit's failure", runErr)
		}
	})
}

// modelFunc is a bot.Model made of a function.
type modelFunc func(ctx context.Context, req *bot.ModelRequest, onText func(string)) (*bot.ModelResponse, error)

func (f modelFunc) Generate(ctx context.Context, req *bot.ModelRequest, onText func(string)) (*bot.ModelResponse, error) {
	return f(ctx, req, onText)
}

type badJSON struct{}

func (badJSON) MarshalJSON() ([]byte, error) { panic("marshal exploded") }

func TestPanickingResultMarshal(t *testing.T) {
	t.Parallel()
	for _, parallel := range []bool{false, true} {
		t.Run(map[bool]string{false: "sequential", true: "parallel"}[parallel], func(t *testing.T) {
			t.Parallel()
			bad := bot.DefineTool(bot.ToolSpec[struct{}]{Name: "bad", Description: "Bad.",
				Handler: func(context.Context, struct{}, *bot.ToolContext) (any, error) { return badJSON{}, nil }})
			model := bottest.NewModel(
				bottest.Step{ToolCalls: []bot.ToolCall{bottest.ToolCall("bad", struct{}{}), bottest.ToolCall("echo", EchoArgs{Text: "ok"})}},
				bottest.Reply("done"),
			)
			h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{bad, echoTool("echo")}, ParallelTools: parallel})
			h.Send(bottest.Ana, "go")
			got := toolMessages(model.Requests()[1])
			if len(got) != 2 || got[0] != `{"error":"the tool's result could not be serialized: panic: marshal exploded"}` || got[1] != "ok" {
				t.Errorf("tool messages %q", got)
			}
			if h.Adapter.LastText() != "done" {
				t.Errorf("the run did not finish: %q", h.Adapter.Texts())
			}
		})
	}
}

func TestRunOptionsOverrideParallelTools(t *testing.T) {
	t.Parallel()
	var running, most atomic.Int32
	slow := bot.DefineTool(bot.ToolSpec[struct{}]{Name: "slow", Description: "Slow.",
		Handler: func(context.Context, struct{}, *bot.ToolContext) (any, error) {
			n := running.Add(1)
			for {
				m := most.Load()
				if n <= m || most.CompareAndSwap(m, n) {
					break
				}
			}
			time.Sleep(5 * time.Millisecond)
			running.Add(-1)
			return "ok", nil
		}})
	calls := []bot.ToolCall{bottest.ToolCall("slow", struct{}{}), bottest.ToolCall("slow", struct{}{}), bottest.ToolCall("slow", struct{}{})}
	model := bottest.NewModel(bottest.Step{ToolCalls: calls}, bottest.Reply("done"))
	h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{slow}, ParallelTools: true})
	sequential := false
	h.Bot.OnMention(func(ctx context.Context, th *bot.Thread, m bot.Message) error {
		_, err := th.RunAgent(ctx, bot.RunOptions{ParallelTools: &sequential})
		return err
	})
	h.Send(bottest.Ana, "go")
	if most.Load() != 1 {
		t.Errorf("%d tool calls ran at once with ParallelTools off for the run", most.Load())
	}
}

type Color string

func (Color) Enum() []any { return []any{"red", "green"} }

type Panicky string

func (Panicky) Enum() []any { panic("no values today") }

func TestOptionalEnumPointer(t *testing.T) {
	t.Parallel()
	type args struct {
		Color *Color `json:"color,omitempty"`
	}
	tool := bot.DefineTool(bot.ToolSpec[args]{Name: "paint", Description: "Paint.",
		Handler: func(context.Context, args, *bot.ToolContext) (any, error) { return nil, nil }})
	if err := tool.Err(); err != nil {
		t.Fatal(err)
	}
	if s := string(tool.Schema()); !strings.Contains(s, `"enum":["red","green"]`) {
		t.Errorf("schema %s lacks the enum", s)
	}
	bad := bot.DefineTool(bot.ToolSpec[struct {
		P Panicky `json:"p"`
	}]{Name: "bad", Handler: func(context.Context, struct {
		P Panicky `json:"p"`
	}, *bot.ToolContext) (any, error) {
		return nil, nil
	}})
	if err := bad.Err(); err == nil || !strings.Contains(err.Error(), "Enum panicked") {
		t.Errorf("Err() = %v", err)
	}
}

func TestExplicitSchemaMustBeObject(t *testing.T) {
	t.Parallel()
	tool := bot.DefineTool(bot.ToolSpec[string]{Name: "s", Schema: &jsonschema.Schema{Type: "string"},
		Handler: func(context.Context, string, *bot.ToolContext) (any, error) { return nil, nil }})
	if err := tool.Err(); err == nil || !strings.Contains(err.Error(), `type "object"`) {
		t.Errorf("Err() = %v", err)
	}
}

func TestSchemaIsACopy(t *testing.T) {
	t.Parallel()
	tool := echoTool("echo")
	s := tool.Schema()
	s[0] = 'X'
	if !json.Valid(tool.Schema()) {
		t.Error("changing the returned schema changed the tool")
	}
}

func TestQueuedMentionIsNotLostBehindPlainMessage(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	model := bottest.NewModel(bottest.Step{Text: "A1", Wait: release}, bottest.Reply("A2"))
	h := bottest.Start(t, bot.Config{Model: model})
	var plain []string
	h.Bot.OnMessage(func(ctx context.Context, th *bot.Thread, m bot.Message) error {
		plain = append(plain, m.Text)
		return nil
	})
	h.Adapter.Send(bottest.Ana, "m1")
	waitUntil(t, "the first run", func() bool { return len(model.Requests()) == 1 })
	h.Adapter.Send(bottest.Ana, "@bot question")
	h.Adapter.Deliver(bot.Message{Address: bottest.DefaultThread, User: bottest.Ben, Text: "chatter"})
	close(release)
	h.Wait()
	if len(model.Requests()) != 2 || h.Adapter.LastText() != "A2" {
		t.Fatalf("the queued mention was not answered: %q", h.Adapter.Texts())
	}
	if len(plain) != 0 {
		t.Errorf("OnMessage got %q", plain)
	}
	if got, want := userTexts(model.Requests()[1]), "u:m1|a:A1|u:chatter|u:@bot question"; got != want {
		t.Errorf("history %q, want %q", got, want)
	}
}

func TestMessageWithoutIDOnPlatformWithoutHistory(t *testing.T) {
	t.Parallel()
	model := bottest.NewModel(bottest.Reply("hi"))
	h := bottest.Start(t, bot.Config{Model: model})
	h.Adapter.SetCapabilities(bot.AllCapabilities.Without(bot.CapHistory))
	h.Adapter.Deliver(bot.Message{ID: "", Address: bottest.DefaultThread, User: bottest.Ana, Text: "hello", Mention: true})
	h.Wait()
	if got := userTexts(model.Requests()[0]); got != "u:hello" {
		t.Errorf("model saw %q, want the message once", got)
	}
}

func TestStopDetails(t *testing.T) {
	t.Parallel()
	t.Run("queued messages are handled within the grace period", func(t *testing.T) {
		t.Parallel()
		release := make(chan struct{})
		model := bottest.NewModel(bottest.Step{Text: "A1", Wait: release}, bottest.Reply("A2"))
		a := bottest.NewAdapter()
		b, _ := bot.New(bot.Config{Model: model, Adapters: []bot.Adapter{a}, Logger: bottest.Logger(t)})
		b.Start(context.Background())
		a.Send(bottest.Ana, "m1")
		waitUntil(t, "the run", func() bool { return len(model.Requests()) == 1 })
		a.Send(bottest.Ana, "m2")
		go func() { time.Sleep(10 * time.Millisecond); close(release) }()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := b.Stop(ctx); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(a.Texts(), ","); got != "A1,A2" {
			t.Errorf("posted %q", got)
		}
	})
	t.Run("a handler that finishes after the cancel gets no stop notice", func(t *testing.T) {
		t.Parallel()
		a := bottest.NewAdapter()
		b, _ := bot.New(bot.Config{Model: bottest.NewModel(), Adapters: []bot.Adapter{a}, Logger: bottest.Logger(t)})
		entered := make(chan struct{})
		b.OnMention(func(ctx context.Context, th *bot.Thread, m bot.Message) error {
			close(entered)
			<-ctx.Done()
			_, err := th.Post(context.WithoutCancel(ctx), render.Text("cleaned up"))
			return err
		})
		b.Start(context.Background())
		a.Send(bottest.Ana, "hi")
		<-entered
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		defer cancel()
		b.Stop(ctx)
		if got := a.Texts(); len(got) != 1 || got[0] != "cleaned up" {
			t.Errorf("posted %q", got)
		}
	})
	t.Run("a click while stopping is not handled", func(t *testing.T) {
		t.Parallel()
		a := &stickyAdapter{Adapter: bottest.NewAdapter()}
		b, _ := bot.New(bot.Config{Model: bottest.NewModel(), Adapters: []bot.Adapter{a}, Logger: bottest.Logger(t)})
		var clicks atomic.Int32
		b.OnAction("x", func(context.Context, *bot.Thread, bot.ActionEvent) error { clicks.Add(1); return nil })
		entered, release := make(chan struct{}), make(chan struct{})
		b.OnMention(func(ctx context.Context, th *bot.Thread, m bot.Message) error {
			close(entered)
			<-release
			return nil
		})
		b.Start(context.Background())
		ref, err := mustThread(t, b).Post(context.Background(), render.Card{Actions: render.Actions(render.Button("Go", 1).OnAction("x"))})
		if err != nil {
			t.Fatal(err)
		}
		a.Send(bottest.Ana, "hi")
		<-entered
		stopped := make(chan error)
		go func() { stopped <- b.Stop(context.Background()) }()
		// The bot is stopping once the adapter no longer receives; a click
		// already on its way arrives now.
		waitUntil(t, "the adapter to stop receiving", func() bool { return !a.Receiving() })
		var id string
		for _, v := range a.Posts()[0].IDs {
			id = v
		}
		a.inbox.Action(context.Background(), bot.Action{ID: id, User: bottest.Ana, Message: ref})
		close(release)
		if err := <-stopped; err != nil {
			t.Fatal(err)
		}
		if clicks.Load() != 0 || len(a.Posts()) != 1 {
			t.Errorf("a click while stopping was handled: %d clicks, posts %q", clicks.Load(), a.Texts())
		}
	})
}

// stickyAdapter keeps the bot's inbox after the bot stops receiving, to
// deliver what a platform still had in flight.
type stickyAdapter struct {
	*bottest.Adapter
	inbox bot.Inbox
}

func (a *stickyAdapter) Start(ctx context.Context, in bot.Inbox) error {
	a.inbox = in
	return a.Adapter.Start(ctx, in)
}

func mustThread(t *testing.T, b *bot.Bot) *bot.Thread {
	t.Helper()
	th, err := b.Thread(bottest.DefaultThread)
	if err != nil {
		t.Fatal(err)
	}
	return th
}

func TestRunAgentOutsideAHandler(t *testing.T) {
	t.Parallel()
	boom := bot.DefineTool(bot.ToolSpec[struct{}]{Name: "boom", Description: "Boom.",
		Handler: func(context.Context, struct{}, *bot.ToolContext) (any, error) { panic("kaboom") }})
	model := bottest.NewModel(bottest.Call("boom", struct{}{}), bottest.Step{Text: "Report posted.", Silent: true})
	a := bottest.NewAdapter()
	a.SetCapabilities(bot.AllCapabilities)
	b, err := bot.New(bot.Config{Model: model, Adapters: []bot.Adapter{a}, Tools: []*bot.Tool{boom}, Logger: bottest.Logger(t)})
	if err != nil {
		t.Fatal(err)
	}
	th, err := b.Thread(bot.Address{Platform: bottest.Platform, Channel: "C_REPORTS"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := th.RunAgent(context.Background(), bot.RunOptions{Instructions: "Post the daily report."})
	if err != nil || res.Text != "Report posted." || res.Steps != 2 || res.ToolCalls != 1 {
		t.Errorf("RunAgent = %+v, %v", res, err)
	}
	if got := toolMessages(model.Requests()[1]); len(got) != 1 || got[0] != `{"error":"tool panicked: kaboom"}` {
		t.Errorf("tool message %q", got)
	}
}
