package bot_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
	"github.com/parleybot/parley/render"
)

// startBot starts a bot over adapter a and store s, stopping it when the
// test ends.
func startBot(t *testing.T, cfg bot.Config, a bot.Adapter, s bot.Store) *bot.Bot {
	t.Helper()
	cfg.Adapters, cfg.Store = []bot.Adapter{a}, s
	if cfg.Logger == nil {
		cfg.Logger = bottest.Logger(t)
	}
	b, err := bot.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		b.Stop(ctx)
	})
	return b
}

// stop stops b and waits until its adapter is free for the next bot: a
// restart.
func stop(t *testing.T, b *bot.Bot, a *bottest.Adapter) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	b.Stop(ctx)
	for deadline := time.Now().Add(5 * time.Second); a.Receiving(); {
		if time.Now().After(deadline) {
			t.Fatal("the adapter is still receiving after Stop")
		}
		time.Sleep(time.Millisecond)
	}
}

// countingAdapter counts the user lookups that reach the platform.
type countingAdapter struct {
	*bottest.Adapter
	lookups atomic.Int32
}

func (a *countingAdapter) LookupUser(ctx context.Context, in bot.Address, id string) (bot.User, error) {
	a.lookups.Add(1)
	return a.Adapter.LookupUser(ctx, in, id)
}

func idOf(p bottest.Posted, label string) string {
	for el, id := range p.IDs {
		if b, ok := el.(*render.ButtonNode); ok && b.Label == label {
			return id
		}
		if o, ok := el.(*render.Option); ok && o.Label == label {
			return id
		}
	}
	return ""
}

func waitIdle(t *testing.T, b *bot.Bot) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := b.Idle(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestRestartResumesPendingChoice(t *testing.T) {
	t.Parallel()
	store := bot.NewMemoryStore()
	a := bottest.NewAdapter()
	platform := &countingAdapter{Adapter: a}
	tools := func() []*bot.Tool {
		return []*bot.Tool{bot.DefineTool(bot.ToolSpec[askArgs]{
			Name: "ask", Description: "asks",
			Handler: func(ctx context.Context, args askArgs, tc *bot.ToolContext) (any, error) {
				u, err := tc.Thread.LookupUser(ctx, bottest.Ana.ID) // a Thread operation before the wait
				if err != nil {
					return nil, err
				}
				if _, err := tc.Thread.Post(ctx, render.Text("Asking "+u.Name+"…")); err != nil {
					return nil, err
				}
				c, err := bot.AwaitChoice[verdict](ctx, tc.Thread, render.Card{
					Title:   args.What + "?",
					Actions: render.Actions(render.Button("Approve", verdict{true}), render.Button("Deny", verdict{false})),
				}, bot.Approvers(bottest.Ana.ID))
				if err != nil {
					return nil, err
				}
				return map[string]any{"approved": c.Value.Approved, "by": c.User.Name}, nil
			},
		})}
	}
	model1 := bottest.NewModel(bottest.Call("ask", askArgs{What: "Deploy"}), bottest.Reply("not reached"))
	b1 := startBot(t, bot.Config{Model: model1, Tools: tools()}, platform, store)
	a.Send(bottest.Ana, "deploy")
	p := card(t, a, 0)
	stop(t, b1, a)
	for _, text := range a.Texts() {
		if strings.Contains(text, "stop") {
			t.Errorf("a run waiting for a person told the thread %q on Stop", text)
		}
	}
	postsBefore := len(a.Posts())

	// A new process over the same Store: the click resumes the run.
	model2 := bottest.NewModel(bottest.Reply("Deployed."))
	b2 := startBot(t, bot.Config{Model: model2, Tools: tools()}, platform, store)
	if err := a.ClickID(p.Ref, idOf(p, "Approve"), bottest.Ana); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, b2)

	if n := len(model1.Requests()); n != 1 {
		t.Errorf("the first process made %d model requests, want 1", n)
	}
	reqs := model2.Requests()
	if len(reqs) != 1 {
		t.Fatalf("the resumed run made %d model requests, want 1: recorded steps are not requested again", len(reqs))
	}
	msgs := reqs[0].Messages
	if got := msgs[len(msgs)-1].Content; got != `{"approved":true,"by":"ana"}` {
		t.Errorf("tool result after resume %s", got)
	}
	if n := platform.lookups.Load(); n != 1 {
		t.Errorf("the platform was asked to look a user up %d times, want 1: the replay answers from the journal", n)
	}
	posts := a.Posts()
	if got := len(posts) - postsBefore; got != 1 || posts[len(posts)-1].Text() != "Deployed." {
		var texts []string
		for _, q := range posts[postsBefore:] {
			texts = append(texts, q.Text())
		}
		t.Errorf("after resuming, the bot posted %q; want only the answer, nothing twice", texts)
	}
	closed := posts[indexOf(posts, p.Ref)]
	if len(render.Interactives(closed.Content)) != 0 || !strings.Contains(closed.Text(), "✅ Approve — chosen by @ana") {
		t.Errorf("the card after resuming:\n%s", closed.Text())
	}
}

