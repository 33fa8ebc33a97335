package slack

import (
	"context"
	"errors"
	"fmt"

	slackgo "github.com/slack-go/slack"

	"github.com/parleybot/parley/bot"
)

// PostEphemeral shows m to the person userID only, in the conversation at
// to (in its thread, when to has one), with chat.postEphemeral. Content
// too long for one message is shown as several, in order. Slack keeps no
// ephemeral message: it cannot be edited, and it is gone when the person
// reloads.
func (a *Adapter) PostEphemeral(ctx context.Context, to bot.Address, userID string, m bot.Outgoing) error {
	if to.Channel == "" || userID == "" {
		return errors.New("slack: PostEphemeral needs an address with a Channel and a user id")
	}
	msgs, err := renderOut(m)
	if err != nil {
		return err
	}
	for _, msg := range msgs {
		opts := messageOptions(msg, false)
		if to.Thread != "" {
			opts = append(opts, slackgo.MsgOptionTS(to.Thread))
		}
		if _, err := a.api.PostEphemeralContext(ctx, to.Channel, userID, opts...); err != nil {
			return fmt.Errorf("slack: chat.postEphemeral to %s in %s: %w", userID, to.Channel, err)
		}
	}
	return nil
}
