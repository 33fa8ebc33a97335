package discord

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/parleybot/parley/adapters/internal/platform"
	"github.com/parleybot/parley/bot"
)

// deliverTries is how many times an event the Store could not take is
// handed to the inbox before it is given up, logged: the gateway, unlike
// a webhook, does not deliver an event again.
const deliverTries = 5

// deliver hands an event to the inbox through try, again after a pause
// while the inbox fails with an error other than a duplicate or the bot
// stopping. It reports whether the event was taken.
func (a *Adapter) deliver(ctx context.Context, what, id string, try func(context.Context) error) bool {
	wait := 100 * time.Millisecond
	for i := 0; ; i++ {
		err := try(ctx)
		switch {
		case err == nil:
			return true
		case errors.Is(err, bot.ErrDuplicate):
			return false
		case errors.Is(err, bot.ErrStopping):
			a.cfg.Logger.Info("discord: the bot is stopping; an event was not taken", "event", what, "id", id)
			return false
		case i+1 >= deliverTries || ctx.Err() != nil:
			a.cfg.Logger.Error("discord: the bot could not take an event; it is lost", "event", what, "id", id, "err", err)
			return false
		}
		if platform.Sleep(ctx, wait) != nil {
			return false
		}
		wait *= 2
	}
}

// onMessage handles MESSAGE_CREATE. A direct message, a mention, and a
// message in a thread reach the bot; in a guild channel, a mention opens a
// thread for its conversation unless Config.NoThreads. Anything else — the
// bot's own messages, other bots' (unless Config.AllowBots), system
// messages, chatter outside threads — is left out.
func (a *Adapter) onMessage(m *discordgo.Message) {
	inbox, me, ok := a.receiving()
	if !ok || m == nil || m.Author == nil || m.ID == "" || m.ChannelID == "" {
		return
	}
	if m.Author.ID == me.ID || (m.Author.Bot && !a.cfg.AllowBots) {
		return
	}
	if m.Type != discordgo.MessageTypeDefault && m.Type != discordgo.MessageTypeReply {
		return
	}
	ctx := a.ctx
	direct := m.GuildID == ""
	mention := direct || a.mentionsBot(ctx, m, me.ID)
	addr, inThread, err := a.addressOf(ctx, m.GuildID, m.ChannelID)
	if err != nil {
		if !mention {
			return
		}
		a.cfg.Logger.Warn("discord: could not tell whether a channel is a thread; answering in the channel", "channel", m.ChannelID, "err", err)
	}
	switch {
	case inThread && mention:
		a.channels.join(m.ChannelID, true) // the bot answers there: Discord adds it
	case inThread && !a.channels.partOf(m.ChannelID, me.ID):
		return // chatter in a thread the bot is not part of
	case !direct && !mention && !inThread:
		return
	}
	text := a.readable(ctx, m, me.ID)
	if text == "" && strings.TrimSpace(m.Content) == "" {
		return // nothing the model could read: an embed alone, a poll
	}
	if mention && !direct && !inThread && !a.cfg.NoThreads {
		addr.Thread = a.openThread(ctx, m)
	}
	msg := bot.Message{
		ID:      m.ID,
		EventID: "msg:" + m.ID,
		Address: addr,
		User:    bot.User{ID: m.Author.ID, Name: m.Author.Username, IsBot: m.Author.Bot},
		Text:    text,
		Time:    m.Timestamp,
		Mention: mention,
		Direct:  direct,
	}
	if !direct && !inThread && addr.Thread == "" {
		a.taken.add(m.ID) // its deletion is to reach the bot
	}
	a.deliver(ctx, "MESSAGE_CREATE", m.ID, func(ctx context.Context) error { return inbox.Message(ctx, msg) })
}

// openThread opens a thread on the mention m and returns its id, or ""
// when Discord refused (the conversation then stays in the channel).
// A thread already opened on m — the event delivered again — is taken.
func (a *Adapter) openThread(ctx context.Context, m *discordgo.Message) string {
	if m.Thread != nil && m.Thread.ID != "" {
		return m.Thread.ID
	}
	ch, err := a.s.MessageThreadStartComplex(m.ChannelID, m.ID, &discordgo.ThreadStart{
		Name: threadName(m.Content), AutoArchiveDuration: a.cfg.ThreadArchive,
	}, discordgo.WithContext(ctx))
	if err != nil {
		if restCode(err, discordgo.ErrCodeThreadAlreadyCreatedForThisMessage) {
			a.channels.join(m.ID, true)
			return m.ID
		}
		a.cfg.Logger.Warn("discord: could not open a thread on a mention; answering in the channel", "channel", m.ChannelID, "message", m.ID, "err", err)
		return ""
	}
	if ch.ParentID == "" {
		ch.ParentID = m.ChannelID
	}
	if ch.Type == 0 {
		ch.Type = discordgo.ChannelTypeGuildPublicThread
	}
	a.channels.put(ch)
	a.channels.join(ch.ID, true)
	return ch.ID
}

