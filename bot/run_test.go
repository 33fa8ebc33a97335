package bot_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
	"github.com/parleybot/parley/render"
)

func TestRunCallsToolAndPostsAnswer(t *testing.T) {
	t.Parallel()
	var got EchoArgs
	var tc *bot.ToolContext
	tool := bot.DefineTool(bot.ToolSpec[EchoArgs]{
		Name: "echo", Description: "Echo.",
		Handler: func(_ context.Context, a EchoArgs, c *bot.ToolContext) (any, error) {
			got, tc = a, c
			return map[string]int{"length": len(a.Text)}, nil
		},
	})
	model := bottest.NewModel(bottest.Call("echo", EchoArgs{Text: "hello"}), bottest.Reply("The text has 5 letters."))
	h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{tool}, Instructions: "Be brief."})
	m := h.Send(bottest.Ana, "how long is hello?")

	if got.Text != "hello" {
		t.Errorf("handler args = %+v", got)
	}
	if tc == nil || tc.User != bottest.Ana || tc.Message.ID != m.ID || tc.Platform != bottest.Platform ||
		tc.Thread.Address() != bottest.DefaultThread || tc.CallID == "" {
		t.Errorf("tool context = %+v", tc)
	}
	if texts := h.Adapter.Texts(); len(texts) != 1 || texts[0] != "The text has 5 letters." {
		t.Errorf("posted %q", texts)
	}
	reqs := model.Requests()
	if len(reqs) != 2 {
		t.Fatalf("model called %d times, want 2", len(reqs))
	}
	first := reqs[0]
	if first.Instructions != "Be brief." || len(first.Tools) != 1 || first.Tools[0].Name != "echo" {
		t.Errorf("first request: instructions %q, tools %+v", first.Instructions, first.Tools)
	}
	if last := first.Messages[len(first.Messages)-1]; last.Role != bot.RoleUser || last.Name != "ana" || last.Content != "how long is hello?" {
		t.Errorf("first request ends with %+v", last)
	}
	second := reqs[1].Messages
	call := second[len(second)-2]
	if call.Role != bot.RoleAssistant || len(call.ToolCalls) != 1 || call.ToolCalls[0].Name != "echo" {
		t.Fatalf("second request's assistant message = %+v", call)
	}
	res := second[len(second)-1]
	if res.Role != bot.RoleTool || res.ToolCallID != call.ToolCalls[0].ID || res.Content != `{"length":5}` {
		t.Errorf("second request's tool message = %+v", res)
	}
}

func TestInvalidArgumentsNeverReachHandler(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, args, want string
	}{
		{"not JSON", `{"text": "unterminated`, `invalid arguments: $: not valid JSON`},
		{"wrong type", `{"text": 42}`, `invalid arguments: $.text: type: 42 has type \"integer\", want \"string\"`},
		{"missing required", `{}`, `invalid arguments: $: required: missing properties: [\"text\"]`},
		{"extra property", `{"text": "hi", "shout": true}`, `invalid arguments: $: unexpected additional properties [\"shout\"]`},
		{"not an object", `["hi"]`, `invalid arguments: $: type: [hi] has type \"array\", want \"object\"`},
		{"nested wrong type", `{"place": {"city": 7}, "days": 1, "tags": null}`, `invalid arguments: $.place.city: type: 7 has type \"integer\"`},
		{"bad enum", `{"place": {"city": "x"}, "days": 1, "tags": null, "units": "kelvin"}`, `invalid arguments: $.units: enum:`},
		{"array element", `{"place": {"city": "x"}, "days": 1, "tags": ["a", 2]}`, `invalid arguments: $.tags[*]: type: 2 has type \"integer\"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			echo := bot.DefineTool(bot.ToolSpec[EchoArgs]{Name: "echo", Description: "Echo.",
				Handler: func(context.Context, EchoArgs, *bot.ToolContext) (any, error) { calls.Add(1); return "", nil }})
			forecast := bot.DefineTool(bot.ToolSpec[ForecastArgs]{Name: "forecast", Description: "Forecast.",
				Handler: func(context.Context, ForecastArgs, *bot.ToolContext) (any, error) { calls.Add(1); return "", nil }})
			name := "echo"
			if strings.Contains(tt.args, "place") {
				name = "forecast"
			}
			model := bottest.NewModel(bottest.Call(name, tt.args), bottest.Reply("sorry"))
			h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{echo, forecast}})
			h.Send(bottest.Ana, "go")
			if n := calls.Load(); n != 0 {
				t.Errorf("handler ran %d times on invalid arguments", n)
			}
			msgs := toolMessages(model.Requests()[1])
			if len(msgs) != 1 || !strings.HasPrefix(msgs[0], `{"error":"`+tt.want) {
				t.Errorf("the model saw %q, want an error starting %q", msgs, tt.want)
			}
			var e struct{ Error string }
			if err := json.Unmarshal([]byte(msgs[0]), &e); err != nil || e.Error == "" {
				t.Errorf("tool message %q is not an {\"error\": ...} object", msgs[0])
			}
		})
	}
}

