package bottest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
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
	// Ephemeral messages were shown only to To.
	Ephemeral bool
	To        string
	// Streamed messages came through the native streaming capability.
	Streamed bool
	// Closed is false while a native stream is still open.
	Closed bool
}

// Text returns the message's current content as plain text.
func (p Posted) Text() string { return plaintext.Render(p.Content) }

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

// Adapter is an in-memory platform. It implements bot.Adapter and every
// optional capability; [Adapter.SetCapabilities] narrows what it reports.
// By default it reports every capability but native streaming, so streamed
// answers appear as a post and edits, as on most platforms.
type Adapter struct {
	mu       sync.Mutex
	in       bot.Inbox
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
}

var (
	_ bot.Adapter            = (*Adapter)(nil)
	_ bot.HistoryReader      = (*Adapter)(nil)
	_ bot.UserLooker         = (*Adapter)(nil)
	_ bot.FileUploader       = (*Adapter)(nil)
	_ bot.StatusSetter       = (*Adapter)(nil)
	_ bot.Streamer           = (*Adapter)(nil)
	_ bot.EphemeralPoster    = (*Adapter)(nil)
	_ bot.Reactor            = (*Adapter)(nil)
	_ bot.CapabilityReporter = (*Adapter)(nil)
)

// NewAdapter returns an empty in-memory platform that knows [Ana] and
// [Ben].
func NewAdapter() *Adapter {
	return &Adapter{
		caps:    bot.AllCapabilities.Without(bot.CapStreaming),
		byID:    map[string]*Posted{},
		history: map[string][]bot.Message{},
		users:   map[string]bot.User{Ana.ID: Ana, Ben.ID: Ben},
		changed: make(chan struct{}),
	}
}

// DefaultThread is the conversation [Adapter.Send] writes into.
var DefaultThread = bot.Address{Platform: Platform, Channel: "C_GENERAL", Thread: "T1"}

// SetCapabilities sets what the adapter reports it can do.
func (a *Adapter) SetCapabilities(c bot.Capabilities) {
	a.mu.Lock()
	a.caps = c
	a.mu.Unlock()
}

// FailPosts makes every later Post, Update and stream append fail with
// err; nil heals the platform.
func (a *Adapter) FailPosts(err error) {
	a.mu.Lock()
	a.failPost, a.failNext = err, -1
	a.mu.Unlock()
}

// FailNext makes the next n Posts, Updates and stream appends fail with
// err, as a platform's passing hiccup (a rate limit) would.
func (a *Adapter) FailNext(n int, err error) {
	a.mu.Lock()
	a.failPost, a.failNext = err, n
	a.mu.Unlock()
}

// fail returns the error the next write fails with, if any; a.mu must be
// held.
func (a *Adapter) fail() error {
	if a.failPost == nil || a.failNext == 0 {
		return nil
	}
	if a.failNext > 0 {
		a.failNext--
	}
	return a.failPost
}

// AddUser makes u known to user lookups.
func (a *Adapter) AddUser(u bot.User) {
	a.mu.Lock()
	a.users[u.ID] = u
	a.mu.Unlock()
}

// Platform implements bot.Adapter.
func (a *Adapter) Platform() string { return Platform }

// Start implements bot.Adapter.
func (a *Adapter) Start(ctx context.Context, in bot.Inbox) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.in != nil {
		return errors.New("bottest: adapter already started")
	}
	a.in = in
	go func() {
		<-ctx.Done()
		a.mu.Lock()
		a.in = nil
		a.mu.Unlock()
	}()
	return nil
}

// Receiving reports whether a started bot is receiving from the adapter.
func (a *Adapter) Receiving() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.in != nil
}

// Send delivers a message from u addressed to the bot, in [DefaultThread].
func (a *Adapter) Send(u bot.User, text string) bot.Message {
	return a.Deliver(bot.Message{Address: DefaultThread, User: u, Text: text, Mention: true})
}

// Deliver delivers m to the bot as a platform event would, filling in its
// id, time and platform when empty, and adds it to the thread's history.
// Nothing is delivered if the bot is not receiving.
func (a *Adapter) Deliver(m bot.Message) bot.Message {
	a.mu.Lock()
	if m.ID == "" {
		m.ID = a.nextID("m")
	}
	if m.Time.IsZero() {
		m.Time = time.Now()
	}
	if m.Address.Platform == "" {
		m.Address.Platform = Platform
	}
	key := m.Address.String()
	a.history[key] = append(a.history[key], m)
	in := a.in
	a.mu.Unlock()
	if in != nil {
		in.Message(context.Background(), m)
	}
	return m
}

