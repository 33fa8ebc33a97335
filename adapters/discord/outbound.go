package discord

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/parleybot/parley/adapters/internal/platform"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/render"
	"github.com/parleybot/parley/render/discordui"
)

var (
	_ bot.HistoryReader = (*Adapter)(nil)
	_ bot.FileUploader  = (*Adapter)(nil)
	_ bot.Reactor       = (*Adapter)(nil)
)

// Messages returns up to limit of the most recent messages at in, oldest
// first, read from the channel (GET /channels/{id}/messages, 100 a page,
// at most Config.HistoryLimit in all). The bot reads its own transcript
// first; this is the fallback for a conversation it has none of.
func (a *Adapter) Messages(ctx context.Context, in bot.Address, limit int) ([]bot.Message, error) {
	limit = min(max(limit, 1), a.cfg.HistoryLimit)
	ch := target(in)
	me := a.self().ID
	var got []*discordgo.Message
	before := ""
	for len(got) < limit {
		page, err := a.s.ChannelMessages(ch, min(100, limit-len(got)), before, "", "", discordgo.WithContext(ctx))
		if err != nil {
			return nil, fmt.Errorf("discord: GET /channels/%s/messages: %w", ch, err)
		}
		got = append(got, page...)
		if len(page) < 100 || len(page) == 0 {
			break
		}
		before = page[len(page)-1].ID
	}
	out := make([]bot.Message, 0, len(got))
	for i := len(got) - 1; i >= 0; i-- { // Discord pages newest first
		m := got[i]
		if m.Author == nil {
			continue
		}
		if m.GuildID == "" {
			m.GuildID = in.Workspace
		}
		bm := bot.Message{
			ID: m.ID, Address: in, User: userOf(m.Author), Time: m.Timestamp,
			Text: a.readable(ctx, m, me), FromSelf: m.Author.ID == me,
		}
		if bm.FromSelf {
			bm.Text = shownText(m)
		}
		out = append(out, bm)
	}
	return out, nil
}

// shownText is the text of the bot's own message: its content and its
// embeds' text.
func shownText(m *discordgo.Message) string {
	parts := []string{m.Content}
	for _, e := range m.Embeds {
		if e == nil {
			continue
		}
		parts = append(parts, e.Title, e.Description)
		for _, f := range e.Fields {
			if f != nil {
				parts = append(parts, f.Name+": "+f.Value)
			}
		}
	}
	var b strings.Builder
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(p)
		}
	}
	return b.String()
}

// PostFile uploads f as an attachment of a new message at to (a
// multipart message send), with f.Comment as its text.
func (a *Adapter) PostFile(ctx context.Context, to bot.Address, f bot.File) (bot.MessageRef, error) {
	if to.Channel == "" || f.Name == "" {
		return bot.MessageRef{}, errors.New("discord: PostFile needs an address with a Channel and a file with a Name")
	}
	send := &discordgo.MessageSend{
		Files:           []*discordgo.File{{Name: f.Name, ContentType: f.ContentType, Reader: strings.NewReader(string(f.Data))}},
		AllowedMentions: allowed,
	}
	if c := strings.TrimSpace(f.Comment); c != "" {
		msgs, err := discordui.Render(render.Markdown(c), nil)
		if err == nil && len(msgs) > 0 {
			send.Content = msgs[0].Content
		}
	}
	ch := target(to)
	a.typing.stop(ch)
	msg, err := a.s.ChannelMessageSendComplex(ch, send, discordgo.WithContext(ctx))
	if err != nil {
		return bot.MessageRef{}, fmt.Errorf("discord: uploading %s to %s: %w", f.Name, ch, err)
	}
	return bot.MessageRef{Address: to, ID: msg.ID}, nil
}

// React adds the emoji reaction to the message ref (its first message,
// for a group). emoji is a Unicode emoji, a custom emoji as name:id, or
// one of the common names ("eyes", "white_check_mark"; see emojiNames).
func (a *Adapter) React(ctx context.Context, ref bot.MessageRef, emoji string) error {
	ids := platform.SplitID(ref.ID)
	if len(ids) == 0 || ref.Channel == "" {
		return errors.New("discord: React needs the ref of a message")
	}
	e, ok := emojiFor(emoji)
	if !ok {
		return fmt.Errorf("discord: React: %q is no emoji the adapter knows; pass the emoji itself (👀) or a custom one as name:id", emoji)
	}
	ch := target(ref.Address)
	if err := a.s.MessageReactionAdd(ch, ids[0], e, discordgo.WithContext(ctx)); err != nil {
		return fmt.Errorf("discord: PUT reaction %s on %s in %s: %w", emoji, ids[0], ch, err)
	}
	return nil
}

// emojiNames maps the names bots commonly react with, as Slack and
// Discord's picker spell them, to the emoji.
var emojiNames = map[string]string{
	"eyes": "👀", "white_check_mark": "✅", "heavy_check_mark": "✔️", "x": "❌", "thumbsup": "👍", "+1": "👍",
	"thumbsdown": "👎", "-1": "👎", "tada": "🎉", "warning": "⚠️", "hourglass": "⌛", "hourglass_flowing_sand": "⏳",
	"rocket": "🚀", "heart": "❤️", "fire": "🔥", "thinking": "🤔", "thinking_face": "🤔", "ok_hand": "👌",
	"wave": "👋", "memo": "📝", "bulb": "💡", "question": "❓", "exclamation": "❗", "stop_sign": "🛑",
}

// EmojiName returns the name React knows emoji by, or "" — the inverse of
// the names React takes, for reading reactions back.
func EmojiName(emoji string) string {
	for name, e := range emojiNames {
		if e == emoji && name != "+1" && name != "-1" && name != "thinking_face" && name != "heavy_check_mark" {
			return name
		}
	}
	return ""
}

// emojiFor returns the emoji React sends for name.
func emojiFor(name string) (string, bool) {
	name = strings.Trim(strings.TrimSpace(name), ":")
	if name == "" {
		return "", false
	}
	if e, ok := emojiNames[name]; ok {
		return e, true
	}
	if strings.Contains(name, ":") { // a custom emoji, name:id
		return name, true
	}
	for _, r := range name {
		if r > 0x2000 {
			return name, true
		}
	}
	return "", false
}
