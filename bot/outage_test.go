package bot_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
)

// A Store that fails — a full disk, a lost connection — loses nothing the
// bot accepted: what it cannot keep it refuses, a run it cannot keep going
// is told so plainly, and the work goes on when the Store is back.

type noArgs struct{}

const (
	storeWait = "I can't reach my state store right now; I'll carry on when it's back."
	storeLost = "I couldn't reach my state store, so I had to stop here"
)

func outageCfg(model bot.Model, tools ...*bot.Tool) bot.Config {
	cfg := crashCfg(model, tools...)
	cfg.LeaseTTL = 90 * time.Millisecond
	return cfg
}

// killingTool is a tool "work" whose first call kills store; with hang,
// that call then works on until its run is cancelled (a long call, cut by
// the lost lane). Later calls return at once.
func killingTool(store *bottest.KillableStore, hang bool) *bot.Tool {
	var calls atomic.Int32
	return bot.DefineTool(bot.ToolSpec[noArgs]{Name: "work", Description: "works",
		Handler: func(ctx context.Context, _ noArgs, tc *bot.ToolContext) (any, error) {
			if calls.Add(1) == 1 {
				store.Kill()
				if hang {
					<-ctx.Done()
					return nil, ctx.Err()
				}
			}
			return "worked", nil
		}})
}

// stillFor fails the test if cond turns false within d.
func stillFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		if !cond() {
			t.Fatalf("%s no longer holds", what)
		}
	}
}

func contains(texts []string, sub string) int {
	n := 0
	for _, s := range texts {
		if strings.Contains(s, sub) {
			n++
		}
	}
	return n
}

func TestStoreDownRefusesWhatItCannotKeep(t *testing.T) {
	t.Parallel()
	store := bottest.NewKillableStore(bot.NewMemoryStore())
	a := bottest.NewAdapter()
	model := bottest.NewModel(bottest.Call("ask", askArgs{What: "Deploy"}), bottest.Reply("Deployed."))
	b := startBot(t, outageCfg(model, approvalTool("ask", bot.Approvers(bottest.Ana.ID))), a, store)
	if _, err := a.Send(bottest.Ana, "deploy"); err != nil {
		t.Fatal(err)
	}
	p := card(t, a, 0)

	store.Kill()
	if _, err := a.Send(bottest.Ben, "hello?"); err == nil || errors.Is(err, bot.ErrDuplicate) {
		t.Errorf("a message the Store could not keep was accepted: %v", err)
	}
	if err := a.Click(p.Ref, "Approve", bottest.Ana); err == nil {
		t.Error("a click the Store could not decide was accepted")
	}
	time.Sleep(300 * time.Millisecond) // the waiting run's lease lapses: it parks, quietly
	store.Revive()

	// The platform delivers again, the person clicks again: both count now.
	if err := a.Click(p.Ref, "Approve", bottest.Ana); err != nil {
		t.Fatalf("a click after the Store came back: %v", err)
	}
	waitUntil(t, "the approved run's answer", func() bool { return contains(a.Texts(), "Deployed.") == 1 })
	waitIdle(t, b)
	if n := contains(a.Texts(), "stop here"); n != 0 {
		t.Errorf("the thread was told of a stop %d times: %q", n, a.Texts())
	}
}

// The Store goes away after the run's last step, before the run is
// recorded done, and comes back after the lease lapsed with no other
// process there: the run's work is recorded done then, and nobody is told
// it was interrupted.
func TestStoreLostAfterTheAnswerStaysAnswered(t *testing.T) {
	t.Parallel()
	store := bottest.NewKillableStore(bot.NewMemoryStore())
	a := bottest.NewAdapter()
	work := killingTool(store, false)
	model := bottest.NewModel(bottest.Call("work", noArgs{}), bottest.Reply("All done."))
	b := startBot(t, outageCfg(model, work), a, store)
	if _, err := a.Send(bottest.Ana, "please work"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the answer", func() bool { return contains(a.Texts(), "All done.") == 1 })
	time.Sleep(300 * time.Millisecond) // the lease lapses meanwhile
	store.Revive()
	waitIdle(t, b)
	stillFor(t, 500*time.Millisecond, "the thread holding only the answer", func() bool {
		return slices.Equal(a.Texts(), []string{"All done."})
	})
	if n := len(model.Requests()); n != 2 {
		t.Errorf("the model was asked %d times, want 2: the answered run ran again", n)
	}
}

// The Store goes away while a tool works and stays away past the lease:
// the run stops, its thread is told at once, and when the Store is back
// the work is taken up again as the bot is configured to take up a cut
// run — told to ask again, or run again.
func TestStoreLostMidRunIsToldAndTakenUpWhenBack(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		policy bot.InterruptedRuns
		want   []string // what the thread reads in the end
	}{
		{"told", bot.TellInterrupted, []string{"⚠️ " + storeLost + ". Please ask again in a moment."}},
		{"replayed", bot.ReplayInterrupted, []string{"⚠️ " + storeLost + "; I'll carry on when it's back.", "All done."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			store := bottest.NewKillableStore(bot.NewMemoryStore())
			a := bottest.NewAdapter()
			work := killingTool(store, true)
			model := bottest.NewModel(bottest.Call("work", noArgs{}), bottest.Call("work", noArgs{}), bottest.Reply("All done."))
			cfg := outageCfg(model, work)
			cfg.Interrupted = tc.policy
			b := startBot(t, cfg, a, store)
			if _, err := a.Send(bottest.Ana, "please work"); err != nil {
				t.Fatal(err)
			}
			waitUntil(t, "the thread told of the lost store", func() bool { return contains(a.Texts(), storeLost) == 1 })
			stillFor(t, 200*time.Millisecond, "nothing more said while the Store is away", func() bool { return len(a.Texts()) == 1 })
			store.Revive()
			waitUntil(t, "the work taken up again and done", func() bool {
				queued, err := store.Lapsed(context.Background(), time.Now().Add(time.Hour), 10)
				return err == nil && len(queued) == 0
			})
			waitIdle(t, b)
			stillFor(t, 300*time.Millisecond, "the thread reading "+strings.Join(tc.want, " | "), func() bool { return slices.Equal(a.Texts(), tc.want) })
		})
	}
}

