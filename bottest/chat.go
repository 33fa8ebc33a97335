package bottest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/render"
	"github.com/parleybot/parley/render/plaintext"
)

// Platform is the platform name of the in-memory adapter.
const Platform = "test"

// Users for tests.
var (
	Ana = bot.User{ID: "U_ANA", Name: "ana"}
	Ben = bot.User{ID: "U_BEN", Name: "ben"}
)

// Posted is a message the bot posted, as it stands now.
type Posted struct {
	Ref bot.MessageRef
	// Content is the current content; Versions holds every content the
	// message has had, the first post first.
	Content  render.Node
	Versions []render.Node
	IDs      render.IDs
	// Ephemeral messages were shown only to To; Reply is set on those
	// that answered a click through the click's own reply.
	Ephemeral bool
	To        string
	Reply     bool
	// Streamed messages came through the native streaming capability.
	Streamed bool
	// Closed is false while a native stream is still open.
	Closed bool
}

// Text returns the message's current content as plain text.
func (p Posted) Text() string { return plaintext.Render(p.Content) }

// Options returns the labels of the buttons and select options the
// message shows now, in reading order.
func (p Posted) Options() []string {
	var out []string
	for _, el := range render.Interactives(p.Content) {
		switch el := el.(type) {
		case *render.ButtonNode:
			out = append(out, el.Label)
		case *render.Option:
			out = append(out, el.Label)
		}
	}
	return out
}

// ID returns the opaque action id of the button or option labelled label
// the message shows now, or "" if it shows none.
func (p Posted) ID(label string) string {
	for _, el := range render.Interactives(p.Content) {
		switch el := el.(type) {
		case *render.ButtonNode:
			if el.Label == label {
				return p.IDs[el]
			}
		case *render.Option:
			if el.Label == label {
				return p.IDs[el]
			}
		}
	}
	return ""
}

// Status is a status the bot set.
type Status struct {
	In   bot.Address
	Text string
}

// Reaction is a reaction the bot added.
type Reaction struct {
	Ref   bot.MessageRef
	Emoji string
}

// Chat is an in-memory chat platform: the messages it shows, its users,
// and what bots did on it. Every [Adapter] connected to one Chat sees the
// same platform, as the replicas of a bot see one Slack workspace.
type Chat struct {
	mu       sync.Mutex
	caps     bot.Capabilities
	seq      int
	posts    []*Posted
	byID     map[string]*Posted
	history  map[string][]bot.Message
	users    map[string]bot.User
	statuses []Status
	reacts   []Reaction
	files    []bot.File
	failPost error
	failNext int // how many more posts, edits and appends fail with failPost
	changed  chan struct{}
	adapters int // adapters connected, for the round robin of Deliver
}

// NewChat returns an empty platform that knows [Ana] and [Ben]. By
// default it reports every capability but native streaming, so streamed
// answers appear as a post and edits, as on most platforms.
func NewChat() *Chat {
	return &Chat{
		caps:    bot.AllCapabilities.Without(bot.CapStreaming),
		byID:    map[string]*Posted{},
		history: map[string][]bot.Message{},
		users:   map[string]bot.User{Ana.ID: Ana, Ben.ID: Ben},
		changed: make(chan struct{}),
	}
}

// Adapter returns a new adapter connected to the platform: one bot's
// connection to it.
func (c *Chat) Adapter() *Adapter {
	c.mu.Lock()
	c.adapters++
	c.mu.Unlock()
	return &Adapter{Chat: c}
}

// DefaultThread is the conversation [Adapter.Send] writes into.
var DefaultThread = bot.Address{Platform: Platform, Channel: "C_GENERAL", Thread: "T1"}

// SetCapabilities sets what the platform reports it can do.
func (c *Chat) SetCapabilities(caps bot.Capabilities) {
	c.mu.Lock()
	c.caps = caps
	c.mu.Unlock()
}

// FailPosts makes every later Post, Update and stream append fail with
// err; nil heals the platform.
func (c *Chat) FailPosts(err error) {
	c.mu.Lock()
	c.failPost, c.failNext = err, -1
	c.mu.Unlock()
}

// FailNext makes the next n Posts, Updates and stream appends fail with
// err, as a platform's passing hiccup (a rate limit) would.
func (c *Chat) FailNext(n int, err error) {
	c.mu.Lock()
	c.failPost, c.failNext = err, n
	c.mu.Unlock()
}

// fail returns the error the next write fails with, if any; c.mu must be
// held.
func (c *Chat) fail() error {
	if c.failPost == nil || c.failNext == 0 {
		return nil
	}
	if c.failNext > 0 {
		c.failNext--
	}
	return c.failPost
}

// AddUser makes u known to user lookups.
func (c *Chat) AddUser(u bot.User) {
	c.mu.Lock()
	c.users[u.ID] = u
	c.mu.Unlock()
}

