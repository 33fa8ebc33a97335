package slack

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	slackgo "github.com/slack-go/slack"
)

// CheckResult is what [Check] learned about a bot token: whose it is and
// whether it carries every scope the adapter needs.
type CheckResult struct {
	// TeamID, Team and URL are the workspace the token belongs to.
	TeamID, Team, URL string
	// BotUser is the name of the bot's user, and BotUserID its id, as the
	// bot is mentioned (U…); BotID is the bot's id (B…).
	BotUser, BotUserID, BotID string
	// Scopes are the scopes granted to the token, sorted.
	Scopes []string
	// Missing are the scopes the adapter needs that the token lacks, in
	// the order the manifest lists them. Empty means the token is ready.
	Missing []string
}

// Check asks Slack who cfg's bot token belongs to (auth.test) and which of
// the scopes the adapter needs it lacks. Of cfg it reads only BotToken
// (default $SLACK_BOT_TOKEN), Env, APIURL and HTTPClient, so a token can be
// checked before the rest of the app is set up; it never starts an
// adapter.
//
// A token Slack refuses gives an error naming the token's setting and
// Slack's error code (invalid_auth, not_authed, account_inactive, …), which
// the error wraps as a slack-go SlackErrorResponse. Missing scopes are not
// an error: they are reported in the result. If Slack's answer does not
// say which scopes the token has (its X-OAuth-Scopes header), Check
// returns the identity it learned together with an error.
func Check(ctx context.Context, cfg Config) (CheckResult, error) {
	cfg, err := cfg.forCheck()
	if err != nil {
		return CheckResult{}, err
	}
	api := slackgo.New(cfg.BotToken,
		slackgo.OptionAPIURL(cfg.APIURL),
		slackgo.OptionHTTPClient(cfg.HTTPClient),
	)
	// AuthTestResponse.Header holds the response's headers, so the
	// granted scopes come with the answer itself; OptionOnResponseHeaders
	// would carry the same header through a callback and shared state.
	res, err := api.AuthTestContext(ctx)
	if err != nil {
		var refused slackgo.SlackErrorResponse
		if errors.As(err, &refused) {
			return CheckResult{}, fmt.Errorf("slack: Slack refused Config.BotToken (%s): %w%s", EnvBotToken, err, tokenHint(refused.Err))
		}
		return CheckResult{}, fmt.Errorf("slack: auth.test with Config.BotToken (%s): %w", EnvBotToken, err)
	}
	r := CheckResult{
		TeamID:    res.TeamID,
		Team:      res.Team,
		URL:       res.URL,
		BotUser:   res.User,
		BotUserID: res.UserID,
		BotID:     res.BotID,
	}
	header := res.Header.Values("X-OAuth-Scopes")
	if header == nil {
		return r, fmt.Errorf("slack: auth.test answered without an X-OAuth-Scopes header, so the token's scopes are unknown")
	}
	r.Scopes = parseScopes(header)
	for _, s := range requiredScopes() {
		if _, found := slices.BinarySearch(r.Scopes, s); !found {
			r.Missing = append(r.Missing, s)
		}
	}
	return r, nil
}

// forCheck fills the fields of cfg that Check uses from their defaults and
// checks the token. It is a narrow withDefaults: a check needs neither a
// signing secret nor an app token.
func (cfg Config) forCheck() (Config, error) {
	if cfg.Env == nil {
		cfg.Env = os.Getenv
	}
	if cfg.BotToken == "" {
		cfg.BotToken = strings.TrimSpace(cfg.Env(EnvBotToken))
	}
	switch {
	case cfg.BotToken == "":
		return cfg, fmt.Errorf("slack: Config.BotToken is empty and %s is not set", EnvBotToken)
	case !strings.HasPrefix(cfg.BotToken, "xoxb-"):
		return cfg, fmt.Errorf("slack: Config.BotToken (%s) is not a bot token: it should start with \"xoxb-\"", EnvBotToken)
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	if !strings.HasSuffix(cfg.APIURL, "/") {
		cfg.APIURL += "/"
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	return cfg, nil
}

// parseScopes reads X-OAuth-Scopes values: scopes separated by commas.
// It returns them sorted, each once.
func parseScopes(values []string) []string {
	scopes := []string{}
	for _, v := range values {
		for s := range strings.SplitSeq(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				scopes = append(scopes, s)
			}
		}
	}
	slices.Sort(scopes)
	return slices.Compact(scopes)
}

// tokenHint says in words what Slack's error code for a refused token
// means, for the codes that send people looking in the wrong place.
func tokenHint(code string) string {
	switch code {
	case "invalid_auth":
		return " (the token is not valid: copy the Bot User OAuth Token again from the app's OAuth & Permissions page)"
	case "not_authed":
		return " (no token reached Slack)"
	case "account_inactive":
		return " (the token belongs to an app that was uninstalled or a workspace that was deleted: reinstall the app)"
	case "token_revoked":
		return " (the token was revoked: reinstall the app and use its new token)"
	case "token_expired":
		return " (the token expired: token rotation is on, so refresh it or turn rotation off)"
	}
	return ""
}