func TestToolResultSerialization(t *testing.T) {
	t.Parallel()
	type point struct {
		X, Y int
	}
	mk := func(name string, f func() (any, error)) *bot.Tool {
		return bot.DefineTool(bot.ToolSpec[struct{}]{Name: name, Description: name,
			Handler: func(context.Context, struct{}, *bot.ToolContext) (any, error) { return f() }})
	}
	tools := []*bot.Tool{
		mk("text", func() (any, error) { return "plain words", nil }),
		mk("nothing", func() (any, error) { return nil, nil }),
		mk("value", func() (any, error) { return point{1, 2}, nil }),
		mk("fails", func() (any, error) { return "ignored", errors.New("disk full") }),
		mk("error_value", func() (any, error) { return errors.New("as a value"), nil }),
		mk("panics", func() (any, error) { panic("boom") }),
		mk("unserializable", func() (any, error) { return func() {}, nil }),
	}
	var calls []bot.ToolCall
	for _, tool := range tools {
		calls = append(calls, bottest.ToolCall(tool.Name(), struct{}{}))
	}
	calls = append(calls, bottest.ToolCall("nope", struct{}{}))
	model := bottest.NewModel(bottest.Step{ToolCalls: calls}, bottest.Reply("done"))
	h := bottest.Start(t, bot.Config{Model: model, Tools: tools})
	h.Send(bottest.Ana, "go")

	got := toolMessages(model.Requests()[1])
	want := []string{
		"plain words",
		"",
		`{"X":1,"Y":2}`,
		`{"error":"disk full"}`,
		`{"error":"as a value"}`,
		`{"error":"tool panicked: boom"}`,
		`{"error":"the tool's result could not be serialized: json: unsupported type: func()"}`,
		`{"error":"unknown tool \"nope\"; the tools are: error_value, fails, nothing, panics, text, unserializable, value"}`,
	}
	if len(got) != len(want) {
		t.Fatalf("got %d tool messages, want %d: %q", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("tool message %d = %q, want %q", i, got[i], want[i])
		}
	}
	// The panic did not end the run.
	if last := h.Adapter.LastText(); last != "done" {
		t.Errorf("last post %q, want the final answer", last)
	}
}

func TestMaxSteps(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	tool := bot.DefineTool(bot.ToolSpec[struct{}]{Name: "again", Description: "Again.",
		Handler: func(context.Context, struct{}, *bot.ToolContext) (any, error) { calls.Add(1); return "more", nil }})
	model := bottest.NewModel()
	for range 10 {
		model.Add(bottest.Call("again", struct{}{}))
	}
	var res bot.RunResult
	var runErr error
	h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{tool}, MaxSteps: 3})
	h.Bot.OnMention(func(ctx context.Context, th *bot.Thread, m bot.Message) error {
		res, runErr = th.RunAgent(ctx, bot.RunOptions{})
		return runErr
	})
	h.Send(bottest.Ana, "loop forever")
	if !errors.Is(runErr, bot.ErrMaxSteps) {
		t.Errorf("RunAgent error = %v, want ErrMaxSteps", runErr)
	}
	if n := len(model.Requests()); n != 3 || res.Steps != 3 {
		t.Errorf("model called %d times, %d steps, want 3", n, res.Steps)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("tool ran %d times, want 2 (the last step's calls have no model call to read them)", n)
	}
	if last := h.Adapter.LastText(); !strings.Contains(last, "stopped after 3 steps") {
		t.Errorf("thread told %q", last)
	}
	if n := len(h.Adapter.Texts()); n != 1 {
		t.Errorf("%d posts, want only the notice: %q", n, h.Adapter.Texts())
	}
}

