package slack

import (
	"context"
	"fmt"
	"strings"

	slackgo "github.com/slack-go/slack"

	"github.com/parleybot/parley/bot"
)

// statusAt reports whether Slack shows a status at in. Slack shows one
// (assistant.threads.setStatus) only in an assistant thread, which is a
// thread of a direct message with the bot: the channel is a DM ("D…") and
// the address names a thread. Elsewhere the adapter reports no CapStatus
// rather than claim a status people would never see.
func statusAt(in bot.Address) bool {
	return strings.HasPrefix(in.Channel, "D") && in.Thread != ""
}

// SetStatus shows status ("is thinking…") under the assistant thread at in
// until the bot posts there or the status changes; an empty status clears
// it. Outside an assistant thread (see Capabilities) it returns an error
// matching bot.ErrUnsupported.
func (a *Adapter) SetStatus(ctx context.Context, in bot.Address, status string) error {
	if !statusAt(in) {
		return fmt.Errorf("slack: a status shows only in an assistant thread (a thread of a direct message with the bot), not at %s: %w",
			in, &bot.UnsupportedError{Platform: Platform, Capability: bot.CapStatus})
	}
	err := a.api.SetAssistantThreadsStatusContext(ctx, slackgo.AssistantThreadsSetStatusParameters{
		ChannelID: in.Channel,
		ThreadTS:  in.Thread,
		Status:    status,
	})
	if err != nil {
		return fmt.Errorf("slack: assistant.threads.setStatus in %s/%s: %w", in.Channel, in.Thread, err)
	}
	return nil
}
