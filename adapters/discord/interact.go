package discord

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/parleybot/parley/adapters/internal/platform"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/render/discordui"
)

// tokenLife is how long the adapter uses an interaction's token: Discord
// keeps it 15 minutes; a minute is kept in hand for calls under way.
const tokenLife = 14 * time.Minute

// live is an interaction whose token the adapter may still use.
type live struct {
	i  *discordgo.Interaction
	at time.Time
	// acked is closed once Discord has the interaction's first answer
	// (for a slash command: the deferred answer an edit replaces).
	acked chan struct{}
}

func (l live) ok() bool { return l.i != nil && time.Since(l.at) < tokenLife }

// interactions holds the interactions whose tokens are alive: a slash
// command waiting for its answer, the last interaction of each person in
// each conversation (for private notices), and the messages an
// interaction posted (edited through it).
type interactions struct {
	mu       sync.Mutex
	commands map[string][]live // address → slash commands not answered yet, oldest first
	people   map[string]live   // address + "|" + user → their last interaction
	owned    map[string]live   // message id → the interaction that posted it
	pruned   time.Time
}

func (in *interactions) pruneLocked() {
	if time.Since(in.pruned) < time.Minute {
		return
	}
	in.pruned = time.Now()
	for _, m := range []map[string]live{in.people, in.owned} {
		for k, l := range m {
			if !l.ok() {
				delete(m, k)
			}
		}
	}
	for k, q := range in.commands {
		if q = slices.DeleteFunc(q, func(l live) bool { return !l.ok() }); len(q) == 0 {
			delete(in.commands, k)
		} else {
			in.commands[k] = q
		}
	}
}

func (in *interactions) put(m *map[string]live, key string, i *discordgo.Interaction) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if *m == nil {
		*m = map[string]live{}
	}
	in.pruneLocked()
	(*m)[key] = live{i: i, at: time.Now()}
}

func (in *interactions) get(m map[string]live, key string, take bool) *discordgo.Interaction {
	in.mu.Lock()
	defer in.mu.Unlock()
	l, ok := m[key]
	if take {
		delete(m, key)
	}
	if !ok || !l.ok() {
		return nil
	}
	return l.i
}

// command records the slash command i, waiting for its answer at to
// after the commands before it there; acked is closed once Discord has its
// deferred answer.
func (in *interactions) command(to bot.Address, i *discordgo.Interaction, acked chan struct{}) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.commands == nil {
		in.commands = map[string][]live{}
	}
	in.pruneLocked()
	in.commands[to.String()] = append(in.commands[to.String()], live{i: i, at: time.Now(), acked: acked})
}

// ackWait bounds how long the answer to an interaction waits for the
// first answer Discord must have before it.
const ackWait = 3 * time.Second

// takeCommand returns the oldest slash command waiting for its answer at
// to, once, after its deferred answer reached Discord. Runs at one address
// answer in the order their messages came, and so do the commands.
func (in *interactions) takeCommand(ctx context.Context, to bot.Address) *discordgo.Interaction {
	return in.take(ctx, to, "")
}

// take takes the slash command id waiting at to — the oldest, for "" —
// as takeCommand does.
func (in *interactions) take(ctx context.Context, to bot.Address, id string) *discordgo.Interaction {
	in.mu.Lock()
	var l live
	q := in.commands[to.String()]
	for k := 0; k < len(q) && l.i == nil; {
		switch {
		case !q[k].ok():
			q = slices.Delete(q, k, k+1)
		case id == "" || q[k].i.ID == id:
			l = q[k]
			q = slices.Delete(q, k, k+1)
		default:
			k++
		}
	}
	if len(q) == 0 {
		delete(in.commands, to.String())
	} else {
		in.commands[to.String()] = q
	}
	in.mu.Unlock()
	if l.i == nil || !waitAck(ctx, l.acked) {
		return nil
	}
	return l.i
}

// waitAck waits, at most ackWait, until acked is closed — nil is — and
// reports whether it was.
func waitAck(ctx context.Context, acked <-chan struct{}) bool {
	if acked == nil {
		return true
	}
	t := time.NewTimer(ackWait)
	defer t.Stop()
	select {
	case <-acked:
		return true
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	}
}

// answering reports whether i is a slash command whose deferred answer
// the bot has not replaced yet: Discord makes the first follow-up of such
// an interaction its answer, shown to all, whatever its flags.
func (in *interactions) answering(i *discordgo.Interaction) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, q := range in.commands {
		for _, l := range q {
			if l.i != nil && l.i.ID == i.ID {
				return true
			}
		}
	}
	return false
}

func (in *interactions) person(to bot.Address, user string, i *discordgo.Interaction) {
	in.put(&in.people, to.String()+"|"+user, i)
}

