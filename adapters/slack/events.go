package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/parleybot/parley/bot"
)

// callback is an Events API delivery as the adapter reads it: the outer
// envelope's ids and the inner event, normalized from slack-go's types.
type callback struct {
	Type      string `json:"type"`
	TeamID    string `json:"team_id"`
	EventID   string `json:"event_id"`
	Challenge string `json:"challenge"`
	Event     event  `json:"event"`
}

// event is an inner event: the fields of the events in the table the
// adapter reads. Its JSON tags are Slack's, so that a payload slack-go
// cannot decode (a block of a shape it does not know, a field of an
// unexpected type) is still read for what the adapter needs.
type event struct {
	Type        string `json:"type"`
	Subtype     string `json:"subtype"`
	Channel     string `json:"channel"`
	ChannelType string `json:"channel_type"`
	User        string `json:"user"`
	BotID       string `json:"bot_id"`
	Text        string `json:"text"`
	TS          string `json:"ts"`
	ThreadTS    string `json:"thread_ts"`
	DeletedTS   string `json:"deleted_ts"`
	Message     *event `json:"message"`
	Previous    *event `json:"previous_message"`

	Assistant *assistantThread `json:"assistant_thread"`
}

// assistantThread is the thread of an assistant_thread_* event.
type assistantThread struct {
	UserID    string `json:"user_id"`
	ChannelID string `json:"channel_id"`
	ThreadTS  string `json:"thread_ts"`
	Context   struct {
		ChannelID string `json:"channel_id"`
		TeamID    string `json:"team_id"`
	} `json:"context"`
}

// errBadPayload marks a payload that cannot be read: it is logged and
// acknowledged, since Slack sending it again would not make it readable.
var errBadPayload = errors.New("slack: unreadable payload")

// decodeCallback reads an Events API body: the envelope and the fields of
// the inner event the adapter uses, in one pass.
//
// It does not go through slackevents.ParseEvent, for two reasons. That
// parse refuses a whole event when any part of it has a shape slack-go
// does not expect — a block of a new kind in a message's blocks, which
// the adapter never reads — and a refused event is a lost message; and it
// decodes each event three times, with reflection, which alone took half
// the time of an acknowledgement (BenchmarkAckLoad). The fields read here
// are Slack's documented ones, under the same JSON names as slackevents'
// types; the tests parse every payload in testdata with slackevents too,
// to hold the two readings together.
func (a *Adapter) decodeCallback(body []byte) (callback, error) {
	var cb callback
	err := json.Unmarshal(body, &cb)
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && cb.Type != "" {
		// A field of an unexpected type was skipped; the rest was read.
		a.cfg.Logger.Warn("slack: an event field of an unexpected type was left out", "event_id", cb.EventID, "field", te.Field, "err", err)
		err = nil
	}
	if err != nil || cb.Type == "" {
		if err == nil {
			err = errors.New("no type")
		}
		return cb, fmt.Errorf("%w: %v", errBadPayload, err)
	}
	if e := &cb.Event; e.Type == "message" && e.Subtype != "message_changed" && e.Message != nil && e.TS == "" {
		// A message event whose message is nested (as in some
		// subtypes) reads as that message.
		m := e.Message
		e.User, e.BotID, e.Text, e.TS, e.ThreadTS = m.User, m.BotID, m.Text, m.TS, m.ThreadTS
	}
	return cb, nil
}

// deliverEvent hands one inner event to the inbox. It returns the inbox's
// error, which decides the answer to Slack; an event the adapter does not
// act on returns nil, to be acknowledged.
func (a *Adapter) deliverEvent(ctx context.Context, inbox bot.Inbox, me identity, cb callback) error {
	team := cb.TeamID
	if team == "" {
		team = me.TeamID
	}
	ev := cb.Event
	switch ev.Type {
	case "app_mention":
		return a.deliverMessage(ctx, inbox, me, team, cb.EventID, ev, true)
	case "message":
		if !subscribed(ev.Type, ev.ChannelType) {
			return nil
		}
		switch ev.Subtype {
		case "", "file_share", "thread_broadcast", "bot_message", "me_message":
			return a.deliverMessage(ctx, inbox, me, team, cb.EventID, ev, false)
		case "message_changed":
			return a.deliverEdit(ctx, inbox, me, team, ev)
		case "message_deleted":
			return a.deliverDeletion(ctx, inbox, team, ev)
		}
		return nil
	case "assistant_thread_started":
		a.assistantStarted(ctx, ev.Assistant)
		return nil
	case "assistant_thread_context_changed":
		a.in.contexts.set(ev.Assistant, false)
		return nil
	}
	return nil
}