// Click clicks, as u, the action button or select option labelled label in
// the message ref.
func (a *Adapter) Click(ref bot.MessageRef, label string, u bot.User) error {
	a.mu.Lock()
	p, ok := a.byID[ref.ID]
	var id string
	if ok {
		for _, el := range render.Interactives(p.Content) {
			if b, isBtn := el.(*render.ButtonNode); isBtn && b.Label == label {
				id = p.IDs[el]
				break
			}
			if o, isOpt := el.(*render.Option); isOpt && o.Label == label {
				id = p.IDs[el]
				break
			}
		}
	}
	a.mu.Unlock()
	switch {
	case !ok:
		return fmt.Errorf("bottest: no message %q", ref.ID)
	case id == "":
		return fmt.Errorf("bottest: message %q has no action button or option %q", ref.ID, label)
	}
	return a.ClickID(ref, id, u)
}

// ClickID delivers a click, as u, carrying the raw action id: what a forged
// or stale button would send.
func (a *Adapter) ClickID(ref bot.MessageRef, id string, u bot.User) error {
	a.mu.Lock()
	in := a.in
	a.mu.Unlock()
	if in == nil {
		return errors.New("bottest: the bot is not receiving")
	}
	in.Action(context.Background(), bot.Action{ID: id, User: u, Message: ref})
	return nil
}

func (a *Adapter) nextID(prefix string) string {
	a.seq++
	return prefix + strconv.Itoa(a.seq)
}

// Post implements bot.Adapter.
func (a *Adapter) Post(ctx context.Context, to bot.Address, m bot.Outgoing) (bot.MessageRef, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.fail(); err != nil {
		return bot.MessageRef{}, err
	}
	return a.add(&Posted{Content: m.Content, Versions: []render.Node{m.Content}, IDs: m.IDs, Closed: true}, to), nil
}

// add records p as a new message at to; a.mu must be held.
func (a *Adapter) add(p *Posted, to bot.Address) bot.MessageRef {
	p.Ref = bot.MessageRef{Address: to, ID: a.nextID("b")}
	a.posts = append(a.posts, p)
	a.byID[p.Ref.ID] = p
	if !p.Ephemeral {
		a.history[to.String()] = append(a.history[to.String()], bot.Message{
			ID: p.Ref.ID, Address: to, Text: plaintext.Render(p.Content), Time: time.Now(), FromSelf: true,
		})
	}
	a.notify()
	return p.Ref
}

// notify wakes waiters; a.mu must be held.
func (a *Adapter) notify() {
	close(a.changed)
	a.changed = make(chan struct{})
}

// Update implements bot.Adapter.
func (a *Adapter) Update(ctx context.Context, ref bot.MessageRef, m bot.Outgoing) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.fail(); err != nil {
		return err
	}
	p, ok := a.byID[ref.ID]
	if !ok {
		return fmt.Errorf("bottest: update of unknown message %q", ref.ID)
	}
	p.Content, p.IDs = m.Content, m.IDs
	p.Versions = append(p.Versions, m.Content)
	a.setHistoryText(ref, plaintext.Render(m.Content))
	a.notify()
	return nil
}

func (a *Adapter) setHistoryText(ref bot.MessageRef, text string) {
	h := a.history[ref.Address.String()]
	for i := range h {
		if h[i].ID == ref.ID {
			h[i].Text = text
		}
	}
}

// Capabilities implements bot.CapabilityReporter.
func (a *Adapter) Capabilities(bot.Address) bot.Capabilities {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.caps
}

// Messages implements bot.HistoryReader.
func (a *Adapter) Messages(ctx context.Context, in bot.Address, limit int) ([]bot.Message, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	h := a.history[in.String()]
	if limit > 0 && len(h) > limit {
		h = h[len(h)-limit:]
	}
	return slices.Clone(h), nil
}

// LookupUser implements bot.UserLooker.
func (a *Adapter) LookupUser(ctx context.Context, in bot.Address, id string) (bot.User, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	u, ok := a.users[id]
	if !ok {
		return bot.User{}, fmt.Errorf("bottest: no user %q", id)
	}
	return u, nil
}

