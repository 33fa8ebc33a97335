package bot_test

// Leases: a thread is worked on by one process at a time, even when the
// Store is slow or unreachable.

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
)

// hangRenewStore is a Store whose Renew hangs, as a call to a database
// behind a network partition does: it returns only when its ctx ends.
type hangRenewStore struct {
	bot.Store
}

func (s *hangRenewStore) Renew(ctx context.Context, l bot.Lease, ttl time.Duration) (bot.Lease, int, error) {
	<-ctx.Done()
	return bot.Lease{}, 0, ctx.Err()
}

// A process whose lease renewals hang must give its runs up once its lease
// has surely lapsed (renewed + LeaseTTL by its own clock), as it does when
// renewals fail: another process takes the thread over then. The renewer
// calls Store.Renew with no deadline, so one hung call stops every lease
// check in the process and its runs go on beside the process that took
// their threads over.
func TestHungRenewStillGivesLapsedLanesUp(t *testing.T) {
	t.Parallel()
	mem := bot.NewMemoryStore()
	chat := bottest.NewChat()
	started := make(chan struct{})
	var cancelled atomic.Bool
	slow := bot.DefineTool(bot.ToolSpec[struct{}]{
		Name: "slow", Description: "works for a long time",
		Handler: func(ctx context.Context, _ struct{}, tc *bot.ToolContext) (any, error) {
			close(started)
			select {
			case <-ctx.Done():
				cancelled.Store(true)
				return nil, ctx.Err()
			case <-time.After(5 * time.Second):
				return "done", nil
			}
		},
	})
	cfg := bot.Config{LeaseTTL: 60 * time.Millisecond, SweepInterval: 10 * time.Millisecond, PollInterval: 20 * time.Millisecond}
	cfgA := cfg
	cfgA.Model, cfgA.Tools, cfgA.Notifier = bottest.NewModel(bottest.Call("slow", struct{}{}), bottest.Reply("A's answer")), []*bot.Tool{slow}, mem
	a := startReplica(t, chat, &hangRenewStore{Store: mem}, "A", cfgA)
	a.deliver(t, bottest.DefaultThread, bottest.Ana, "work")
	<-started
	cfgB := cfg
	cfgB.Model = bottest.NewModel(bottest.Reply("B's answer"))
	startReplica(t, chat, mem, "B", cfgB)
	// The thread hears the run stopped — from A, whose Store hung, or from
	// B, which took the thread over — and A's run is cancelled: A's
	// lease lapsed long ago by A's own clock.
	waitForText(t, chat, "Please ask again")
	time.Sleep(300 * time.Millisecond)
	if !cancelled.Load() {
		t.Errorf("A's run still works on a thread B took over; the thread shows %q", chat.Texts())
	}
}

type slowRenewStore struct {
	bot.Store
	delay time.Duration
}

func (s *slowRenewStore) Renew(ctx context.Context, l bot.Lease, ttl time.Duration) (bot.Lease, int, error) {
	select {
	case <-time.After(s.delay):
	case <-ctx.Done():
		return bot.Lease{}, 0, ctx.Err()
	}
	return s.Store.Renew(ctx, l, ttl)
}

// A message arriving in a thread this process is working on, after the
// lane's lease expired in the Store but before the process noticed, is
// claimed by Accept for this same process: a second worker starts on the
// lane beside the first, recovers the first's message as "cut by a crash"
// and tells the thread so, while the first run goes on in the same
// process, unfenced, because the renewer only looks at the newest lane.
func TestOneProcessNeverWorksALaneTwice(t *testing.T) {
	t.Parallel()
	started := make(chan struct{})
	var once sync.Once
	var runs atomic.Int32
	slow := bot.DefineTool(bot.ToolSpec[struct{}]{
		Name: "slow", Description: "works for a while",
		Handler: func(ctx context.Context, _ struct{}, tc *bot.ToolContext) (any, error) {
			runs.Add(1)
			once.Do(func() { close(started) })
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(1500 * time.Millisecond):
				return "done", nil
			}
		},
	})
	model := bottest.NewModel(bottest.Call("slow", struct{}{}), bottest.Reply("first answer"), bottest.Reply("second answer"))
	store := &slowRenewStore{Store: bot.NewMemoryStore(), delay: 2 * time.Second}
	a := bottest.NewAdapter()
	b := startBot(t, bot.Config{Model: model, Tools: []*bot.Tool{slow}, LeaseTTL: 150 * time.Millisecond, SweepInterval: time.Hour}, a, store)
	if _, err := a.Send(bottest.Ana, "work"); err != nil {
		t.Fatal(err)
	}
	<-started
	time.Sleep(400 * time.Millisecond) // the lease lapsed in the Store; the renewal is still on its way
	if _, err := a.Send(bottest.Ana, "and this?"); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, b)
	// The renewal hung past the lease: the first run was given up here
	// before the Store let the lane go — it asked the model nothing more —
	// and the thread told so; the second message was answered once.
	reqs := model.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d model requests, want 2: the first run's, cut, and the second message's", len(reqs))
	}
	if got := userTexts(reqs[1]); !strings.HasSuffix(got, "u:and this?") {
		t.Errorf("the second request answers %q, want the second message", got)
	}
	texts := a.Texts()
	if len(texts) != 2 || !strings.Contains(texts[0], "Please ask again") {
		t.Errorf("the thread reads %q, want the first run told it stopped, once, then one answer", texts)
	}
}