// fromSelf reports whether the bot wrote ev.
func (me identity) wrote(user, botID string) bool {
	return (user != "" && user == me.UserID) || (botID != "" && botID == me.BotID)
}

// deliverMessage hands a message to the inbox. A mention in a channel
// starts (or continues) the conversation in the thread of the mention; a
// direct message is its own conversation, or its thread's in the
// assistant pane. A message in a channel that neither mentions the bot
// nor replies in a thread is no conversation of the bot's and is left out.
func (a *Adapter) deliverMessage(ctx context.Context, inbox bot.Inbox, me identity, team, eventID string, ev event, mentionEvent bool) error {
	if me.wrote(ev.User, ev.BotID) || ev.TS == "" || ev.Channel == "" || (ev.User == "" && ev.BotID == "") {
		return nil
	}
	isBot := ev.BotID != "" || ev.Subtype == "bot_message"
	if isBot && !a.cfg.AllowBots {
		return nil
	}
	direct := ev.ChannelType == "im" || (ev.ChannelType == "" && strings.HasPrefix(ev.Channel, "D"))
	if !mentionEvent && !direct && mentions(ev.Text, me.UserID) {
		// Slack delivers a mention in a channel twice, as app_mention
		// and as message, under two event ids: the app_mention is the
		// one taken.
		return nil
	}
	mention := mentionEvent || direct
	thread := threadOf(ev.TS, ev.ThreadTS, direct)
	if ev.ThreadTS == "" && !direct && !mention {
		return nil
	}
	m := bot.Message{
		ID:      ev.TS,
		EventID: eventID,
		Address: bot.Address{Platform: Platform, Workspace: team, Channel: ev.Channel, Thread: thread},
		User:    bot.User{ID: ev.User, IsBot: isBot},
		Text:    a.markdown(ctx, team, withoutMention(ev.Text, me.UserID)),
		Time:    tsTime(ev.TS),
		Mention: mention,
		Direct:  direct,
		// An assistant thread this process saw begin has nothing before
		// its messages to read from Slack.
		Opens: direct && thread != "" && a.in.contexts.began(ev.Channel+"/"+thread),
	}
	if m.User.ID == "" {
		m.User.ID = ev.BotID
	}
	if u, err := a.userWithin(ctx, team, m.User.ID); err == nil {
		m.User.Name = u.Name
		m.User.IsBot = m.User.IsBot || u.IsBot
	}
	if err := inbox.Message(ctx, m); err != nil {
		return err
	}
	if m.Opens {
		a.titleThread(ctx, m)
	}
	return nil
}

// userWithin looks a user up within nameBudget.
func (a *Adapter) userWithin(ctx context.Context, team, id string) (bot.User, error) {
	if u, ok := a.cachedUser(team, id); ok {
		return u, nil // no timer for the common case: a person already seen
	}
	ctx, cancel := context.WithTimeout(ctx, nameBudget)
	defer cancel()
	return a.user(ctx, team, id)
}

// threadOf returns the conversation's thread for a message: its thread,
// else, in a channel, the message itself (the bot answers in its thread),
// else none (a direct message outside a thread).
func threadOf(ts, threadTS string, direct bool) string {
	switch {
	case direct && threadTS == ts:
		return "" // a direct message that later took replies is still the DM's
	case threadTS != "":
		return threadTS
	case direct:
		return ""
	}
	return ts
}

func (a *Adapter) deliverEdit(ctx context.Context, inbox bot.Inbox, me identity, team string, ev event) error {
	m := ev.Message
	if m == nil || m.TS == "" || me.wrote(m.User, m.BotID) {
		return nil
	}
	direct := ev.ChannelType == "im"
	return inbox.Edited(ctx, bot.Message{
		ID:      m.TS,
		Address: bot.Address{Platform: Platform, Workspace: team, Channel: ev.Channel, Thread: threadOf(m.TS, m.ThreadTS, direct)},
		User:    bot.User{ID: m.User},
		Text:    a.markdown(ctx, team, withoutMention(m.Text, me.UserID)),
		Time:    tsTime(m.TS),
	})
}

func (a *Adapter) deliverDeletion(ctx context.Context, inbox bot.Inbox, team string, ev event) error {
	ts := ev.DeletedTS
	thread := ""
	if p := ev.Previous; p != nil {
		if ts == "" {
			ts = p.TS
		}
		thread = p.ThreadTS
	}
	if ts == "" {
		return nil
	}
	return inbox.Deleted(ctx, bot.MessageRef{
		Address: bot.Address{Platform: Platform, Workspace: team, Channel: ev.Channel, Thread: threadOf(ts, thread, ev.ChannelType == "im")},
		ID:      ts,
	})
}
