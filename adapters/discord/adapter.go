package discord

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/parleybot/parley/bot"
)

// Platform is the platform name of the Discord adapter: the Platform of
// every Address it produces.
const Platform = "discord"

// Adapter is the Discord adapter. Create it with [New]; Start connects to
// the gateway. Mount it as an http.Handler too when the application takes
// interactions by webhook (see [Adapter.ServeHTTP]).
type Adapter struct {
	cfg Config
	s   *discordgo.Session
	key ed25519.PublicKey // nil without Config.PublicKey

	mu    sync.Mutex
	inbox bot.Inbox // nil until Start
	me    *discordgo.User
	ctx   context.Context

	channels channelCache
	users    userCache
	inter    interactions       // live interaction tokens (interact.go)
	ibuckets interactionBuckets // their rate-limit buckets (interaction_limits.go)
	typing   typing
	lanes    lanes     // events of a channel, one after another (lanes.go)
	roles    botRoles  // the bot's managed role per guild (markup.go)
	taken    taken     // messages taken in guild channels (taken.go)
	handlers sync.Once // adds the gateway handlers at the first Start
}

var (
	_ bot.Adapter            = (*Adapter)(nil)
	_ bot.CapabilityReporter = (*Adapter)(nil)
)

// New returns a Discord adapter. It checks cfg and fails with an error
// naming each missing or malformed setting; it makes no call to Discord
// (Start does).
func New(cfg Config) (*Adapter, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	a := &Adapter{cfg: cfg}
	if cfg.PublicKey != "" {
		a.key, _ = publicKey(cfg.PublicKey)
	}
	a.s = newSession(cfg)
	a.typing.init(a)
	return a, nil
}

// newSession returns a discordgo session for cfg: its REST calls go
// through the adapter's transport, and its gateway identifies with the
// table's intents on the configured shard.
func newSession(cfg Config) *discordgo.Session {
	s, _ := discordgo.New("Bot " + cfg.BotToken) // fails only on a token it cannot parse, which it never does
	c := *cfg.HTTPClient
	c.Transport = newTransport(cfg.APIURL, cfg.HTTPClient.Transport)
	s.Client = &c
	s.Identify.Intents = intents()
	s.Identify.Compress = false
	s.Compress = false
	s.ShardID, s.ShardCount = cfg.ShardID, cfg.ShardCount
	s.Identify.Shard = &[2]int{cfg.ShardID, cfg.ShardCount}
	s.SyncEvents = true // the handlers keep the order; lanes.go
	s.LogLevel = discordgo.LogError
	s.State.MaxMessageCount = 0
	return s
}

// Platform returns "discord".
func (a *Adapter) Platform() string { return Platform }

// Session returns the discordgo session the adapter uses, for calls it
// does not make itself. Handlers added to it run beside the adapter's, on
// the gateway's goroutine, in the order of the events (the adapter sets
// SyncEvents to keep that order): one that takes long should start a
// goroutine of its own.
func (a *Adapter) Session() *discordgo.Session { return a.s }

// Start learns who the bot is (GET /users/@me), registers the slash
// command (in Config.GuildID, else globally), and connects to the gateway,
// returning once Discord said READY. Events then reach in until ctx ends,
// when the gateway is closed; posting goes on. A Start that failed may be
// called again.
func (a *Adapter) Start(ctx context.Context, in bot.Inbox) error {
	me, err := a.s.User("@me", discordgo.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("discord: GET /users/@me with Config.BotToken: %w", err)
	}
	a.mu.Lock()
	if a.inbox != nil {
		a.mu.Unlock()
		return errors.New("discord: adapter already started")
	}
	a.me, a.ctx, a.inbox = me, ctx, in
	a.mu.Unlock()
	if err := a.registerCommand(ctx); err != nil {
		return a.notStarted(err)
	}
	a.handlers.Do(a.addHandlers)
	if err := a.s.Open(); err != nil {
		return a.notStarted(openError(err))
	}
	go func() {
		<-ctx.Done()
		if err := a.s.Close(); err != nil {
			a.cfg.Logger.Debug("discord: closing the gateway", "err", err)
		}
	}()
	return nil
}

// notStarted undoes Start's claim on the adapter after err, so that
// Start can be called again, and returns err.
func (a *Adapter) notStarted(err error) error {
	a.mu.Lock()
	a.inbox = nil
	a.mu.Unlock()
	return err
}

// openError explains a failure to connect to the gateway; Discord's close
// 4014 (disallowed intents) says what to switch on.
func openError(err error) error {
	var ce *websocket.CloseError
	if errors.As(err, &ce) && ce.Code == closeDisallowedIntents {
		return fmt.Errorf("discord: Discord refused the gateway intents: the privileged intent MESSAGE_CONTENT is not enabled for this application; "+
			"switch it on in the Developer Portal (Bot → Privileged Gateway Intents), and run `parley discord check` to verify: %w", err)
	}
	return fmt.Errorf("discord: connecting to the gateway: %w", err)
}

// closeDisallowedIntents is the gateway's close code for an IDENTIFY
// asking for a privileged intent the application is not granted.
const closeDisallowedIntents = 4014