func (in *interactions) of(to bot.Address, user string) *discordgo.Interaction {
	return in.get(in.people, to.String()+"|"+user, false)
}

func (in *interactions) own(msg string, i *discordgo.Interaction) { in.put(&in.owned, msg, i) }

func (in *interactions) owner(msg string) *discordgo.Interaction {
	return in.get(in.owned, msg, false)
}

// onInteraction handles INTERACTION_CREATE from the gateway: the
// interaction is acknowledged first — a deferred update for a click, a
// deferred answer for the slash command — and then handed to the bot.
func (a *Adapter) onInteraction(i *discordgo.Interaction) {
	inbox, me, ok := a.receiving()
	if !ok || i == nil {
		return
	}
	acked := make(chan struct{})
	resp, deliver := a.interaction(inbox, me, i, acked)
	if resp == nil {
		return
	}
	err := a.interactionRespond(a.ctx, i, resp)
	close(acked)
	if err != nil {
		a.cfg.Logger.Warn("discord: acknowledging an interaction failed", "interaction", i.ID, "err", err)
	}
	if deliver != nil {
		a.deliver(a.ctx, "INTERACTION_CREATE", i.ID, deliver)
	}
}

// interaction reads i and returns how Discord is to be answered at once
// and how the bot is to be told (nil when it is not). A nil response is
// an interaction the adapter does not take.
//
// acked is to be closed once Discord has the response.
func (a *Adapter) interaction(inbox bot.Inbox, _ *discordgo.User, i *discordgo.Interaction, acked chan struct{}) (*discordgo.InteractionResponse, func(context.Context) error) {
	user := i.User
	if i.Member != nil && i.Member.User != nil {
		user = i.Member.User
	}
	switch i.Type {
	case discordgo.InteractionPing:
		return &discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong}, nil
	case discordgo.InteractionMessageComponent:
		if user == nil || i.Message == nil {
			return nil, nil
		}
		return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate},
			func(ctx context.Context) error { return a.deliverClick(ctx, inbox, i, user, acked) }
	case discordgo.InteractionApplicationCommand:
		data, ok := i.Data.(discordgo.ApplicationCommandInteractionData)
		if !ok || user == nil || data.Name != a.cfg.CommandName {
			return nil, nil
		}
		return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource},
			func(ctx context.Context) error { return a.deliverCommand(ctx, inbox, i, user, data, acked) }
	}
	return nil, nil
}

// deliverClick hands a click on a button or a select to the bot. A
// button's custom_id is the opaque id the bot gave it; a select's picked
// option's value is. An Action carries one element's id, and the menus
// render/discordui writes take one choice (no max_values above 1); a
// click with several values — on a menu built otherwise — passes the
// first. On a card of several messages, the custom_id also
// names the group (see group.go), which the Action's Message then is.
//
// acked is closed once Discord has the click's deferred update: the
// Action's reply waits for it, a follow-up or an edit sent before being
// refused.
func (a *Adapter) deliverClick(ctx context.Context, inbox bot.Inbox, i *discordgo.Interaction, user *discordgo.User, acked chan struct{}) error {
	data, ok := i.Data.(discordgo.MessageComponentInteractionData)
	if !ok {
		return nil
	}
	id, group := groupOf(data.CustomID, i.Message.ID)
	if strings.HasPrefix(id, discordui.SelectPrefix) {
		if len(data.Values) == 0 {
			return nil
		}
		id = data.Values[0]
	}
	addr, _, err := a.addressOf(ctx, i.GuildID, i.ChannelID)
	if err != nil {
		return err
	}
	ref := bot.MessageRef{Address: addr, ID: group}
	a.inter.person(addr, user.ID, i)
	return inbox.Action(ctx, bot.Action{
		ID:      id,
		EventID: "int:" + i.ID,
		User:    userOf(user),
		Message: ref,
		Reply:   &actionReply{a: a, i: i, at: time.Now(), acked: acked, ref: ref, clicked: i.Message.ID, user: user.ID},
	})
}

