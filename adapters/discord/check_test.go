package discord_test

import (
	"context"
	"slices"
	"testing"

	"github.com/parleybot/parley/adapters/discord"
	"github.com/parleybot/parley/adapters/discord/discordfake"
)

func TestCheckReportsTheBotAndItsIntents(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		grant   discordfake.Grant
		missing bool
	}{{discordfake.Granted, false}, {discordfake.Denied, true}} {
		f := newFake(t, func(c *discordfake.Config) { c.MessageContent = tc.grant })
		fc := f.Config()
		r, err := discord.Check(context.Background(), discord.Config{BotToken: fc.Token, AppID: fc.ApplicationID, APIURL: f.APIURL(), Env: envOf(nil)})
		if r.BotID != fc.BotUser.ID || r.AppID != fc.ApplicationID {
			t.Errorf("grant %v: result %+v", tc.grant, r)
		}
		if got := slices.Contains(r.Missing, "MESSAGE_CONTENT"); got != tc.missing || (err != nil) != tc.missing {
			t.Errorf("grant %v: missing %q, err %v", tc.grant, r.Missing, err)
		}
	}
}

func TestCheckRefusesABadToken(t *testing.T) {
	t.Parallel()
	f := newFake(t, nil)
	_, err := discord.Check(context.Background(), discord.Config{BotToken: "a.b.wrong", AppID: f.Config().ApplicationID, APIURL: f.APIURL(), Env: envOf(nil)})
	if err == nil {
		t.Fatal("Check accepted a token the fake refuses")
	}
}
