package slack

import (
	"context"
	"errors"
	"fmt"
	"strings"

	slackgo "github.com/slack-go/slack"

	"github.com/parleybot/parley/bot"
)

// React adds the reaction emoji, a name with or without its colons
// ("eyes", ":eyes:"), to the message ref; to the first message of a group
// Post made. A reaction the bot already added is no error.
func (a *Adapter) React(ctx context.Context, ref bot.MessageRef, emoji string) error {
	name := strings.Trim(strings.TrimSpace(emoji), ":")
	ts := firstTS(ref.ID)
	switch {
	case name == "":
		return errors.New("slack: React needs an emoji name")
	case ts == "" || ref.Channel == "":
		return fmt.Errorf("slack: React needs the ref of a message, with a Channel and an ID; got %+v", ref)
	}
	err := a.api.AddReactionContext(ctx, name, slackgo.NewRefToMessage(ref.Channel, ts))
	if err != nil && !slackCode(err, "already_reacted") {
		return fmt.Errorf("slack: reactions.add of %q to %s in %s: %w", name, ts, ref.Channel, err)
	}
	return nil
}