// beginHookStore hangs Renew once armed, and holds the next Begin until
// before returns.
type beginHookStore struct {
	bot.Store
	hangRenew atomic.Bool
	before    atomic.Pointer[func()]
	begun     chan struct{}
}

func (s *beginHookStore) Renew(ctx context.Context, l bot.Lease, ttl time.Duration) (bot.Lease, int, error) {
	if s.hangRenew.Load() {
		<-ctx.Done()
		return bot.Lease{}, 0, ctx.Err()
	}
	return s.Store.Renew(ctx, l, ttl)
}

func (s *beginHookStore) Begin(ctx context.Context, l bot.Lease, ids []string) error {
	f := s.before.Swap(nil)
	if f == nil {
		return s.Store.Begin(ctx, l, ids)
	}
	(*f)()
	err := s.Store.Begin(ctx, l, ids)
	close(s.begun)
	return err
}

// The lease watchdog (or hold() taking the lane again) gives a lane
// up with lose(), which cancels the lane's current run — but a lane
// between runs has none: the worker that is marking its next item begun
// (Store.Begin), or reading a journal in resume/recover, goes on into
// execute, which never looks at l.lost. The run then works live on a lane
// this process has given up, unrenewed, and another process takes the
// lane over beside it: two processes run one thread's work.
func TestRunDoesNotStartOnALaneGivenUp(t *testing.T) {
	t.Parallel()
	mem := bot.NewMemoryStore()
	chat := bottest.NewChat()
	hooked := &beginHookStore{Store: mem, begun: make(chan struct{})}
	gate1, gate2 := make(chan struct{}), make(chan struct{})
	cfg := bot.Config{LeaseTTL: 600 * time.Millisecond, SweepInterval: 10 * time.Millisecond, PollInterval: 20 * time.Millisecond, Notifier: mem}
	cfgA := cfg
	cfgA.Model = bottest.NewModel(bottest.Step{Text: "A answers one", Wait: gate1}, bottest.Step{Text: "A answers two", Wait: gate2})
	a := startReplica(t, chat, hooked, "A", cfgA)
	a.deliver(t, bottest.DefaultThread, bottest.Ana, "one")
	time.Sleep(50 * time.Millisecond)
	a.deliver(t, bottest.DefaultThread, bottest.Ana, "two") // queued behind "one"

	// From now on A's Store hangs on renewals; A's next Begin is slow: it
	// returns only after A's watchdog gave the lane up.
	hooked.hangRenew.Store(true)
	wait := func() {
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			if a.logs.count("bot: could not renew a thread's lease in time") > 0 {
				return
			}
		}
	}
	hooked.before.Store(&wait)
	close(gate1)
	<-hooked.begun
	if a.logs.count("bot: could not renew a thread's lease in time") == 0 {
		t.Fatal("A never gave the lane up")
	}
	// A gave the thread up. B takes it over once the lease lapses in the
	// Store, and handles "two" as cut — the thread is told to ask again,
	// by B, or by A when the Store it could not reach stopped A's run.
	cfgB := cfg
	cfgB.Model = bottest.NewModel(bottest.Reply("B answers two"))
	startReplica(t, chat, mem, "B", cfgB)
	waitForText(t, chat, "Please ask again")
	close(gate2)
	time.Sleep(500 * time.Millisecond)
	if strings.Contains(strings.Join(chat.Texts(), "|"), "A answers two") {
		t.Errorf("A ran \"two\" live on a lane it had given up, beside B: the thread shows %q", chat.Texts())
	}
}