func TestReplayThatDivergesFailsLoudly(t *testing.T) {
	t.Parallel()
	store := bot.NewMemoryStore()
	a := bottest.NewAdapter()
	b1 := startBot(t, bot.Config{Model: bottest.NewModel(bottest.Call("ask", askArgs{What: "Deploy"})), Tools: []*bot.Tool{approvalTool("ask")}}, a, store)
	a.Send(bottest.Ana, "deploy")
	p := card(t, a, 0)
	stop(t, b1, a)

	// The new code looks a user up before asking: not what the journal holds.
	changed := bot.DefineTool(bot.ToolSpec[askArgs]{
		Name: "ask", Description: "asks",
		Handler: func(ctx context.Context, args askArgs, tc *bot.ToolContext) (any, error) {
			if _, err := tc.Thread.LookupUser(ctx, bottest.Ana.ID); err != nil {
				return nil, err
			}
			_, err := bot.AwaitChoice[verdict](ctx, tc.Thread, render.Card{Actions: render.Actions(render.Button("Approve", verdict{true}))})
			return nil, err
		},
	})
	model2 := bottest.NewModel(bottest.Reply("must not be reached"))
	b2 := startBot(t, bot.Config{Model: model2, Tools: []*bot.Tool{changed}}, a, store)
	a.ClickID(p.Ref, idOf(p, "Approve"), bottest.Ana)
	waitIdle(t, b2)
	last := a.LastText()
	if !strings.Contains(last, "could not resume") || !strings.Contains(last, "step 1 of a tool call") || !strings.Contains(last, `lookup "U_ANA"`) || !strings.Contains(last, `choice "Deploy?"`) {
		t.Errorf("the thread was told %q; want a message naming the step", last)
	}
	if strings.Contains(last, p.Ref.ID) || strings.Contains(last, "run ") {
		t.Errorf("the notice shows internal ids: %q", last)
	}
	if n := len(model2.Requests()); n != 0 {
		t.Errorf("a diverged run went on to the model (%d requests)", n)
	}
	// Nothing will act on the decision; the card shows it, without
	// buttons, beside the notice saying the task could not go on.
	closed, _ := a.Lookup(p.Ref)
	if len(render.Interactives(closed.Content)) != 0 || !strings.Contains(closed.Text(), "✅ Approve — chosen by @ana") {
		t.Errorf("the diverged run's card:\n%s", closed.Text())
	}
}

