package discord

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/parleybot/parley/bot"
)

var _ bot.UserLooker = (*Adapter)(nil)

// userCache holds users looked up, for Config.UserCacheTTL.
type userCache struct {
	mu sync.Mutex
	m  map[string]cachedUser
}

type cachedUser struct {
	u   bot.User
	exp time.Time
}

// maxUsers bounds the user cache; past it, expired entries are dropped.
const maxUsers = 10_000

func (c *userCache) get(key string) (bot.User, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok || time.Now().After(e.exp) {
		return bot.User{}, false
	}
	return e.u, true
}

func (c *userCache) put(key string, u bot.User, ttl time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	if c.m == nil {
		c.m = map[string]cachedUser{}
	}
	if len(c.m) >= maxUsers {
		for k, e := range c.m {
			if now.After(e.exp) {
				delete(c.m, k)
			}
		}
		if len(c.m) >= maxUsers {
			c.m = map[string]cachedUser{}
		}
	}
	c.m[key] = cachedUser{u, now.Add(ttl)}
}

// userOf converts a Discord user: Name is the username, which is unique
// and what people type after @.
func userOf(u *discordgo.User) bot.User {
	return bot.User{ID: u.ID, Name: u.Username, IsBot: u.Bot}
}

// userByID returns the user id: as a member of guild when there is one
// (GET /guilds/{guild}/members/{id}), else GET /users/{id}; cached.
func (a *Adapter) userByID(ctx context.Context, guild, id string) (bot.User, error) {
	key := guild + "/" + id
	if u, ok := a.users.get(key); ok {
		return u, nil
	}
	var u *discordgo.User
	if guild != "" {
		m, err := a.s.GuildMember(guild, id, discordgo.WithContext(ctx))
		if err == nil && m.User != nil {
			u = m.User
		} else if err != nil && !restStatus(err, 404) {
			return bot.User{}, fmt.Errorf("discord: GET /guilds/%s/members/%s: %w", guild, id, err)
		}
	}
	if u == nil {
		var err error
		if u, err = a.s.User(id, discordgo.WithContext(ctx)); err != nil {
			return bot.User{}, fmt.Errorf("discord: GET /users/%s: %w", id, err)
		}
	}
	bu := userOf(u)
	a.users.put(key, bu, a.cfg.UserCacheTTL)
	return bu, nil
}

// LookupUser finds a person by id, by mention (<@123>) or by name — the
// username, the display name or the nickname in the guild of in, without
// a leading @ — and returns them with their username as Name. Names are
// searched among the guild's members (GET /guilds/{id}/members/search), so
// a lookup by name needs an address in a guild; an id works anywhere.
func (a *Adapter) LookupUser(ctx context.Context, in bot.Address, who string) (bot.User, error) {
	who = strings.TrimSpace(who)
	if id, ok := strings.CutPrefix(who, "<@"); ok && strings.HasSuffix(id, ">") {
		who = strings.TrimPrefix(strings.TrimSuffix(id, ">"), "!")
	}
	if isSnowflake(who) {
		return a.userByID(ctx, in.Workspace, who)
	}
	name := strings.TrimPrefix(who, "@")
	if name == "" {
		return bot.User{}, fmt.Errorf("discord: LookupUser: %w", bot.ErrNotFound)
	}
	if in.Workspace == "" {
		return bot.User{}, fmt.Errorf("discord: LookupUser of %q by name needs a guild; outside one, look people up by id: %w", name, bot.ErrNotFound)
	}
	members, err := a.s.GuildMembersSearch(in.Workspace, name, 25, discordgo.WithContext(ctx))
	if err != nil {
		return bot.User{}, fmt.Errorf("discord: GET /guilds/%s/members/search: %w", in.Workspace, err)
	}
	var best *discordgo.User
	for _, m := range members {
		if m.User == nil {
			continue
		}
		switch {
		case strings.EqualFold(m.User.Username, name):
			best = m.User
		case best == nil && (strings.EqualFold(m.User.GlobalName, name) || strings.EqualFold(m.Nick, name)):
			best = m.User
		}
		if best != nil && strings.EqualFold(best.Username, name) {
			break
		}
	}
	if best == nil {
		return bot.User{}, fmt.Errorf("discord: no member of guild %s is called %q: %w", in.Workspace, name, bot.ErrNotFound)
	}
	u := userOf(best)
	a.users.put(in.Workspace+"/"+u.ID, u, a.cfg.UserCacheTTL)
	return u, nil
}
