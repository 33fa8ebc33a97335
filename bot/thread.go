package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/parleybot/parley/render"
)

// Thread is a conversation: a thread on Slack, a channel or thread on
// Discord, the session of a terminal. It has every method a tool may call;
// a method whose capability the platform lacks returns an error matching
// [ErrUnsupported] (ask [Thread.Capabilities] in advance).
//
// A Thread is handed to message and action handlers and, through
// [ToolContext], to tools. It is safe for concurrent use.
type Thread struct {
	bot     *Bot
	adapter Adapter
	addr    Address
	trigger Message
	skipped []Message
	// reported is set once the thread has been told of a failure, so the
	// handler's error is not announced twice.
	reported atomic.Bool
	// run is the run the thread was handed to, and scope the part of the
	// run's journal its operations go to; both nil outside a run, where
	// Thread operations are not journaled.
	run   *run
	scope *scope
}

// Address returns where the conversation is.
func (t *Thread) Address() Address { return t.addr }

// Platform names the conversation's platform.
func (t *Thread) Platform() string { return t.addr.Platform }

// Skipped returns the messages that arrived while the bot was busy in this
// thread and were superseded by the one being handled (see [BusyQueue]),
// oldest first.
func (t *Thread) Skipped() []Message { return t.skipped }

// Capabilities returns what the platform can do in this conversation beyond
// posting and editing.
func (t *Thread) Capabilities() Capabilities { return capabilitiesOf(t.adapter, t.addr) }

func (t *Thread) unsupported(c Capability) error {
	return &UnsupportedError{Platform: t.addr.Platform, Capability: c}
}

// Post sends content (text, markdown or a card) into the conversation.
// Action buttons in it must be bound to a handler (see [Bot.OnAction]).
func (t *Thread) Post(ctx context.Context, content render.Node) (MessageRef, error) {
	return step(ctx, t.scope, StepPost, stepKey(content), contentWhole(content), func() (MessageRef, error) {
		out, err := t.bot.outgoing(ctx, t.addr, content)
		if err != nil {
			return MessageRef{}, err
		}
		ref, err := t.adapter.Post(ctx, t.addr, out)
		if err != nil {
			return MessageRef{}, err
		}
		t.recordSelf(ref.ID, transcriptText(content))
		return ref, nil
	})
}

// stepKey names a content in the journal, readably: the start of its text.
// The journal tells contents apart by the whole of them (see sum).
func stepKey(content render.Node) string {
	if content == nil {
		return ""
	}
	return render.Truncate(render.FallbackText(content), 60)
}

// contentWhole is what a content is compared by on replay: every node's
// type, and the tree's data — with what JSON does not show of it, a
// card's accent colour.
func contentWhole(content render.Node) any {
	if content == nil {
		return nil
	}
	var w wholeContent
	w.content = content
	render.Walk(content, func(n render.Node) {
		desc := fmt.Sprintf("%T", n)
		if c, ok := n.(render.Card); ok && !c.Accent.IsZero() {
			if w.unaccented == nil {
				w.unaccented = slices.Clone(w.types)
			}
			w.unaccented = append(w.unaccented, desc)
			desc += " " + c.Accent.String()
		} else if w.unaccented != nil {
			w.unaccented = append(w.unaccented, desc)
		}
		w.types = append(w.types, desc)
	})
	return w
}

// wholeContent is a content as a step's sum hashes it: its nodes' types
// and its data. unaccented is the types without accent colours, as sums
// of releases before [sumVersion] hashed them; nil when the content has
// no accent.
type wholeContent struct {
	types, unaccented []string
	content           render.Node
}

// MarshalJSON hashes the content as the pair of its types and its data.
func (w wholeContent) MarshalJSON() ([]byte, error) {
	return json.Marshal([]any{w.types, w.content})
}

// unversioned returns whole as a release before [sumVersion] hashed it:
// its contents without their accent colours.
func unversioned(whole any) any {
	switch w := whole.(type) {
	case wholeContent:
		if w.unaccented != nil {
			w.types = w.unaccented
		}
		return w
	case []any:
		out := make([]any, len(w))
		for i, v := range w {
			out[i] = unversioned(v)
		}
		return out
	}
	return whole
}

