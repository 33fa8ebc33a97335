package bot_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
	"github.com/parleybot/parley/render"
)

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

func userTexts(req bot.ModelRequest) string {
	var out []string
	for _, m := range req.Messages {
		out = append(out, string(m.Role[0])+":"+m.Content)
	}
	return strings.Join(out, "|")
}

func TestMessagesDuringARunAreHandledInOrder(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	model := bottest.NewModel(bottest.Step{Text: "first answer", Wait: release}, bottest.Reply("second answer"))
	h := bottest.Start(t, bot.Config{Model: model})
	var handled []string
	h.Bot.OnMention(func(ctx context.Context, th *bot.Thread, m bot.Message) error {
		handled = append(handled, m.Text)
		_, err := th.RunAgent(ctx, bot.RunOptions{})
		return err
	})
	h.Adapter.Send(bottest.Ana, "one")
	waitUntil(t, "the first run to call the model", func() bool { return len(model.Requests()) == 1 })
	h.Adapter.Send(bottest.Ben, "two")
	close(release)
	h.Wait()

	if strings.Join(handled, ",") != "one,two" {
		t.Errorf("handled %q, want one then two", handled)
	}
	if got := h.Adapter.Texts(); strings.Join(got, ",") != "first answer,second answer" {
		t.Errorf("posted %q", got)
	}
	// The second run saw the first run's answer before its own message.
	if got, want := userTexts(model.Requests()[1]), "u:one|a:first answer|u:two"; got != want {
		t.Errorf("second run's history %q, want %q", got, want)
	}
}

func TestQueueHandlesLatestWithSkipped(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	model := bottest.NewModel(bottest.Step{Text: "A1", Wait: release}, bottest.Reply("A2"))
	h := bottest.Start(t, bot.Config{Model: model})
	var handled []string
	var skipped [][]bot.Message
	h.Bot.OnMention(func(ctx context.Context, th *bot.Thread, m bot.Message) error {
		handled = append(handled, m.Text)
		skipped = append(skipped, th.Skipped())
		_, err := th.RunAgent(ctx, bot.RunOptions{})
		return err
	})
	h.Adapter.Send(bottest.Ana, "m1")
	waitUntil(t, "the first run", func() bool { return len(model.Requests()) == 1 })
	h.Adapter.Send(bottest.Ana, "m2")
	h.Adapter.Send(bottest.Ben, "m3")
	close(release)
	h.Wait()

	if strings.Join(handled, ",") != "m1,m3" {
		t.Fatalf("handled %q, want m1 then the latest, m3", handled)
	}
	if len(skipped[0]) != 0 || len(skipped[1]) != 1 || skipped[1][0].Text != "m2" {
		t.Errorf("skipped %+v, want m2 with m3", skipped)
	}
	if got, want := userTexts(model.Requests()[1]), "u:m1|a:A1|u:m2|u:m3"; got != want {
		t.Errorf("second run's history %q, want %q", got, want)
	}
}

func TestBusyStrategies(t *testing.T) {
	t.Parallel()
	t.Run("drop", func(t *testing.T) {
		t.Parallel()
		release := make(chan struct{})
		model := bottest.NewModel(bottest.Step{Text: "A1", Wait: release}, bottest.Reply("never"))
		h := bottest.Start(t, bot.Config{Model: model, Busy: bot.BusyDrop})
		h.Adapter.Send(bottest.Ana, "m1")
		waitUntil(t, "the first run", func() bool { return len(model.Requests()) == 1 })
		h.Adapter.Send(bottest.Ana, "m2")
		close(release)
		h.Wait()
		if got := h.Adapter.Texts(); len(got) != 1 || model.Pending() != 1 {
			t.Errorf("posted %q with %d steps left; m2 should have been dropped", got, model.Pending())
		}
	})
	t.Run("concurrent", func(t *testing.T) {
		t.Parallel()
		release := make(chan struct{})
		model := bottest.NewModel(bottest.Step{Text: "slow", Wait: release}, bottest.Reply("fast"))
		h := bottest.Start(t, bot.Config{Model: model, Busy: bot.BusyConcurrent})
		h.Adapter.Send(bottest.Ana, "m1")
		waitUntil(t, "the first run", func() bool { return len(model.Requests()) == 1 })
		h.Adapter.Send(bottest.Ana, "m2")
		waitUntil(t, "the second answer", func() bool { return h.Adapter.LastText() == "fast" })
		close(release)
		h.Wait()
		if got := h.Adapter.Texts(); strings.Join(got, ",") != "fast,slow" {
			t.Errorf("posted %q, want the second answer first", got)
		}
	})
	t.Run("threads are independent", func(t *testing.T) {
		t.Parallel()
		release := make(chan struct{})
		model := bottest.NewModel(bottest.Step{Text: "slow", Wait: release}, bottest.Reply("fast"))
		h := bottest.Start(t, bot.Config{Model: model})
		h.Adapter.Send(bottest.Ana, "m1")
		waitUntil(t, "the first run", func() bool { return len(model.Requests()) == 1 })
		other := bot.Address{Platform: bottest.Platform, Channel: "C_OTHER", Thread: "T9"}
		h.Adapter.Deliver(bot.Message{Address: other, User: bottest.Ben, Text: "m2", Mention: true})
		waitUntil(t, "the other thread's answer", func() bool { return h.Adapter.LastText() == "fast" })
		close(release)
		h.Wait()
	})
}

