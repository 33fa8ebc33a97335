package bottest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/render"
)

// Adapter is one bot's connection to a [Chat]. It implements bot.Adapter
// and every optional capability; [Chat.SetCapabilities] narrows what it
// reports. Its Chat's methods — what was posted, set, uploaded — are
// available on it.
type Adapter struct {
	*Chat

	mu   sync.Mutex
	in   bot.Inbox
	dead bool // the process the adapter belongs to "died": it reaches nothing
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

// NewAdapter returns an adapter connected to a new, empty [Chat].
func NewAdapter() *Adapter { return NewChat().Adapter() }

// errDead is what a "dead" adapter answers.
var errDead = errors.New("bottest: the adapter's process is dead")

// kill makes the adapter reach nothing from now on, as if its process
// died: posts fail, and nothing it was given is delivered.
func (a *Adapter) kill() {
	a.mu.Lock()
	a.dead, a.in = true, nil
	a.mu.Unlock()
}

func (a *Adapter) isDead() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.dead
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
	if a.dead {
		return errDead
	}
	a.in = in
	go func() {
		<-ctx.Done()
		a.mu.Lock()
		if a.in == in {
			a.in = nil
		}
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

func (a *Adapter) inbox() (bot.Inbox, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.in == nil {
		return nil, errNotReceiving
	}
	return a.in, nil
}

// Send delivers a message from u addressed to the bot, in [DefaultThread],
// and returns it with the bot's answer: nil when it accepted the message.
func (a *Adapter) Send(u bot.User, text string) (bot.Message, error) {
	return a.Deliver(bot.Message{Address: DefaultThread, User: u, Text: text, Mention: true})
}

// Deliver delivers m to the bot as a platform event would, filling in its
// id, event id, time and platform when empty, and adds it to the thread's
// history. It returns the message as delivered and the bot's answer (an
// error matching bot.ErrDuplicate for an event delivered before,
// bot.ErrStopping while the bot stops).
func (a *Adapter) Deliver(m bot.Message) (bot.Message, error) {
	a.Chat.mu.Lock()
	if m.ID == "" {
		m.ID = a.nextID("m")
	}
	if m.EventID == "" {
		m.EventID = "Ev" + m.ID
	}
	if m.Time.IsZero() {
		m.Time = time.Now()
	}
	if m.Address.Platform == "" {
		m.Address.Platform = Platform
	}
	key := m.Address.String()
	if !slices.ContainsFunc(a.history[key], func(h bot.Message) bool { return h.ID == m.ID }) {
		a.history[key] = append(a.history[key], m)
	}
	a.Chat.mu.Unlock()
	in, err := a.inbox()
	if err != nil {
		return m, err
	}
	return m, in.Message(context.Background(), m)
}

// Click clicks, as u, the action button or select option labelled label in
// the message ref, and returns the bot's answer to the click.
func (a *Adapter) Click(ref bot.MessageRef, label string, u bot.User) error {
	p, ok := a.Lookup(ref)
	if !ok {
		return fmt.Errorf("bottest: no message %q", ref.ID)
	}
	id := p.ID(label)
	if id == "" {
		return fmt.Errorf("bottest: message %q has no action button or option %q", ref.ID, label)
	}
	return a.ClickID(ref, id, u)
}

// ClickID delivers a click, as u, carrying the raw action id: what a forged
// or stale button would send. Each click is a new event; see
// [Adapter.Redeliver] for a platform's redelivery of one. Where the
// platform has ephemeral messages, the click comes with a reply that
// answers it privately (see bot.ActionReply).
func (a *Adapter) ClickID(ref bot.MessageRef, id string, u bot.User) error {
	a.Chat.mu.Lock()
	ev := a.nextID("Ac")
	a.Chat.mu.Unlock()
	return a.Redeliver(ref, id, u, ev)
}

// Redeliver delivers a click with the given event id, as a platform does
// when it did not hear the bot acknowledge it.
func (a *Adapter) Redeliver(ref bot.MessageRef, id string, u bot.User, eventID string) error {
	in, err := a.inbox()
	if err != nil {
		return err
	}
	act := bot.Action{ID: id, EventID: eventID, User: u, Message: ref}
	if a.Capabilities(ref.Address).Has(bot.CapEphemeral) {
		// A platform that shows messages to one person answers clicks
		// privately too.
		act.Reply = &reply{a: a, ref: ref, user: u.ID}
	}
	return in.Action(context.Background(), act)
}

// reply answers one click, as an interaction's response does.
type reply struct {
	a    *Adapter
	ref  bot.MessageRef
	user string
}

func (r *reply) Ephemeral(ctx context.Context, m bot.Outgoing) error {
	if r.a.isDead() {
		return errDead
	}
	r.a.Chat.mu.Lock()
	defer r.a.Chat.mu.Unlock()
	r.a.add(&Posted{Content: m.Content, Versions: []render.Node{m.Content}, IDs: m.IDs, Ephemeral: true, To: r.user, Reply: true, Closed: true}, r.ref.Address)
	return nil
}

func (r *reply) Update(ctx context.Context, m bot.Outgoing) error {
	if r.a.isDead() {
		return errDead
	}
	r.a.Chat.mu.Lock()
	defer r.a.Chat.mu.Unlock()
	return r.a.update(r.ref, m)
}

// Post implements bot.Adapter.
func (a *Adapter) Post(ctx context.Context, to bot.Address, m bot.Outgoing) (bot.MessageRef, error) {
	if a.isDead() {
		return bot.MessageRef{}, errDead
	}
	a.Chat.mu.Lock()
	defer a.Chat.mu.Unlock()
	if err := a.fail(); err != nil {
		return bot.MessageRef{}, err
	}
	return a.add(&Posted{Content: m.Content, Versions: []render.Node{m.Content}, IDs: m.IDs, Closed: true}, to), nil
}

// Update implements bot.Adapter.
func (a *Adapter) Update(ctx context.Context, ref bot.MessageRef, m bot.Outgoing) error {
	if a.isDead() {
		return errDead
	}
	a.Chat.mu.Lock()
	defer a.Chat.mu.Unlock()
	return a.update(ref, m)
}

// Capabilities implements bot.CapabilityReporter.
func (a *Adapter) Capabilities(bot.Address) bot.Capabilities {
	a.Chat.mu.Lock()
	defer a.Chat.mu.Unlock()
	return a.caps
}

// Messages implements bot.HistoryReader.
func (a *Adapter) Messages(ctx context.Context, in bot.Address, limit int) ([]bot.Message, error) {
	if a.isDead() {
		return nil, errDead
	}
	a.Chat.mu.Lock()
	defer a.Chat.mu.Unlock()
	h := a.history[in.String()]
	if limit > 0 && len(h) > limit {
		h = h[len(h)-limit:]
	}
	return slices.Clone(h), nil
}

// LookupUser implements bot.UserLooker.
func (a *Adapter) LookupUser(ctx context.Context, in bot.Address, id string) (bot.User, error) {
	if a.isDead() {
		return bot.User{}, errDead
	}
	a.Chat.mu.Lock()
	defer a.Chat.mu.Unlock()
	u, ok := a.users[id]
	if !ok {
		return bot.User{}, fmt.Errorf("bottest: no user %q", id)
	}
	return u, nil
}

// PostFile implements bot.FileUploader.
func (a *Adapter) PostFile(ctx context.Context, to bot.Address, f bot.File) (bot.MessageRef, error) {
	if a.isDead() {
		return bot.MessageRef{}, errDead
	}
	a.Chat.mu.Lock()
	defer a.Chat.mu.Unlock()
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
	if a.isDead() {
		return errDead
	}
	a.Chat.mu.Lock()
	a.statuses = append(a.statuses, Status{In: in, Text: status})
	a.Chat.mu.Unlock()
	return nil
}

// PostEphemeral implements bot.EphemeralPoster.
func (a *Adapter) PostEphemeral(ctx context.Context, to bot.Address, userID string, m bot.Outgoing) error {
	if a.isDead() {
		return errDead
	}
	a.Chat.mu.Lock()
	defer a.Chat.mu.Unlock()
	a.add(&Posted{Content: m.Content, Versions: []render.Node{m.Content}, IDs: m.IDs, Ephemeral: true, To: userID, Closed: true}, to)
	return nil
}

// React implements bot.Reactor.
func (a *Adapter) React(ctx context.Context, ref bot.MessageRef, emoji string) error {
	if a.isDead() {
		return errDead
	}
	a.Chat.mu.Lock()
	defer a.Chat.mu.Unlock()
	if !slices.ContainsFunc(a.history[ref.Address.String()], func(m bot.Message) bool { return m.ID == ref.ID }) {
		return fmt.Errorf("bottest: reaction on unknown message %q", ref.ID)
	}
	a.reacts = append(a.reacts, Reaction{Ref: ref, Emoji: emoji})
	return nil
}

// StartStream implements bot.Streamer.
func (a *Adapter) StartStream(ctx context.Context, to bot.Address, opts bot.StreamOptions) (bot.TextStream, error) {
	if a.isDead() {
		return nil, errDead
	}
	a.Chat.mu.Lock()
	defer a.Chat.mu.Unlock()
	if err := a.fail(); err != nil {
		return nil, err
	}
	p := &Posted{Content: render.Markdown(""), Streamed: true, To: opts.Recipient.ID}
	a.add(p, to)
	return &stream{a: a, p: p}, nil
}

type stream struct {
	a    *Adapter
	p    *Posted
	text strings.Builder
}

func (s *stream) Append(ctx context.Context, delta string) error {
	s.a.Chat.mu.Lock()
	defer s.a.Chat.mu.Unlock()
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
	s.a.Chat.mu.Lock()
	defer s.a.Chat.mu.Unlock()
	s.p.Closed = true
	s.a.notify()
	return s.p.Ref, nil
}
