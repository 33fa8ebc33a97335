package bot_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
	"github.com/parleybot/parley/render"
)

// Two Bots over one MemoryStore (also their Notifier) and one
// bottest.Chat, each with its own adapter, act in these tests as two
// replicas of one bot behind a load balancer: a message or a click may
// land on either.

// replica is one process of a bot: a Bot with its own connection to the
// shared platform and its own way to the shared Store, both of which can
// die (see kill).
type replica struct {
	*bot.Bot
	name    string
	adapter *replicaAdapter
	store   *bottest.KillableStore
	logs    *logbook

	stopOnce sync.Once
	stopped  chan struct{} // closed when Stop has returned
}

// startReplica starts a replica named name over the shared Store and
// chat, and stops it when the test ends. Without cfg.Notifier, a shared
// Store that is a Notifier is the replica's Notifier.
func startReplica(t *testing.T, chat *bottest.Chat, shared bot.Store, name string, cfg bot.Config) *replica {
	t.Helper()
	r := &replica{name: name, adapter: &replicaAdapter{Adapter: chat.Adapter()}, store: bottest.NewKillableStore(shared), logs: &logbook{}, stopped: make(chan struct{})}
	cfg.Adapters, cfg.Store, cfg.ReplicaID = []bot.Adapter{r.adapter}, r.store, name
	if n, ok := shared.(bot.Notifier); ok && cfg.Notifier == nil {
		cfg.Notifier = &killNotifier{Notifier: n, store: r.store}
	}
	if cfg.StreamInterval == 0 {
		cfg.StreamInterval = time.Millisecond
	}
	cfg.Logger = slog.New(hookHandler{bottest.Logger(t).With("replica", name).Handler(), r.logs.add})
	b, err := bot.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	r.Bot = b
	t.Cleanup(func() {
		r.stop(time.Second)
		select {
		case <-r.stopped:
		case <-time.After(20 * time.Second):
			t.Errorf("replica %s did not stop", name)
		}
	})
	return r
}

// stop stops the replica, giving its work grace to finish, in the
// background; the first call counts.
func (r *replica) stop(grace time.Duration) {
	r.stopOnce.Do(func() {
		go func() {
			defer close(r.stopped)
			ctx, cancel := context.WithTimeout(context.Background(), grace)
			defer cancel()
			r.Bot.Stop(ctx)
		}()
	})
}

// kill kills the replica as a SIGKILL would: from now on nothing it does
// reaches the Store, the other replicas or the platform, and its leases
// lapse on their own. Then its goroutines are stopped.
func (r *replica) kill() {
	r.adapter.dead.Store(true)
	r.store.Kill()
	r.stop(time.Millisecond)
}

// idle waits until the replica has settled: nothing handled or queued
// here, every run over or waiting for a person.
func (r *replica) idle(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.Idle(ctx); err != nil {
		t.Fatalf("replica %s did not settle: %v", r.name, err)
	}
}

// click clicks, as u, the option labelled label of card p through this
// replica.
func (r *replica) click(t *testing.T, p bottest.Posted, label string, u bot.User) {
	t.Helper()
	if err := r.tryClick(p, label, u); err != nil {
		t.Fatal(err)
	}
}

// tryClick is click for goroutines other than the test's.
func (r *replica) tryClick(p bottest.Posted, label string, u bot.User) error {
	id := idOf(p, label)
	if id == "" {
		return fmt.Errorf("card %q has no option %q", p.Text(), label)
	}
	if err := r.adapter.ClickID(p.Ref, id, u); err != nil {
		return fmt.Errorf("clicking %q through replica %s: %w", label, r.name, err)
	}
	return nil
}

// deliver delivers a message from u addressed to the bot in thread
// through this replica.
func (r *replica) deliver(t *testing.T, thread bot.Address, u bot.User, text string) {
	t.Helper()
	if _, err := r.adapter.Deliver(bot.Message{Address: thread, User: u, Text: text, Mention: true}); err != nil {
		t.Fatalf("delivering %q through replica %s: %v", text, r.name, err)
	}
}

// Log lines the tests look for.
const (
	logReplay = "bot: resuming a run by replay"
	logParked = "bot: run parked until a person decides"
)

// logbook keeps the messages a replica logged.
type logbook struct {
	mu   sync.Mutex
	msgs []string
}

func (l *logbook) add(msg string) {
	l.mu.Lock()
	l.msgs = append(l.msgs, msg)
	l.mu.Unlock()
}

// count returns how many messages were logged that start with prefix.
func (l *logbook) count(prefix string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, m := range l.msgs {
		if strings.HasPrefix(m, prefix) {
			n++
		}
	}
	return n
}

// noReplay fails the test if a replica resumed a run by replay.
func noReplay(t *testing.T, rs ...*replica) {
	t.Helper()
	for _, r := range rs {
		if n := r.logs.count(logReplay); n != 0 {
			t.Errorf("replica %s resumed a run by replay %d times; the waiting goroutine should have taken the decision", r.name, n)
		}
	}
}

// errDead is what a dead replica's Store and platform answer.
var errDead = errors.New("test: the replica's process is dead")

// replicaAdapter is a replica's connection to the shared chat; it counts
// the user lookups that reach the platform, and reaches nothing once its
// process is dead. (bottest's own kill switch is unexported; this is its
// test-local twin.)
type replicaAdapter struct {
	*bottest.Adapter
	dead    atomic.Bool
	lookups atomic.Int32
	inbox   atomic.Pointer[bot.Inbox] // as given to Start, for events past the adapter's receiving
}

func (a *replicaAdapter) Start(ctx context.Context, in bot.Inbox) error {
	a.inbox.Store(&in)
	return a.Adapter.Start(ctx, in)
}