func TestDefaultMessageHandler(t *testing.T) {
	t.Parallel()
	model := bottest.NewModel(bottest.Reply("hi"), bottest.Reply("again"))
	h := bottest.Start(t, bot.Config{Model: model})
	elsewhere := bot.Address{Platform: bottest.Platform, Channel: "C_OTHER", Thread: "T2"}
	h.Adapter.Deliver(bot.Message{Address: elsewhere, User: bottest.Ana, Text: "chatter"})
	h.Wait()
	if len(model.Requests()) != 0 {
		t.Fatal("a message without a mention in a new thread ran the agent")
	}
	h.Send(bottest.Ana, "@bot hello")
	h.Adapter.Deliver(bot.Message{Address: bottest.DefaultThread, User: bottest.Ana, Text: "follow-up"})
	h.Wait()
	if got := h.Adapter.Texts(); strings.Join(got, ",") != "hi,again" {
		t.Errorf("posted %q: a follow-up in a thread the bot answered in should run the agent", got)
	}
	h.Adapter.Deliver(bot.Message{Address: bottest.DefaultThread, Text: "echo", FromSelf: true})
	h.Wait()
	if len(model.Requests()) != 2 {
		t.Error("the bot's own message ran the agent")
	}
}

func TestCancellationStopsHandler(t *testing.T) {
	t.Parallel()
	var sawCancel atomic.Bool
	entered := make(chan struct{})
	tool := bot.DefineTool(bot.ToolSpec[struct{}]{Name: "slow", Description: "Slow.",
		Handler: func(ctx context.Context, _ struct{}, _ *bot.ToolContext) (any, error) {
			close(entered)
			<-ctx.Done()
			sawCancel.Store(true)
			return nil, ctx.Err()
		}})
	model := bottest.NewModel(bottest.Call("slow", struct{}{}), bottest.Reply("never"))
	h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{tool}})
	var runErr error
	h.Bot.OnMention(func(ctx context.Context, th *bot.Thread, m bot.Message) error {
		ctx, cancel := context.WithCancel(ctx)
		go func() { <-entered; cancel() }()
		_, runErr = th.RunAgent(ctx, bot.RunOptions{})
		return nil
	})
	h.Send(bottest.Ana, "go")
	if !sawCancel.Load() || !errors.Is(runErr, context.Canceled) {
		t.Errorf("handler saw cancel: %v; RunAgent = %v", sawCancel.Load(), runErr)
	}
	if n := len(model.Requests()); n != 1 {
		t.Errorf("model called %d times after the cancel", n)
	}
}

