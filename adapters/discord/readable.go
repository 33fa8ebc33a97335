package discord

import (
	"context"
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// readable returns everything of m the model can read: its text (see
// markdown), then a line for each attachment (name, type, URL), sticker
// (name) and the message it forwards (the forwarded text, quoted, and its
// attachments). A message of an attachment, a sticker or a forward alone
// has no content; these lines are then its text. "" means nothing in m is
// readable.
func (a *Adapter) readable(ctx context.Context, m *discordgo.Message, me string) string {
	var lines []string
	if text := a.markdown(ctx, m, me); text != "" {
		lines = append(lines, text)
	}
	lines = append(lines, attachmentLines(m.Attachments)...)
	for _, s := range m.StickerItems {
		if s != nil && s.Name != "" {
			lines = append(lines, "[sticker: "+s.Name+"]")
		}
	}
	if len(m.MessageSnapshots) > 0 && m.MessageSnapshots[0].Message != nil {
		f := *m.MessageSnapshots[0].Message
		if f.GuildID == "" {
			f.GuildID = m.GuildID
		}
		var fwd []string
		if text := a.markdown(ctx, &f, me); text != "" {
			fwd = append(fwd, "> "+strings.ReplaceAll(text, "\n", "\n> "))
		}
		fwd = append(fwd, attachmentLines(f.Attachments)...)
		if len(fwd) > 0 {
			lines = append(lines, "[forwarded message]")
			lines = append(lines, fwd...)
		}
	}
	return strings.Join(lines, "\n")
}

// attachmentLines returns a line for each attachment: a voice message's
// length, or a file's name and type, and its URL.
func attachmentLines(as []*discordgo.MessageAttachment) []string {
	var lines []string
	for _, at := range as {
		if at == nil {
			continue
		}
		switch {
		case at.DurationSecs > 0:
			lines = append(lines, fmt.Sprintf("[voice message: %.0f s, %s]", at.DurationSecs, at.URL))
		case at.ContentType != "":
			lines = append(lines, fmt.Sprintf("[attachment: %s, %s, %s]", at.Filename, at.ContentType, at.URL))
		default:
			lines = append(lines, fmt.Sprintf("[attachment: %s, %s]", at.Filename, at.URL))
		}
	}
	return lines
}
