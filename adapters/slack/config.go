package slack

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/parleybot/parley/adapters/internal/platform"
)

// Config configures the Slack adapter. Its zero value reads the credentials
// from the environment and uses Slack's own API.
type Config struct {
	// BotToken is the bot's OAuth token (xoxb-…). Default: $SLACK_BOT_TOKEN.
	// Required.
	BotToken string
	// SigningSecret checks that an HTTP request comes from Slack. Default:
	// $SLACK_SIGNING_SECRET. Required unless the adapter runs in Socket
	// Mode only.
	SigningSecret string
	// AppToken is an app-level token (xapp-…) with the connections:write
	// scope. When set, Start connects over Socket Mode and events need no
	// public URL. Default: $SLACK_APP_TOKEN.
	AppToken string
	// Env reads the environment for the defaults above. Default os.Getenv;
	// tests pass their own.
	Env func(key string) string

	// APIURL is the Web API's base URL, ending in a slash. Default
	// "https://slack.com/api/"; tests point it at a fake.
	APIURL string
	// HTTPClient makes the adapter's Web API calls. Default: a client with
	// a 30-second timeout that keeps up to 64 idle connections to Slack.
	HTTPClient *http.Client

	// AllowBots delivers messages other bots write, as messages from a
	// user with IsBot set. Default false: other bots' messages are
	// ignored, as the bot's own always are.
	AllowBots bool
	// SuggestedPrompts are offered when someone opens a thread with the
	// bot in Slack's assistant pane. Default none.
	SuggestedPrompts []Prompt
	// SuggestedPromptsTitle heads the suggested prompts. Default: Slack's.
	SuggestedPromptsTitle string

	// MaxBodyBytes caps the body of an inbound request; a larger one is
	// refused with 413 Request Entity Too Large, unread beyond the cap.
	// Default 1 MiB.
	MaxBodyBytes int64
	// UserCacheTTL is how long a user looked up stays cached. Default 10
	// minutes.
	UserCacheTTL time.Duration
	// StreamRotateAfter is how long a native stream stays open before the
	// adapter stops it and goes on in a new message: Slack ends a stream
	// left open about five minutes. Default 4 minutes.
	StreamRotateAfter time.Duration
	// UpdateInterval is the least time between two edits of a message
	// streamed by edits, where native streaming is unavailable. Default
	// and minimum 1 second.
	UpdateInterval time.Duration
	// HistoryLimit caps the messages read from conversations.replies when
	// the bot has no transcript of a thread. Default 100.
	HistoryLimit int

	// Logger receives what the adapter cannot hand back as an error: a
	// payload it could not decode, a request it refused. Default
	// slog.Default().
	Logger *slog.Logger

	// PostInterval is the least time between two messages the adapter
	// posts in one channel: Slack accepts about one message a second per
	// channel and answers a burst with HTTP 429. Default 1 second; a
	// negative value turns the pacing off.
	PostInterval time.Duration
}

// Prompt is a suggested prompt in Slack's assistant pane.
type Prompt struct {
	// Title is what the button shows.
	Title string
	// Message is what is sent when it is clicked.
	Message string
}

// The environment variables the adapter reads by default.
const (
	EnvBotToken      = "SLACK_BOT_TOKEN"
	EnvSigningSecret = "SLACK_SIGNING_SECRET"
	EnvAppToken      = "SLACK_APP_TOKEN"
)

// DefaultAPIURL is Slack's Web API.
const DefaultAPIURL = "https://slack.com/api/"

// withDefaults fills the zero fields of cfg and checks it. Errors name the
// field and the variable it comes from.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.Env == nil {
		cfg.Env = os.Getenv
	}
	platform.FromEnv(cfg.Env, map[string]*string{
		EnvBotToken:      &cfg.BotToken,
		EnvSigningSecret: &cfg.SigningSecret,
		EnvAppToken:      &cfg.AppToken,
	})
	var errs []error
	switch {
	case cfg.BotToken == "":
		errs = append(errs, fmt.Errorf("slack: Config.BotToken is empty and %s is not set", EnvBotToken))
	case !strings.HasPrefix(cfg.BotToken, "xoxb-"):
		errs = append(errs, fmt.Errorf("slack: Config.BotToken (%s) is not a bot token: it should start with \"xoxb-\"", EnvBotToken))
	}
	if cfg.AppToken != "" && !strings.HasPrefix(cfg.AppToken, "xapp-") {
		errs = append(errs, fmt.Errorf("slack: Config.AppToken (%s) is not an app-level token: it should start with \"xapp-\"", EnvAppToken))
	}
	if cfg.SigningSecret == "" && cfg.AppToken == "" {
		errs = append(errs, fmt.Errorf("slack: Config.SigningSecret is empty and %s is not set; it is needed to receive events over HTTP (or set %s for Socket Mode)", EnvSigningSecret, EnvAppToken))
	}
	if cfg.SigningSecret != "" && strings.ContainsAny(cfg.SigningSecret, " \t\n") {
		errs = append(errs, fmt.Errorf("slack: Config.SigningSecret (%s) contains white space", EnvSigningSecret))
	}
	if len(errs) > 0 {
		return cfg, errors.Join(errs...)
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	if !strings.HasSuffix(cfg.APIURL, "/") {
		cfg.APIURL += "/"
	}
	if cfg.HTTPClient == nil {
		// Runs call the Web API side by side: keep a connection for
		// each rather than dialling Slack anew for most calls, as
		// http.DefaultTransport's two idle connections a host would.
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 64
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second, Transport: t}
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if cfg.UserCacheTTL <= 0 {
		cfg.UserCacheTTL = 10 * time.Minute
	}
	if cfg.StreamRotateAfter <= 0 {
		cfg.StreamRotateAfter = 4 * time.Minute
	}
	if cfg.UpdateInterval < time.Second {
		cfg.UpdateInterval = time.Second
	}
	if cfg.HistoryLimit <= 0 {
		cfg.HistoryLimit = 100
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.PostInterval == 0 {
		cfg.PostInterval = time.Second
	}
	return cfg, nil
}
