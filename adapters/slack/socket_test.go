package slack_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/adapters/slack"
	"github.com/parleybot/parley/adapters/slack/slackfake"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
)

// socketBot starts a bot over Socket Mode on a new fake Slack, its model
// answering every message.
func socketBot(t *testing.T) (*slackfake.Server, *bottest.Model) {
	fake := flowFake(t)
	a := flowAdapter(t, fake, func(c *slack.Config) { c.AppToken, c.SigningSecret = fake.Config().AppToken, "" })
	model := bottest.NewModel(bottest.Reply("hello back")).Cycle()
	flowBot(t, bot.Config{Model: model, Adapters: []bot.Adapter{a}})
	return fake, model
}

// A direct message over Socket Mode is acknowledged and answered.
func TestSocketModeMessageIsAckedAndAnswered(t *testing.T) {
	fake, model := socketBot(t)
	dm := fake.DirectMessage(slackfake.Ana, "hi", "")
	id := fake.SendSocket(dm)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := fake.WaitAck(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := fake.WaitFor(ctx, func() bool { return len(model.Requests()) > 0 }); err != nil {
		t.Fatal("no model call")
	}
}

// A payload slack-go's socketmode client refuses to parse (a block of a
// shape it does not know) is read with the adapter's own decoding, as over
// HTTP: acknowledged, and the message reaches the bot.
func TestSocketModeReadsWhatSlackGoRefuses(t *testing.T) {
	fake, model := socketBot(t)
	raw, err := os.ReadFile("testdata/message_malformed_block.json")
	if err != nil {
		t.Fatal(err)
	}
	// Address it from the fake's bot/team (fixture already uses T0FAKE, D0ANA).
	payload := strings.ReplaceAll(string(raw), "Ev0MALFORMED1", "Ev0REVIEWMAL")
	id := fake.SendSocket(slackfake.Event{Type: slackfake.EventsAPI, ID: "Ev0REVIEWMAL", Payload: []byte(payload)})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := fake.WaitAck(ctx, id); err != nil {
		t.Errorf("the envelope was never acked: %v", err)
	}
	if err := fake.WaitFor(ctx, func() bool { return len(model.Requests()) > 0 }); err != nil {
		t.Errorf("the message %q never reached the bot over Socket Mode (it does over HTTP)", "still readable")
	}
}

// A click slack-go refuses is acknowledged too, not left for Slack to
// deliver again forever.
func TestSocketModeAcksAClickSlackGoRefuses(t *testing.T) {
	fake, _ := socketBot(t)
	raw, err := os.ReadFile("testdata/block_actions_malformed_block.json")
	if err != nil {
		t.Fatal(err)
	}
	id := fake.SendSocket(slackfake.Event{Type: slackfake.Interactive, ID: "trig", Payload: raw})
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	if _, err := fake.WaitAck(ctx, id); err != nil {
		t.Errorf("the interaction envelope was never acked (the adapter never saw it): %v", err)
	}
}

// After a dropped connection and after Slack asks for a reconnection,
// events arrive on the new connection, each answered once.
func TestSocketModeReconnectsAfterADrop(t *testing.T) {
	fake, model := socketBot(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for i := range 3 {
		if i == 1 {
			fake.DropSockets()
		}
		if i == 2 {
			fake.Disconnect("refresh_requested")
		}
		dm := fake.DirectMessage(slackfake.Ana, "hi", "")
		id := fake.SendSocket(dm)
		if _, err := fake.WaitAck(ctx, id); err != nil {
			t.Fatalf("round %d: %v", i, err)
		}
		if err := fake.WaitFor(ctx, func() bool { return len(model.Requests()) > i }); err != nil {
			t.Fatalf("round %d: no model call", i)
		}
	}
	if n := len(model.Requests()); n != 3 {
		t.Errorf("%d model calls for 3 DMs", n)
	}
}
