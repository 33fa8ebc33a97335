package slack

import (
	"context"
	"net/http"
	"sync/atomic"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/parleybot/parley/bot"
)

// The sending side talks to Slack's Web API through slack-go:
//
//   - post.go: Post and Update, a rendering spread over several messages
//     kept as one (see [Adapter.Post] for the MessageRef it returns);
//   - stream.go: native streaming, with rotation, recovery and the
//     fallback to a post and edits;
//   - history.go, users.go, files.go, reactions.go, status.go,
//     ephemeral.go: the optional capabilities of bot.Thread;
//   - ratelimit.go: Retry-After per method and pacing per channel.

var (
	_ bot.HistoryReader   = (*Adapter)(nil)
	_ bot.UserLooker      = (*Adapter)(nil)
	_ bot.FileUploader    = (*Adapter)(nil)
	_ bot.StatusSetter    = (*Adapter)(nil)
	_ bot.Streamer        = (*Adapter)(nil)
	_ bot.EphemeralPoster = (*Adapter)(nil)
	_ bot.Reactor         = (*Adapter)(nil)
)

// outbound is the state of the sending side.
type outbound struct {
	limits *limiter // set by rateLimited, which New calls before init
	pace   pacer
	users  userCache

	// noNative is set once Slack answered feature_not_enabled to a
	// native stream: later streams go straight to posts and edits.
	noNative atomic.Bool

	// flushEvery is how long a stream gathers appended text before it
	// hands it to Slack, so that a model writing token by token does not
	// cost one API call per token.
	flushEvery time.Duration
	// shareWaits are the pauses between PostFile's looks at where Slack
	// shared a file, which it reports a moment after the upload.
	shareWaits []time.Duration
}

func (o *outbound) init() {
	o.flushEvery = 500 * time.Millisecond
	o.shareWaits = []time.Duration{0, 250 * time.Millisecond, 750 * time.Millisecond, 2 * time.Second}
}

// rateLimited wraps c so that every Web API method honours Slack's
// Retry-After after a 429: a call of a method Slack refused waits, under
// its context, until Slack accepts the method again. c itself is not
// changed. The wait counts towards c's Timeout.
func (a *Adapter) rateLimited(c *http.Client) *http.Client {
	cp := *c
	a.out.limits = newLimiter(a.cfg.APIURL, c.Transport)
	cp.Transport = a.out.limits
	return &cp
}

// retryConfig is how slack-go retries a call Slack refused with 429: up to
// three times, each after the Retry-After Slack sent. A call still refused
// fails with an error wrapping *slack.RateLimitedError.
func retryConfig() slackgo.RetryConfig { return defaultRetryConfig() }

// Post sends a new message into the conversation at to: in the thread
// to.Thread, or at the top of the channel when it is empty.
//
// Content that Slack cannot take in one message (more than 50 blocks, or
// about 12,000 characters) goes out as several messages, in order, and
// stays one message for the bot: the returned MessageRef's ID lists the ts
// of every message, first to last, separated by commas
// ("1712345678.000100,1712345679.000200"). A content that fits one message
// has the plain ts as its ID. Update edits the whole group from the ID
// alone, after a restart too; reactions and other single-message calls use
// its first ts. When a message of the group fails, those posted before it
// are deleted again, so that trying again posts no copy.
//
// Buttons and selects in a group of several messages carry the group's ID
// in their block_id (see messageIDOf), so that a click on any of them
// names the whole group: for that, each message holding one is edited
// once more after the group is posted.
func (a *Adapter) Post(ctx context.Context, to bot.Address, m bot.Outgoing) (bot.MessageRef, error) {
	return a.post(ctx, to, m)
}

// Update replaces the content of a message the bot posted: every message
// of the group ref.ID names (see Post). When the new content needs fewer
// messages, the surplus ones are deleted; when it needs more, the extra
// ones are posted as replies — in ref's thread, or under the group's first
// message when ref has none — and are not part of ref: a later Update
// does not reach them.
func (a *Adapter) Update(ctx context.Context, ref bot.MessageRef, m bot.Outgoing) error {
	return a.update(ctx, ref, m)
}

// Capabilities reports what the adapter can do at in: everything
// everywhere, except the status, which Slack shows only in assistant
// threads — threads of a direct message with the bot.
func (a *Adapter) Capabilities(in bot.Address) bot.Capabilities {
	var cs bot.Capabilities
	for _, c := range []bot.Capability{bot.CapHistory, bot.CapUserLookup, bot.CapFiles, bot.CapStreaming, bot.CapEphemeral, bot.CapReactions} {
		cs = cs.With(c)
	}
	if statusAt(in) {
		cs = cs.With(bot.CapStatus)
	}
	return cs
}

// user returns the user id in the workspace team, cached for
// Config.UserCacheTTL.
func (a *Adapter) user(ctx context.Context, team, id string) (bot.User, error) {
	return a.lookup(ctx, team, id)
}

// cachedUser returns the user id in team if the cache holds it, making no
// call.
func (a *Adapter) cachedUser(team, id string) (bot.User, bool) {
	return a.out.users.cached(team + "/" + id)
}