func TestRunOptions(t *testing.T) {
	t.Parallel()
	model := bottest.NewModel(bottest.Call("extra", EchoArgs{Text: "x"}), bottest.Reply("ok"), bottest.Reply("second"))
	h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{echoTool("echo")}, Instructions: "Base."})
	var errs []error
	h.Bot.OnMention(func(ctx context.Context, th *bot.Thread, m bot.Message) error {
		_, err := th.RunAgent(ctx, bot.RunOptions{Instructions: "Extra.", Tools: []*bot.Tool{echoTool("extra")}})
		errs = append(errs, err)
		_, err = th.RunAgent(ctx, bot.RunOptions{Tools: []*bot.Tool{echoTool("echo")}})
		errs = append(errs, err)
		_, err = th.RunAgent(ctx, bot.RunOptions{Tools: []*bot.Tool{echoTool("bad name")}})
		errs = append(errs, err)
		return nil
	})
	h.Send(bottest.Ana, "hi")
	req := model.Requests()[0]
	if req.Instructions != "Base.\n\nExtra." || len(req.Tools) != 2 || req.Tools[1].Name != "extra" {
		t.Errorf("request: %q, tools %+v", req.Instructions, req.Tools)
	}
	if msgs := toolMessages(model.Requests()[1]); len(msgs) != 1 || msgs[0] != "x" {
		t.Errorf("extra tool result %q", msgs)
	}
	if errs[0] != nil || errs[1] == nil || !strings.Contains(errs[1].Error(), "already registered") || errs[2] == nil {
		t.Errorf("RunAgent errors = %v", errs)
	}
	if len(model.Requests()) != 2 {
		t.Errorf("the runs with bad tools called the model")
	}
}

func TestParallelTools(t *testing.T) {
	t.Parallel()
	// Each handler waits for the other to start: only concurrent calls finish.
	var started sync.WaitGroup
	started.Add(2)
	mk := func(name string) *bot.Tool {
		return bot.DefineTool(bot.ToolSpec[struct{}]{Name: name, Description: name,
			Handler: func(ctx context.Context, _ struct{}, _ *bot.ToolContext) (any, error) {
				started.Done()
				done := make(chan struct{})
				go func() { started.Wait(); close(done) }()
				select {
				case <-done:
					return name + " ok", nil
				case <-time.After(5 * time.Second):
					return nil, errors.New("ran alone")
				}
			}})
	}
	model := bottest.NewModel(
		bottest.Step{ToolCalls: []bot.ToolCall{bottest.ToolCall("a", struct{}{}), bottest.ToolCall("b", struct{}{})}},
		bottest.Reply("done"),
	)
	h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{mk("a"), mk("b")}, ParallelTools: true})
	h.Send(bottest.Ana, "both")
	if got := toolMessages(model.Requests()[1]); len(got) != 2 || got[0] != "a ok" || got[1] != "b ok" {
		t.Errorf("tool messages %q, want both, in call order", got)
	}
}

func TestUnsupportedCapabilities(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ref := bot.MessageRef{Address: bottest.DefaultThread, ID: "m1"}
	// History is not among them: Messages reads the bot's own transcript
	// on every platform.
	calls := map[bot.Capability]func(*bot.Thread) error{
		bot.CapUserLookup: func(th *bot.Thread) error { _, err := th.LookupUser(ctx, bottest.Ana.ID); return err },
		bot.CapFiles: func(th *bot.Thread) error {
			_, err := th.PostFile(ctx, bot.File{Name: "a.txt", Data: []byte("a")})
			return err
		},
		bot.CapStatus:    func(th *bot.Thread) error { return th.SetStatus(ctx, "busy") },
		bot.CapReactions: func(th *bot.Thread) error { return th.React(ctx, ref, "eyes") },
		bot.CapEphemeral: func(th *bot.Thread) error { return th.PostEphemeral(ctx, bottest.Ana.ID, render.Text("psst")) },
	}
	names := map[bot.Capability]string{
		bot.CapUserLookup: "user lookup", bot.CapFiles: "files",
		bot.CapStatus: "status", bot.CapReactions: "reactions", bot.CapEphemeral: "ephemeral messages",
	}
	for c, call := range calls {
		t.Run(c.String(), func(t *testing.T) {
			t.Parallel()
			a := bottest.NewAdapter()
			b, err := bot.New(bot.Config{Store: bot.NewMemoryStore(), Model: bottest.NewModel(), Adapters: []bot.Adapter{a}})
			if err != nil {
				t.Fatal(err)
			}
			th, err := b.Thread(bottest.DefaultThread)
			if err != nil {
				t.Fatal(err)
			}
			a.Deliver(bot.Message{ID: "m1", Address: bottest.DefaultThread, User: bottest.Ana, Text: "x"})
			if _, err := th.Post(ctx, render.Text("target")); err != nil {
				t.Fatal(err)
			}
			if err := call(th); err != nil {
				t.Fatalf("with the capability: %v", err)
			}
			a.SetCapabilities(bot.AllCapabilities.Without(c))
			if th.Capabilities().Has(c) {
				t.Error("Capabilities() still has it")
			}
			err = call(th)
			if !errors.Is(err, bot.ErrUnsupported) {
				t.Fatalf("without the capability: %v, want ErrUnsupported", err)
			}
			var ue *bot.UnsupportedError
			if !errors.As(err, &ue) || ue.Platform != bottest.Platform || ue.Capability != c {
				t.Errorf("error %#v does not name the platform and capability", err)
			}
			if want := "bot: test does not support " + names[c]; err.Error() != want {
				t.Errorf("error %q, want %q", err, want)
			}
		})
	}
}

