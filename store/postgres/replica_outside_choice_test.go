package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/adapters/slack"
	"github.com/parleybot/parley/adapters/slack/slackfake"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
	"github.com/parleybot/parley/render"
)

// A scheduled job on replica A asks ana for approval outside any run,
// and A dies while it waits: nothing can act on her answer any more.
// Once A's lease on the wait lapses, replica B cancels the choice in the
// database and closes the card with a plain sentence, so that it does not
// stay open for ever.
func TestReplicaKilledWhileAskingOutsideARunHasItsCardClosedByOtherReplica(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	f := replicaFake(t)
	cfg := bot.Config{Model: bottest.NewModel(), LeaseTTL: 300 * time.Millisecond, SweepInterval: 50 * time.Millisecond}
	a := replicaStart(t, f, schema, "A", cfg)
	b := replicaStart(t, f, schema, "B", cfg)

	th, err := a.bot.Thread(bot.Address{Platform: slack.Platform, Workspace: f.Config().TeamID, Channel: replicaChannel})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go bot.AwaitChoice[string](ctx, th, render.Card{
		Title:   "Rotate the keys?",
		Actions: render.Actions(render.Button("Approve", "approve").Primary(), render.Button("Deny", "deny")),
	}, bot.Approvers(slackfake.Ana))
	var card slackfake.Msg
	replicaWait(t, f, "the approval card", func() bool {
		for _, m := range f.Messages(replicaChannel, "") {
			if m.FromBot() && len(m.Options()) > 0 {
				card = m
				return true
			}
		}
		return false
	})
	replicaCardKnown(t, b.pg, card)
	a.kill()

	replicaWait(t, f, "B to close the card", func() bool {
		m, _ := f.Message(replicaChannel, card.TS)
		return len(m.Options()) == 0
	})
	now, _ := f.Message(replicaChannel, card.TS)
	if !strings.Contains(now.PlainText(), "This request was cancelled: I restarted before it was answered.") {
		t.Errorf("the closed card reads %q; want it to say plainly why it was cancelled", now.PlainText())
	}
	var id string
	for _, c := range card.Controls() {
		if c.Label == "Approve" {
			id = c.Value
		}
	}
	rec, err := b.pg.Action(replicaCtx(t), id)
	if err != nil {
		t.Fatal(err)
	}
	c, err := b.pg.Choice(replicaCtx(t), rec.Choice)
	if err != nil || c.Outcome.State != bot.ChoiceCancelled {
		t.Errorf("the choice in the database: %v, %v; want it cancelled", c.Outcome.State, err)
	}
	b.idle(t)
	if lanes, err := b.pg.Lapsed(replicaCtx(t), time.Now().Add(time.Hour), 10); err != nil || len(lanes) != 0 {
		t.Errorf("work still queued in lanes %q (%v)", lanes, err)
	}
}
