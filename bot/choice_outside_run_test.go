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

// Tests of a choice asked outside any run: on a Thread from Bot.Thread,
// by the bot author's own goroutine (a scheduled job asking for
// approval). Only that goroutine can act on the answer, so the choice
// lives no longer than the process that asked: Stop ends it, and after a
// crash the next process closes its card.

// askOutside asks a choice on the default thread from a goroutine of its
// own, and returns where its answer will come.
func askOutside(t *testing.T, b *bot.Bot, ctx context.Context) <-chan outsideAnswer {
	t.Helper()
	th, err := b.Thread(bottest.DefaultThread)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan outsideAnswer, 1)
	go func() {
		c, err := bot.AwaitChoice[bool](ctx, th, render.Card{
			Title:   "Rotate the keys?",
			Actions: render.Actions(render.Button("Approve", true).Primary(), render.Button("Deny", false)),
		}, bot.Approvers(bottest.Ana.ID))
		done <- outsideAnswer{c, err}
	}()
	return done
}

type outsideAnswer struct {
	c   bot.Choice[bool]
	err error
}

// answer waits for the answer of an AwaitChoice, failing the test if it
// does not come within five seconds.
func answer(t *testing.T, done <-chan outsideAnswer) outsideAnswer {
	t.Helper()
	select {
	case a := <-done:
		return a
	case <-time.After(5 * time.Second):
		t.Fatal("AwaitChoice still waits")
		return outsideAnswer{}
	}
}

// waitClosed waits until the card at ref shows no option any more.
func waitClosed(t *testing.T, h *bottest.Harness, ref bot.MessageRef) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.Chat.WaitClosed(ctx, ref); err != nil {
		p, _ := h.Chat.Lookup(ref)
		t.Fatalf("%v; the card shows:\n%s", err, p.Text())
	}
}

// A graceful Stop ends the wait of a choice asked outside a run: nothing
// could act on a click once the process is gone. AwaitChoice returns an
// error matching ErrStopping, the choice is cancelled in the Store, and
// the card is closed saying why; a click after is told the choice is no
// longer open. A click that won first is honoured instead.
func TestStopEndsAChoiceAskedOutsideARun(t *testing.T) {
	t.Parallel()
	t.Run("unanswered", func(t *testing.T) {
		t.Parallel()
		h := bottest.Start(t, bot.Config{Model: bottest.NewModel()})
		done := askOutside(t, h.Bot, context.Background())
		p := h.Card(0)
		h.Restart()

		a := answer(t, done)
		if !errors.Is(a.err, bot.ErrStopping) {
			t.Errorf("AwaitChoice = %+v, %v; want an error matching ErrStopping", a.c, a.err)
		}
		if st := stateOf(t, h.Store, p); st != bot.ChoiceCancelled {
			t.Errorf("the choice is %v in the Store, want cancelled", st)
		}
		waitClosed(t, h, p.Ref)
		closedWith(t, h, p.Ref, "✖ Cancelled")
		if got, _ := h.Chat.Lookup(p.Ref); !strings.Contains(got.Text(), "The bot stopped before this was answered.") {
			t.Errorf("the closed card does not say the bot stopped:\n%s", got.Text())
		}

		lateClick(t, h, p)
		if got := notices(h.Adapter); len(got) != 1 || !strings.Contains(got[0], bottest.Ana.ID+": This choice was cancelled") {
			t.Errorf("notices %q; want ana told the choice is no longer open", got)
		}
	})
	t.Run("a click won first", func(t *testing.T) {
		t.Parallel()
		mem := bot.NewMemoryStore()
		store := &hookStore{Store: mem}
		// A click that the Store decides just before Stop's cancellation.
		store.resolve = func(ctx context.Context, id string, o bot.Outcome) (bot.ChoiceRecord, bool, error) {
			if o.State == bot.ChoiceCancelled {
				c, err := mem.Choice(ctx, id)
				if err != nil {
					return c, false, err
				}
				mem.Resolve(ctx, id, bot.Outcome{State: bot.ChoiceDecided, Option: 0, Value: c.Options[0].Value, User: bottest.Ana, At: time.Now()})
			}
			return mem.Resolve(ctx, id, o)
		}
		h := bottest.Start(t, bot.Config{Model: bottest.NewModel(), Store: store})
		done := askOutside(t, h.Bot, context.Background())
		p := h.Card(0)
		h.Restart()

		a := answer(t, done)
		if a.err != nil || !a.c.Value || a.c.User != bottest.Ana {
			t.Errorf("AwaitChoice = %+v, %v; want the click that won", a.c, a.err)
		}
		waitClosed(t, h, p.Ref)
		closedWith(t, h, p.Ref, "✅ Approve — chosen by @ana")
	})
}

// lapseGate is a Store whose Lapsed finds nothing while held: no process
// takes work over until the test lets it.
type lapseGate struct {
	bot.Store
	held atomic.Bool
}

func (s *lapseGate) Lapsed(ctx context.Context, now time.Time, limit int) ([]string, error) {
	if s.held.Load() {
		return nil, nil
	}
	return s.Store.Lapsed(ctx, now, limit)
}