// threadName names a thread after the message that opened it: its first
// line, without mentions, within Discord's 100 characters.
func threadName(content string) string {
	s := strings.TrimSpace(mentionRE.ReplaceAllString(content, ""))
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return "Conversation"
	}
	if utf8.RuneCountInString(s) > 90 {
		r := []rune(s)
		s = string(r[:90]) + "…"
	}
	return s
}

// mentions reports whether m mentions the user id.
func mentions(m *discordgo.Message, id string) bool {
	for _, u := range m.Mentions {
		if u != nil && u.ID == id {
			return true
		}
	}
	return strings.Contains(m.Content, "<@"+id+">") || strings.Contains(m.Content, "<@!"+id+">")
}

// onEdit handles MESSAGE_UPDATE: a new text for the bot's transcript, of
// a message the bot would have taken (a direct message, a mention, a
// message in a thread it is part of); a mention that opened a thread is
// edited in that thread's conversation too.
func (a *Adapter) onEdit(m *discordgo.Message) {
	inbox, me, ok := a.receiving()
	if !ok || m == nil || m.Author == nil || m.Author.ID == me.ID || m.ID == "" {
		return
	}
	addr, inThread, err := a.addressOf(a.ctx, m.GuildID, m.ChannelID)
	if err != nil {
		return
	}
	direct := m.GuildID == ""
	opened := !direct && !inThread && a.threadOn(m)
	if !direct && !opened && !a.mentionsBot(a.ctx, m, me.ID) && !(inThread && a.channels.partOf(m.ChannelID, me.ID)) {
		return
	}
	msg := bot.Message{ID: m.ID, Address: addr, User: bot.User{ID: m.Author.ID, Name: m.Author.Username}, Text: a.readable(a.ctx, m, me.ID), Time: m.Timestamp}
	a.deliver(a.ctx, "MESSAGE_UPDATE", m.ID, func(ctx context.Context) error { return inbox.Edited(ctx, msg) })
	if opened {
		// A mention's conversation lives in the thread opened on it.
		msg.Address.Thread = m.ID
		a.deliver(a.ctx, "MESSAGE_UPDATE", m.ID, func(ctx context.Context) error { return inbox.Edited(ctx, msg) })
	}
}

// threadOn reports whether a thread was opened on m, as far as the
// adapter knows.
func (a *Adapter) threadOn(m *discordgo.Message) bool {
	if m.Thread != nil && m.Thread.ID != "" {
		return true
	}
	ci, ok := a.channels.get(m.ID)
	return ok && ci.thread()
}

// onDelete handles MESSAGE_DELETE of a message the bot would have taken,
// as onEdit does: one in a direct message or in a thread the bot is part
// of, one that opened a thread — deleted in that thread's conversation
// too — or one the bot took in a guild channel (among the last it took
// there: Discord's event names no author and carries no text). The
// deletion of chatter never reaches the bot.
func (a *Adapter) onDelete(m *discordgo.Message) {
	inbox, me, ok := a.receiving()
	if !ok || m == nil || m.ID == "" {
		return
	}
	addr, inThread, err := a.addressOf(a.ctx, m.GuildID, m.ChannelID)
	if err != nil {
		return
	}
	direct := m.GuildID == ""
	opened := !direct && !inThread && a.threadOn(m)
	if !direct && !opened && !a.taken.has(m.ID) && !(inThread && a.channels.partOf(m.ChannelID, me.ID)) {
		return
	}
	ref := bot.MessageRef{Address: addr, ID: m.ID}
	a.deliver(a.ctx, "MESSAGE_DELETE", m.ID, func(ctx context.Context) error { return inbox.Deleted(ctx, ref) })
	if opened {
		ref.Address.Thread = m.ID
		a.deliver(a.ctx, "MESSAGE_DELETE", m.ID, func(ctx context.Context) error { return inbox.Deleted(ctx, ref) })
	}
}

// restCode reports whether err is Discord's answer with the JSON error
// code.
func restCode(err error, code int) bool {
	var re *discordgo.RESTError
	return errors.As(err, &re) && re.Message != nil && re.Message.Code == code
}

// restStatus reports whether err is Discord's answer with the HTTP status.
func restStatus(err error, status int) bool {
	var re *discordgo.RESTError
	return errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == status
}
