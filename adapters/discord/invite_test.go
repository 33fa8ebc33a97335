package discord_test

import (
	"fmt"
	"net/url"
	"strconv"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/parleybot/parley/adapters/discord"
)

func TestInviteURLAsksExactlyWhatTheAdapterUses(t *testing.T) {
	t.Parallel()
	raw, err := discord.InviteURL(discord.InviteOptions{AppID: testApp, GuildID: "1200000000000000002"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if q.Get("client_id") != testApp || q.Get("guild_id") != "1200000000000000002" {
		t.Errorf("invite URL %s: wrong client or guild", raw)
	}
	if q.Get("scope") != "bot applications.commands" {
		t.Errorf("scope = %q", q.Get("scope"))
	}
	perms, _ := strconv.ParseInt(q.Get("permissions"), 10, 64)
	want := int64(discordgo.PermissionViewChannel | discordgo.PermissionSendMessages | discordgo.PermissionSendMessagesInThreads |
		discordgo.PermissionCreatePublicThreads | discordgo.PermissionEmbedLinks | discordgo.PermissionAttachFiles |
		discordgo.PermissionReadMessageHistory | discordgo.PermissionAddReactions | discordgo.PermissionUseApplicationCommands)
	if perms != want || perms != discord.Permissions() {
		t.Errorf("permissions = %d, want %d", perms, want)
	}
	if perms&discordgo.PermissionAdministrator != 0 || perms&discordgo.PermissionMentionEveryone != 0 {
		t.Error("the invite asks for more than the adapter uses")
	}
	if _, err := discord.InviteURL(discord.InviteOptions{AppID: "app"}); err == nil {
		t.Error("InviteURL took an app id that is no snowflake")
	}
}

func TestIntentsAreThoseTheAdapterNeeds(t *testing.T) {
	t.Parallel()
	want := discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages | discordgo.IntentsMessageContent
	if got := discord.Intents(); got != want {
		t.Errorf("Intents() = %b, want %b", got, want)
	}
}

func ExampleInviteURL() {
	u, err := discord.InviteURL(discord.InviteOptions{AppID: "1100000000000000001"})
	if err != nil {
		panic(err)
	}
	fmt.Println(u)
	// Output: https://discord.com/oauth2/authorize?client_id=1100000000000000001&permissions=311385246784&scope=bot+applications.commands
}
