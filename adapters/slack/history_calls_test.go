package slack_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/adapters/slack/slackfake"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
)

// startOn starts a bot on a, its model answering every message.
func startOn(t *testing.T, a bot.Adapter) *bottest.Model {
	model := bottest.NewModel(bottest.Reply("hello back")).Cycle()
	flowBot(t, bot.Config{Model: model, Adapters: []bot.Adapter{a}})
	return model
}

// A new thread of the assistant pane costs no history call on its first
// message (Tier 1 allows many apps one a minute): the adapter saw it begin,
// and the bot's transcript holds all there is.
func TestNewAssistantThreadCostsNoHistoryCall(t *testing.T) {
	fake, a := onFake(t)
	model := startOn(t, a)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for i := range 3 {
		start := fake.AssistantThreadStarted(slackfake.Ana, "")
		if _, err := fake.Send(ctx, a, start); err != nil {
			t.Fatal(err)
		}
		dm := fake.DirectMessage(slackfake.Ana, "hi", start.ThreadTS)
		if _, err := fake.Send(ctx, a, dm); err != nil {
			t.Fatal(err)
		}
		if err := fake.WaitFor(ctx, func() bool { return len(model.Requests()) > i }); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(fake.Calls("conversations.replies")); n != 0 {
		t.Errorf("%d conversations.replies calls for 3 new assistant threads", n)
	}
	if n := len(fake.Calls("conversations.history")); n != 0 {
		t.Errorf("%d conversations.history calls", n)
	}
}

// A slash command reads no channel history: the chatter before it is not
// its conversation.
func TestSlashCommandReadsNoChannelHistory(t *testing.T) {
	fake, a := onFake(t)
	model := startOn(t, a)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for range 3 {
		fake.ChannelMessage(slackfake.Ben, "C0GEN", "unrelated chatter", "")
	}
	cmd := fake.SlashCommand(slackfake.Ana, "C0GEN", "/ask", "what's up?")
	if _, err := fake.Send(ctx, a, cmd); err != nil {
		t.Fatal(err)
	}
	if err := fake.WaitFor(ctx, func() bool { return len(model.Requests()) > 0 }); err != nil {
		t.Fatal(err)
	}
	if n := len(fake.Calls("conversations.history")); n != 0 {
		t.Errorf("%d conversations.history calls for a slash command", n)
	}
	for _, m := range model.Requests()[0].Messages {
		if strings.Contains(m.Content, "chatter") {
			t.Errorf("the model was given the channel's chatter: %q", m.Content)
		}
	}
}