// After the process that asked a choice outside a run crashed, nothing
// can act on its answer: once its lease lapses, the process that takes
// its work over closes the card with a plain sentence, and a later click
// is told the choice is no longer open. A click that won before the
// takeover is shown on the card as come too late.
func TestChoiceAskedOutsideARunEndsPlainlyAfterACrash(t *testing.T) {
	t.Parallel()
	t.Run("unanswered", func(t *testing.T) {
		t.Parallel()
		h := bottest.Start(t, crashCfg(bottest.NewModel()))
		ctx, cancel := context.WithCancel(context.Background())
		t.Cleanup(cancel)
		askOutside(t, h.Bot, ctx)
		p := h.Card(0)
		recorded(t, h.Store, p)
		h.Crash()

		waitClosed(t, h, p.Ref)
		closedWith(t, h, p.Ref, "⚠️ This request was cancelled: I restarted before it was answered.")
		if st := stateOf(t, h.Store, p); st != bot.ChoiceCancelled {
			t.Errorf("the choice is %v in the Store, want cancelled", st)
		}
		lateClick(t, h, p)
		if got := notices(h.Adapter); len(got) != 1 || !strings.Contains(got[0], bottest.Ana.ID+": This choice was cancelled") {
			t.Errorf("notices %q; want ana told the choice is no longer open", got)
		}
		noWorkLeft(t, h.Store)
	})
	t.Run("clicked before the takeover", func(t *testing.T) {
		t.Parallel()
		store := &lapseGate{Store: bot.NewMemoryStore()}
		cfg := crashCfg(bottest.NewModel())
		cfg.Store = store
		h := bottest.Start(t, cfg)
		ctx, cancel := context.WithCancel(context.Background())
		t.Cleanup(cancel)
		askOutside(t, h.Bot, ctx)
		p := h.Card(0)
		recorded(t, h.Store, p)
		store.held.Store(true)
		h.Crash()
		h.Click(p.Ref, "Approve", bottest.Ana)
		if st := stateOf(t, h.Store, p); st != bot.ChoiceDecided {
			t.Fatalf("the choice is %v in the Store, want decided by the click", st)
		}
		store.held.Store(false)

		waitClosed(t, h, p.Ref)
		closedWith(t, h, p.Ref, "✅ Approve — chosen by @ana")
		if got, _ := h.Chat.Lookup(p.Ref); !strings.Contains(got.Text(), "too late") {
			t.Errorf("the closed card does not say the click came too late:\n%s", got.Text())
		}
		noWorkLeft(t, h.Store)
	})
}

// A choice asked outside a run, however long it waits, leaves room under
// Config.MaxLanes for the threads' work.
func TestChoiceAskedOutsideARunLeavesRoomForOtherLanes(t *testing.T) {
	t.Parallel()
	h := bottest.Start(t, bot.Config{Model: bottest.NewModel(bottest.Reply("hello")), MaxLanes: 1})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	askOutside(t, h.Bot, ctx)
	h.Card(0)
	h.Send(bottest.Ana, "hi")
	waitText(t, h, "hello")
}

// stateOf returns where the choice the card p asks stands in the Store.
func stateOf(t *testing.T, s bot.Store, p bottest.Posted) bot.ChoiceState {
	t.Helper()
	_, c := choiceOf(t, s, p, "Approve")
	return c.Outcome.State
}

// lateClick clicks the option Approve of card p as it was posted, as ana,
// and waits until the bot settles.
func lateClick(t *testing.T, h *bottest.Harness, p bottest.Posted) {
	t.Helper()
	if err := h.Adapter.ClickID(p.Ref, p.ID("Approve"), bottest.Ana); err != nil {
		t.Fatal(err)
	}
	h.Wait()
}

// A process that lost the lease of a choice asked outside any run — the
// Store could not be reached to renew it in time — may see its wait taken
// over, and its card closed as come too late: it does not act on a click
// after, and leaves the card to whoever takes the wait over, so that the
// card never says one thing while the code did another.
func TestChoiceAskedOutsideARunIsNotActedOnOnceItsLeaseIsLost(t *testing.T) {
	t.Parallel()
	var failing atomic.Bool
	store := &hookStore{Store: bot.NewMemoryStore(), renew: func() error {
		if failing.Load() {
			return errors.New("the database cannot be reached")
		}
		return nil
	}}
	lost := make(chan struct{})
	var once sync.Once
	cfg := crashCfg(bottest.NewModel())
	cfg.Store = store
	cfg.Logger = slog.New(hookHandler{bottest.Logger(t).Handler(), func(msg string) {
		if strings.HasPrefix(msg, "bot: could not renew a thread's lease in time") {
			once.Do(func() { close(lost) })
		}
	}})
	h := bottest.Start(t, cfg)
	done := askOutside(t, h.Bot, context.Background())
	p := h.Card(0)
	recorded(t, h.Store, p)
	failing.Store(true)
	select {
	case <-lost:
	case <-time.After(5 * time.Second):
		t.Fatal("the wait's lease was never given up")
	}
	failing.Store(false)
	h.Click(p.Ref, "Approve", bottest.Ana)

	if a := answer(t, done); a.err == nil || a.c.Value {
		t.Errorf("AwaitChoice = %+v, %v; want an error, not the decision", a.c, a.err)
	}
	waitClosed(t, h, p.Ref)
	closedWith(t, h, p.Ref, "✅ Approve — chosen by @ana")
	if got, _ := h.Chat.Lookup(p.Ref); !strings.Contains(got.Text(), "too late") {
		t.Errorf("the closed card does not say the click came too late:\n%s", got.Text())
	}
	noWorkLeft(t, h.Store)
}
