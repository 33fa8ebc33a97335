// Package discord is Parley's Discord adapter, on
// github.com/bwmarrin/discordgo: it receives messages over the gateway and
// clicks and the /ask slash command over the gateway or a signed HTTP
// endpoint, and gives a bot's Thread cards rendered as embeds and
// components (render/discordui), streaming by edits, history, user
// lookup, files, reactions and private notices.
//
// # Setting up
//
//	a, err := discord.New(discord.Config{}) // DISCORD_BOT_TOKEN, DISCORD_APP_ID, DISCORD_PUBLIC_KEY, DISCORD_GUILD_ID
//	b, err := bot.New(bot.Config{Model: m, Adapters: []bot.Adapter{a}})
//	http.Handle("/discord", a) // only with an Interactions Endpoint URL
//	b.Start(ctx)
//
// `parley discord invite` prints the OAuth2 URL that adds the bot with
// exactly the scopes and permissions of this package's table;
// `parley discord check` says which bot and application a token is for,
// and whether the MESSAGE_CONTENT privileged intent is on. [InviteURL]
// and [Check] are the same from Go.
//
// # Receiving
//
// Start identifies with the intents GUILDS, GUILD_MESSAGES,
// DIRECT_MESSAGES and MESSAGE_CONTENT. The last is privileged: switch it
// on in the Developer Portal (Bot → Privileged Gateway Intents). While it
// is off, Discord refuses the connection (close 4014, disallowed intents)
// and Start fails with an error naming MESSAGE_CONTENT, the switch and
// `parley discord check`; a Start that failed may be called again.
// Sharding:
// Config.ShardID and Config.ShardCount run one shard of several per
// process (IDENTIFY's shard [id, count]); direct messages go to shard 0.
// A dropped socket is resumed by discordgo (RESUME with the session id
// and the last sequence number), and Discord replays what was sent in
// between; the bot drops anything delivered twice through its Store.
// discordgo identifies again on every INVALID_SESSION, even one Discord
// marks resumable (d true): the events sent in between are then not
// replayed, and reach the bot only if it reads them back (History).
//
// What reaches the bot: a direct message; a message mentioning the bot —
// its user, or its managed role ("@Bot" as clients often write it); and
// any message in a thread the bot is part of (it opened it, was added to
// it, or was mentioned or answered in it), unaddressed. A mention in a
// guild text channel opens a thread on the mentioning message
// (Config.NoThreads keeps it in the channel), and the conversation, the
// bot's answer included, lives there. The bot's own messages are ignored,
// other bots' unless Config.AllowBots. <@123>, <#456> and <@&789> reach
// the model as @name, #channel and @role; a person whose name is not
// found as @unknown-user, never as markup the model could repeat into a
// ping. Attachments reach it as lines
// naming the file, its type and URL, stickers by name, and a forwarded
// message by its text, quoted; a message with nothing of these (an embed
// alone) is left out. Event ids are "msg:" + the
// message id and "int:" + the interaction id. The events of one channel
// reach the bot in the order Discord sent them (Session.SyncEvents, and a
// lane per channel, so a slow Store holds up its channel only).
//
// Addresses: Workspace is the guild (empty in a DM), Channel the text
// channel, Thread the thread's channel id — which, for a thread opened on
// a message, is that message's id.
//
// A click is acknowledged with a deferred update (type 6) before the bot
// sees it, well within Discord's three seconds; the card is then edited by
// the bot. A select is single-choice: its Action's ID is the option
// picked (an Action carries one id; of a multi-select built otherwise,
// the first value). Notices to the clicker are ephemeral follow-ups while the
// interaction's token lives (15 minutes), else a direct message. /ask is
// registered at Start (in Config.GuildID, else globally; the
// application's other commands stay), answered at once with a deferred
// response, which the run's first post then replaces — each command its
// own, in turn, when several wait in one channel.
//
// Over HTTP ([Adapter.ServeHTTP]), each request's Ed25519 signature is
// checked with discordgo.VerifyInteraction and its X-Signature-Timestamp
// must be within Config.SignatureMaxAge of now (discordgo checks no age);
// failures get 401, a PING gets PONG, an oversized body 413, and a bot
// not receiving 503.
//
// # Sending
//
// Post and Update render with render/discordui; content over one message
// goes out as several under one MessageRef whose ID lists them all,
// comma separated, so a closing card is edited across all of them.
// Streaming is a post then edits at most once per Config.UpdateInterval
// (at least a second), rolling over to a new message before 2,000
// characters, between words, never inside a code block or a grapheme.
// Discord has no status text: a status (SetStatus) is shown as "… is
// typing", refreshed every 8 seconds while it is set, until it is cleared,
// the bot posts there, or Config.TypingFor passes.
// In a DM, a message for one person is the DM itself, so CapEphemeral is
// reported only in guilds.
//
// Rate limits: discordgo's limiter keeps a bucket per route and retries a
// 429 after its retry_after; the adapter's transport adds the global
// limit — a global 429 holds every request but interaction callbacks until
// its retry_after — and makes held requests end with their context.
//
// # Testing
//
// Package discordfake is a fake Discord on loopback — REST and gateway —
// that the adapter's tests, and a bot's, run against; point the adapter
// at it with Config.APIURL.
package discord
