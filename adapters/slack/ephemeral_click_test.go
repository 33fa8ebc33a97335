package slack_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/adapters/slack"
	"github.com/parleybot/parley/adapters/slack/slackfake"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/render"
)

// A message shown to one person (chat.postEphemeral) is not kept by
// Slack: chat.update cannot reach it, only the response_url of a click on
// it can. A click on a button of such a message, answered with Update,
// replaces that message where the person sees it.
func TestClickOnAnEphemeralMessageIsAnsweredInPlace(t *testing.T) {
	t.Parallel()
	fake, a, rec, ctx := startRecorded(t)
	to := bot.Address{Platform: slack.Platform, Workspace: fake.Config().TeamID, Channel: "C0GEN"}
	ok := render.Button("Retry", "retry")
	card := render.Card{Title: "The deploy failed", Actions: render.Actions(ok)}
	if err := a.PostEphemeral(ctx, to, slackfake.Ana, bot.Outgoing{Content: card, IDs: render.IDs{ok: "b1"}}); err != nil {
		t.Fatal(err)
	}
	shown := fake.Ephemerals(slackfake.Ana)
	if len(shown) != 1 {
		t.Fatalf("%d ephemeral messages, want 1", len(shown))
	}
	click, err := fake.Click(slackfake.Ana, shown[0].Channel, shown[0].TS, "Retry")
	if err != nil {
		t.Fatal(err)
	}
	fake.SendOK(ctx, t, a, click)
	acts := rec.snapshot().actions
	if len(acts) != 1 || acts[0].ID != "b1" {
		t.Fatalf("clicks delivered: %+v", acts)
	}
	if err := acts[0].Reply.Update(ctx, bot.Outgoing{Content: render.Text("Retrying the deploy…")}); err != nil {
		t.Fatalf("Update of the clicked ephemeral message: %v", err)
	}
	shown = fake.Ephemerals(slackfake.Ana)
	if len(shown) != 1 || !strings.Contains(shown[0].PlainText(), "Retrying the deploy") {
		var texts []string
		for _, m := range shown {
			texts = append(texts, m.PlainText())
		}
		t.Fatalf("the person sees %q; want the clicked message replaced", texts)
	}
	// The clicked message's ref reaches no public message either.
	if err := a.Update(ctx, acts[0].Message, bot.Outgoing{Content: render.Text("for everyone")}); err == nil {
		t.Error("Update of an ephemeral message's ref succeeded")
	}
	if n := len(fake.Calls("chat.postMessage")); n != 0 {
		t.Errorf("%d messages posted to the channel; the answers to an ephemeral message's click are private", n)
	}
}

// A click's private notice goes with chat.postEphemeral; where Slack
// refuses it because the bot is not in the conversation, the notice
// reaches the clicker through the click's response_url, in the clicked
// message's thread, and nobody else sees it.
func TestClickNoticeWhereTheBotIsNotAMemberGoesThroughTheResponseURL(t *testing.T) {
	t.Parallel()
	fake, a, rec, ctx := startRecorded(t)
	to := bot.Address{Platform: slack.Platform, Workspace: fake.Config().TeamID, Channel: "C0GEN"}
	ok := render.Button("Approve", "approve")
	ref, err := a.Post(ctx, to, bot.Outgoing{Content: render.Card{Title: "Deploy?", Actions: render.Actions(ok)}, IDs: render.IDs{ok: "b1"}})
	if err != nil {
		t.Fatal(err)
	}
	click, err := fake.Click(slackfake.Ben, "C0GEN", ref.ID, "Approve")
	if err != nil {
		t.Fatal(err)
	}
	fake.SendOK(ctx, t, a, click)
	acts := rec.snapshot().actions
	if len(acts) != 1 {
		t.Fatalf("clicks delivered: %+v", acts)
	}
	fake.Fail("chat.postEphemeral", "not_in_channel", 1)
	if err := acts[0].Reply.Ephemeral(ctx, bot.Outgoing{Content: render.Text("Only approvers can decide.")}); err != nil {
		t.Fatalf("notice to the clicker: %v", err)
	}
	shown := fake.Ephemerals(slackfake.Ben)
	if len(shown) != 1 || !strings.Contains(shown[0].PlainText(), "Only approvers can decide.") {
		t.Fatalf("the clicker sees %d private messages: %+v", len(shown), shown)
	}
	if n := len(fake.Calls(slackfake.MethodResponseURL)); n != 1 {
		t.Errorf("%d posts to the response_url, want 1", n)
	}
	if n := len(fake.Ephemerals(slackfake.Ana)); n != 0 {
		t.Errorf("someone else sees %d private messages", n)
	}

	// Any other refusal is the caller's to hear, not hidden by a second try.
	fake.Fail("chat.postEphemeral", "msg_too_long", 1)
	if err := acts[0].Reply.Ephemeral(ctx, bot.Outgoing{Content: render.Text("again")}); err == nil {
		t.Error("a refusal other than membership was not reported")
	}
}

// startRecorded starts an adapter on a fake Slack, its Inbox a recorder.
func startRecorded(t *testing.T) (*slackfake.Server, *slack.Adapter, *recorder, context.Context) {
	t.Helper()
	fake := flowFake(t)
	a := flowAdapter(t, fake, nil)
	rec := &recorder{}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	if err := a.Start(ctx, rec); err != nil {
		t.Fatal(err)
	}
	return fake, a, rec, ctx
}