func (a *replicaAdapter) check() error {
	if a.dead.Load() {
		return errDead
	}
	return nil
}

func (a *replicaAdapter) Post(ctx context.Context, to bot.Address, m bot.Outgoing) (bot.MessageRef, error) {
	if err := a.check(); err != nil {
		return bot.MessageRef{}, err
	}
	return a.Adapter.Post(ctx, to, m)
}

func (a *replicaAdapter) Update(ctx context.Context, ref bot.MessageRef, m bot.Outgoing) error {
	if err := a.check(); err != nil {
		return err
	}
	return a.Adapter.Update(ctx, ref, m)
}

func (a *replicaAdapter) Messages(ctx context.Context, in bot.Address, limit int) ([]bot.Message, error) {
	if err := a.check(); err != nil {
		return nil, err
	}
	return a.Adapter.Messages(ctx, in, limit)
}

func (a *replicaAdapter) LookupUser(ctx context.Context, in bot.Address, id string) (bot.User, error) {
	if err := a.check(); err != nil {
		return bot.User{}, err
	}
	a.lookups.Add(1)
	return a.Adapter.LookupUser(ctx, in, id)
}

func (a *replicaAdapter) PostFile(ctx context.Context, to bot.Address, f bot.File) (bot.MessageRef, error) {
	if err := a.check(); err != nil {
		return bot.MessageRef{}, err
	}
	return a.Adapter.PostFile(ctx, to, f)
}

func (a *replicaAdapter) SetStatus(ctx context.Context, in bot.Address, status string) error {
	if err := a.check(); err != nil {
		return err
	}
	return a.Adapter.SetStatus(ctx, in, status)
}

func (a *replicaAdapter) PostEphemeral(ctx context.Context, to bot.Address, userID string, m bot.Outgoing) error {
	if err := a.check(); err != nil {
		return err
	}
	return a.Adapter.PostEphemeral(ctx, to, userID, m)
}

func (a *replicaAdapter) React(ctx context.Context, ref bot.MessageRef, emoji string) error {
	if err := a.check(); err != nil {
		return err
	}
	return a.Adapter.React(ctx, ref, emoji)
}

func (a *replicaAdapter) StartStream(ctx context.Context, to bot.Address, opts bot.StreamOptions) (bot.TextStream, error) {
	if err := a.check(); err != nil {
		return nil, err
	}
	return a.Adapter.StartStream(ctx, to, opts)
}

// killNotifier is a replica's way to the shared Notifier: once its
// process is dead, it neither publishes nor hears anything.
type killNotifier struct {
	bot.Notifier
	store *bottest.KillableStore
}

func (n *killNotifier) Publish(ctx context.Context, note string) error {
	if n.store.Dead() {
		return bottest.ErrDead
	}
	return n.Notifier.Publish(ctx, note)
}

func (n *killNotifier) Subscribe(ctx context.Context, receive func(note string)) error {
	return n.Notifier.Subscribe(ctx, func(note string) {
		if !n.store.Dead() {
			receive(note)
		}
	})
}

// noNotifier hides the Notifier of the Store it wraps: replicas over it
// hear of each other only through the Store.
type noNotifier struct{ bot.Store }

// deployTool asks whether to deploy, after a Thread operation that must
// not be repeated (it looks the person up and announces the question),
// and counts how many times its handler begins: more than once for one
// call means the run was replayed.
func deployTool(begun *atomic.Int32) *bot.Tool {
	return bot.DefineTool(bot.ToolSpec[askArgs]{
		Name: "deploy", Description: "deploys, once a person approves",
		Handler: func(ctx context.Context, args askArgs, tc *bot.ToolContext) (any, error) {
			begun.Add(1)
			u, err := tc.Thread.LookupUser(ctx, bottest.Ana.ID)
			if err != nil {
				return nil, err
			}
			if _, err := tc.Thread.Post(ctx, render.Text("Asking "+u.Name+" about "+args.What+"…")); err != nil {
				return nil, err
			}
			c, err := bot.AwaitChoice[verdict](ctx, tc.Thread, render.Card{
				Title:   args.What + "?",
				Actions: render.Actions(render.Button("Approve", verdict{true}).Primary(), render.Button("Deny", verdict{false}).Danger()),
			}, bot.Approvers(bottest.Ana.ID))
			if err != nil {
				return nil, err
			}
			return map[string]any{"approved": c.Value.Approved, "by": c.User.Name}, nil
		},
	})
}

// waitForText waits up to within for a public post reading text in
// thread (any thread if thread is zero).
func waitForPostIn(t *testing.T, chat *bottest.Chat, within time.Duration, thread bot.Address, text string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	err := chat.WaitFor(ctx, func(ps []bottest.Posted) bool {
		for _, p := range ps {
			if !p.Ephemeral && p.Text() == text && (thread == bot.Address{} || p.Ref.Address == thread) {
				return true
			}
		}
		return false
	})
	if err != nil {
		t.Fatalf("%q was not posted within %v; posted %q", text, within, chat.Texts())
	}
}

// textsIn returns the plain text of the public posts in thread, in order.
func textsIn(chat *bottest.Chat, thread bot.Address) []string {
	var out []string
	for _, p := range chat.Posts() {
		if !p.Ephemeral && p.Ref.Address == thread {
			out = append(out, p.Text())
		}
	}
	return out
}

// postedOnce fails the test if two public posts of one thread read the
// same, or if a card still shows options.
func postedOnce(t *testing.T, chat *bottest.Chat) {
	t.Helper()
	seen := map[string]int{}
	for _, p := range chat.Posts() {
		if p.Ephemeral {
			continue
		}
		key := p.Ref.Address.String() + " " + p.Text()
		if seen[key]++; seen[key] == 2 {
			t.Errorf("posted twice in %s: %q", p.Ref.Address, p.Text())
		}
	}
	for _, c := range chat.Cards() {
		if len(c.Options()) > 0 {
			t.Errorf("a card still shows its options %q:\n%s", c.Options(), c.Text())
		}
	}
}

