package slack_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/adapters/slack"
	"github.com/parleybot/parley/adapters/slack/slackfake"
)

// An assistant thread that began before this process (a restart, another
// replica, a transcript dropped after TranscriptRetention): the person
// switches channel (assistant_thread_context_changed) and writes on. The
// thread has a past; the bot has no transcript of it, so it must read it
// from Slack: only a thread seen to begin here opens its conversation.
func TestContextChangedThreadStillReadsItsPast(t *testing.T) {
	fake, a := onFake(t)
	model := startOn(t, a)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := fake.AssistantThreadStarted(slackfake.Ana, "") // not sent: before this process
	fake.DirectMessage(slackfake.Ana, "the plan has three points: alpha, bravo, charlie", start.ThreadTS)
	if _, err := fake.Send(ctx, a, fake.AssistantContextChanged(slackfake.Ana, start.ThreadTS, "C0GEN")); err != nil {
		t.Fatal(err)
	}
	if _, err := fake.Send(ctx, a, fake.DirectMessage(slackfake.Ana, "what was the second point?", start.ThreadTS)); err != nil {
		t.Fatal(err)
	}
	if err := fake.WaitFor(ctx, func() bool { return len(model.Requests()) > 0 }); err != nil {
		t.Fatal(err)
	}
	seen := false
	for _, m := range model.Requests()[0].Messages {
		seen = seen || strings.Contains(m.Content, "bravo")
	}
	if !seen {
		t.Errorf("the model never saw the thread's earlier message; conversations.replies calls: %d", len(fake.Calls("conversations.replies")))
	}
}

// Opening a thread in the assistant pane shows the suggested prompts of
// the configuration; the first message written in it names the thread.
func TestAssistantThreadGetsPromptsAndATitle(t *testing.T) {
	fake := flowFake(t)
	a := flowAdapter(t, fake, func(c *slack.Config) {
		c.SuggestedPrompts = []slack.Prompt{{Title: "Summarise", Message: "Summarise this channel"}, {Title: "Deploys", Message: "What was deployed today?"}}
		c.SuggestedPromptsTitle = "Try"
	})
	startOn(t, a)
	ctx := flowCtx(t)
	start := fake.AssistantThreadStarted(slackfake.Ana, "C0GEN")
	flowSend(t, fake, a, start)
	ch := fake.DM(slackfake.Ana)
	flowWait(t, fake, "suggested prompts", func() bool { return len(fake.SuggestedPrompts(ch, start.ThreadTS).Prompts) == 2 })
	if p := fake.SuggestedPrompts(ch, start.ThreadTS); p.Title != "Try" || p.Prompts[1].Message != "What was deployed today?" {
		t.Errorf("suggested prompts %+v", p)
	}
	flowSend(t, fake, a, fake.DirectMessage(slackfake.Ana, "What changed in the deploys today?\nAnd why?", start.ThreadTS))
	flowWait(t, fake, "a title", func() bool { return fake.Title(ch, start.ThreadTS) != "" })
	flowSend(t, fake, a, fake.DirectMessage(slackfake.Ana, "another question", start.ThreadTS))
	if err := fake.WaitFor(ctx, func() bool { return len(fake.Calls("assistant.threads.setTitle")) >= 1 }); err != nil {
		t.Fatal(err)
	}
	if got := fake.Title(ch, start.ThreadTS); got != "What changed in the deploys today?" {
		t.Errorf("title %q; want the first line of the first message", got)
	}
	if n := len(fake.Calls("assistant.threads.setTitle")); n != 1 {
		t.Errorf("%d titles set; want one, from the first message", n)
	}
}
