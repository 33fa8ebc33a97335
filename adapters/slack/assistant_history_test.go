package slack_test

import (
	"context"
	"strings"
	"testing"
	"time"

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
