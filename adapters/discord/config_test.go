package discord_test

import (
	"strings"
	"testing"

	"github.com/parleybot/parley/adapters/discord"
)

const (
	testToken = "MTA1.Gx1a2b.abcdefghijklmnopqrstuvwxyz"
	testApp   = "1100000000000000001"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestNewNamesEachMissingOrMalformedSetting(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		env  map[string]string
		want []string // in the error
	}{
		{"nothing set", nil, []string{discord.EnvBotToken, discord.EnvAppID}},
		{"token with spaces", map[string]string{discord.EnvBotToken: "not a token", discord.EnvAppID: testApp}, []string{discord.EnvBotToken, "malformed"}},
		{"app id not a snowflake", map[string]string{discord.EnvBotToken: testToken, discord.EnvAppID: "my-app"}, []string{discord.EnvAppID, "snowflake"}},
		{"guild id not a snowflake", map[string]string{discord.EnvBotToken: testToken, discord.EnvAppID: testApp, discord.EnvGuildID: "g1"}, []string{discord.EnvGuildID}},
		{"public key not hex", map[string]string{discord.EnvBotToken: testToken, discord.EnvAppID: testApp, discord.EnvPublicKey: "zz"}, []string{discord.EnvPublicKey, "hex"}},
		{"public key too short", map[string]string{discord.EnvBotToken: testToken, discord.EnvAppID: testApp, discord.EnvPublicKey: "abcd"}, []string{discord.EnvPublicKey, "64 hex digits"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := discord.New(discord.Config{Env: envOf(tc.env)})
			if err == nil {
				t.Fatal("New succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
		})
	}
}

func TestNewRefusesAShardOutsideItsCount(t *testing.T) {
	t.Parallel()
	_, err := discord.New(discord.Config{BotToken: testToken, AppID: testApp, ShardID: 2, ShardCount: 2, Env: envOf(nil)})
	if err == nil || !strings.Contains(err.Error(), "ShardID") {
		t.Fatalf("New with shard 2 of 2: %v", err)
	}
	if _, err := discord.New(discord.Config{BotToken: testToken, AppID: testApp, ShardID: 1, ShardCount: 2, Env: envOf(nil)}); err != nil {
		t.Fatalf("New with shard 1 of 2: %v", err)
	}
}

func TestNewReadsTheEnvironment(t *testing.T) {
	t.Parallel()
	_, err := discord.New(discord.Config{Env: envOf(map[string]string{
		discord.EnvBotToken: "Bot " + testToken, discord.EnvAppID: testApp, discord.EnvGuildID: "1200000000000000002",
		discord.EnvPublicKey: strings.Repeat("ab", 32),
	})})
	if err != nil {
		t.Fatal(err)
	}
}

// New refuses a slash command name Discord would refuse, naming the field,
// and takes the names it accepts.
func TestNewChecksTheCommandName(t *testing.T) {
	t.Parallel()
	env := envOf(map[string]string{discord.EnvBotToken: testToken, discord.EnvAppID: testApp})
	for _, bad := range []string{"Ask", "ask me", "ask!", strings.Repeat("a", 33), "/ask"} {
		_, err := discord.New(discord.Config{Env: env, CommandName: bad})
		if err == nil || !strings.Contains(err.Error(), "Config.CommandName") {
			t.Errorf("New with CommandName %q: %v, want an error naming Config.CommandName", bad, err)
		}
	}
	for _, good := range []string{"ask", "-", "ask-me_2", "frage", "вопрос", strings.Repeat("a", 32)} {
		if _, err := discord.New(discord.Config{Env: env, CommandName: good}); err != nil {
			t.Errorf("New with CommandName %q: %v", good, err)
		}
	}
}
