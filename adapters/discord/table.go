package discord

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// What the bot asks of Discord is described once, here: the gateway
// intents it identifies with, the OAuth2 scopes and the permissions it is
// invited with, each with the reason. The adapter identifies with exactly
// these intents, `parley discord invite` builds its URL from the same
// scopes and permissions, and `parley discord check` holds the application
// to the privileged intents below, so the three cannot drift.

// intentSpec is a gateway intent the adapter identifies with.
type intentSpec struct {
	Intent discordgo.Intent
	Name   string
	// Privileged intents must also be switched on in the Developer
	// Portal (Bot → Privileged Gateway Intents); AppFlags are the
	// application flags that say they are (GET /applications/@me).
	Privileged bool
	AppFlags   int
	Why        string
}

// The application flags that grant the message content intent: the
// first for verified bots, the second (limited) for bots in fewer than
// 100 guilds.
const (
	flagGatewayMessageContent        = 1 << 18
	flagGatewayMessageContentLimited = 1 << 19
)

var gatewayIntents = []intentSpec{
	{Intent: discordgo.IntentsGuilds, Name: "GUILDS", Why: "channels and threads of the guilds: which channel a message's thread belongs to"},
	{Intent: discordgo.IntentsGuildMessages, Name: "GUILD_MESSAGES", Why: "mentions in guild channels, replies in the threads the bot is part of, their edits and deletions"},
	{Intent: discordgo.IntentsDirectMessages, Name: "DIRECT_MESSAGES", Why: "direct messages to the bot"},
	{Intent: discordgo.IntentsMessageContent, Name: "MESSAGE_CONTENT", Privileged: true,
		AppFlags: flagGatewayMessageContent | flagGatewayMessageContentLimited,
		Why:      "the text of guild messages, replies in threads included; the adapter asks for it, so while the switch is off Discord refuses the gateway connection (close 4014) and Start fails"},
}

// intents returns the union of the table's intents.
func intents() discordgo.Intent {
	var i discordgo.Intent
	for _, s := range gatewayIntents {
		i |= s.Intent
	}
	return i
}

// scopeSpec is an OAuth2 scope the bot is invited with.
type scopeSpec struct {
	Scope string
	Why   string
}

var inviteScopes = []scopeSpec{
	{"bot", "join the guild as a bot user: the gateway, messages, threads"},
	{"applications.commands", "the /ask slash command"},
}

// permissionSpec is a permission the bot's role is given at invitation.
type permissionSpec struct {
	Permission int64
	Name       string
	Why        string
}

var botPermissions = []permissionSpec{
	{discordgo.PermissionViewChannel, "View Channels", "see the channels it is mentioned in"},
	{discordgo.PermissionSendMessages, "Send Messages", "answer, post cards, stream by edits"},
	{discordgo.PermissionSendMessagesInThreads, "Send Messages in Threads", "answer in the conversation's thread"},
	{discordgo.PermissionCreatePublicThreads, "Create Public Threads", "open a thread on a mention"},
	{discordgo.PermissionEmbedLinks, "Embed Links", "cards are embeds"},
	{discordgo.PermissionAttachFiles, "Attach Files", "PostFile"},
	{discordgo.PermissionReadMessageHistory, "Read Message History", "history when the bot has no transcript; reactions on older messages"},
	{discordgo.PermissionAddReactions, "Add Reactions", "React"},
	{discordgo.PermissionUseApplicationCommands, "Use Application Commands", "the slash command"},
}

// permissions returns the union of the table's permissions.
func permissions() int64 {
	var p int64
	for _, s := range botPermissions {
		p |= s.Permission
	}
	return p
}

// InviteOptions shape the invite URL.
type InviteOptions struct {
	// AppID is the application's id. Required.
	AppID string
	// GuildID preselects the guild to add the bot to. Optional.
	GuildID string
}

// InviteURL returns the OAuth2 URL that adds the bot to a guild with
// exactly the scopes and permissions the adapter uses (see
// [Permissions] and [Scopes]).
func InviteURL(opts InviteOptions) (string, error) {
	if !isSnowflake(opts.AppID) {
		return "", errInvalidID("AppID", opts.AppID)
	}
	q := url.Values{}
	q.Set("client_id", opts.AppID)
	q.Set("scope", strings.Join(Scopes(), " "))
	q.Set("permissions", strconv.FormatInt(Permissions(), 10))
	if opts.GuildID != "" {
		if !isSnowflake(opts.GuildID) {
			return "", errInvalidID("GuildID", opts.GuildID)
		}
		q.Set("guild_id", opts.GuildID)
		q.Set("disable_guild_select", "true")
	}
	return "https://discord.com/oauth2/authorize?" + q.Encode(), nil
}

// Scopes returns the OAuth2 scopes the bot is invited with.
func Scopes() []string {
	out := make([]string, len(inviteScopes))
	for i, s := range inviteScopes {
		out[i] = s.Scope
	}
	return out
}

// Permissions returns the permission bits the bot's role needs.
func Permissions() int64 { return permissions() }

// PermissionNames returns the names of the permissions the bot needs, as
// the Developer Portal shows them, each with its reason.
func PermissionNames() []string {
	out := make([]string, len(botPermissions))
	for i, p := range botPermissions {
		out[i] = p.Name + ": " + p.Why
	}
	return out
}

// Intents returns the gateway intents the adapter identifies with.
func Intents() discordgo.Intent { return intents() }
