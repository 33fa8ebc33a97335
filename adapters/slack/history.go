package slack

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/parleybot/parley/bot"
)

// Messages returns up to limit of the most recent messages at in, oldest
// first: the thread's, with its first message, from conversations.replies
// when in names a thread, else the channel's own from
// conversations.history. It reads at most Config.HistoryLimit messages
// (limit ≤ 0 asks for that many).
//
// It is the fallback for a thread the bot has no transcript of: Slack
// allows many apps one history call a minute, and a call refused is tried
// again after the Retry-After Slack sends, so Messages may take minutes
// on a long thread; it reads at most five pages (see replies). The bot's own messages have FromSelf set; a message
// mentioning the bot, or written in a direct message with it, has Mention
// set, and a mention of the bot that starts the text is removed, as in
// the messages the adapter delivers. Joins, topic changes and other
// notices are left out.
func (a *Adapter) Messages(ctx context.Context, in bot.Address, limit int) ([]bot.Message, error) {
	if in.Channel == "" {
		return nil, errors.New("slack: Messages needs an address with a Channel")
	}
	n := a.cfg.HistoryLimit
	if limit > 0 && limit < n {
		n = limit
	}
	var (
		raw []slackgo.Message
		err error
	)
	if in.Thread != "" {
		raw, err = a.replies(ctx, in, n)
	} else {
		raw, err = a.channelHistory(ctx, in, n)
	}
	if err != nil {
		return nil, err
	}
	me := a.self()
	out := make([]bot.Message, 0, len(raw))
	// Each person is looked up once per call, found or not: a lookup that
	// fails (no users:read scope) would fail for each of their messages.
	people := map[string]*bot.User{}
	person := func(team, id string) *bot.User {
		u, seen := people[id]
		if !seen {
			if found, err := a.user(ctx, team, id); err == nil {
				u = &found
			}
			people[id] = u
		}
		return u
	}
	for _, m := range raw {
		out = append(out, a.fromHistory(ctx, in, m, me, person))
	}
	return out, nil
}

// historyPage is how many messages the adapter asks for in one history
// call; Slack may send fewer (15 to apps on its strictest tier).
const historyPage = 200

// conversational holds the subtypes of messages someone wrote; other
// subtypes are notices (a join, a topic change, the opening of an
// assistant thread).
var conversational = map[string]bool{
	"":                 true,
	"bot_message":      true,
	"thread_broadcast": true,
	"file_share":       true,
	"me_message":       true,
}

// maxReplyPages caps the conversations.replies (or .history) calls of one
// Messages: on Slack's strictest tier each costs a minute.
const maxReplyPages = 5

// replies returns the last n messages of the thread at in, oldest first.
// conversations.replies pages from the thread's start, so it reads the
// thread, keeping the last n — up to maxReplyPages pages. Of a thread
// longer than that it returns the thread's first message and the last of
// those pages: the question that opened the thread, and what followed it,
// but not its latest replies, which only the bot's transcript holds.
func (a *Adapter) replies(ctx context.Context, in bot.Address, n int) ([]slackgo.Message, error) {
	var (
		keep []slackgo.Message
		root *slackgo.Message // the thread's first message, kept whatever follows
	)
	cursor := ""
	for page := 1; ; page++ {
		msgs, more, next, err := a.api.GetConversationRepliesContext(ctx, &slackgo.GetConversationRepliesParameters{
			ChannelID: in.Channel,
			Timestamp: in.Thread,
			Cursor:    cursor,
			Limit:     historyPage,
		})
		if err != nil {
			return nil, fmt.Errorf("slack: conversations.replies of %s in %s: %w", in.Thread, in.Channel, err)
		}
		for _, m := range msgs {
			if conversational[m.SubType] {
				keep = append(keep, m)
			}
		}
		if page == 1 && len(keep) > 0 && keep[0].Timestamp == in.Thread && n > 1 {
			first := keep[0]
			root = &first
		}
		if len(keep) > n {
			keep = slices.Delete(keep, 0, len(keep)-n)
		}
		if !more || next == "" || next == cursor || page >= maxReplyPages {
			if root != nil && keep[0].Timestamp != root.Timestamp {
				keep = append([]slackgo.Message{*root}, keep[1:]...)
			}
			return keep, nil
		}
		cursor = next
	}
}

