package bot_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
	"github.com/parleybot/parley/render"
)

// A click that comes after a choice's deadline does not decide it, even
// when nothing noticed the deadline pass yet — the run parked, taking its
// timer with it, and the sweep has not come by: the choice expired, the
// run resumes with TimedOut, the card says so, and the clicker is told.
func TestClickAfterDeadlineOfParkedChoiceExpiresIt(t *testing.T) {
	t.Parallel()
	var got atomic.Value
	pick := bot.DefineTool(bot.ToolSpec[struct{}]{
		Name: "approve", Description: "asks, for a short while",
		Handler: func(ctx context.Context, _ struct{}, tc *bot.ToolContext) (any, error) {
			c, err := bot.AwaitChoice[bool](ctx, tc.Thread, render.Card{Title: "Approve?", Actions: render.Actions(
				render.Button("Yes", true), render.Button("No", false),
			)}, bot.Timeout(200*time.Millisecond))
			if err != nil {
				return nil, err
			}
			got.Store(c)
			return c.Value, nil
		},
	})
	model := bottest.NewModel(bottest.Call("approve", struct{}{}), bottest.Reply("Done."))
	h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{pick}, ParkAfter: time.Millisecond, SweepInterval: time.Hour})
	h.Send(bottest.Ana, "go")
	p := h.Card(0)

	_, rec := choiceOf(t, h.Store, p, "Yes")
	deadline := rec.Deadline
	time.Sleep(time.Until(deadline) + 50*time.Millisecond)
	h.Click(p.Ref, "Yes", bottest.Ana)

	c, _ := got.Load().(bot.Choice[bool])
	if !c.TimedOut || c.Value {
		t.Errorf("AwaitChoice returned %+v for a click after the deadline, want TimedOut", c)
	}
	if _, rec := choiceOf(t, h.Store, p, "Yes"); rec.Outcome.State != bot.ChoiceExpired {
		t.Errorf("the choice's outcome is %+v, want expired", rec.Outcome)
	}
	closedWith(t, h, p.Ref, "Expired")
	told := false
	for _, m := range h.Chat.Posts() {
		if m.Ephemeral && m.To == bottest.Ana.ID && strings.Contains(m.Text(), "expired") {
			told = true
		}
	}
	if !told {
		t.Errorf("the late clicker was not told the choice expired; posts %q", h.Chat.Texts())
	}
}
