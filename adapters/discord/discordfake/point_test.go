package discordfake_test

import (
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/parleybot/parley/adapters/discord/discordfake"
)

// TestPointDiscordgo: with the Endpoint variables pointed at the fake, a
// Session with discordgo's own client reaches it; restore puts them
// back. Not parallel: the variables are process-wide.
func TestPointDiscordgo(t *testing.T) {
	f := discordfake.New(discordfake.Config{})
	t.Cleanup(f.Close)
	before := discordgo.EndpointChannelMessages("1")
	restore := f.PointDiscordgo()
	if !strings.HasPrefix(discordgo.EndpointChannelMessages("1"), f.URL()+"/api/v") {
		restore()
		t.Fatalf("endpoint = %s", discordgo.EndpointChannelMessages("1"))
	}
	dg, _ := discordgo.New("Bot " + f.Config().Token)
	_, err := dg.ChannelMessageSend(discordfake.General, "hi")
	gw, gerr := dg.Gateway()
	restore()
	if err != nil || gerr != nil {
		t.Fatal(err, gerr)
	}
	if !strings.HasPrefix(gw, f.GatewayURL()) {
		t.Fatalf("gateway = %s", gw)
	}
	if got := discordgo.EndpointChannelMessages("1"); got != before {
		t.Fatalf("after restore: %s, want %s", got, before)
	}
	if discordgo.EndpointDiscord != "https://discord.com/" || discordgo.EndpointCDN != "https://cdn.discordapp.com/" {
		t.Fatalf("not restored: %s %s", discordgo.EndpointDiscord, discordgo.EndpointCDN)
	}
}

// TestClientRefusesOtherHosts: the fake's client reaches the fake alone.
func TestClientRefusesOtherHosts(t *testing.T) {
	t.Parallel()
	f := discordfake.New(discordfake.Config{})
	t.Cleanup(f.Close)
	if _, err := f.Client().Get("https://example.com/"); err == nil || !strings.Contains(err.Error(), "not a Discord host") {
		t.Fatalf("err = %v", err)
	}
}
