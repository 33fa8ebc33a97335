package main

import (
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/parleybot/parley/adapters/discord"
	"github.com/parleybot/parley/adapters/discord/discordfake"
)

func TestDiscordInvitePrintsTheTablesURL(t *testing.T) {
	t.Parallel()
	r := runWith(t, map[string]string{discord.EnvAppID: "1100000000000000001"}, "discord", "invite", "-guild-id", "1200000000000000002")
	r.want(t, exitOK, []string{"https://discord.com/oauth2/authorize?"}, []string{"Message Content", "Send Messages"})
	u, err := url.Parse(strings.TrimSpace(r.stdout))
	if err != nil {
		t.Fatal(err)
	}
	if p := u.Query().Get("permissions"); p != strconv.FormatInt(discord.Permissions(), 10) {
		t.Errorf("permissions = %s, want the adapter's %d", p, discord.Permissions())
	}
	if u.Query().Get("guild_id") != "1200000000000000002" || u.Query().Get("client_id") != "1100000000000000001" {
		t.Errorf("URL %s: wrong app or guild", u)
	}
	runWith(t, nil, "discord", "invite").want(t, exitUsage, nil, []string{discord.EnvAppID})
	runWith(t, nil, "discord", "invite", "-app-id", "x").want(t, exitUsage, nil, []string{"snowflake"})
}

func TestDiscordCheckSaysWhichIntentIsMissing(t *testing.T) {
	t.Parallel()
	for _, grant := range []discordfake.Grant{discordfake.Granted, discordfake.Denied} {
		f := discordfake.New(discordfake.Config{Token: "MTA1.Gx1a2b.abcdefghij", MessageContent: grant})
		t.Cleanup(f.Close)
		env := map[string]string{discord.EnvBotToken: f.Config().Token, discord.EnvAppID: f.Config().ApplicationID}
		r := runWith(t, env, "discord", "check", "-api-url", f.APIURL())
		if grant == discordfake.Granted {
			r.want(t, exitOK, []string{"bot user", "@fakebot", "missing    none"}, nil)
		} else {
			r.want(t, exitProblem, []string{"missing    MESSAGE_CONTENT"}, []string{"Privileged Gateway Intents"})
		}
	}
	runWith(t, nil, "discord", "check").want(t, exitProblem, nil, []string{discord.EnvBotToken, discord.EnvAppID})
}
