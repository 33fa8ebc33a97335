package slack

import (
	"context"
	"fmt"
	"sync"

	slackgo "github.com/slack-go/slack"

	"github.com/parleybot/parley/bot"
)

// Platform is the platform name of the Slack adapter: the Platform of every
// Address it produces.
const Platform = "slack"

// Adapter is the Slack adapter. Create it with [New]; mount it as an
// http.Handler (see [Adapter.ServeHTTP]) unless it runs in Socket Mode.
type Adapter struct {
	cfg Config
	api *slackgo.Client

	mu    sync.Mutex
	inbox bot.Inbox // nil until Start
	me    identity  // who the bot is, from auth.test at Start
	ctx   context.Context

	in  inbound  // state of the inbound side (inbound.go)
	out outbound // state of the outbound side (outbound.go)
}

// identity is the bot's identity in its workspace.
type identity struct {
	UserID string // the bot's user, as mentioned: U…
	BotID  string // the bot's bot id: B…
	TeamID string
	Team   string
	URL    string
}

var (
	_ bot.Adapter            = (*Adapter)(nil)
	_ bot.CapabilityReporter = (*Adapter)(nil)
)

// New returns a Slack adapter. It checks cfg and fails with an error naming
// each missing or malformed setting; it makes no call to Slack (Start does).
func New(cfg Config) (*Adapter, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	a := &Adapter{cfg: cfg}
	opts := []slackgo.Option{
		slackgo.OptionAPIURL(cfg.APIURL),
		slackgo.OptionHTTPClient(a.rateLimited(cfg.HTTPClient)),
		slackgo.OptionRetryConfig(retryConfig()),
	}
	if cfg.AppToken != "" {
		opts = append(opts, slackgo.OptionAppLevelToken(cfg.AppToken))
	}
	a.api = slackgo.New(cfg.BotToken, opts...)
	a.in.init()
	a.out.init()
	return a, nil
}

// Platform returns "slack".
func (a *Adapter) Platform() string { return Platform }

// Start learns who the bot is (auth.test) and begins delivering events to
// in: over Socket Mode when Config.AppToken is set, else through the
// adapter's http.Handler, which answers 503 until Start returns and after
// ctx ends.
func (a *Adapter) Start(ctx context.Context, in bot.Inbox) error {
	res, err := a.api.AuthTestContext(ctx)
	if err != nil {
		return fmt.Errorf("slack: auth.test with Config.BotToken: %w", err)
	}
	a.mu.Lock()
	if a.inbox != nil {
		a.mu.Unlock()
		return fmt.Errorf("slack: adapter already started")
	}
	a.me = identity{UserID: res.UserID, BotID: res.BotID, TeamID: res.TeamID, Team: res.Team, URL: res.URL}
	a.ctx = ctx
	a.inbox = in
	a.mu.Unlock()
	if a.cfg.AppToken != "" {
		if err := a.startSocket(ctx); err != nil {
			return err
		}
	}
	return nil
}

// receiving returns the inbox and the bot's identity while the adapter
// receives events: after Start and before its context ends.
func (a *Adapter) receiving() (bot.Inbox, identity, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.inbox == nil || a.ctx.Err() != nil {
		return nil, identity{}, false
	}
	return a.inbox, a.me, true
}

// self returns the bot's identity, known after Start.
func (a *Adapter) self() identity {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.me
}