// closedOnce fails the test unless card p was posted, then edited exactly
// once, to a card without options ending with line.
func closedOnce(t *testing.T, chat *bottest.Chat, p bottest.Posted, line string) {
	t.Helper()
	now, ok := chat.Lookup(p.Ref)
	switch {
	case !ok:
		t.Fatalf("card %s is gone", p.Ref.ID)
	case len(now.Versions) != 2:
		t.Errorf("card %q has %d versions, want 2 (posted, closed)", p.Text(), len(now.Versions))
	}
	if len(now.Options()) > 0 || !strings.HasSuffix(now.Text(), line) {
		t.Errorf("the card after its decision, want it closed with %q:\n%s", line, now.Text())
	}
}

// A click that lands on replica B for a run waiting on replica A is
// decided in the Store by B, and A's waiting goroutine hears of it at once
// through the Notifier and goes on: nothing is replayed.
func TestReplicaClickOnOtherReplicaWakesWaitingRun(t *testing.T) {
	t.Parallel()
	mem := bot.NewMemoryStore()
	chat := bottest.NewChat()
	var begun atomic.Int32
	modelA := bottest.NewModel(bottest.Call("deploy", askArgs{What: "Deploy web"}), bottest.Reply("Deployed."))
	modelB := bottest.NewModel()
	// Neither parking nor polling comes into it: the wait hears of the
	// decision only through the Notifier.
	cfg := bot.Config{ParkAfter: time.Minute, PollInterval: time.Minute, Tools: []*bot.Tool{deployTool(&begun)}}
	cfg.Model = modelA
	a := startReplica(t, chat, mem, "A", cfg)
	cfg.Model = modelB
	b := startReplica(t, chat, mem, "B", cfg)

	a.deliver(t, bottest.DefaultThread, bottest.Ana, "deploy web")
	p := cardTitled(t, chat, "Deploy web?")
	a.idle(t) // the run waits for a person, on A
	b.click(t, p, "Approve", bottest.Ana)
	waitForPostIn(t, chat, 5*time.Second, bottest.DefaultThread, "Deployed.")
	a.idle(t)
	b.idle(t)

	noReplay(t, a, b)
	if n := begun.Load(); n != 1 {
		t.Errorf("the tool's handler began %d times, want 1", n)
	}
	if n := len(modelA.Requests()); n != 2 {
		t.Errorf("replica A asked the model %d times, want 2", n)
	}
	if n := len(modelB.Requests()); n != 0 {
		t.Errorf("replica B asked the model %d times, want 0", n)
	}
	if got := toolResult(t, modelA, 1); got != `{"approved":true,"by":"ana"}` {
		t.Errorf("tool result %s", got)
	}
	if n := a.adapter.lookups.Load() + b.adapter.lookups.Load(); n != 1 {
		t.Errorf("the platform was asked to look the user up %d times, want 1", n)
	}
	if got, want := textsIn(chat, bottest.DefaultThread), []string{"Asking ana about Deploy web…", "Deploy web?\n✅ Approve — chosen by @ana", "Deployed."}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("the thread reads %q, want %q", got, want)
	}
	closedOnce(t, chat, p, "✅ Approve — chosen by @ana")
	if got := notices(a.adapter.Adapter); len(got) != 0 {
		t.Errorf("notices %q", got)
	}
}

// Without a Notifier, a run waiting on replica A learns of a decision
// taken on replica B by polling the Store every PollInterval — long before
// it would park or renew its lease — and goes on without a replay.
func TestReplicaWithoutNotifierLearnsDecisionByPolling(t *testing.T) {
	t.Parallel()
	store := noNotifier{bot.NewMemoryStore()}
	chat := bottest.NewChat()
	var begun atomic.Int32
	model := bottest.NewModel(bottest.Call("deploy", askArgs{What: "Deploy web"}), bottest.Reply("Deployed."))
	cfg := bot.Config{
		Model: model, Tools: []*bot.Tool{deployTool(&begun)},
		PollInterval: 20 * time.Millisecond, ParkAfter: time.Minute, LeaseTTL: time.Minute,
	}
	a := startReplica(t, chat, store, "A", cfg)
	b := startReplica(t, chat, store, "B", cfg)

	a.deliver(t, bottest.DefaultThread, bottest.Ana, "deploy web")
	p := cardTitled(t, chat, "Deploy web?")
	a.idle(t)
	clicked := time.Now()
	b.click(t, p, "Approve", bottest.Ana)
	// Parking (a minute) or the lease's renewal (20 s) would come much
	// later: only polling answers within this.
	waitForPostIn(t, chat, 5*time.Second, bottest.DefaultThread, "Deployed.")
	t.Logf("the decision reached the waiting run after %v (PollInterval %v)", time.Since(clicked), cfg.PollInterval)
	a.idle(t)
	b.idle(t)

	noReplay(t, a, b)
	if n := begun.Load(); n != 1 {
		t.Errorf("the tool's handler began %d times, want 1", n)
	}
	if n := len(model.Requests()); n != 2 {
		t.Errorf("the model was asked %d times, want 2", n)
	}
	if got := toolResult(t, model, 1); got != `{"approved":true,"by":"ana"}` {
		t.Errorf("tool result %s", got)
	}
	closedOnce(t, chat, p, "✅ Approve — chosen by @ana")
	postedOnce(t, chat)
}