// PostFile implements bot.FileUploader.
func (a *Adapter) PostFile(ctx context.Context, to bot.Address, f bot.File) (bot.MessageRef, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.files = append(a.files, f)
	text := "📎 " + f.Name
	if f.Comment != "" {
		text = f.Comment + "\n" + text
	}
	c := render.Text(text)
	return a.add(&Posted{Content: c, Versions: []render.Node{c}, Closed: true}, to), nil
}

// SetStatus implements bot.StatusSetter.
func (a *Adapter) SetStatus(ctx context.Context, in bot.Address, status string) error {
	a.mu.Lock()
	a.statuses = append(a.statuses, Status{In: in, Text: status})
	a.mu.Unlock()
	return nil
}

// PostEphemeral implements bot.EphemeralPoster.
func (a *Adapter) PostEphemeral(ctx context.Context, to bot.Address, userID string, m bot.Outgoing) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.add(&Posted{Content: m.Content, Versions: []render.Node{m.Content}, IDs: m.IDs, Ephemeral: true, To: userID, Closed: true}, to)
	return nil
}

// React implements bot.Reactor.
func (a *Adapter) React(ctx context.Context, ref bot.MessageRef, emoji string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !slices.ContainsFunc(a.history[ref.Address.String()], func(m bot.Message) bool { return m.ID == ref.ID }) {
		return fmt.Errorf("bottest: reaction on unknown message %q", ref.ID)
	}
	a.reacts = append(a.reacts, Reaction{Ref: ref, Emoji: emoji})
	return nil
}

// StartStream implements bot.Streamer.
func (a *Adapter) StartStream(ctx context.Context, to bot.Address) (bot.TextStream, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.fail(); err != nil {
		return nil, err
	}
	p := &Posted{Content: render.Markdown(""), Streamed: true}
	a.add(p, to)
	return &stream{a: a, p: p}, nil
}

type stream struct {
	a    *Adapter
	p    *Posted
	text strings.Builder
}

func (s *stream) Append(ctx context.Context, delta string) error {
	s.a.mu.Lock()
	defer s.a.mu.Unlock()
	if err := s.a.fail(); err != nil {
		return err
	}
	if s.p.Closed {
		return errors.New("bottest: append to a closed stream")
	}
	s.text.WriteString(delta)
	s.p.Content = render.Markdown(s.text.String())
	s.p.Versions = append(s.p.Versions, s.p.Content)
	s.a.setHistoryText(s.p.Ref, s.text.String())
	s.a.notify()
	return nil
}

func (s *stream) Close(ctx context.Context) (bot.MessageRef, error) {
	s.a.mu.Lock()
	defer s.a.mu.Unlock()
	s.p.Closed = true
	s.a.notify()
	return s.p.Ref, nil
}

// Posts returns every message the bot posted, ephemeral ones included, in
// order.
func (a *Adapter) Posts() []Posted {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]Posted, len(a.posts))
	for i, p := range a.posts {
		out[i] = *p
		out[i].Versions = slices.Clone(p.Versions)
	}
	return out
}

// Texts returns the plain text of every public message the bot posted, in
// order.
func (a *Adapter) Texts() []string {
	var out []string
	for _, p := range a.Posts() {
		if !p.Ephemeral {
			out = append(out, p.Text())
		}
	}
	return out
}

// LastText returns the plain text of the bot's latest public message, or
// "" if it posted none.
func (a *Adapter) LastText() string {
	texts := a.Texts()
	if len(texts) == 0 {
		return ""
	}
	return texts[len(texts)-1]
}

// Statuses returns every status the bot set, in order.
func (a *Adapter) Statuses() []Status {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.statuses)
}

// Reactions returns every reaction the bot added, in order.
func (a *Adapter) Reactions() []Reaction {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.reacts)
}

// Files returns every file the bot uploaded, in order.
func (a *Adapter) Files() []bot.File {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.files)
}

// WaitFor blocks until cond, called with the posts so far each time they
// change, returns true, or until ctx ends.
func (a *Adapter) WaitFor(ctx context.Context, cond func([]Posted) bool) error {
	for {
		a.mu.Lock()
		ch := a.changed
		a.mu.Unlock()
		if cond(a.Posts()) {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
