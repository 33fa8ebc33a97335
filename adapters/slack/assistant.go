package slack

import (
	"context"
	"strings"
	"sync"

	slackgo "github.com/slack-go/slack"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/render"
)

// assistantStarted answers assistant_thread_started: someone opened a
// thread with the bot in Slack's assistant pane. The suggested prompts
// are set in the background, so that the event is acknowledged at once.
func (a *Adapter) assistantStarted(ctx context.Context, t *assistantThread) {
	if t == nil || t.ChannelID == "" || t.ThreadTS == "" {
		return
	}
	a.in.contexts.set(t, true)
	if len(a.cfg.SuggestedPrompts) == 0 {
		return
	}
	p := slackgo.AssistantThreadsSetSuggestedPromptsParameters{
		ChannelID: t.ChannelID, ThreadTS: t.ThreadTS, Title: a.cfg.SuggestedPromptsTitle,
	}
	for _, s := range a.cfg.SuggestedPrompts {
		p.AddPrompt(s.Title, s.Message)
	}
	ctx = context.WithoutCancel(ctx)
	go func() {
		if err := a.api.SetAssistantThreadsSuggestedPromptsContext(ctx, p); err != nil {
			a.cfg.Logger.Warn("slack: setting the suggested prompts failed", "channel", t.ChannelID, "thread", t.ThreadTS, "err", err)
		}
	}()
}

// maxTitle is the length of a thread title the adapter sets.
const maxTitle = 60

// titleThread names an assistant thread that began here after the first
// message written in it, as Slack's history of threads shows it, in the
// background.
func (a *Adapter) titleThread(ctx context.Context, m bot.Message) {
	key := m.Address.Channel + "/" + m.Address.Thread
	first, _, _ := strings.Cut(strings.TrimSpace(m.Text), "\n")
	if first == "" || !a.in.contexts.claimTitle(key) {
		return
	}
	p := slackgo.AssistantThreadsSetTitleParameters{ChannelID: m.Address.Channel, ThreadTS: m.Address.Thread, Title: render.Truncate(first, maxTitle)}
	ctx = context.WithoutCancel(ctx)
	go func() {
		if err := a.api.SetAssistantThreadsTitleContext(ctx, p); err != nil {
			a.cfg.Logger.Warn("slack: setting an assistant thread's title failed", "channel", p.ChannelID, "thread", p.ThreadTS, "err", err)
		}
	}()
}

// AssistantContext returns the channel the person was looking at in Slack
// when they last wrote in the assistant thread at addr (Slack's
// assistant_thread_context_changed), or "" if Slack did not say. A tool
// can read that channel to answer "summarise this channel". It is kept in
// the memory of the process that received the event: another replica, or
// this one after a restart, answers "" until Slack says again.
func (a *Adapter) AssistantContext(addr bot.Address) string {
	return a.in.contexts.get(addr.Channel + "/" + addr.Thread)
}

// contexts remembers the context channel of recent assistant threads, and
// which of them began while this process watched.
type contexts struct {
	mu    sync.Mutex
	m     map[string]assistantContext
	order []string
}

type assistantContext struct {
	channel string
	started bool // assistant_thread_started came here
	titled  bool // the thread's title was set
}

// maxContexts bounds the assistant threads remembered.
const maxContexts = 10000

// set records t's context; started says t comes from
// assistant_thread_started.
func (c *contexts) set(t *assistantThread, started bool) {
	if t == nil || t.ChannelID == "" {
		return
	}
	key := t.ChannelID + "/" + t.ThreadTS
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]assistantContext{}
	}
	old, ok := c.m[key]
	if !ok {
		c.order = append(c.order, key)
		if len(c.order) > maxContexts {
			delete(c.m, c.order[0])
			c.order = c.order[1:]
		}
	}
	c.m[key] = assistantContext{channel: t.Context.ChannelID, started: started || old.started, titled: old.titled}
}

// began reports whether the assistant thread key (channel/thread) began
// while this process watched.
func (c *contexts) began(key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[key].started
}

// claimTitle reports whether the thread key, begun here, has no title
// yet, and marks it titled.
func (c *contexts) claimTitle(key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok || !e.started || e.titled {
		return false
	}
	e.titled = true
	c.m[key] = e
	return true
}

func (c *contexts) get(key string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[key].channel
}