func TestParkedRunResumesOnClick(t *testing.T) {
	t.Parallel()
	model := bottest.NewModel(bottest.Call("ask", askArgs{What: "Ship"}), bottest.Reply("Shipped."))
	a := bottest.NewAdapter()
	var rl runLog
	b := startBot(t, bot.Config{Model: model, Logger: rl.logger(t), ParkAfter: 10 * time.Millisecond, Tools: []*bot.Tool{approvalTool("ask")}}, a, bot.NewMemoryStore())
	a.Send(bottest.Ana, "ship")
	p := card(t, a, 0)
	rl.waitParked(t, 1)
	waitIdle(t, b)
	if n := len(model.Requests()); n != 1 {
		t.Fatalf("%d model requests while parked", n)
	}
	a.ClickID(p.Ref, idOf(p, "Deny"), bottest.Ben)
	waitIdle(t, b)
	if a.LastText() != "Shipped." {
		t.Errorf("last text %q", a.LastText())
	}
	reqs := model.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d model requests, want 2", len(reqs))
	}
	msgs := reqs[1].Messages
	if got := msgs[len(msgs)-1].Content; got != `{"approved":false,"by":"ben","timed_out":false}` {
		t.Errorf("tool result %s", got)
	}
	if rl.replayed.Load() != 1 {
		t.Errorf("the run resumed by replay %d times, want 1", rl.replayed.Load())
	}
}