// addHandlers adds the adapter's gateway handlers to its session, once
// whatever the number of Start calls.
func (a *Adapter) addHandlers() {
	// Handlers run on the gateway's goroutine, in order (SyncEvents): they
	// hand the work to the channel's lane, or to a goroutine of its own
	// for an interaction, whose acknowledgement waits for nothing.
	a.s.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageCreate) {
		a.lanes.do(laneOf(m.Message), func() { a.onMessage(m.Message) })
	})
	a.s.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageUpdate) {
		a.lanes.do(laneOf(m.Message), func() { a.onEdit(m.Message) })
	})
	a.s.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageDelete) {
		a.lanes.do(laneOf(m.Message), func() { a.onDelete(m.Message) })
	})
	a.s.AddHandler(func(_ *discordgo.Session, i *discordgo.InteractionCreate) { go a.onInteraction(i.Interaction) })
	a.s.AddHandler(func(_ *discordgo.Session, c *discordgo.ThreadCreate) { a.channels.put(c.Channel) })
	a.s.AddHandler(func(_ *discordgo.Session, c *discordgo.ThreadUpdate) { a.channels.put(c.Channel) })
	a.s.AddHandler(func(_ *discordgo.Session, g *discordgo.GuildCreate) {
		if g.Guild != nil {
			for _, th := range g.Threads {
				a.channels.put(th)
			}
		}
	})
	a.s.AddHandler(func(_ *discordgo.Session, l *discordgo.ThreadListSync) {
		for _, th := range l.Threads {
			a.channels.put(th)
		}
		for _, m := range l.Members {
			if m != nil && m.UserID == a.self().ID {
				a.channels.join(m.ID, true)
			}
		}
	})
	a.s.AddHandler(func(_ *discordgo.Session, u *discordgo.ThreadMemberUpdate) {
		if u.ThreadMember != nil && u.UserID == a.self().ID {
			a.channels.join(u.ID, true)
		}
	})
	a.s.AddHandler(func(_ *discordgo.Session, u *discordgo.ThreadMembersUpdate) {
		for _, m := range u.AddedMembers {
			if m.ThreadMember != nil && m.UserID == a.self().ID {
				a.channels.join(u.ID, true)
			}
		}
		if slices.Contains(u.RemovedMembers, a.self().ID) {
			a.channels.join(u.ID, false)
		}
	})
	a.s.AddHandler(func(_ *discordgo.Session, c *discordgo.ChannelCreate) { a.channels.put(c.Channel) })
}

// laneOf returns the lane of m's events: its channel's.
func laneOf(m *discordgo.Message) string {
	if m == nil {
		return ""
	}
	return m.ChannelID
}

// registerCommand registers the slash command, unless Config.CommandName
// is "-", leaving the application's other commands in that scope as they
// are.
func (a *Adapter) registerCommand(ctx context.Context) error {
	if a.cfg.CommandName == "-" {
		return nil
	}
	cmd := &discordgo.ApplicationCommand{
		Name:        a.cfg.CommandName,
		Description: "Ask the assistant",
		Type:        discordgo.ChatApplicationCommand,
		Options: []*discordgo.ApplicationCommandOption{{
			Type: discordgo.ApplicationCommandOptionString, Name: commandOption,
			Description: "What to ask", Required: true,
		}},
	}
	where := "globally"
	if a.cfg.GuildID != "" {
		where = "in guild " + a.cfg.GuildID
	}
	// The application's other commands stay: the list is read, the
	// command put in it (replacing one of its name), and the list written
	// back whole, which also drops what Discord would take as a change.
	have, err := a.s.ApplicationCommands(a.cfg.AppID, a.cfg.GuildID, discordgo.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("discord: reading the application's commands %s: %w", where, err)
	}
	cmds := []*discordgo.ApplicationCommand{cmd}
	for _, c := range have {
		if c != nil && c.Name != cmd.Name {
			cmds = append(cmds, &discordgo.ApplicationCommand{
				Name: c.Name, Description: c.Description, Type: c.Type, Options: c.Options,
				NameLocalizations: c.NameLocalizations, DescriptionLocalizations: c.DescriptionLocalizations,
				DefaultMemberPermissions: c.DefaultMemberPermissions, NSFW: c.NSFW, Contexts: c.Contexts, IntegrationTypes: c.IntegrationTypes,
			})
		}
	}
	if _, err := a.s.ApplicationCommandBulkOverwrite(a.cfg.AppID, a.cfg.GuildID, cmds, discordgo.WithContext(ctx)); err != nil {
		return fmt.Errorf("discord: registering the /%s command %s: %w", a.cfg.CommandName, where, err)
	}
	return nil
}

// commandOption is the slash command's one option, the question.
const commandOption = "prompt"

// receiving returns the inbox and the bot's user while the adapter
// receives events: after Start and before its context ends.
func (a *Adapter) receiving() (bot.Inbox, *discordgo.User, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.inbox == nil || a.ctx.Err() != nil {
		return nil, nil, false
	}
	return a.inbox, a.me, true
}

// self returns the bot's user, known after Start.
func (a *Adapter) self() *discordgo.User {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.me == nil {
		return &discordgo.User{}
	}
	return a.me
}

// Capabilities reports what the adapter can do at in: everything bot.Thread
// offers, but, in a direct message, ephemeral messages. A status is shown
// as Discord's typing indicator, without its words (see SetStatus). A
// message for one person outside an interaction goes to their DM; in a DM
// that is the conversation itself, which hides nothing from anyone, so
// CapEphemeral is not claimed there. (A click's private notice still
// reaches the clicker, as an ephemeral follow-up of the click.)
func (a *Adapter) Capabilities(in bot.Address) bot.Capabilities {
	cs := bot.AllCapabilities
	if in.Workspace == "" {
		cs = cs.Without(bot.CapEphemeral)
	}
	return cs
}