func (c *Chat) nextID(prefix string) string {
	c.seq++
	return prefix + strconv.Itoa(c.seq)
}

// add records p as a new message at to; c.mu must be held.
func (c *Chat) add(p *Posted, to bot.Address) bot.MessageRef {
	p.Ref = bot.MessageRef{Address: to, ID: c.nextID("b")}
	c.posts = append(c.posts, p)
	c.byID[p.Ref.ID] = p
	if !p.Ephemeral {
		c.history[to.String()] = append(c.history[to.String()], bot.Message{
			ID: p.Ref.ID, Address: to, Text: plaintext.Render(p.Content), Time: time.Now(), FromSelf: true,
		})
	}
	c.notify()
	return p.Ref
}

// notify wakes waiters; c.mu must be held.
func (c *Chat) notify() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// update replaces a message's content; c.mu must be held.
func (c *Chat) update(ref bot.MessageRef, m bot.Outgoing) error {
	if err := c.fail(); err != nil {
		return err
	}
	p, ok := c.byID[ref.ID]
	if !ok {
		return fmt.Errorf("bottest: update of unknown message %q", ref.ID)
	}
	p.Content, p.IDs = m.Content, m.IDs
	p.Versions = append(p.Versions, m.Content)
	c.setHistoryText(ref, plaintext.Render(m.Content))
	c.notify()
	return nil
}

func (c *Chat) setHistoryText(ref bot.MessageRef, text string) {
	h := c.history[ref.Address.String()]
	for i := range h {
		if h[i].ID == ref.ID {
			h[i].Text = text
		}
	}
}

// Posts returns every message bots posted, ephemeral ones included, in
// order.
func (c *Chat) Posts() []Posted {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Posted, len(c.posts))
	for i, p := range c.posts {
		out[i] = *p
		out[i].Versions = slices.Clone(p.Versions)
	}
	return out
}

// Lookup returns the message ref as it stands now.
func (c *Chat) Lookup(ref bot.MessageRef) (Posted, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.byID[ref.ID]
	if !ok {
		return Posted{}, false
	}
	out := *p
	out.Versions = slices.Clone(p.Versions)
	return out, true
}

// Cards returns the messages bots posted with buttons or select options,
// as they stand now (a closed card has none left), in order.
func (c *Chat) Cards() []Posted {
	var out []Posted
	for _, p := range c.Posts() {
		if !p.Ephemeral && len(render.Interactives(p.Versions[0])) > 0 {
			out = append(out, p)
		}
	}
	return out
}

// Texts returns the plain text of every public message bots posted, in
// order.
func (c *Chat) Texts() []string {
	var out []string
	for _, p := range c.Posts() {
		if !p.Ephemeral {
			out = append(out, p.Text())
		}
	}
	return out
}

// LastText returns the plain text of the latest public message, or "" if
// there is none.
func (c *Chat) LastText() string {
	texts := c.Texts()
	if len(texts) == 0 {
		return ""
	}
	return texts[len(texts)-1]
}

// Statuses returns every status bots set, in order.
func (c *Chat) Statuses() []Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.statuses)
}

// Reactions returns every reaction bots added, in order.
func (c *Chat) Reactions() []Reaction {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.reacts)
}

// Files returns every file bots uploaded, in order.
func (c *Chat) Files() []bot.File {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.files)
}

// WaitFor blocks until cond, called with the posts so far each time they
// change, returns true, or until ctx ends.
func (c *Chat) WaitFor(ctx context.Context, cond func([]Posted) bool) error {
	for {
		c.mu.Lock()
		ch := c.changed
		c.mu.Unlock()
		if cond(c.Posts()) {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// WaitClosed waits until the message ref shows no buttons or options any
// more — a choice's card once it was decided, expired or cancelled — or
// fails after ctx ends.
func (c *Chat) WaitClosed(ctx context.Context, ref bot.MessageRef) error {
	err := c.WaitFor(ctx, func([]Posted) bool {
		p, ok := c.Lookup(ref)
		return ok && len(p.Options()) == 0
	})
	if err != nil {
		return fmt.Errorf("bottest: waiting for message %q to close: %w", ref.ID, err)
	}
	return nil
}

// WaitForCard waits until bots have posted at least n+1 cards and returns
// card n (from 0), or fails after ctx ends.
func (c *Chat) WaitForCard(ctx context.Context, n int) (Posted, error) {
	var card Posted
	err := c.WaitFor(ctx, func([]Posted) bool {
		cards := c.Cards()
		if len(cards) > n {
			card = cards[n]
			return true
		}
		return false
	})
	if err != nil {
		return Posted{}, fmt.Errorf("bottest: waiting for card %d: %w", n, err)
	}
	return card, nil
}

var errNotReceiving = errors.New("bottest: the bot is not receiving")