func TestParkedChoiceExpiresBySweep(t *testing.T) {
	t.Parallel()
	model := bottest.NewModel(bottest.Call("ask", askArgs{What: "Ship"}), bottest.Reply("Nobody answered."))
	a := bottest.NewAdapter()
	b := startBot(t, bot.Config{
		Model: model, ParkAfter: 5 * time.Millisecond, SweepInterval: 5 * time.Millisecond,
		Tools: []*bot.Tool{approvalTool("ask", bot.Timeout(40*time.Millisecond))},
	}, a, bot.NewMemoryStore())
	a.Send(bottest.Ana, "ship")
	p := card(t, a, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.WaitFor(ctx, func([]bottest.Posted) bool { return a.LastText() == "Nobody answered." }); err != nil {
		t.Fatalf("the parked run did not resume on expiry; last text %q", a.LastText())
	}
	waitIdle(t, b)
	msgs := model.Requests()[1].Messages
	if got := msgs[len(msgs)-1].Content; got != `{"approved":false,"by":"","timed_out":true}` {
		t.Errorf("tool result %s", got)
	}
	if closed := a.Posts()[indexOf(a.Posts(), p.Ref)]; !strings.Contains(closed.Text(), "⏱ Expired") {
		t.Errorf("card:\n%s", closed.Text())
	}
}

func TestActionBindingSurvivesRestart(t *testing.T) {
	t.Parallel()
	store := bot.NewMemoryStore()
	a := bottest.NewAdapter()
	b1 := startBot(t, bot.Config{Model: bottest.NewModel()}, a, store)
	b1.OnMention(func(ctx context.Context, th *bot.Thread, m bot.Message) error {
		_, err := th.Post(ctx, render.Card{Actions: render.Actions(render.Button("Refresh", "lisbon").OnAction("refresh"))})
		return err
	})
	a.Send(bottest.Ana, "weather")
	p := card(t, a, 0)
	stop(t, b1, a)

	b2 := startBot(t, bot.Config{Model: bottest.NewModel()}, a, store)
	got := make(chan string, 1)
	b2.OnAction("refresh", func(ctx context.Context, th *bot.Thread, e bot.ActionEvent) error {
		got <- e.User.Name + " " + string(e.Value)
		return nil
	})
	a.ClickID(p.Ref, idOf(p, "Refresh"), bottest.Ben)
	select {
	case g := <-got:
		if g != `ben "lisbon"` {
			t.Errorf("handler got %s", g)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a click after a restart did not reach the handler")
	}
}

// A process whose lease on a thread lapsed (it could not renew it) and
// was taken by another stops the run there without a word: the run goes on
// in the process that took the thread.
func TestRunWhoseThreadWasTakenOverStopsQuietly(t *testing.T) {
	t.Parallel()
	mem := bot.NewMemoryStore()
	var failRenew atomic.Bool
	store := &hookStore{Store: mem, renew: func() error {
		if failRenew.Load() {
			return errors.New("database unreachable")
		}
		return nil
	}}
	model := bottest.NewModel(bottest.Call("ask", askArgs{What: "Deploy"}), bottest.Reply("here"))
	a := bottest.NewAdapter()
	lost := make(chan struct{})
	var once sync.Once
	logger := slog.New(hookHandler{bottest.Logger(t).Handler(), func(msg string) {
		if strings.HasPrefix(msg, "bot: lost a thread's lease") || strings.HasPrefix(msg, "bot: could not renew a thread's lease") {
			once.Do(func() { close(lost) })
		}
	}})
	b := startBot(t, bot.Config{Model: model, Logger: logger, LeaseTTL: 60 * time.Millisecond, Tools: []*bot.Tool{approvalTool("ask")}}, a, store)
	a.Send(bottest.Ana, "deploy")
	p := card(t, a, 0)
	rec, err := mem.Action(context.Background(), idOf(p, "Approve"))
	if err != nil {
		t.Fatal(err)
	}
	c, _ := mem.Choice(context.Background(), rec.Choice)
	failRenew.Store(true)
	waitUntil(t, "another process to take the thread", func() bool {
		_, err := mem.Claim(context.Background(), c.Lane, "other-process", time.Minute)
		return err == nil
	})
	select {
	case <-lost:
	case <-time.After(5 * time.Second):
		t.Fatal("the bot did not notice it lost the thread")
	}
	waitIdle(t, b)
	a.ClickID(p.Ref, idOf(p, "Approve"), bottest.Ana)
	waitIdle(t, b)
	for _, text := range a.Texts() {
		if strings.Contains(text, "Sorry") || strings.Contains(text, "interrupted") || text == "here" {
			t.Errorf("the run went on or complained here: %q", text)
		}
	}
	if n := len(model.Requests()); n != 1 {
		t.Errorf("%d model requests, want 1", n)
	}
}

// journalFailStore fails the next Journal read once armed, as a database
// hiccup would.
type journalFailStore struct {
	bot.Store
	armed atomic.Bool
}

func (s *journalFailStore) Journal(ctx context.Context, run string) ([]bot.JournalEntry, error) {
	if s.armed.CompareAndSwap(true, false) {
		return nil, errors.New("connection reset by peer")
	}
	return s.Store.Journal(ctx, run)
}

// lane.resume (and lane.recover) read the run's journal and, when
// the read fails, log and return — and process counts the item done.
// One failed read of a parked run's journal loses the resumption for
// good: the choice is decided in the Store, nothing is queued any more,
// the run never goes on and its card stays open with its buttons.
func TestResumeSurvivesAFailedJournalRead(t *testing.T) {
	t.Parallel()
	store := &journalFailStore{Store: bot.NewMemoryStore()}
	model := bottest.NewModel(bottest.Call("ask", askArgs{What: "Deploy"}), bottest.Reply("done"))
	cfg := crashCfg(model, approvalTool("ask"))
	cfg.Store, cfg.ParkAfter = store, 20*time.Millisecond
	h := bottest.Start(t, cfg)
	h.Adapter.Send(bottest.Ana, "deploy")
	p := h.Card(0)
	time.Sleep(200 * time.Millisecond) // parked
	h.Wait()
	store.armed.Store(true)
	h.Click(p.Ref, "Approve", bottest.Ana)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := h.Chat.WaitFor(ctx, func([]bottest.Posted) bool { return countTexts(h, "done") > 0 }); err != nil {
		now, _ := h.Chat.Lookup(p.Ref)
		t.Errorf("the decided run never resumed: the thread shows %q; the card still offers %q", h.Chat.Texts(), now.Options())
	}
	h.Wait()
}
