package bot_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
	"github.com/parleybot/parley/render"
)

// A tool may ask in another thread, on a Thread from Bot.Thread, with its
// own ctx: that choice is outside any run. When the run's lane is taken
// over, the tool's ctx ends and the choice ends with an error like any
// outside choice whose ctx ended, not with a panic over a journal it does
// not have, and its card is closed.
func TestChoiceAskedOutsideARunFromAToolEndsWhenTheRunsLaneIsLost(t *testing.T) {
	t.Parallel()
	var conflict atomic.Bool
	store := &hookStore{Store: bot.NewMemoryStore(), renew: func() error {
		if conflict.Load() {
			return bot.ErrConflict
		}
		return nil
	}}
	other := bottest.DefaultThread
	other.Thread = "T2"
	var b atomic.Pointer[bot.Bot]
	asked := make(chan error, 1)
	ask := bot.DefineTool(bot.ToolSpec[struct{}]{
		Name: "ask", Description: "asks in another thread",
		Handler: func(ctx context.Context, _ struct{}, tcx *bot.ToolContext) (any, error) {
			th, err := b.Load().Thread(other)
			if err != nil {
				return nil, err
			}
			_, err = bot.AwaitChoice[bool](ctx, th, render.Card{Title: "Deploy?", Actions: approveDeny()})
			asked <- err
			return nil, err
		},
	})
	cfg := crashCfg(bottest.NewModel(bottest.Call("ask", struct{}{}), bottest.Reply("Done.")), ask)
	cfg.Store = store
	h := bottest.Start(t, cfg)
	b.Store(h.Bot)
	t.Cleanup(func() { conflict.Store(false) })
	if _, err := h.Adapter.Send(bottest.Ana, "go"); err != nil { // the run works while it waits: no settling
		t.Fatal(err)
	}
	p := cardTitled(t, h.Chat, "Deploy?")
	recorded(t, h.Store, p)
	conflict.Store(true)

	select {
	case err := <-asked:
		if err == nil {
			t.Error("AwaitChoice returned no error once the run's lane was lost")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("AwaitChoice never returned once the run's lane was lost")
	}
	waitClosed(t, h, p.Ref)
}