func TestThreadOperations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := bottest.Start(t, bot.Config{Model: bottest.NewModel()})
	h.Bot.OnMention(func(ctx context.Context, th *bot.Thread, m bot.Message) error { return nil })
	m := h.Send(bottest.Ana, "hello")
	th, _ := h.Bot.Thread(bottest.DefaultThread)
	if cs := th.Capabilities(); cs.Has(bot.CapStreaming) || !cs.Has(bot.CapFiles) {
		t.Errorf("capabilities %v", cs)
	}
	ref, err := th.Post(ctx, render.Markdown("*hi*"))
	if err != nil {
		t.Fatal(err)
	}
	if err := th.Update(ctx, ref, render.Text("edited")); err != nil {
		t.Fatal(err)
	}
	if err := th.React(ctx, bot.MessageRef{Address: bottest.DefaultThread, ID: m.ID}, "eyes"); err != nil {
		t.Fatal(err)
	}
	u, err := th.LookupUser(ctx, bottest.Ben.ID)
	if err != nil || u != bottest.Ben {
		t.Errorf("LookupUser = %+v, %v", u, err)
	}
	if _, err := th.PostFile(ctx, bot.File{Data: []byte("x")}); err == nil {
		t.Error("PostFile without a name succeeded")
	}
	if _, err := th.PostFile(ctx, bot.File{Name: "r.csv", Data: []byte("a,b"), Comment: "report"}); err != nil {
		t.Fatal(err)
	}
	if err := th.SetStatus(ctx, "working"); err != nil {
		t.Fatal(err)
	}
	if err := th.PostEphemeral(ctx, bottest.Ben.ID, render.Text("only you")); err != nil {
		t.Fatal(err)
	}
	msgs, err := th.Messages(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, m := range msgs {
		texts = append(texts, fmt.Sprintf("%v:%s", m.FromSelf, m.Text))
	}
	if got, want := strings.Join(texts, "|"), "false:hello|true:edited|true:report\n📎 r.csv"; got != want {
		t.Errorf("history %q, want %q", got, want)
	}
	if rs := h.Adapter.Reactions(); len(rs) != 1 || rs[0].Emoji != "eyes" || rs[0].Ref.ID != m.ID {
		t.Errorf("reactions %+v", rs)
	}
	if st := h.Adapter.Statuses(); len(st) != 1 || st[0].Text != "working" {
		t.Errorf("statuses %+v", st)
	}
	posts := h.Adapter.Posts()
	if eph := posts[len(posts)-1]; !eph.Ephemeral || eph.To != bottest.Ben.ID {
		t.Errorf("last post %+v, want the ephemeral one", eph)
	}
	if _, err := th.Post(ctx, nil); err == nil {
		t.Error("Post(nil) succeeded")
	}
	if _, err := th.Post(ctx, render.Card{Actions: render.Actions(render.Button("Go", 1))}); err == nil || !strings.Contains(err.Error(), "no handler") {
		t.Errorf("posting an unbound button: %v", err)
	}
	if _, err := h.Bot.Thread(bot.Address{Platform: "irc"}); err == nil {
		t.Error("Thread on an unknown platform succeeded")
	}
}

func TestHistoryBecomesModelMessages(t *testing.T) {
	t.Parallel()
	for _, withHistory := range []bool{true, false} {
		t.Run(fmt.Sprintf("history=%v", withHistory), func(t *testing.T) {
			t.Parallel()
			model := bottest.NewModel(bottest.Reply("Hi ana."), bottest.Reply("Hi ben."))
			h := bottest.Start(t, bot.Config{Model: model})
			if !withHistory {
				h.Adapter.SetCapabilities(bot.AllCapabilities.Without(bot.CapHistory))
			}
			h.Send(bottest.Ana, "hello")
			h.Send(bottest.Ben, "and me?")
			msgs := model.Requests()[1].Messages
			var got []string
			for _, m := range msgs {
				got = append(got, fmt.Sprintf("%s(%s):%s", m.Role, m.Name, m.Content))
			}
			want := "user(ana):hello|assistant():Hi ana.|user(ben):and me?"
			if strings.Join(got, "|") != want {
				t.Errorf("messages %q, want %q", strings.Join(got, "|"), want)
			}
		})
	}
}

