package discord

import (
	"context"
	"errors"
	"fmt"

	"github.com/bwmarrin/discordgo"
)

// CheckResult is what [Check] learned of the bot's credentials.
type CheckResult struct {
	// BotID and BotName are the bot user the token belongs to.
	BotID, BotName string
	// AppID and AppName are the token's application.
	AppID, AppName string
	// Intents names every privileged intent the adapter needs, and
	// Missing those the application is not granted.
	Intents, Missing []string
}

// Check verifies cfg's token (GET /users/@me), that it belongs to
// Config.AppID, and that the application is granted the privileged
// intents the adapter identifies with (GET /applications/@me, its flags).
// A missing intent is reported in Missing, and as an error.
func Check(ctx context.Context, cfg Config) (CheckResult, error) {
	var r CheckResult
	cfg, err := cfg.withDefaults()
	if err != nil {
		return r, err
	}
	s := newSession(cfg)
	me, err := s.User("@me", discordgo.WithContext(ctx))
	if err != nil {
		return r, fmt.Errorf("discord: the token (%s) is refused: %w", EnvBotToken, err)
	}
	r.BotID, r.BotName = me.ID, me.Username
	var app discordgo.Application
	body, err := s.RequestWithBucketID("GET", discordgo.EndpointApplication("@me"), nil, discordgo.EndpointApplication(""), discordgo.WithContext(ctx))
	if err == nil {
		err = discordgo.Unmarshal(body, &app)
	}
	if err != nil {
		return r, fmt.Errorf("discord: GET /applications/@me: %w", err)
	}
	r.AppID, r.AppName = app.ID, app.Name
	var errs []error
	if app.ID != "" && app.ID != cfg.AppID {
		errs = append(errs, fmt.Errorf("discord: the token belongs to application %s, not %s (%s)", app.ID, cfg.AppID, EnvAppID))
	}
	for _, in := range gatewayIntents {
		if !in.Privileged {
			continue
		}
		r.Intents = append(r.Intents, in.Name)
		if app.Flags&in.AppFlags == 0 {
			r.Missing = append(r.Missing, in.Name)
			errs = append(errs, fmt.Errorf("discord: the privileged intent %s is not enabled (Developer Portal → Bot → Privileged Gateway Intents): %s", in.Name, in.Why))
		}
	}
	return r, errors.Join(errs...)
}