func TestStop(t *testing.T) {
	t.Parallel()
	t.Run("in-flight runs finish within the deadline", func(t *testing.T) {
		t.Parallel()
		release := make(chan struct{})
		model := bottest.NewModel(bottest.Step{Text: "finished", Wait: release})
		a := bottest.NewAdapter()
		b, _ := bot.New(bot.Config{Store: bot.NewMemoryStore(), Model: model, Adapters: []bot.Adapter{a}, Logger: bottest.Logger(t)})
		if err := b.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		a.Send(bottest.Ana, "hi")
		waitUntil(t, "the run", func() bool { return len(model.Requests()) == 1 })
		go func() { time.Sleep(20 * time.Millisecond); close(release) }()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := b.Stop(ctx); err != nil {
			t.Fatalf("Stop = %v", err)
		}
		if got := a.Texts(); len(got) != 1 || got[0] != "finished" {
			t.Errorf("posted %q", got)
		}
		a.Send(bottest.Ana, "after stop")
		if err := b.Idle(ctx); err != nil || len(model.Requests()) != 1 {
			t.Error("a message after Stop was handled")
		}
	})
	t.Run("runs past the deadline are cancelled and say so", func(t *testing.T) {
		t.Parallel()
		model := bottest.NewModel(bottest.Step{Text: "never", Wait: make(chan struct{})})
		a := bottest.NewAdapter()
		b, _ := bot.New(bot.Config{Store: bot.NewMemoryStore(), Model: model, Adapters: []bot.Adapter{a}, Logger: bottest.Logger(t)})
		if err := b.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		a.Send(bottest.Ana, "hi")
		a.Send(bottest.Ana, "queued")
		waitUntil(t, "the run", func() bool { return len(model.Requests()) == 1 })
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		defer cancel()
		if err := b.Stop(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Stop = %v, want DeadlineExceeded", err)
		}
		got := a.Texts()
		if len(got) != 1 || !strings.Contains(got[0], "the bot is shutting down") {
			t.Errorf("posted %q, want one stop notice", got)
		}
		if len(model.Requests()) != 1 {
			t.Error("the queued message ran after the stop")
		}
	})
	t.Run("misuse", func(t *testing.T) {
		t.Parallel()
		b, _ := bot.New(bot.Config{Store: bot.NewMemoryStore(), Model: bottest.NewModel(), Adapters: []bot.Adapter{bottest.NewAdapter()}})
		if err := b.Stop(context.Background()); err == nil {
			t.Error("Stop before Start succeeded")
		}
	})
}

func TestStartFailure(t *testing.T) {
	t.Parallel()
	a := bottest.NewAdapter()
	if err := a.Start(context.Background(), nopInbox{}); err != nil {
		t.Fatal(err)
	}
	b, _ := bot.New(bot.Config{Store: bot.NewMemoryStore(), Model: bottest.NewModel(), Adapters: []bot.Adapter{a}})
	if err := b.Start(context.Background()); err == nil || !strings.Contains(err.Error(), "starting the test adapter") {
		t.Errorf("Start = %v, want the adapter's error", err)
	}
}

func TestHandlerFailures(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		h    bot.MessageHandler
	}{
		{"error", func(context.Context, *bot.Thread, bot.Message) error { return errors.New("db down") }},
		{"panic", func(context.Context, *bot.Thread, bot.Message) error { panic("nil map") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := bottest.Start(t, bot.Config{Model: bottest.NewModel()})
			h.Bot.OnMention(tc.h)
			h.Send(bottest.Ana, "hi")
			if got := h.Adapter.Texts(); len(got) != 1 || !strings.Contains(got[0], "something went wrong") {
				t.Errorf("posted %q", got)
			}
			// The bot lives on.
			h.Bot.OnMention(func(ctx context.Context, th *bot.Thread, m bot.Message) error {
				_, err := th.Post(ctx, render.Text("still here"))
				return err
			})
			h.Send(bottest.Ana, "again")
			if h.Adapter.LastText() != "still here" {
				t.Error("the bot did not handle the next message")
			}
		})
	}
}

type Deploy struct {
	Env string `json:"env"`
}