func TestModelFailureToldToThread(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		want string
	}{
		{&bot.ModelError{StatusCode: 401, Message: "bad key sk-secret"}, "refused the bot's credentials (HTTP 401)"},
		{&bot.ModelError{StatusCode: 429}, "rate limiting"},
		{&bot.ModelError{StatusCode: 503}, "failed (HTTP 503)"},
		{&bot.ModelError{Message: "stream cut"}, "broke off"},
		{errors.New("weird"), "something went wrong"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			t.Parallel()
			h := bottest.Start(t, bot.Config{Model: bottest.NewModel(bottest.Fail(tt.err))})
			h.Send(bottest.Ana, "hi")
			texts := h.Adapter.Texts()
			if len(texts) != 1 || !strings.Contains(texts[0], tt.want) {
				t.Errorf("thread got %q, want one notice containing %q", texts, tt.want)
			}
			if strings.Contains(texts[0], "sk-secret") {
				t.Error("the notice leaks the service's message")
			}
		})
	}
}

func TestStreamingEdits(t *testing.T) {
	t.Parallel()
	answer := "one two three four five"
	t.Run("throttled", func(t *testing.T) {
		t.Parallel()
		// An interval longer than the test: the first post and the final
		// edit only.
		h := bottest.Start(t, bot.Config{Model: bottest.NewModel(bottest.Reply(answer)), StreamInterval: time.Hour})
		h.Send(bottest.Ana, "count")
		posts := h.Adapter.Posts()
		if len(posts) != 1 {
			t.Fatalf("%d posts", len(posts))
		}
		v := posts[0].Versions
		if len(v) != 2 || v[0] != render.Markdown("one ") || v[1] != render.Markdown(answer) {
			t.Errorf("versions %q, want the first word, then the whole answer", v)
		}
	})
	t.Run("every chunk", func(t *testing.T) {
		t.Parallel()
		h := bottest.Start(t, bot.Config{Model: bottest.NewModel(bottest.Reply(answer)), StreamInterval: time.Nanosecond})
		h.Send(bottest.Ana, "count")
		// Every word is a new edit, unless the clock did not move between
		// two of them.
		v := h.Adapter.Posts()[0].Versions
		if len(v) < 3 || v[len(v)-1] != render.Markdown(answer) {
			t.Errorf("versions %q, want an edit per word", v)
		}
	})
	t.Run("native", func(t *testing.T) {
		t.Parallel()
		h := bottest.Start(t, bot.Config{Model: bottest.NewModel(bottest.Reply(answer))})
		h.Adapter.SetCapabilities(bot.AllCapabilities)
		h.Send(bottest.Ana, "count")
		p := h.Adapter.Posts()[0]
		if !p.Streamed || !p.Closed || p.Text() != answer || len(p.Versions) != 5 {
			t.Errorf("native stream: %+v", p)
		}
	})
	t.Run("platform fails", func(t *testing.T) {
		t.Parallel()
		h := bottest.Start(t, bot.Config{Model: bottest.NewModel(bottest.Reply(answer))})
		h.Adapter.FailPosts(errors.New("channel archived"))
		var runErr error
		h.Bot.OnMention(func(ctx context.Context, th *bot.Thread, m bot.Message) error {
			_, runErr = th.RunAgent(ctx, bot.RunOptions{})
			return runErr
		})
		h.Send(bottest.Ana, "count")
		if runErr == nil || !strings.Contains(runErr.Error(), "channel archived") {
			t.Errorf("RunAgent = %v, want the platform's error", runErr)
		}
	})
}

func TestStatusDuringRun(t *testing.T) {
	t.Parallel()
	model := bottest.NewModel(bottest.Call("echo", EchoArgs{Text: "x"}), bottest.Reply("done"))
	h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{echoTool("echo")}})
	h.Send(bottest.Ana, "go")
	var got []string
	for _, s := range h.Adapter.Statuses() {
		got = append(got, s.Text)
	}
	if strings.Join(got, "|") != "is thinking…|is using echo…|" {
		t.Errorf("statuses %q", got)
	}
}

// modelFunc is a bot.Model made of a function.
type modelFunc func(ctx context.Context, req *bot.ModelRequest, onText func(string)) (*bot.ModelResponse, error)

func (f modelFunc) Generate(ctx context.Context, req *bot.ModelRequest, onText func(string)) (*bot.ModelResponse, error) {
	return f(ctx, req, onText)
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