// Two choices asked at once by one run (parallel tool calls) and decided
// on different replicas finish the run exactly once, with each call's own
// decision — whether the run waits live or parks, and whether the clicks
// come one after the other or together.
func TestReplicaParallelChoicesDecidedOnBothReplicas(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		parkAfter time.Duration
		together  bool
	}{
		{"waiting, one after the other", time.Minute, false},
		{"waiting, together", time.Minute, true},
		{"parked, one after the other", 10 * time.Millisecond, false},
		{"parked, together", 10 * time.Millisecond, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mem := bot.NewMemoryStore()
			chat := bottest.NewChat()
			model := bottest.NewModel(bottest.Step{ToolCalls: []bot.ToolCall{
				bottest.ToolCall("ask", askArgs{What: "Build"}), bottest.ToolCall("ask", askArgs{What: "Ship"}),
			}}, bottest.Reply("done"))
			cfg := bot.Config{Model: model, ParallelTools: true, ParkAfter: tc.parkAfter, Tools: []*bot.Tool{approvalTool("ask")}}
			a := startReplica(t, chat, mem, "A", cfg)
			b := startReplica(t, chat, mem, "B", cfg)

			a.deliver(t, bottest.DefaultThread, bottest.Ana, "build and ship")
			build, ship := cardTitled(t, chat, "Build?"), cardTitled(t, chat, "Ship?")
			a.idle(t)
			if tc.together {
				errs := deliverTogether(2, func(i int) error {
					if i == 0 {
						return a.tryClick(build, "Approve", bottest.Ana)
					}
					return b.tryClick(ship, "Deny", bottest.Ben)
				})
				if err := errors.Join(errs...); err != nil {
					t.Fatal(err)
				}
			} else {
				a.click(t, build, "Approve", bottest.Ana)
				waitUntil(t, "the first card to close", func() bool {
					p, _ := chat.Lookup(build.Ref)
					return len(p.Options()) == 0
				})
				b.click(t, ship, "Deny", bottest.Ben)
			}
			waitForPostIn(t, chat, 5*time.Second, bottest.DefaultThread, "done")
			a.idle(t)
			b.idle(t)

			if n := len(model.Requests()); n != 2 {
				t.Fatalf("the model was asked %d times, want 2", n)
			}
			got := toolMessages(model.Requests()[1])
			want := []string{`{"approved":true,"by":"ana","timed_out":false}`, `{"approved":false,"by":"ben","timed_out":false}`}
			if strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("tool results %q, want %q", got, want)
			}
			if n := strings.Count(strings.Join(chat.Texts(), "\n"), "done"); n != 1 {
				t.Errorf("the final answer was posted %d times: %q", n, chat.Texts())
			}
			closedOnce(t, chat, build, "✅ Approve — chosen by @ana")
			closedOnce(t, chat, ship, "✅ Deny — chosen by @ben")
			postedOnce(t, chat)
			if got := notices(a.adapter.Adapter); len(got) != 0 {
				t.Errorf("notices %q", got)
			}
			if tc.parkAfter == time.Minute {
				noReplay(t, a, b)
			}
		})
	}
}

// A run parked on replica A at its first choice resumes on replica B when
// the click lands there, and waits on B, live, at its second choice. The
// click on that choice lands on A: the run on B hears of it at once and
// finishes, not held up by B's ParkAfter.
func TestReplicaSecondChoiceNotHeldUpByOtherReplicasParkAfter(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		notifier bool
	}{{"notifier", true}, {"polling", false}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// With a Notifier, only its note can be in time; without,
			// only polling.
			var store bot.Store = bot.NewMemoryStore()
			poll := time.Minute
			if !tc.notifier {
				store, poll = noNotifier{store}, 20*time.Millisecond
			}
			chat := bottest.NewChat()
			model := bottest.NewModel(bottest.Call("ask", askArgs{What: "Build"}), bottest.Call("ask", askArgs{What: "Ship"}), bottest.Reply("done"))
			cfg := bot.Config{Model: model, Tools: []*bot.Tool{approvalTool("ask")}, PollInterval: poll}
			cfg.ParkAfter = 20 * time.Millisecond
			a := startReplica(t, chat, store, "A", cfg)
			cfg.ParkAfter = time.Minute
			b := startReplica(t, chat, store, "B", cfg)

			a.deliver(t, bottest.DefaultThread, bottest.Ana, "build and ship")
			build := cardTitled(t, chat, "Build?")
			waitUntil(t, "the run to park on A", func() bool { return a.logs.count(logParked) == 1 })
			a.idle(t)
			b.click(t, build, "Approve", bottest.Ana)
			ship := cardTitled(t, chat, "Ship?")
			b.idle(t) // waiting, on B, for a minute before it would park
			if n := b.logs.count(logReplay); n != 1 {
				t.Fatalf("replica B resumed the run %d times, want 1", n)
			}
			clicked := time.Now()
			a.click(t, ship, "Approve", bottest.Ben)
			waitForPostIn(t, chat, 3*time.Second, bottest.DefaultThread, "done")
			t.Logf("the run finished %v after the click", time.Since(clicked))
			a.idle(t)
			b.idle(t)

			if n, m := a.logs.count(logReplay), b.logs.count(logReplay); n != 0 || m != 1 {
				t.Errorf("replays: %d on A, %d on B; want only B's resumption at the first choice", n, m)
			}
			if n := len(model.Requests()); n != 3 {
				t.Errorf("the model was asked %d times, want 3", n)
			}
			if got := toolResult(t, model, 2); got != `{"approved":true,"by":"ben","timed_out":false}` {
				t.Errorf("second tool result %s", got)
			}
			closedOnce(t, chat, build, "✅ Approve — chosen by @ana")
			closedOnce(t, chat, ship, "✅ Approve — chosen by @ben")
			postedOnce(t, chat)
		})
	}
}