// Update replaces the content of a message the bot posted.
func (t *Thread) Update(ctx context.Context, ref MessageRef, content render.Node) error {
	_, err := step(ctx, t.scope, StepUpdate, ref.ID+" "+stepKey(content), []any{ref, contentWhole(content)}, func() (struct{}, error) {
		out, err := t.bot.outgoing(ctx, t.addr, content)
		if err != nil {
			return struct{}{}, err
		}
		if err := t.adapter.Update(ctx, ref, out); err != nil {
			return struct{}{}, err
		}
		t.recordSelf(ref.ID, transcriptText(content))
		return struct{}{}, nil
	})
	return err
}

// Messages returns up to limit of the conversation's most recent messages,
// oldest first; limit ≤ 0 means the bot's HistoryLimit. They come from the
// bot's own transcript of the thread; where it knows nothing but the
// messages being handled — the bot was just called into a conversation —
// from the platform's history, if the platform has one (CapHistory).
func (t *Thread) Messages(ctx context.Context, limit int) ([]Message, error) {
	if limit <= 0 {
		limit = t.bot.cfg.HistoryLimit
	}
	return step(ctx, t.scope, StepMessages, strconv.Itoa(limit), nil, func() ([]Message, error) {
		return t.history(ctx, limit)
	})
}

// history reads the thread's transcript, with what the run posted and
// has not written yet, falling back to the platform's history for a
// thread the bot knows nothing of.
func (t *Thread) history(ctx context.Context, limit int) ([]Message, error) {
	hist, err := t.transcript(ctx, limit)
	if err != nil {
		return nil, err
	}
	known := 0
	for _, m := range hist {
		if m.ID != t.trigger.ID && !slices.ContainsFunc(t.skipped, func(s Message) bool { return s.ID == m.ID }) {
			known++
		}
	}
	// A trigger that is its thread's root has nothing before it: the
	// platform is asked only for threads the bot joins midway.
	opened := t.trigger.Opens || (t.trigger.ID != "" && t.trigger.ID == t.addr.Thread)
	if h, ok := t.adapter.(HistoryReader); ok && known == 0 && !opened && t.Capabilities().Has(CapHistory) {
		ph, err := h.Messages(ctx, t.addr, limit)
		if err != nil {
			t.bot.log.Warn("bot: reading the platform's history failed; using the transcript", "thread", t.addr.String(), "err", err)
			return hist, nil
		}
		return ph, nil
	}
	return hist, nil
}

// transcript returns the bot's own record of the thread: the Store's
// transcript with what the run has not flushed yet.
func (t *Thread) transcript(ctx context.Context, limit int) ([]Message, error) {
	key := t.addr.String()
	hist, err := t.bot.store.Transcript(ctx, key, limit)
	if err != nil {
		return nil, fmt.Errorf("bot: reading the thread's transcript: %w", err)
	}
	if t.run != nil {
		for _, m := range t.run.pending(key) {
			if i := slices.IndexFunc(hist, func(h Message) bool { return h.ID == m.ID }); i >= 0 {
				hist[i] = m
			} else {
				hist = append(hist, m)
			}
		}
		if len(hist) > limit {
			hist = hist[len(hist)-limit:]
		}
	}
	return hist, nil
}

// botPosted reports whether the bot has posted in the thread lately: it
// takes part in the conversation. It reads the bot's transcript only: a
// platform's history API, rate-limited as Slack's is, must not be called
// for every message written in a thread the bot is not in.
func (t *Thread) botPosted(ctx context.Context) bool {
	hist, err := t.transcript(ctx, t.bot.cfg.HistoryLimit)
	if err != nil {
		t.bot.log.Warn("bot: reading the thread's transcript failed", "thread", t.addr.String(), "err", err)
		return false
	}
	return slices.ContainsFunc(hist, func(m Message) bool { return m.FromSelf })
}

// LookupUser returns the user with the given id.
func (t *Thread) LookupUser(ctx context.Context, userID string) (User, error) {
	l, ok := t.adapter.(UserLooker)
	if !ok || !t.Capabilities().Has(CapUserLookup) {
		return User{}, t.unsupported(CapUserLookup)
	}
	return step(ctx, t.scope, StepLookup, userID, nil, func() (User, error) {
		return l.LookupUser(ctx, t.addr, userID)
	})
}