// deliverCommand hands the slash command's question to the bot as a
// message addressing it, in the channel (or thread) where it was typed;
// the run's first post answers the command in place.
func (a *Adapter) deliverCommand(ctx context.Context, inbox bot.Inbox, i *discordgo.Interaction, user *discordgo.User, data discordgo.ApplicationCommandInteractionData, acked chan struct{}) error {
	var text string
	for _, o := range data.Options {
		if o != nil && o.Name == commandOption {
			if s, ok := o.Value.(string); ok {
				text = s
			}
		}
	}
	addr, _, err := a.addressOf(ctx, i.GuildID, i.ChannelID)
	if err != nil {
		return err
	}
	a.inter.command(addr, i, acked)
	a.inter.person(addr, user.ID, i)
	err = inbox.Message(ctx, bot.Message{
		EventID: "int:" + i.ID,
		Address: addr,
		User:    userOf(user),
		Text:    strings.TrimSpace(text),
		Time:    time.Now(),
		Mention: true,
		Direct:  i.GuildID == "",
		// A command asks the bot directly: the channel's chatter before
		// it is not its conversation — unlike a DM's, which is.
		Opens: i.GuildID != "",
	})
	if err != nil && !errors.Is(err, bot.ErrDuplicate) {
		// The deferred answer would say "thinking…" for ever: say why not.
		go func(ctx context.Context) {
			if pending := a.inter.take(ctx, addr, i.ID); pending != nil {
				msg := "The bot could not take this right now; please ask again in a moment."
				_, _ = a.interactionEdit(ctx, pending, "@original", &discordgo.WebhookEdit{Content: &msg})
			}
		}(context.WithoutCancel(ctx))
	}
	return err
}

// actionReply answers one click through its interaction: an ephemeral
// follow-up to the clicker, an edit of the clicked message, while the
// interaction's token lives; after that, a direct message and an edit
// through the channel.
type actionReply struct {
	a       *Adapter
	i       *discordgo.Interaction
	at      time.Time
	acked   chan struct{} // closed once Discord has the deferred update
	ref     bot.MessageRef
	clicked string // the Discord message clicked, one of ref's
	user    string
}

// Ephemeral shows m to the person who clicked only.
func (r *actionReply) Ephemeral(ctx context.Context, m bot.Outgoing) error {
	if (live{i: r.i, at: r.at}).ok() && waitAck(ctx, r.acked) {
		return r.a.followUp(ctx, r.i, m)
	}
	return r.a.directMessage(ctx, r.user, m)
}

// Update replaces the clicked message: the whole group it is part of.
func (r *actionReply) Update(ctx context.Context, m bot.Outgoing) error {
	if len(platform.SplitID(r.ref.ID)) == 1 && (live{i: r.i, at: r.at}).ok() && waitAck(ctx, r.acked) {
		msgs, err := renderOut(m)
		if err != nil {
			return err
		}
		if len(msgs) == 1 {
			mm := msgs[0]
			_, err = r.a.interactionEdit(ctx, r.i, "@original", &discordgo.WebhookEdit{Content: &mm.Content, Embeds: &mm.Embeds, Components: &mm.Components, AllowedMentions: allowed})
			if err == nil {
				return nil
			}
		}
	}
	return r.a.Update(ctx, r.ref, m)
}

// followUp shows m, privately, to the person who made interaction i.
func (a *Adapter) followUp(ctx context.Context, i *discordgo.Interaction, m bot.Outgoing) error {
	msgs, err := renderOut(m)
	if err != nil {
		return err
	}
	for _, mm := range msgs {
		p := &discordgo.WebhookParams{
			Content: mm.Content, Embeds: mm.Embeds, Components: mm.Components,
			Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: allowed,
		}
		wait := 50 * time.Millisecond
		for {
			_, err := a.followUpCreate(ctx, i, p)
			if err == nil {
				break
			}
			// Unknown Webhook right after the acknowledgement: the answer
			// written over HTTP is on its way to Discord; try again
			// shortly.
			if !restCode(err, discordgo.ErrCodeUnknownWebhook) || wait > ackWait/4 || platform.Sleep(ctx, wait) != nil {
				return fmt.Errorf("discord: ephemeral follow-up of interaction %s: %w", i.ID, err)
			}
			wait *= 2
		}
	}
	return nil
}

// directMessage sends m to user in a direct message.
func (a *Adapter) directMessage(ctx context.Context, user string, m bot.Outgoing) error {
	ch, err := a.s.UserChannelCreate(user, discordgo.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("discord: opening a direct message with %s: %w", user, err)
	}
	_, err = a.Post(ctx, bot.Address{Platform: Platform, Channel: ch.ID}, m)
	return err
}

var _ bot.EphemeralPoster = (*Adapter)(nil)

// PostEphemeral shows m to userID only: as an ephemeral follow-up of their
// last interaction at to, while its token lives (15 minutes), else in a
// direct message, Discord having no ephemeral message outside
// interactions. A slash command not answered yet is no way: its first
// follow-up would become its answer, public.
func (a *Adapter) PostEphemeral(ctx context.Context, to bot.Address, userID string, m bot.Outgoing) error {
	if userID == "" {
		return errors.New("discord: PostEphemeral needs a user id")
	}
	if i := a.inter.of(to, userID); i != nil && !a.inter.answering(i) {
		if err := a.followUp(ctx, i, m); err == nil {
			return nil
		}
	}
	return a.directMessage(ctx, userID, m)
}