// channelHistory returns the last n messages of the channel at in, oldest
// first. conversations.history pages from the newest.
func (a *Adapter) channelHistory(ctx context.Context, in bot.Address, n int) ([]slackgo.Message, error) {
	var keep []slackgo.Message
	cursor := ""
	for page := 1; len(keep) < n && page <= maxReplyPages; page++ {
		res, err := a.api.GetConversationHistoryContext(ctx, &slackgo.GetConversationHistoryParameters{
			ChannelID: in.Channel,
			Cursor:    cursor,
			Limit:     min(n-len(keep), historyPage),
		})
		if err != nil {
			return nil, fmt.Errorf("slack: conversations.history of %s: %w", in.Channel, err)
		}
		for _, m := range res.Messages {
			if conversational[m.SubType] && len(keep) < n {
				keep = append(keep, m)
			}
		}
		next := res.ResponseMetaData.NextCursor
		if !res.HasMore || next == "" || next == cursor {
			break
		}
		cursor = next
	}
	slices.Reverse(keep)
	return keep, nil
}

// fromHistory converts a message of the conversation at in, read from
// Slack's history; me is the bot, and person looks up the author, nil
// when not found.
func (a *Adapter) fromHistory(ctx context.Context, in bot.Address, m slackgo.Message, me identity, person func(team, id string) *bot.User) bot.Message {
	self := me.UserID != "" && m.User == me.UserID || me.BotID != "" && m.BotID == me.BotID
	direct := strings.HasPrefix(in.Channel, "D")
	text := m.Text
	out := bot.Message{
		ID:       m.Timestamp,
		Address:  in,
		Time:     tsTime(m.Timestamp),
		Direct:   direct,
		FromSelf: self,
	}
	team := in.Workspace
	if team == "" {
		team = m.Team
	}
	switch {
	case self:
		out.User = bot.User{ID: me.UserID, IsBot: true}
	default:
		out.Mention = direct || mentions(text, me.UserID)
		text = withoutMention(text, me.UserID)
		out.User = bot.User{ID: m.User, Name: m.Username, IsBot: m.BotID != "" || m.SubType == "bot_message"}
		if out.User.ID == "" {
			out.User.ID = m.BotID
		}
		if m.User != "" {
			if u := person(team, m.User); u != nil {
				out.User.Name = u.Name
				out.User.IsBot = out.User.IsBot || u.IsBot
			}
		}
	}
	out.Text = a.markdown(ctx, team, text)
	return out
}

// mentions reports whether Slack markup text mentions the user id.
func mentions(text, id string) bool {
	return id != "" && (strings.Contains(text, "<@"+id+">") || strings.Contains(text, "<@"+id+"|"))
}

// withoutMention removes a mention of the user id that starts text, as
// Slack inserts when someone addresses the bot ("<@U0BOT> what's up?").
func withoutMention(text, id string) string {
	if id == "" {
		return text
	}
	rest, ok := strings.CutPrefix(strings.TrimLeft(text, " "), "<@"+id)
	if !ok {
		return text
	}
	i := strings.IndexByte(rest, '>')
	if i < 0 || (i > 0 && rest[0] != '|') {
		return text
	}
	return strings.TrimLeft(rest[i+1:], " :,")
}

// tsTime returns the time of a Slack ts ("1712345678.000100"): seconds and
// microseconds since the epoch. A malformed ts gives the zero time.
func tsTime(ts string) time.Time {
	sec, frac, _ := strings.Cut(ts, ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		return time.Time{}
	}
	var us int64
	if frac != "" {
		frac = (frac + "000000")[:6]
		if us, err = strconv.ParseInt(frac, 10, 64); err != nil {
			us = 0
		}
	}
	return time.Unix(s, us*1000)
}