// A platform delivering one event again — a message, or a click — to
// either replica, even at the same time, gets ErrDuplicate for every
// delivery but one, and the bot acts once.
func TestReplicaRedeliveredEventActsOnce(t *testing.T) {
	t.Parallel()
	t.Run("message", func(t *testing.T) {
		t.Parallel()
		mem := bot.NewMemoryStore()
		chat := bottest.NewChat()
		model := bottest.NewModel(bottest.Reply("hello to you"), bottest.Reply("once more"))
		a := startReplica(t, chat, mem, "A", bot.Config{Model: model})
		b := startReplica(t, chat, mem, "B", bot.Config{Model: model})
		m := bot.Message{ID: "m-1", EventID: "Ev-1", Address: bottest.DefaultThread, User: bottest.Ana, Text: "hello", Mention: true}
		errs := deliverTogether(4, func(i int) error {
			r := []*replica{a, b}[i%2]
			_, err := r.adapter.Deliver(m)
			return err
		})
		a.idle(t)
		b.idle(t)
		checkOneAccepted(t, errs)
		if got := chat.Texts(); len(got) != 1 || got[0] != "hello to you" {
			t.Errorf("posted %q, want one answer", got)
		}
		reqs := model.Requests()
		if len(reqs) != 1 {
			t.Fatalf("the model was asked %d times, want 1", len(reqs))
		}
		if got := userTexts(reqs[0]); got != "u:hello" {
			t.Errorf("the model read %q: the message once", got)
		}
	})
	t.Run("click", func(t *testing.T) {
		t.Parallel()
		mem := bot.NewMemoryStore()
		chat := bottest.NewChat()
		model := bottest.NewModel(bottest.Call("ask", askArgs{What: "Deploy"}), bottest.Reply("done"), bottest.Reply("again"))
		cfg := bot.Config{Model: model, Tools: []*bot.Tool{approvalTool("ask")}}
		a := startReplica(t, chat, mem, "A", cfg)
		b := startReplica(t, chat, mem, "B", cfg)
		a.deliver(t, bottest.DefaultThread, bottest.Ana, "deploy")
		p := cardTitled(t, chat, "Deploy?")
		a.idle(t)
		errs := deliverTogether(4, func(i int) error {
			r := []*replica{b, a}[i%2]
			return r.adapter.Redeliver(p.Ref, idOf(p, "Approve"), bottest.Ana, "Ev-click")
		})
		waitForPostIn(t, chat, 5*time.Second, bottest.DefaultThread, "done")
		a.idle(t)
		b.idle(t)
		checkOneAccepted(t, errs)
		if got := notices(a.adapter.Adapter); len(got) != 0 {
			t.Errorf("a redelivered click was handled as a click: %q", got)
		}
		if n := len(model.Requests()); n != 2 {
			t.Errorf("the model was asked %d times, want 2", n)
		}
		closedOnce(t, chat, p, "✅ Approve — chosen by @ana")
		postedOnce(t, chat)
	})
}

// deliverTogether calls deliver(i) for i in [0, n) on goroutines released
// at once, and returns their errors.
func deliverTogether(n int, deliver func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = deliver(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// checkOneAccepted fails the test unless exactly one of errs is nil and
// the others match ErrDuplicate.
func checkOneAccepted(t *testing.T, errs []error) {
	t.Helper()
	accepted, dups := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			accepted++
		case errors.Is(err, bot.ErrDuplicate):
			dups++
		default:
			t.Errorf("a delivery failed: %v", err)
		}
	}
	if accepted != 1 || dups != len(errs)-1 {
		t.Errorf("%d deliveries accepted and %d refused as duplicates, want 1 and %d", accepted, dups, len(errs)-1)
	}
}

// Conversations started on either replica, each waiting for an approval
// (live on one replica, parked on the other), clicked on either replica
// all at once: every run finishes exactly once with its own decision, and
// every card is closed.
func TestReplicaClicksAlternateOverManyThreads(t *testing.T) {
	t.Parallel()
	const threads = 20
	var requests atomic.Int32
	model := modelFunc(func(ctx context.Context, req *bot.ModelRequest, onText func(string)) (*bot.ModelResponse, error) {
		requests.Add(1)
		asked := ""
		for _, m := range req.Messages {
			if m.Role == bot.RoleUser {
				asked = m.Content
			}
		}
		if last := req.Messages[len(req.Messages)-1]; last.Role == bot.RoleTool {
			return &bot.ModelResponse{Text: "done: " + asked + " " + last.Content, FinishReason: "stop"}, nil
		}
		return &bot.ModelResponse{ToolCalls: []bot.ToolCall{bottest.ToolCall("ask", askArgs{What: asked})}, FinishReason: "tool_calls"}, nil
	})
	mem := bot.NewMemoryStore()
	chat := bottest.NewChat()
	cfg := bot.Config{Model: model, Tools: []*bot.Tool{approvalTool("ask")}}
	cfg.ParkAfter = 10 * time.Millisecond
	a := startReplica(t, chat, mem, "A", cfg)
	cfg.ParkAfter = time.Minute
	b := startReplica(t, chat, mem, "B", cfg)
	rs := []*replica{a, b}
	addr := func(i int) bot.Address {
		return bot.Address{Platform: bottest.Platform, Channel: "C_GENERAL", Thread: fmt.Sprintf("T%02d", i)}
	}

	for i := range threads {
		rs[i%2].deliver(t, addr(i), bottest.Ana, fmt.Sprintf("deploy %02d", i))
	}
	cards := make([]bottest.Posted, threads)
	for i := range threads {
		cards[i] = cardTitled(t, chat, fmt.Sprintf("deploy %02d?", i))
	}
	a.idle(t)
	b.idle(t)
	// Started on A or B, clicked on A or B: each of the four ways five
	// times, all at once.
	errs := deliverTogether(threads, func(i int) error {
		label := "Approve"
		if i%3 == 0 {
			label = "Deny"
		}
		return rs[(i/2)%2].tryClick(cards[i], label, bottest.Ben)
	})
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	chat.WaitFor(ctx, func(ps []bottest.Posted) bool {
		n := 0
		for _, p := range ps {
			if strings.HasPrefix(p.Text(), "done: ") {
				n++
			}
		}
		return n >= threads
	})
	a.idle(t)
	b.idle(t)

	for i := range threads {
		approved := i%3 != 0
		want := fmt.Sprintf(`done: deploy %02d {"approved":%t,"by":"ben","timed_out":false}`, i, approved)
		var answers []string
		for _, text := range textsIn(chat, addr(i)) {
			if strings.HasPrefix(text, "done: ") {
				answers = append(answers, text)
			}
		}
		if len(answers) != 1 || answers[0] != want {
			t.Errorf("thread %d got the answers %q, want %q once", i, answers, want)
		}
		line := "✅ Approve — chosen by @ben"
		if !approved {
			line = "✅ Deny — chosen by @ben"
		}
		closedOnce(t, chat, cards[i], line)
	}
	if n := requests.Load(); n != 2*threads {
		t.Errorf("the model was asked %d times, want %d", n, 2*threads)
	}
	if got := notices(a.adapter.Adapter); len(got) != 0 {
		t.Errorf("notices %q", got)
	}
	postedOnce(t, chat)
}