func TestActions(t *testing.T) {
	t.Parallel()
	h := bottest.Start(t, bot.Config{Model: bottest.NewModel()})
	var events []bot.ActionEvent
	h.Bot.OnAction("deploy", func(ctx context.Context, th *bot.Thread, e bot.ActionEvent) error {
		events = append(events, e)
		var d Deploy
		if err := e.Decode(&d); err != nil {
			return err
		}
		_, err := th.Post(ctx, render.Text(fmt.Sprintf("%s deploys to %s", e.User.Name, d.Env)))
		return err
	})
	h.Bot.OnAction("broken", func(context.Context, *bot.Thread, bot.ActionEvent) error { return errors.New("boom") })
	var ref bot.MessageRef
	h.Bot.OnMention(func(ctx context.Context, th *bot.Thread, m bot.Message) error {
		var err error
		ref, err = th.Post(ctx, render.Card{
			Title: "Deploy?",
			Actions: render.Actions(
				render.Button("Prod", Deploy{Env: "prod"}).Primary().OnAction("deploy"),
				render.Button("Broken", 0).OnAction("broken"),
				render.Button("Orphan", 0).OnAction("nobody"),
				render.LinkButton("Docs", "https://example.com"),
			),
		})
		return err
	})
	h.Send(bottest.Ana, "deploy")
	p := h.Adapter.Posts()[0]
	if len(p.IDs) != 3 {
		t.Fatalf("%d action ids, want 3 (link buttons need none)", len(p.IDs))
	}
	for el, id := range p.IDs {
		if len(id) < 22 || strings.Contains(id, "prod") {
			t.Errorf("id %q for %v is not opaque", id, el)
		}
	}
	h.Click(ref, "Prod", bottest.Ben)
	if len(events) != 1 || events[0].User != bottest.Ben || events[0].Label != "Prod" || string(events[0].Value) != `{"env":"prod"}` || events[0].Message != ref {
		t.Fatalf("events %+v", events)
	}
	if h.Adapter.LastText() != "ben deploys to prod" {
		t.Errorf("last post %q", h.Adapter.LastText())
	}

	notices := func() []string {
		var out []string
		for _, p := range h.Adapter.Posts() {
			if p.Ephemeral {
				out = append(out, p.To+":"+p.Text())
			}
		}
		return out
	}
	if err := h.Adapter.ClickID(ref, "forged-id", bottest.Ben); err != nil {
		t.Fatal(err)
	}
	h.Wait()
	h.Click(ref, "Orphan", bottest.Ana)
	want := []string{"U_BEN:This button is no longer valid.", "U_ANA:This button has nothing to do right now."}
	if got := notices(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("notices %q, want %q", got, want)
	}
	h.Click(ref, "Broken", bottest.Ana)
	if !strings.Contains(h.Adapter.LastText(), "something went wrong") {
		t.Errorf("a failing action handler left %q", h.Adapter.LastText())
	}
	if len(events) != 1 {
		t.Errorf("forged or orphan clicks reached a handler: %+v", events)
	}
}

func TestNoticeWithoutEphemeral(t *testing.T) {
	t.Parallel()
	h := bottest.Start(t, bot.Config{Model: bottest.NewModel()})
	h.Adapter.SetCapabilities(bot.AllCapabilities.Without(bot.CapEphemeral))
	if err := h.Adapter.ClickID(bot.MessageRef{Address: bottest.DefaultThread, ID: "x"}, "forged", bottest.Ben); err != nil {
		t.Fatal(err)
	}
	h.Wait()
	if got := h.Adapter.Texts(); len(got) != 1 || got[0] != "ben: This button is no longer valid." {
		t.Errorf("posted %q, want a reply naming the clicker", got)
	}
}

type nopInbox struct{}

func (nopInbox) Message(context.Context, bot.Message) error    { return nil }
func (nopInbox) Action(context.Context, bot.Action) error      { return nil }
func (nopInbox) Edited(context.Context, bot.Message) error     { return nil }
func (nopInbox) Deleted(context.Context, bot.MessageRef) error { return nil }

func TestRunUntilCancelled(t *testing.T) {
	t.Parallel()
	a := bottest.NewAdapter()
	b, _ := bot.New(bot.Config{Store: bot.NewMemoryStore(), Model: bottest.NewModel(bottest.Reply("hi")), Adapters: []bot.Adapter{a}, Logger: bottest.Logger(t)})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx, time.Second) }()
	waitUntil(t, "the bot to receive", a.Receiving)
	a.Send(bottest.Ana, "hello")
	waitUntil(t, "the answer", func() bool { return len(a.Texts()) > 0 })
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v", err)
		}
		waitUntil(t, "the adapter to stop receiving", func() bool { return !a.Receiving() })
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	if got := a.Texts(); len(got) != 1 || got[0] != "hi" {
		t.Errorf("posted %q", got)
	}
}

