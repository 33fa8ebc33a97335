package slack

import (
	"context"
	"errors"

	"github.com/parleybot/parley/bot"
)

// PostEphemeral is a stub until the outbound side lands.
func (a *Adapter) PostEphemeral(ctx context.Context, to bot.Address, userID string, m bot.Outgoing) error {
	return errors.New("slack: not yet")
}