// A replica that dies while one of its runs waits for a person and
// another is halfway through its answer leaves both threads to the other
// replica once its leases lapse: the waiting run resumes when its card is
// clicked there (before or after the takeover), and the interrupted one's
// thread is told so. Nothing is posted twice.
func TestReplicaDeathLeavesThreadsToSurvivor(t *testing.T) {
	t.Parallel()
	for _, clickAfterTakeover := range []bool{false, true} {
		name := "click before the takeover"
		if clickAfterTakeover {
			name = "click after the takeover"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			deploy := bot.Address{Platform: bottest.Platform, Channel: "C_GENERAL", Thread: "T_DEPLOY"}
			think := bot.Address{Platform: bottest.Platform, Channel: "C_GENERAL", Thread: "T_THINK"}
			var (
				mu       sync.Mutex
				requests []string // "replica thread role-of-the-last-message"
			)
			var begun atomic.Int32
			// The model asks the person first in both threads; then it
			// answers in the deploy thread, and in the think thread
			// streams the start of an answer and hangs.
			model := func(replica string) bot.Model {
				return modelFunc(func(ctx context.Context, req *bot.ModelRequest, onText func(string)) (*bot.ModelResponse, error) {
					asked := ""
					for _, m := range req.Messages {
						if m.Role == bot.RoleUser {
							asked = m.Content
						}
					}
					last := req.Messages[len(req.Messages)-1]
					mu.Lock()
					requests = append(requests, replica+" "+asked+" "+string(last.Role))
					mu.Unlock()
					switch {
					case last.Role == bot.RoleUser:
						return &bot.ModelResponse{ToolCalls: []bot.ToolCall{bottest.ToolCall("deploy", askArgs{What: asked})}, FinishReason: "tool_calls"}, nil
					case asked == "deploy":
						return &bot.ModelResponse{Text: "Deployed: " + last.Content, FinishReason: "stop"}, nil
					}
					onText("Let me think about ")
					<-ctx.Done()
					return nil, ctx.Err()
				})
			}
			mem := bot.NewMemoryStore()
			chat := bottest.NewChat()
			cfg := bot.Config{
				Tools: []*bot.Tool{deployTool(&begun)}, ParkAfter: time.Minute,
				LeaseTTL: 100 * time.Millisecond, SweepInterval: 20 * time.Millisecond,
			}
			cfg.Model = model("A")
			a := startReplica(t, chat, mem, "A", cfg)
			cfg.Model = model("B")
			b := startReplica(t, chat, mem, "B", cfg)

			a.deliver(t, deploy, bottest.Ana, "deploy")
			a.deliver(t, think, bottest.Ana, "think")
			deployCard, thinkCard := cardTitled(t, chat, "deploy?"), cardTitled(t, chat, "think?")
			a.click(t, thinkCard, "Approve", bottest.Ana)
			waitForPostIn(t, chat, 5*time.Second, think, "Let me think about")
			// A death between posting a card and recording where it is
			// leaves a card nobody can close: not this test's case.
			waitUntil(t, "the Store to know where the card is", func() bool {
				rec, err := mem.Action(context.Background(), idOf(deployCard, "Approve"))
				if err != nil {
					return false
				}
				c, err := mem.Choice(context.Background(), rec.Choice)
				return err == nil && c.Message == deployCard.Ref
			})

			a.kill()
			if !clickAfterTakeover {
				b.click(t, deployCard, "Approve", bottest.Ana)
			}
			interrupted := "⚠️ I was interrupted before I could finish. Please ask again."
			waitForPostIn(t, chat, 5*time.Second, think, interrupted)
			if clickAfterTakeover {
				waitUntil(t, "replica B to take the waiting run over", func() bool {
					return b.logs.count("bot: an interrupted run was waiting for a person") == 1
				})
				b.click(t, deployCard, "Approve", bottest.Ana)
			}
			want := `Deployed: {"approved":true,"by":"ana"}`
			waitForPostIn(t, chat, 5*time.Second, deploy, want)
			b.idle(t)

			if got, want := textsIn(chat, deploy), []string{"Asking ana about deploy…", "deploy?\n✅ Approve — chosen by @ana", want}; strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("the deploy thread reads %q, want %q", got, want)
			}
			if got, want := textsIn(chat, think), []string{"Asking ana about think…", "think?\n✅ Approve — chosen by @ana", "Let me think about", interrupted}; strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("the think thread reads %q, want %q", got, want)
			}
			closedOnce(t, chat, deployCard, "✅ Approve — chosen by @ana")
			closedOnce(t, chat, thinkCard, "✅ Approve — chosen by @ana")
			postedOnce(t, chat)
			mu.Lock()
			asked := slices.Sorted(slices.Values(requests))
			mu.Unlock()
			if want := []string{"A deploy user", "A think tool", "A think user", "B deploy tool"}; strings.Join(asked, ",") != strings.Join(want, ",") {
				t.Errorf("model requests %q, want %q", asked, want)
			}
			if n := a.adapter.lookups.Load() + b.adapter.lookups.Load(); n != 2 {
				t.Errorf("the platform was asked to look a user up %d times, want 2 (once per thread)", n)
			}
			if n := begun.Load(); n != 3 {
				t.Errorf("the tool's handler began %d times, want 3: once per thread, and the replay on B", n)
			}
		})
	}
}

