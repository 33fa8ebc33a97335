package adaptertest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
)

// watched is the adapter under test as the suite hands it to the bot: every
// call passes through unchanged, and what the adapter delivers to the Inbox
// — and what the Inbox answered — is recorded. It is how the suite knows
// an event reached the bot without asking the platform to be synchronous
// (a gateway socket is not), and how it checks the events' normalization.
//
// It implements every optional interface but reports exactly the
// capabilities of the adapter it wraps, computed as the bot computes
// them, so a Thread over it behaves as a Thread over the adapter itself.
type watched struct {
	bot.Adapter
	rec recorder

	mu    sync.Mutex
	recv  context.Context // Start's ctx: it ends when the bot stops receiving
	posts []bot.Address   // where the bot posted, streamed or whispered
}

var (
	_ bot.HistoryReader      = (*watched)(nil)
	_ bot.UserLooker         = (*watched)(nil)
	_ bot.FileUploader       = (*watched)(nil)
	_ bot.StatusSetter       = (*watched)(nil)
	_ bot.Streamer           = (*watched)(nil)
	_ bot.EphemeralPoster    = (*watched)(nil)
	_ bot.Reactor            = (*watched)(nil)
	_ bot.CapabilityReporter = (*watched)(nil)
)

func watch(a bot.Adapter) *watched {
	w := &watched{Adapter: a}
	w.rec.changed = make(chan struct{})
	return w
}

// capabilities is what a implements at in, narrowed by what it reports:
// the rule of bot.Capabilities.
func capabilities(a bot.Adapter, in bot.Address) bot.Capabilities {
	var cs bot.Capabilities
	for _, c := range []struct {
		has bool
		cap bot.Capability
	}{
		{is[bot.HistoryReader](a), bot.CapHistory},
		{is[bot.UserLooker](a), bot.CapUserLookup},
		{is[bot.FileUploader](a), bot.CapFiles},
		{is[bot.StatusSetter](a), bot.CapStatus},
		{is[bot.Streamer](a), bot.CapStreaming},
		{is[bot.EphemeralPoster](a), bot.CapEphemeral},
		{is[bot.Reactor](a), bot.CapReactions},
	} {
		if c.has {
			cs = cs.With(c.cap)
		}
	}
	if r, ok := a.(bot.CapabilityReporter); ok {
		cs &= r.Capabilities(in)
	}
	return cs
}

func is[I any](a bot.Adapter) bool {
	_, ok := a.(I)
	return ok
}

func (w *watched) Capabilities(in bot.Address) bot.Capabilities { return capabilities(w.Adapter, in) }

func (w *watched) Start(ctx context.Context, in bot.Inbox) error {
	w.mu.Lock()
	w.recv = ctx
	w.mu.Unlock()
	return w.Adapter.Start(ctx, &watchedInbox{in: in, rec: &w.rec})
}

// receiving returns the context the adapter was started with.
func (w *watched) receiving() context.Context {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.recv
}

func (w *watched) postedTo(to bot.Address) {
	w.mu.Lock()
	w.posts = append(w.posts, to)
	w.mu.Unlock()
}

// postAddresses returns every address the bot posted to.
func (w *watched) postAddresses() []bot.Address {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.posts)
}

func (w *watched) Post(ctx context.Context, to bot.Address, m bot.Outgoing) (bot.MessageRef, error) {
	w.postedTo(to)
	return w.Adapter.Post(ctx, to, m)
}

func (w *watched) unsupported(c bot.Capability) error {
	return &bot.UnsupportedError{Platform: w.Platform(), Capability: c}
}

func (w *watched) Messages(ctx context.Context, in bot.Address, limit int) ([]bot.Message, error) {
	if h, ok := w.Adapter.(bot.HistoryReader); ok {
		return h.Messages(ctx, in, limit)
	}
	return nil, w.unsupported(bot.CapHistory)
}

func (w *watched) LookupUser(ctx context.Context, in bot.Address, id string) (bot.User, error) {
	if l, ok := w.Adapter.(bot.UserLooker); ok {
		return l.LookupUser(ctx, in, id)
	}
	return bot.User{}, w.unsupported(bot.CapUserLookup)
}

func (w *watched) PostFile(ctx context.Context, to bot.Address, f bot.File) (bot.MessageRef, error) {
	if u, ok := w.Adapter.(bot.FileUploader); ok {
		w.postedTo(to)
		return u.PostFile(ctx, to, f)
	}
	return bot.MessageRef{}, w.unsupported(bot.CapFiles)
}

