package discord

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"sync"
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

// unknownUser is how a mention of a person whose name is not found reads.
const unknownUser = "@unknown-user"

// markdown returns the text of m as the model reads it: the bot's own
// mention (by user or managed role) removed, and every other mention as a
// name — @name for a person or a role, #name for a channel. Names come
// from the message's own mentions, then from the adapter's caches and
// discordgo's state, then from Discord, within nameBudget. A person not
// found is written unknownUser, never as markup the model could repeat
// into a ping; a role or channel not found stays as written (posts let
// only user mentions through).
func (a *Adapter) markdown(ctx context.Context, m *discordgo.Message, me string) string {
	text := strings.ReplaceAll(m.Content, "<@"+me+">", "")
	text = strings.ReplaceAll(text, "<@!"+me+">", "")
	if role, ok := a.roles.get(m.GuildID); ok && role != "" {
		text = strings.ReplaceAll(text, "<@&"+role+">", "")
	}
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
			// Left as markup, a mention the model repeats would ping
			// whoever it names (posts let user mentions through).
			return unknownUser
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

// botRoles remembers, per guild, the bot's managed role — the role
// Discord gives a bot invited with permissions, named after it — or ""
// when it has none. People's clients often write "@Bot" as a mention of
// that role, which the adapter takes as a mention of the bot.
type botRoles struct {
	mu sync.Mutex
	m  map[string]string // guild → role id
}

func (r *botRoles) get(guild string) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	id, ok := r.m[guild]
	return id, ok
}

func (r *botRoles) put(guild, id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = map[string]string{}
	}
	r.m[guild] = id
}

// botRole returns the bot's managed role in guild, or "": the managed
// role among the bot member's roles, learned once per guild.
func (a *Adapter) botRole(ctx context.Context, guild, me string) string {
	if guild == "" {
		return ""
	}
	if id, ok := a.roles.get(guild); ok {
		return id
	}
	member, err := a.s.GuildMember(guild, me, discordgo.WithContext(ctx))
	if err != nil {
		a.cfg.Logger.Debug("discord: looking up the bot's roles", "guild", guild, "err", err)
		return ""
	}
	var roles []*discordgo.Role
	if g, err := a.s.State.Guild(guild); err == nil {
		roles = g.Roles
	} else if g, err := a.s.Guild(guild, discordgo.WithContext(ctx)); err == nil {
		roles = g.Roles
	} else {
		return ""
	}
	id := ""
	for _, r := range roles {
		if r != nil && r.Managed && slices.Contains(member.Roles, r.ID) {
			id = r.ID
		}
	}
	a.roles.put(guild, id)
	return id
}

// mentionsBot reports whether m mentions the bot, me: by its user, or by
// its managed role.
func (a *Adapter) mentionsBot(ctx context.Context, m *discordgo.Message, me string) bool {
	if mentions(m, me) {
		return true
	}
	if m.GuildID == "" || (len(m.MentionRoles) == 0 && !strings.Contains(m.Content, "<@&")) {
		return false
	}
	role := a.botRole(ctx, m.GuildID, me)
	return role != "" && (slices.Contains(m.MentionRoles, role) || strings.Contains(m.Content, "<@&"+role+">"))
}