func TestActionIDOnlyValidWhereItWasPosted(t *testing.T) {
	t.Parallel()
	h := bottest.Start(t, bot.Config{Model: bottest.NewModel()})
	var clicks atomic.Int32
	h.Bot.OnAction("go", func(context.Context, *bot.Thread, bot.ActionEvent) error { clicks.Add(1); return nil })
	h.Bot.OnMention(func(ctx context.Context, th *bot.Thread, m bot.Message) error {
		_, err := th.Post(ctx, render.Card{Actions: render.Actions(render.Button("Go", 1).OnAction("go"))})
		return err
	})
	h.Send(bottest.Ana, "card")
	p := h.Adapter.Posts()[0]
	var id string
	for _, v := range p.IDs {
		id = v
	}
	elsewhere := bot.MessageRef{Address: bot.Address{Platform: bottest.Platform, Channel: "C_OTHER"}, ID: p.Ref.ID}
	if err := h.Adapter.ClickID(elsewhere, id, bottest.Ben); err != nil {
		t.Fatal(err)
	}
	h.Wait()
	if clicks.Load() != 0 {
		t.Fatal("an id replayed in another channel reached the handler")
	}
	if last := h.Adapter.Posts()[len(h.Adapter.Posts())-1]; !last.Ephemeral || last.Text() != "This button is no longer valid." {
		t.Errorf("last post %+v", last)
	}
	h.Click(p.Ref, "Go", bottest.Ben)
	if clicks.Load() != 1 {
		t.Error("the id did not work where it was posted")
	}
}

func TestSelectOptionsAct(t *testing.T) {
	t.Parallel()
	h := bottest.Start(t, bot.Config{Model: bottest.NewModel()})
	var got []string
	h.Bot.OnAction("region", func(ctx context.Context, th *bot.Thread, e bot.ActionEvent) error {
		got = append(got, e.Label+"="+string(e.Value))
		return nil
	})
	var ref bot.MessageRef
	h.Bot.OnMention(func(ctx context.Context, th *bot.Thread, m bot.Message) error {
		var err error
		ref, err = th.Post(ctx, render.Card{Body: []render.Node{
			render.Select("Region", render.Opt("Lisbon", "eu-1"), render.Opt("Tokyo", "ap-1")).OnAction("region"),
			render.Section("or the default", render.Button("Default", "eu-1").OnAction("region")),
		}})
		return err
	})
	h.Send(bottest.Ana, "where?")
	if n := len(h.Adapter.Posts()[0].IDs); n != 3 {
		t.Fatalf("%d action ids, want one per option and one for the section button", n)
	}
	h.Click(ref, "Tokyo", bottest.Ben)
	h.Click(ref, "Default", bottest.Ben)
	if want := `Tokyo="ap-1" Default="eu-1"`; strings.Join(got, " ") != want {
		t.Errorf("picks %q, want %q", strings.Join(got, " "), want)
	}

	h.Bot.OnMention(func(ctx context.Context, th *bot.Thread, m bot.Message) error {
		_, err := th.Post(ctx, render.Select("Region", render.Opt("Lisbon", "eu-1")))
		return err
	})
	h.Send(bottest.Ana, "unbound")
	if !strings.Contains(h.Adapter.LastText(), "something went wrong") {
		t.Errorf("a select without a handler posted; last text %q", h.Adapter.LastText())
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
		b, _ := bot.New(bot.Config{Store: bot.NewMemoryStore(), Model: model, Adapters: []bot.Adapter{a}, Logger: bottest.Logger(t)})
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
		b, _ := bot.New(bot.Config{Store: bot.NewMemoryStore(), Model: bottest.NewModel(), Adapters: []bot.Adapter{a}, Logger: bottest.Logger(t)})
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
		b, _ := bot.New(bot.Config{Store: bot.NewMemoryStore(), Model: bottest.NewModel(), Adapters: []bot.Adapter{a}, Logger: bottest.Logger(t)})
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
	b, err := bot.New(bot.Config{Store: bot.NewMemoryStore(), Model: model, Adapters: []bot.Adapter{a}, Tools: []*bot.Tool{boom}, Logger: bottest.Logger(t)})
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