// While a run of a thread works on replica A, a message in that thread
// delivered to replica B waits: the thread's next run begins when A's run
// ends, and reads its answer. The same holds for a run resumed by replay
// on another replica than the one the message lands on.
func TestReplicaOneRunPerThreadAcrossReplicas(t *testing.T) {
	t.Parallel()
	t.Run("live run", func(t *testing.T) {
		t.Parallel()
		release := make(chan struct{})
		model := bottest.NewModel(bottest.Step{Text: "first answer", Wait: release}, bottest.Reply("second answer"))
		mem := bot.NewMemoryStore()
		chat := bottest.NewChat()
		a := startReplica(t, chat, mem, "A", bot.Config{Model: model})
		b := startReplica(t, chat, mem, "B", bot.Config{Model: model})

		a.deliver(t, bottest.DefaultThread, bottest.Ana, "one")
		waitUntil(t, "the first run to ask the model", func() bool { return len(model.Requests()) == 1 })
		b.deliver(t, bottest.DefaultThread, bottest.Ben, "two")
		b.idle(t) // had B taken the message up, it would have asked the model by now
		if n := len(model.Requests()); n != 1 {
			t.Fatalf("the second message was handled while the first run worked (%d model requests)", n)
		}
		close(release)
		waitForPostIn(t, chat, 5*time.Second, bottest.DefaultThread, "second answer")
		a.idle(t)
		b.idle(t)

		reqs := model.Requests()
		if len(reqs) != 2 {
			t.Fatalf("the model was asked %d times, want 2", len(reqs))
		}
		if got, want := userTexts(reqs[1]), "u:one|a:first answer|u:two"; got != want {
			t.Errorf("the second run read %q, want %q", got, want)
		}
		if got := chat.Texts(); strings.Join(got, "|") != "first answer|second answer" {
			t.Errorf("posted %q", got)
		}
	})
	t.Run("resumed run", func(t *testing.T) {
		t.Parallel()
		release := make(chan struct{})
		model := bottest.NewModel(bottest.Call("ask", askArgs{What: "Deploy"}), bottest.Step{Text: "Deployed.", Wait: release}, bottest.Reply("second answer"))
		mem := bot.NewMemoryStore()
		chat := bottest.NewChat()
		cfg := bot.Config{Model: model, Tools: []*bot.Tool{approvalTool("ask")}, ParkAfter: 10 * time.Millisecond}
		a := startReplica(t, chat, mem, "A", cfg)
		b := startReplica(t, chat, mem, "B", cfg)

		a.deliver(t, bottest.DefaultThread, bottest.Ana, "deploy")
		p := cardTitled(t, chat, "Deploy?")
		waitUntil(t, "the run to park on A", func() bool { return a.logs.count(logParked) == 1 })
		a.idle(t)
		b.click(t, p, "Approve", bottest.Ana)
		waitUntil(t, "the resumed run to ask the model", func() bool { return len(model.Requests()) == 2 })
		a.deliver(t, bottest.DefaultThread, bottest.Ben, "two")
		a.idle(t)
		if n := len(model.Requests()); n != 2 {
			t.Fatalf("the message was handled while the resumed run worked (%d model requests)", n)
		}
		close(release)
		waitForPostIn(t, chat, 5*time.Second, bottest.DefaultThread, "second answer")
		a.idle(t)
		b.idle(t)

		reqs := model.Requests()
		if len(reqs) != 3 {
			t.Fatalf("the model was asked %d times, want 3", len(reqs))
		}
		if got, want := userTexts(reqs[2]), "u:deploy|a:Deploy?\n✅ Approve — chosen by @ana|a:Deployed.|u:two"; got != want {
			t.Errorf("the second run read %q, want %q", got, want)
		}
		if n := b.logs.count(logReplay); n != 1 {
			t.Errorf("replica B resumed the run %d times, want 1", n)
		}
		postedOnce(t, chat)
	})
}

