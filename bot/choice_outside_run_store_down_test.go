package bot_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
)

// completeGate is a Store that fails Complete for the lanes of waits
// outside a run while failing is set: the Store cannot be reached to
// record the wait done.
type completeGate struct {
	bot.Store
	failing atomic.Bool
}

func (s *completeGate) Complete(ctx context.Context, l bot.Lease, c bot.Completion) (bot.Claimed, error) {
	if s.failing.Load() && strings.HasPrefix(l.Lane, "w:") {
		return bot.Claimed{}, errors.New("the database cannot be reached")
	}
	return s.Store.Complete(ctx, l, c)
}

// A choice asked outside a run returns when its ctx ends, even while the
// Store cannot record its wait done: that bookkeeping goes on behind the
// caller, which is not held past its ctx.
func TestChoiceAskedOutsideARunReturnsAtItsCtxWhileTheStoreIsDown(t *testing.T) {
	t.Parallel()
	store := &completeGate{Store: bot.NewMemoryStore()}
	h := bottest.Start(t, bot.Config{Model: bottest.NewModel(), Store: store})
	t.Cleanup(func() { store.failing.Store(false) }) // before the harness stops
	ctx, cancel := context.WithCancel(context.Background())
	done := askOutside(t, h.Bot, ctx)
	p := h.Card(0)
	recorded(t, h.Store, p)
	store.failing.Store(true)
	cancel()

	if a := answer(t, done); !errors.Is(a.err, context.Canceled) {
		t.Errorf("AwaitChoice = %+v, %v; want ctx's error", a.c, a.err)
	}
	waitClosed(t, h, p.Ref)
	closedWith(t, h, p.Ref, "✖ Cancelled")

	// Once the Store is back the wait is recorded done: no process takes
	// it over later to close the card again.
	store.failing.Store(false)
	noWorkLeft(t, h.Store)
}