func (w *watched) SetStatus(ctx context.Context, in bot.Address, status string) error {
	if s, ok := w.Adapter.(bot.StatusSetter); ok {
		return s.SetStatus(ctx, in, status)
	}
	return w.unsupported(bot.CapStatus)
}

func (w *watched) StartStream(ctx context.Context, to bot.Address, opts bot.StreamOptions) (bot.TextStream, error) {
	if s, ok := w.Adapter.(bot.Streamer); ok {
		w.postedTo(to)
		return s.StartStream(ctx, to, opts)
	}
	return nil, w.unsupported(bot.CapStreaming)
}

func (w *watched) PostEphemeral(ctx context.Context, to bot.Address, userID string, m bot.Outgoing) error {
	if e, ok := w.Adapter.(bot.EphemeralPoster); ok {
		w.postedTo(to)
		return e.PostEphemeral(ctx, to, userID, m)
	}
	return w.unsupported(bot.CapEphemeral)
}

func (w *watched) React(ctx context.Context, ref bot.MessageRef, emoji string) error {
	if r, ok := w.Adapter.(bot.Reactor); ok {
		return r.React(ctx, ref, emoji)
	}
	return w.unsupported(bot.CapReactions)
}

// event is one call of the adapter on the Inbox, and the Inbox's answer.
type event struct {
	kind    string // "message", "action", "edited" or "deleted"
	message bot.Message
	action  bot.Action
	err     error
}

func (ev event) String() string {
	switch ev.kind {
	case "action":
		return fmt.Sprintf("action on %s by %s (event %q): %v", ev.action.Message.ID, ev.action.User.ID, ev.action.EventID, ev.err)
	default:
		return fmt.Sprintf("%s %q from %s at %s (event %q): %v", ev.kind, ev.message.Text, ev.message.User.ID, ev.message.Address, ev.message.EventID, ev.err)
	}
}

// recorder keeps the events an adapter delivered, in order.
type recorder struct {
	mu      sync.Mutex
	events  []event
	changed chan struct{}
}

func (r *recorder) add(ev event) {
	r.mu.Lock()
	r.events = append(r.events, ev)
	close(r.changed)
	r.changed = make(chan struct{})
	r.mu.Unlock()
}

// len returns how many events were recorded.
func (r *recorder) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

func (r *recorder) all() []event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

// wait returns the first event from index from on that matches, waiting
// for it until ctx ends.
func (r *recorder) wait(ctx context.Context, from int, match func(event) bool) (event, error) {
	for {
		r.mu.Lock()
		for _, ev := range r.events[min(from, len(r.events)):] {
			if match(ev) {
				r.mu.Unlock()
				return ev, nil
			}
		}
		ch := r.changed
		r.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return event{}, ctx.Err()
		}
	}
}

// describe lists the events from index from on, for a failure message.
func (r *recorder) describe(from int) string {
	evs := r.all()
	if from >= len(evs) {
		return "nothing"
	}
	var b strings.Builder
	for _, ev := range evs[from:] {
		b.WriteString("\n\t")
		b.WriteString(ev.String())
	}
	return b.String()
}

// watchedInbox records what passes through it.
type watchedInbox struct {
	in  bot.Inbox
	rec *recorder
}

func (w *watchedInbox) Message(ctx context.Context, m bot.Message) error {
	err := w.in.Message(ctx, m)
	w.rec.add(event{kind: "message", message: m, err: err})
	return err
}

func (w *watchedInbox) Action(ctx context.Context, a bot.Action) error {
	err := w.in.Action(ctx, a)
	w.rec.add(event{kind: "action", action: a, err: err})
	return err
}

func (w *watchedInbox) Edited(ctx context.Context, m bot.Message) error {
	err := w.in.Edited(ctx, m)
	w.rec.add(event{kind: "edited", message: m, err: err})
	return err
}

func (w *watchedInbox) Deleted(ctx context.Context, ref bot.MessageRef) error {
	err := w.in.Deleted(ctx, ref)
	w.rec.add(event{kind: "deleted", message: bot.Message{ID: ref.ID, Address: ref.Address}, err: err})
	return err
}

// model is the scripted model, telling the suite when it is called.
type model struct {
	*bottest.Model
	called chan struct{}
}

func (m *model) Generate(ctx context.Context, req *bot.ModelRequest, onText func(string)) (*bot.ModelResponse, error) {
	select {
	case m.called <- struct{}{}:
	default:
	}
	return m.Model.Generate(ctx, req, onText)
}
