package slack

import (
	"context"
	"errors"
	"net/http"

	slackgo "github.com/slack-go/slack"

	"github.com/parleybot/parley/bot"
)

// outbound is the state of the sending side.
type outbound struct{}

func (o *outbound) init() {}

// rateLimited wraps c so that every Web API method honours Slack's
// Retry-After after a 429.
func (a *Adapter) rateLimited(c *http.Client) *http.Client { return c }

// retryConfig is how slack-go retries a call Slack refused with 429.
func retryConfig() slackgo.RetryConfig { return slackgo.RetryConfig{} }

// Post sends a new message into the conversation at to.
func (a *Adapter) Post(ctx context.Context, to bot.Address, m bot.Outgoing) (bot.MessageRef, error) {
	return bot.MessageRef{}, errors.New("slack: not yet")
}

// Update replaces the content of a message the bot posted.
func (a *Adapter) Update(ctx context.Context, ref bot.MessageRef, m bot.Outgoing) error {
	return errors.New("slack: not yet")
}

// Capabilities reports what the adapter can do at in.
func (a *Adapter) Capabilities(in bot.Address) bot.Capabilities { return 0 }

// user returns the user id in the workspace team, cached for
// Config.UserCacheTTL.
func (a *Adapter) user(ctx context.Context, team, id string) (bot.User, error) {
	return bot.User{ID: id}, errors.New("slack: not yet")
}
