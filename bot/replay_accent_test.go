package bot_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
	"github.com/parleybot/parley/render"
)

// A card posted again on replay with another accent colour — data that a
// card's JSON does not show — is another post: the replay diverges
// rather than answer it with the recorded one.
func TestReplayComparesACardsAccent(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name           string
		first, replay  render.Color
		wantDivergence bool
	}{
		{"another accent", render.Green, render.Red, true},
		{"an accent added", render.Color{}, render.Red, true},
		{"the same accent (control)", render.Green, render.Green, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var runs atomic.Int32
			work := bot.DefineTool(bot.ToolSpec[struct{}]{
				Name: "work", Description: "posts a status, then asks",
				Handler: func(ctx context.Context, _ struct{}, tcx *bot.ToolContext) (any, error) {
					accent := tc.first
					if runs.Add(1) > 1 {
						accent = tc.replay
					}
					if _, err := tcx.Thread.Post(ctx, render.Card{Title: "Status", Accent: accent, Body: []render.Node{render.Text("all green")}}); err != nil {
						return nil, err
					}
					c, err := bot.AwaitChoice[bool](ctx, tcx.Thread, render.Card{Title: "Go on?", Actions: approveDeny()})
					return c.Value, err
				},
			})
			model := bottest.NewModel(bottest.Call("work", struct{}{}), bottest.Reply("Done."))
			h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{work}})
			h.Send(bottest.Ana, "go")
			p := cardTitled(t, h.Chat, "Go on?")
			h.Restart()
			h.Click(p.Ref, "Approve", bottest.Ana)

			if runs.Load() != 2 {
				t.Fatalf("the tool ran %d times, want 2: live, then replayed", runs.Load())
			}
			last := h.Chat.LastText()
			if diverged := strings.Contains(last, "could not resume"); diverged != tc.wantDivergence {
				t.Errorf("last text %q; want a divergence: %v", last, tc.wantDivergence)
			}
		})
	}
}
