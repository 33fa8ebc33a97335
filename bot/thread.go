package bot

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/parleybot/parley/render"
	"github.com/parleybot/parley/render/plaintext"
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
	// run is the journal of the agent run this thread belongs to, and j
	// that of the tool call it was handed to; both nil outside a tool
	// handler, where Thread operations are not journaled.
	run, j *journal
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
	return step(ctx, t.j, "post", stepKey(content), func() (MessageRef, error) {
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

// stepKey names a posted content in the journal: enough of its text to
// tell a replay that posts something else.
func stepKey(content render.Node) string {
	if content == nil {
		return ""
	}
	return render.Truncate(render.FallbackText(content), 60)
}

// transcriptText is how the bot remembers a message it posted: markdown as
// written, so the model sees its own formatting again; anything else as
// plain text.
func transcriptText(content render.Node) string {
	if m, ok := content.(render.MarkdownNode); ok {
		return m.Text
	}
	return plaintext.Render(content)
}

// Update replaces the content of a message the bot posted.
func (t *Thread) Update(ctx context.Context, ref MessageRef, content render.Node) error {
	_, err := step(ctx, t.j, "update", ref.ID+" "+stepKey(content), func() (struct{}, error) {
		out, err := t.bot.outgoing(ctx, t.addr, content)
		if err != nil {
			return struct{}{}, err
		}
		return struct{}{}, t.adapter.Update(ctx, ref, out)
	})
	return err
}

// Messages returns up to limit of the conversation's most recent messages,
// oldest first; limit ≤ 0 means the bot's HistoryLimit.
func (t *Thread) Messages(ctx context.Context, limit int) ([]Message, error) {
	h, ok := t.adapter.(HistoryReader)
	if !ok || !t.Capabilities().Has(CapHistory) {
		return nil, t.unsupported(CapHistory)
	}
	if limit <= 0 {
		limit = t.bot.cfg.HistoryLimit
	}
	return step(ctx, t.j, "messages", strconv.Itoa(limit), func() ([]Message, error) {
		return h.Messages(ctx, t.addr, limit)
	})
}

// LookupUser returns the user with the given id.
func (t *Thread) LookupUser(ctx context.Context, userID string) (User, error) {
	l, ok := t.adapter.(UserLooker)
	if !ok || !t.Capabilities().Has(CapUserLookup) {
		return User{}, t.unsupported(CapUserLookup)
	}
	return step(ctx, t.j, "lookup", userID, func() (User, error) {
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
	return step(ctx, t.j, "file", f.Name, func() (MessageRef, error) {
		return u.PostFile(ctx, t.addr, f)
	})
}

// SetStatus shows a transient status ("is looking up the weather…") or a
// typing indicator; an empty status clears it.
func (t *Thread) SetStatus(ctx context.Context, status string) error {
	s, ok := t.adapter.(StatusSetter)
	if !ok || !t.Capabilities().Has(CapStatus) {
		return t.unsupported(CapStatus)
	}
	_, err := step(ctx, t.j, "status", status, func() (struct{}, error) {
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
	_, err := step(ctx, t.j, "react", ref.ID+" "+emoji, func() (struct{}, error) {
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
	_, err := step(ctx, t.j, "ephemeral", userID+" "+stepKey(content), func() (struct{}, error) {
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
	if err := t.PostEphemeral(ctx, u.ID, render.Text(text)); err == nil {
		return
	} else if !errors.Is(err, ErrUnsupported) {
		t.bot.log.Warn("bot: ephemeral notice failed; replying in the thread", "thread", t.addr.String(), "err", err)
	}
	name := u.Name
	if name == "" {
		name = u.ID
	}
	if name != "" {
		text = name + ": " + text
	}
	t.notice(ctx, text)
}

// notice posts a message from the bot itself (a failure, a stop), even
// when ctx has ended, and marks the thread as told.
func (t *Thread) notice(ctx context.Context, text string) {
	t.reported.Store(true)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), noticeTimeout)
	defer cancel()
	if _, err := t.Post(ctx, render.Text(text)); err != nil {
		t.bot.log.Error("bot: could not post a notice", "thread", t.addr.String(), "notice", text, "err", err)
	}
}

// recordSelf keeps the bot's own message in the transcript when the
// platform has no history to read back.
func (t *Thread) recordSelf(id, text string) {
	if text == "" || t.Capabilities().Has(CapHistory) {
		return
	}
	t.bot.record(Message{ID: id, Address: t.addr, Text: text, Time: time.Now(), FromSelf: true})
}