// appendFailStore fails the next fails journal writes, as a full disk
// fails writes for a moment.
type appendFailStore struct {
	bot.Store
	fails atomic.Int32
}

var errDiskFull = errors.New("disk full")

func (s *appendFailStore) AppendJournal(ctx context.Context, l bot.Lease, run string, es []bot.JournalEntry) error {
	if s.fails.Add(-1) >= 0 {
		return errDiskFull
	}
	return s.Store.AppendJournal(ctx, l, run, es)
}

// A journal write that fails for less than a lease makes the run wait and
// say so, then go on: the approval is asked and decided as if nothing
// happened.
func TestJournalWriteWaitsOutAShortOutage(t *testing.T) {
	t.Parallel()
	store := &appendFailStore{Store: bot.NewMemoryStore()}
	a := bottest.NewAdapter()
	model := bottest.NewModel(bottest.Call("ask", askArgs{What: "Deploy"}), bottest.Reply("Deployed."))
	cfg := outageCfg(model, approvalTool("ask", bot.Approvers(bottest.Ana.ID)))
	cfg.LeaseTTL = 3 * time.Second
	b := startBot(t, cfg, a, store)
	store.fails.Store(4) // 50+100+200+400 ms of retries
	if _, err := a.Send(bottest.Ana, "deploy"); err != nil {
		t.Fatal(err)
	}
	p := card(t, a, 0)
	if err := a.Click(p.Ref, "Approve", bottest.Ana); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the answer", func() bool { return contains(a.Texts(), "Deployed.") == 1 })
	waitIdle(t, b)
	if n := contains(a.Texts(), storeWait); n != 1 {
		t.Errorf("the thread was told %d times that the run waits for the Store, want 1: %q", n, a.Texts())
	}
	if n := contains(a.Texts(), "lost track"); n != 0 {
		t.Errorf("the run gave up on a Store away for a moment: %q", a.Texts())
	}
}

// hangStore is a Store behind a network gone silent: once killed, Renew
// hangs until its deadline rather than failing at once.
type hangStore struct{ *bottest.KillableStore }

func (s hangStore) Renew(ctx context.Context, l bot.Lease, ttl time.Duration) (bot.Lease, int, error) {
	if s.Dead() {
		<-ctx.Done()
		return bot.Lease{}, 0, ctx.Err()
	}
	return s.KillableStore.Renew(ctx, l, ttl)
}

// A Store that hangs rather than fails is as lost: the run is told.
func TestHangingStoreTellsTheRun(t *testing.T) {
	t.Parallel()
	ks := bottest.NewKillableStore(bot.NewMemoryStore())
	a := bottest.NewAdapter()
	work := killingTool(ks, true)
	model := bottest.NewModel(bottest.Call("work", noArgs{}), bottest.Reply("All done."))
	startBot(t, outageCfg(model, work), a, hangStore{ks})
	if _, err := a.Send(bottest.Ana, "please work"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the run cut by a hanging Store told", func() bool { return contains(a.Texts(), storeLost) == 1 })
	ks.Revive()
}

// Stop with no deadline while the Store is down returns, without waiting
// for the Store to come back.
func TestStopWhileTheStoreIsDownReturns(t *testing.T) {
	t.Parallel()
	store := bottest.NewKillableStore(bot.NewMemoryStore())
	a := bottest.NewAdapter()
	work := killingTool(store, true)
	model := bottest.NewModel(bottest.Call("work", noArgs{}), bottest.Reply("All done."))
	b := startBot(t, outageCfg(model, work), a, store)
	if _, err := a.Send(bottest.Ana, "please work"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the thread told of the lost store", func() bool { return contains(a.Texts(), storeLost) == 1 })
	done := make(chan error, 1)
	go func() { done <- b.Stop(context.Background()) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		store.Revive()
		<-done
		t.Fatal("Stop(context.Background()) returned only once the Store came back")
	}
}

// The Store comes back and a new message arrives in the thread before the
// lane lost for the Store recorded its finished run done: the new message
// is answered, and the finished run is not taken up as cut.
func TestNewMessageAfterTheStoreIsBackKeepsDoneWorkDone(t *testing.T) {
	t.Parallel()
	store := bottest.NewKillableStore(bot.NewMemoryStore())
	a := bottest.NewAdapter()
	work := killingTool(store, false)
	model := bottest.NewModel(bottest.Call("work", noArgs{}), bottest.Reply("All done."), bottest.Reply("Second."))
	b := startBot(t, outageCfg(model, work), a, store)
	if _, err := a.Send(bottest.Ana, "please work"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the answer", func() bool { return contains(a.Texts(), "All done.") == 1 })
	time.Sleep(1500 * time.Millisecond) // the lease lapses; the record of work done backs off
	store.Revive()
	if _, err := a.Send(bottest.Ana, "and now?"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the second answer", func() bool { return contains(a.Texts(), "Second.") == 1 })
	waitIdle(t, b)
	stillFor(t, 300*time.Millisecond, "the thread reading both answers only", func() bool {
		return slices.Equal(a.Texts(), []string{"All done.", "Second."})
	})
	if n := len(model.Requests()); n != 3 {
		t.Errorf("the model was asked %d times, want 3", n)
	}
}
