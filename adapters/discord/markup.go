package discord

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
)

// nameBudget bounds the lookups that turn one message's mentions into
// names, so that a slow Discord never holds a message back for long: a
// mention whose name is not found in time stays as Discord wrote it.
const nameBudget = 500 * time.Millisecond

// mentionRE matches Discord's mention markup: a user (<@123>, <@!123>), a
// role (<@&789>) and a channel (<#456>).
var mentionRE = regexp.MustCompile(`<(@!?|@&|#)(\d{1,20})>`)

// markdown returns the text of m as the model reads it: the bot's own
// mention removed, and every other mention as a name — @name for a person
// or a role, #name for a channel. Names come from the message's own
// mentions, then from the adapter's caches and discordgo's state, then
// from Discord, within nameBudget.
func (a *Adapter) markdown(ctx context.Context, m *discordgo.Message, me string) string {
	text := strings.ReplaceAll(m.Content, "<@"+me+">", "")
	text = strings.ReplaceAll(text, "<@!"+me+">", "")
	text = strings.TrimSpace(text)
	if !strings.Contains(text, "<") {
		return text
	}
	known := map[string]string{}
	for _, u := range m.Mentions {
		if u != nil {
			known[u.ID] = u.Username
		}
	}
	ctx, cancel := context.WithTimeout(ctx, nameBudget)
	defer cancel()
	return mentionRE.ReplaceAllStringFunc(text, func(s string) string {
		sm := mentionRE.FindStringSubmatch(s)
		kind, id := sm[1], sm[2]
		switch kind {
		case "@", "@!":
			if name, ok := known[id]; ok && name != "" {
				return "@" + name
			}
			if u, err := a.userByID(ctx, m.GuildID, id); err == nil && u.Name != "" {
				return "@" + u.Name
			}
		case "#":
			if ci, err := a.channel(ctx, id); err == nil && ci.Name != "" {
				return "#" + ci.Name
			}
		case "@&":
			if name := a.roleName(ctx, m.GuildID, id); name != "" {
				return "@" + name
			}
		}
		return s
	})
}

// roleName returns the name of role id in guild, or "".
func (a *Adapter) roleName(ctx context.Context, guild, id string) string {
	if guild == "" {
		return ""
	}
	if r, err := a.s.State.Role(guild, id); err == nil {
		return r.Name
	}
	roles, err := a.s.GuildRoles(guild, discordgo.WithContext(ctx))
	if err != nil {
		return ""
	}
	for _, r := range roles {
		if r.ID == id {
			return r.Name
		}
	}
	return ""
}
