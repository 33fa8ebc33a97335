// Package discordfake is a fake Discord for tests: the REST API an
// application calls, the gateway it listens on, and what Discord sends
// it when people act, all on loopback in Discord's API v10 wire format.
// The Discord adapter's tests run on it, and so can the tests of any bot
// built on discordgo.
//
// # Pointing discordgo at it
//
// [New] starts a [Server]. discordgo builds its URLs from process-wide
// Endpoint variables, but sends every request through its Session's
// Client: [Server.Client] is an http.Client that takes every request for
// Discord's hosts to the fake, so a Session whose Client it is talks to
// the fake alone, and tests doing so can run in parallel
// ([Server.Session] makes such a Session). GET /gateway then answers the
// fake's [Server.GatewayURL], so Session.Open connects to the fake's
// gateway too. [Server.PointDiscordgo] sets the Endpoint variables
// instead, for code that builds its own client; it is process-wide, so a
// test using it must not run in parallel with another fake.
//
// discordgo v0.29 speaks API v9; the fake serves /api/v9 and /api/v10
// alike ([Server.APIURL] names v10).
//
// # The REST API
//
// The fake serves the routes a chat bot uses (the Route constants):
// messages (create, with multipart uploads, edit, delete, get, list with
// before/after/around), threads, reactions, typing, DMs, users, guild
// members and their search, the application (its flags tell whether the
// MESSAGE_CONTENT intent is granted), command bulk overwrites,
// interaction responses, follow-ups and the edits of @original. Each
// checks the bot token and its input as Discord does and answers
// Discord's JSON, errors included: 50035 Invalid Form Body with the
// path of each bad field (content over 2,000 characters, embed and
// component limits, custom ids), 10003 Unknown Channel, 10008 Unknown
// Message, 40060 for a second interaction response, 10062 for a first
// one after Config.InteractionDeadline, 50027 for an interaction token
// past Config.TokenLifetime, 401 for a missing token.
//
// Every call is recorded ([Server.Calls]). Faults are planned per route:
// [Server.RateLimit] answers 429 with Discord's body and X-RateLimit
// headers, [Server.GlobalRateLimit] the global limit, [Server.Fail] any
// error.
//
// # The gateway
//
// The websocket says HELLO, takes IDENTIFY (token, intents, shard) and
// answers READY (and GUILD_CREATE with the GUILDS intent), acknowledges
// heartbeats, and takes RESUME, sending again every dispatch after the
// given sequence number, then RESUMED. Dispatches follow Discord's rules:
// each session gets the events of its shard and its intents, and a
// guild message without the MESSAGE_CONTENT intent arrives without its
// content unless it mentions the bot. The bot's own posts come back as
// MESSAGE_CREATE, as on Discord. [Server.DropSocket] cuts the
// connections without a close frame (sessions stay resumable, events
// wait), [Server.InvalidateSession] sends INVALID_SESSION (d false),
// [Server.InvalidateResumable] INVALID_SESSION with d true,
// [Server.Reconnect] RECONNECT. [Server.Identifies], [Server.Resumes]
// and [Server.Heartbeats] tell what the client did.
//
// # People acting
//
// [Server.Mention], [Server.ChannelMessage], [Server.DirectMessage],
// [Server.ThreadMessage], [Server.EditMessage] and
// [Server.DeleteMessage] record what a person does and dispatch it.
// [Server.Click], [Server.Select] and [Server.SlashCommand] make
// interactions, dispatched as INTERACTION_CREATE unless
// Config.HTTPInteractions; [Server.PostInteraction] posts one, signed
// with the application's Ed25519 key ([Server.PublicKeyHex]), to an
// Interactions Endpoint URL, as does [Server.Ping]. Each returns the
// [Event] it made; [Server.Dispatch] sends one again, as Discord does
// now and then, and [Server.Events] lists them all.
//
// # What the guild shows
//
// [Server.Messages], [Server.Message], [Server.Ephemerals],
// [Server.Typing], [Server.Reactions], [Server.Threads], [Server.Channel]
// and [Server.Commands] tell what people would see now;
// [Server.Connected] how many gateway connections are live. A Server is safe for
// concurrent use; [Server.WaitFor] waits for a condition on it without
// sleeping.
package discordfake