// PostFile uploads f into the conversation.
func (t *Thread) PostFile(ctx context.Context, f File) (MessageRef, error) {
	u, ok := t.adapter.(FileUploader)
	if !ok || !t.Capabilities().Has(CapFiles) {
		return MessageRef{}, t.unsupported(CapFiles)
	}
	if f.Name == "" {
		return MessageRef{}, errors.New("bot: PostFile: the file has no Name")
	}
	return step(ctx, t.scope, StepFile, f.Name, f, func() (MessageRef, error) {
		ref, err := u.PostFile(ctx, t.addr, f)
		if err == nil {
			text := "📎 " + f.Name
			if f.Comment != "" {
				text = f.Comment + "\n" + text
			}
			t.recordSelf(ref.ID, text)
		}
		return ref, err
	})
}

// SetStatus shows a transient status ("is looking up the weather…") or a
// typing indicator; an empty status clears it.
func (t *Thread) SetStatus(ctx context.Context, status string) error {
	s, ok := t.adapter.(StatusSetter)
	if !ok || !t.Capabilities().Has(CapStatus) {
		return t.unsupported(CapStatus)
	}
	_, err := step(ctx, t.scope, StepStatus, status, nil, func() (struct{}, error) {
		return struct{}{}, s.SetStatus(ctx, t.addr, status)
	})
	return err
}

// React adds an emoji reaction, by name without colons ("eyes"), to ref.
func (t *Thread) React(ctx context.Context, ref MessageRef, emoji string) error {
	r, ok := t.adapter.(Reactor)
	if !ok || !t.Capabilities().Has(CapReactions) {
		return t.unsupported(CapReactions)
	}
	_, err := step(ctx, t.scope, StepReact, ref.ID+" "+emoji, ref, func() (struct{}, error) {
		return struct{}{}, r.React(ctx, ref, emoji)
	})
	return err
}

// PostEphemeral shows content to one user only.
func (t *Thread) PostEphemeral(ctx context.Context, userID string, content render.Node) error {
	e, ok := t.adapter.(EphemeralPoster)
	if !ok || !t.Capabilities().Has(CapEphemeral) {
		return t.unsupported(CapEphemeral)
	}
	_, err := step(ctx, t.scope, StepEphemeral, userID+" "+stepKey(content), contentWhole(content), func() (struct{}, error) {
		out, err := t.bot.outgoing(ctx, t.addr, content)
		if err != nil {
			return struct{}{}, err
		}
		return struct{}{}, e.PostEphemeral(ctx, t.addr, userID, out)
	})
	return err
}

// notify tells one user something privately where the platform can, and
// in the thread otherwise.
func (t *Thread) notify(ctx context.Context, u User, text string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), noticeTimeout)
	defer cancel()
	if e, ok := t.adapter.(EphemeralPoster); ok && t.Capabilities().Has(CapEphemeral) {
		err := e.PostEphemeral(ctx, t.addr, u.ID, Outgoing{Content: render.Text(text)})
		if err == nil {
			return
		}
		t.bot.log.Warn("bot: ephemeral notice failed; replying in the thread", "thread", t.addr.String(), "err", err)
	}
	if name := display(u); name != "" {
		text = name + ": " + text
	}
	t.notice(ctx, text)
}

// notice posts a message from the bot itself (a failure, a stop), even
// when ctx has ended, and marks the thread as told. It is not journaled: a
// notice is about the run, not a step of it.
func (t *Thread) notice(ctx context.Context, text string) {
	t.reported.Store(true)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), noticeTimeout)
	defer cancel()
	ref, err := t.adapter.Post(ctx, t.addr, Outgoing{Content: render.Text(text)})
	if err != nil {
		t.bot.log.Error("bot: could not post a notice", "thread", t.addr.String(), "notice", text, "err", err)
		return
	}
	t.recordSelf(ref.ID, text)
}

// recordSelf keeps the bot's own message in the thread's transcript: with
// the run's work when in a run, at once otherwise.
func (t *Thread) recordSelf(id, text string) {
	if text == "" {
		return
	}
	m := Message{ID: id, Address: t.addr, Text: text, Time: time.Now(), FromSelf: true}
	if t.run != nil {
		t.run.record(m)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), noticeTimeout)
	defer cancel()
	if err := t.bot.store.Record(ctx, t.addr.String(), []Message{m}, t.bot.cfg.HistoryLimit); err != nil {
		t.bot.log.Warn("bot: recording the bot's message in the transcript failed", "thread", t.addr.String(), "err", err)
	}
}
