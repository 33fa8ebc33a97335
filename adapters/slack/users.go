package slack

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/parleybot/parley/bot"
)

// LookupUser returns the person userID names in the workspace of in: a
// user id (U…, W…, or a mention as Slack writes it, "<@U123>"), or an
// email address when it holds an "@" (users.lookupByEmail, which needs the
// users:read.email scope). Name is the person's display name, else their
// real name, else their user name. Answers are cached for
// Config.UserCacheTTL, and concurrent lookups of one user make one call.
func (a *Adapter) LookupUser(ctx context.Context, in bot.Address, userID string) (bot.User, error) {
	userID = strings.TrimSpace(userID)
	if id, ok := mentioned(userID); ok {
		userID = id
	}
	switch {
	case userID == "":
		return bot.User{}, errors.New("slack: LookupUser needs a user id or an email address")
	case strings.Contains(userID, "@"):
		return a.lookupEmail(ctx, in.Workspace, userID)
	}
	return a.lookup(ctx, in.Workspace, userID)
}

// mentioned returns the user id of a mention as Slack writes it:
// "<@U123>" or "<@U123|name>".
func mentioned(s string) (string, bool) {
	inner, ok := strings.CutPrefix(s, "<@")
	if !ok {
		return "", false
	}
	inner, ok = strings.CutSuffix(inner, ">")
	if !ok {
		return "", false
	}
	id, _, _ := strings.Cut(inner, "|")
	return id, id != ""
}

// lookup returns user id of workspace team, from the cache or users.info.
func (a *Adapter) lookup(ctx context.Context, team, id string) (bot.User, error) {
	return a.out.users.get(ctx, team+"/"+id, a.cfg.UserCacheTTL, func(ctx context.Context) (bot.User, error) {
		u, err := a.api.GetUserInfoContext(ctx, id)
		if err != nil {
			return bot.User{}, fmt.Errorf("slack: users.info for %s: %w", id, err)
		}
		return toUser(u), nil
	})
}

// lookupEmail returns the user with email address email in workspace team,
// from the cache or users.lookupByEmail; the user is cached by id too.
func (a *Adapter) lookupEmail(ctx context.Context, team, email string) (bot.User, error) {
	ttl := a.cfg.UserCacheTTL
	return a.out.users.get(ctx, team+"/email:"+strings.ToLower(email), ttl, func(ctx context.Context) (bot.User, error) {
		u, err := a.api.GetUserByEmailContext(ctx, email)
		if err != nil {
			return bot.User{}, fmt.Errorf("slack: users.lookupByEmail for %s: %w", email, err)
		}
		bu := toUser(u)
		a.out.users.put(team+"/"+bu.ID, bu, ttl)
		return bu, nil
	})
}

// toUser converts a Slack user.
func toUser(u *slackgo.User) bot.User {
	name := u.Profile.DisplayName
	for _, n := range []string{u.Profile.RealName, u.RealName, u.Name} {
		if strings.TrimSpace(name) != "" {
			break
		}
		name = n
	}
	return bot.User{ID: u.ID, Name: strings.TrimSpace(name), IsBot: u.IsBot}
}

// userCache holds users looked up, each until it expires, and the lookups
// in flight, so that concurrent lookups of one user make one call.
type userCache struct {
	mu      sync.Mutex
	entries map[string]userEntry
	calls   map[string]*userCall
	now     func() time.Time // the clock; nil is time.Now, tests set their own
}

func (c *userCache) clock() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}

type userEntry struct {
	u       bot.User
	expires time.Time
}

// userCall is a lookup in flight; done is closed when u and err are set.
type userCall struct {
	done   chan struct{}
	u      bot.User
	err    error
	joined int // callers waiting for it, the first included
}

// maxUsers bounds the users a cache holds: a bot in a big workspace meets
// many people, and an entry is cheap to look up again.
const maxUsers = 10_000

// lookupTimeout bounds a lookup, which runs apart from the context of
// whoever started it, so that another caller waiting for it is not failed
// by the first one's cancellation.
const lookupTimeout = 30 * time.Second

// get returns the user cached under key, or fetches it, once for all
// concurrent callers. A failed fetch is not cached.
func (c *userCache) get(ctx context.Context, key string, ttl time.Duration, fetch func(context.Context) (bot.User, error)) (bot.User, error) {
	c.mu.Lock()
	if e, ok := c.entries[key]; ok && c.clock().Before(e.expires) {
		c.mu.Unlock()
		return e.u, nil
	}
	call, ok := c.calls[key]
	if !ok {
		if c.calls == nil {
			c.calls = map[string]*userCall{}
		}
		call = &userCall{done: make(chan struct{})}
		c.calls[key] = call
		go func() {
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), lookupTimeout)
			defer cancel()
			u, err := fetch(fctx)
			c.mu.Lock()
			call.u, call.err = u, err
			delete(c.calls, key)
			if err == nil {
				c.putLocked(key, u, ttl)
			}
			c.mu.Unlock()
			close(call.done)
		}()
	}
	call.joined++
	c.mu.Unlock()
	select {
	case <-call.done:
		return call.u, call.err
	case <-ctx.Done():
		return bot.User{}, fmt.Errorf("slack: looking up a user: %w", ctx.Err())
	}
}

// cached returns the user cached under key, without a lookup.
func (c *userCache) cached(key string) (bot.User, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || !c.clock().Before(e.expires) {
		return bot.User{}, false
	}
	return e.u, true
}

// put caches u under key for ttl.
func (c *userCache) put(key string, u bot.User, ttl time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.putLocked(key, u, ttl)
}

func (c *userCache) putLocked(key string, u bot.User, ttl time.Duration) {
	now := c.clock()
	if c.entries == nil {
		c.entries = map[string]userEntry{}
	}
	if _, ok := c.entries[key]; !ok && len(c.entries) >= maxUsers {
		for k, e := range c.entries {
			if !now.Before(e.expires) {
				delete(c.entries, k)
			}
		}
		// Still full: drop entries at random (map order) until there is
		// room; each costs one lookup when needed again.
		for k := range c.entries {
			if len(c.entries) < maxUsers {
				break
			}
			delete(c.entries, k)
		}
	}
	c.entries[key] = userEntry{u: u, expires: now.Add(ttl)}
}
