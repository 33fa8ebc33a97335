package bot_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
	"github.com/parleybot/parley/render"
)

// madePostAdapter delivers the first card with options, then fails the
// post: at once, as a platform whose answer was lost does, or, when hang
// is set, once ctx ends, as one that hangs until the bot stops.
type madePostAdapter struct {
	*bottest.Adapter
	hang  bool
	armed atomic.Bool
}

func (a *madePostAdapter) Post(ctx context.Context, to bot.Address, m bot.Outgoing) (bot.MessageRef, error) {
	ref, err := a.Adapter.Post(ctx, to, m)
	if err != nil || len(m.IDs) == 0 || !a.armed.CompareAndSwap(true, false) {
		return ref, err
	}
	if a.hang {
		<-ctx.Done()
		return bot.MessageRef{}, ctx.Err()
	}
	return bot.MessageRef{}, errors.New("platform: timed out waiting for the answer")
}

// A choice's card the platform showed although it reported the post
// failed — at once, or hanging until the bot stopped — belongs to a choice
// that ended with the failure. Its buttons must not stay live forever: the
// first click on it closes it, and the clicker is told the choice is over.
func TestCardOfAFailedPostIsClosedByAClick(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		hang bool
	}{
		{"post failed", false},
		{"post hung until a restart", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ask := bot.DefineTool(bot.ToolSpec[struct{}]{
				Name: "ask", Description: "asks",
				Handler: func(ctx context.Context, _ struct{}, tcx *bot.ToolContext) (any, error) {
					c, err := bot.AwaitChoice[bool](ctx, tcx.Thread, render.Card{Title: "Approve?", Actions: approveDeny()})
					return c.Value, err
				},
			})
			a := &madePostAdapter{Adapter: bottest.NewAdapter(), hang: tc.hang}
			a.armed.Store(true)
			store := bot.NewMemoryStore()
			model := bottest.NewModel(bottest.Call("ask", struct{}{}), bottest.Reply("Done.")).Cycle()
			cfg := bot.Config{Model: model, Tools: []*bot.Tool{ask}}
			b := startBot(t, cfg, a, store)
			if _, err := a.Send(bottest.Ana, "go"); err != nil {
				t.Fatal(err)
			}
			p := cardTitled(t, a.Chat, "Approve?")
			if tc.hang {
				stop(t, b, a.Adapter)
				b = startBot(t, cfg, a, store)
			}
			waitIdle(t, b)
			if err := a.Click(p.Ref, "Approve", bottest.Ana); err != nil {
				t.Fatal(err)
			}
			waitIdle(t, b)

			now, _ := a.Lookup(p.Ref)
			if len(now.Options()) != 0 {
				t.Errorf("the card stays open after a click on it:\n%s", now.Text())
			}
			told := false
			for _, q := range a.Posts() {
				if q.Ephemeral && q.To == bottest.Ana.ID && q.Text() == "This choice was cancelled." {
					told = true
				}
			}
			if !told {
				t.Errorf("the clicker was not told the choice is over; posts %q", a.Texts())
			}
			if n := len(a.Cards()); n != 1 {
				t.Errorf("%d cards posted, want the one", n)
			}
		})
	}
}