// A run waiting for a person on replica A gives its thread up to a
// message delivered to replica B — told through the Notifier, or, without
// one, when A renews its lease — and resumes when the person decides.
func TestReplicaWaitingRunYieldsThreadToMessageOnOtherReplica(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		notifier bool
	}{{"notifier", true}, {"lease renewal", false}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var store bot.Store = bot.NewMemoryStore()
			if !tc.notifier {
				store = noNotifier{store}
			}
			chat := bottest.NewChat()
			model := bottest.NewModel(bottest.Call("ask", askArgs{What: "Deploy"}), bottest.Reply("second answer"), bottest.Reply("Deployed."))
			cfg := bot.Config{
				Model: model, Tools: []*bot.Tool{approvalTool("ask")},
				ParkAfter: time.Minute, PollInterval: time.Minute, LeaseTTL: 60 * time.Millisecond,
			}
			a := startReplica(t, chat, store, "A", cfg)
			b := startReplica(t, chat, store, "B", cfg)

			a.deliver(t, bottest.DefaultThread, bottest.Ana, "deploy")
			p := cardTitled(t, chat, "Deploy?")
			a.idle(t)
			b.deliver(t, bottest.DefaultThread, bottest.Ben, "two")
			waitForPostIn(t, chat, 5*time.Second, bottest.DefaultThread, "second answer")
			if now, _ := chat.Lookup(p.Ref); len(now.Options()) == 0 {
				t.Fatalf("the card closed before anyone decided:\n%s", now.Text())
			}
			a.idle(t)
			b.idle(t)
			b.click(t, p, "Approve", bottest.Ana)
			waitForPostIn(t, chat, 5*time.Second, bottest.DefaultThread, "Deployed.")
			a.idle(t)
			b.idle(t)

			reqs := model.Requests()
			if len(reqs) != 3 {
				t.Fatalf("the model was asked %d times, want 3", len(reqs))
			}
			if got := reqs[1].Messages[len(reqs[1].Messages)-1].Content; got != "two" {
				t.Errorf("the second request ends with %q, want the message", got)
			}
			if got := toolResult(t, model, 2); got != `{"approved":true,"by":"ana","timed_out":false}` {
				t.Errorf("tool result %s", got)
			}
			closedOnce(t, chat, p, "✅ Approve — chosen by @ana")
			postedOnce(t, chat)
		})
	}
}

// Two people clicking one card at once on two replicas: the first click
// decides, the other is told who decided, and the run takes the winner's
// decision once.
func TestReplicaRacingClicksOnOneCard(t *testing.T) {
	t.Parallel()
	mem := bot.NewMemoryStore()
	chat := bottest.NewChat()
	model := bottest.NewModel(bottest.Call("ask", askArgs{What: "Deploy"}), bottest.Reply("done"))
	cfg := bot.Config{Model: model, Tools: []*bot.Tool{approvalTool("ask")}}
	a := startReplica(t, chat, mem, "A", cfg)
	b := startReplica(t, chat, mem, "B", cfg)
	a.deliver(t, bottest.DefaultThread, bottest.Ana, "deploy")
	p := cardTitled(t, chat, "Deploy?")
	a.idle(t)
	errs := deliverTogether(2, func(i int) error {
		if i == 0 {
			return a.adapter.ClickID(p.Ref, idOf(p, "Approve"), bottest.Ana)
		}
		return b.adapter.ClickID(p.Ref, idOf(p, "Deny"), bottest.Ben)
	})
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("the clicks were refused: %v", err)
	}
	waitForPostIn(t, chat, 5*time.Second, bottest.DefaultThread, "done")
	a.idle(t)
	b.idle(t)

	result := toolResult(t, model, 1)
	winner, loser, line := "ana", "U_BEN", "✅ Approve — chosen by @ana"
	if strings.Contains(result, `"by":"ben"`) {
		winner, loser, line = "ben", "U_ANA", "✅ Deny — chosen by @ben"
	}
	if got, want := notices(a.adapter.Adapter), []string{loser + ": This was already decided by @" + winner + "."}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("notices %q, want %q", got, want)
	}
	if n := len(model.Requests()); n != 2 {
		t.Errorf("the model was asked %d times, want 2", n)
	}
	closedOnce(t, chat, p, line)
	postedOnce(t, chat)
}

// A replica that is stopping refuses an event with ErrStopping and does
// not remember its id: the platform's retry of it, landing on the other
// replica, is handled there, once.
func TestReplicaStoppingRefusesEventWhichOtherReplicaTakes(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	model := bottest.NewModel(bottest.Step{Text: "slow answer", Wait: release}, bottest.Reply("retried answer"))
	mem := bot.NewMemoryStore()
	chat := bottest.NewChat()
	a := startReplica(t, chat, mem, "A", bot.Config{Model: model})
	b := startReplica(t, chat, mem, "B", bot.Config{Model: model})
	// A run working on A holds A's Stop up.
	a.deliver(t, bottest.DefaultThread, bottest.Ana, "slow")
	waitUntil(t, "the run to ask the model", func() bool { return len(model.Requests()) == 1 })
	a.stop(5 * time.Second)
	other := bot.Address{Platform: bottest.Platform, Channel: "C_GENERAL", Thread: "T_OTHER"}
	m := bot.Message{ID: "m-retry", EventID: "Ev-retry", Address: other, User: bottest.Ben, Text: "retry me", Mention: true}
	waitUntil(t, "replica A's adapter to stop receiving", func() bool { return !a.adapter.Receiving() })
	// The platform's delivery reached A just then, as a webhook in flight
	// would.
	if err := (*a.adapter.inbox.Load()).Message(context.Background(), m); !errors.Is(err, bot.ErrStopping) {
		t.Fatalf("replica A, stopping, answered %v; want ErrStopping", err)
	}
	if _, err := b.adapter.Deliver(m); err != nil {
		t.Fatalf("the retry on replica B: %v", err)
	}
	waitForPostIn(t, chat, 5*time.Second, other, "retried answer")
	if _, err := b.adapter.Deliver(m); !errors.Is(err, bot.ErrDuplicate) {
		t.Errorf("a second retry on replica B: %v, want ErrDuplicate", err)
	}
	close(release)
	<-a.stopped
	b.idle(t)
	if got := textsIn(chat, other); len(got) != 1 {
		t.Errorf("the other thread reads %q, want one answer", got)
	}
	if got := textsIn(chat, bottest.DefaultThread); len(got) != 1 || got[0] != "slow answer" {
		t.Errorf("the first thread reads %q, want the slow answer, finished within Stop's grace", got)
	}
}
