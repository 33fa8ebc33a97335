package bot

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parleybot/parley/render"
	"github.com/parleybot/parley/render/plaintext"
)

// Choice is the answer to [AwaitChoice]: the chosen option's value and who
// chose it, or TimedOut when nobody did in time.
type Choice[T any] struct {
	Value     T
	User      User
	TimedOut  bool
	DecidedAt time.Time
}

// ChoiceOption configures [AwaitChoice].
type ChoiceOption func(*choiceConfig)

type choiceConfig struct {
	approvers []string
	timeout   time.Duration
	outcome   func(label string, o Outcome) string
}

// Approvers limits who may decide to the users with the given ids. A click
// by anyone else gets a private notice and the wait goes on. Without
// Approvers, anyone who can see the card decides.
func Approvers(ids ...string) ChoiceOption {
	return func(c *choiceConfig) { c.approvers = append(c.approvers, ids...) }
}

// Timeout ends the wait after d with a Choice whose TimedOut is set. A
// click that comes later does not decide, even on a card still open (its
// run parked, the sweep not yet by): the choice has expired. Without
// Timeout the choice waits until someone decides or ctx ends.
func Timeout(d time.Duration) ChoiceOption {
	return func(c *choiceConfig) { c.timeout = d }
}

// OutcomeLine sets the line that replaces the card's options once the
// choice has ended. f gets the chosen option's label (empty unless
// decided) and the outcome. The default reads "✅ Approve — chosen by
// @ana", "⏱ Expired" or "✖ Cancelled".
func OutcomeLine(f func(label string, o Outcome) string) ChoiceOption {
	return func(c *choiceConfig) { c.outcome = f }
}

// DefaultOutcomeLine is the outcome line [AwaitChoice] writes without
// [OutcomeLine].
func DefaultOutcomeLine(label string, o Outcome) string {
	switch o.State {
	case ChoiceDecided:
		return "✅ " + label + " — chosen by @" + display(o.User)
	case ChoiceExpired:
		return "⏱ Expired"
	default:
		return "✖ Cancelled"
	}
}

func display(u User) string {
	if u.Name != "" {
		return u.Name
	}
	return u.ID
}

// AwaitChoice posts card to the thread and waits until a person picks one
// of its options — a button, or an option of a select or radio select — and
// returns the picked option's value as a T. It is how a tool asks a
// person before it acts:
//
//	choice, err := bot.AwaitChoice[bool](ctx, tc.Thread, render.Card{
//		Title:   "Deploy web-42 to production?",
//		Actions: render.Actions(render.Button("Deploy", true).Primary(), render.Button("Cancel", false)),
//	}, bot.Approvers(tc.User.ID), bot.Timeout(time.Hour))
//
// Every option's value must fit T: one that does not is an error returned
// before anything is posted. The choice and its options are recorded in
// the Store before the card is posted; each option goes to the platform as
// an opaque id of 130 random bits, bound to this choice at this thread's
// address only, and its value never leaves the server. The value returned
// is the one the Store recorded for the clicked id.
//
// With [Approvers], only those users decide: anyone else is told privately
// and the wait goes on. Without it, anyone in the conversation decides.
// The first valid click wins, even among concurrent clicks on several
// replicas sharing a Store; later clickers are told who decided.
//
// When the choice ends — decided, timed out or cancelled — the card is
// edited in place: its options are removed and an outcome line added (see
// [OutcomeLine]); a failed edit is retried. A timeout returns a Choice
// with TimedOut set and no error. When ctx ends first, AwaitChoice returns
// ctx's error, except in a run when the bot is stopping: then the choice
// stays pending in the Store.
//
// Inside a run (a tool, a message or action handler), the wait is durable:
// after [Config.ParkAfter], when other work is queued in the thread, or
// when the bot stops, AwaitChoice returns [ErrParked] and the run gives up
// its goroutine; when someone decides, the run resumes by replay — on this
// process, after a restart, or on another replica — and this call returns
// the decision (see the package docs for the replay rule handlers follow).
// A replay that rebuilds the card with other options is a divergence: the
// run stops, saying so, rather than map the click to another option.
// Outside a run (on a Thread from [Bot.Thread], in a goroutine of your
// own), only the calling goroutine can act on the answer, so the wait
// lasts no longer than ctx and the process: [Bot.Stop] cancels the choice,
// closes its card saying the bot stopped, and AwaitChoice returns an error
// matching [ErrStopping] — unless a click won first, which it returns.
// Once Stop has begun, such a call returns that error at once, posting
// nothing. Should the process die instead, the process that takes its
// work over (after [Config.LeaseTTL]) cancels the choice and closes its
// card with a plain sentence; a click that came meanwhile is shown on it
// as too late to be acted on. Such a wait holds a lease of its own, but
// no work: it does not keep [Bot.Idle] waiting nor count under
// [Config.MaxLanes]. A process that cannot keep that lease (the Store out
// of reach for most of LeaseTTL) may see the wait taken over: it acts on
// no click after, AwaitChoice returns an error, and the card is closed by
// whoever takes the wait over.
//
// Options' Action names, if any, are ignored: a click on an option of a
// pending choice only decides it.
func AwaitChoice[T any](ctx context.Context, t *Thread, card render.Card, opts ...ChoiceOption) (Choice[T], error) {
	for _, tg := range targets(card) {
		if err := fits[T](tg.value); err != nil {
			return Choice[T]{}, fmt.Errorf("bot: AwaitChoice: option %q: %w", tg.label, err)
		}
	}
	raw, err := t.AwaitChoice(ctx, card, opts...)
	c := Choice[T]{User: raw.User, TimedOut: raw.TimedOut, DecidedAt: raw.DecidedAt}
	if err != nil || raw.TimedOut {
		return c, err
	}
	if err := decodeStrict(raw.Value, &c.Value); err != nil {
		return c, fmt.Errorf("bot: AwaitChoice: the chosen option's value: %w", err)
	}
	return c, nil
}

// fits checks that v, once sent through JSON, decodes into a T — as the
// decision's value will be, even when v is a T already: a T need not
// survive its own JSON (an enum whose unknown values do not decode).
func fits[T any](v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("value: %w", err)
	}
	var t T
	return decodeStrict(data, &t)
}

// decodeStrict decodes data into v, refusing fields v does not have.
func decodeStrict[T any](data []byte, v *T) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("the value %s does not fit %T: %w", data, *v, err)
	}
	if dec.More() {
		return fmt.Errorf("the value %s does not fit %T: trailing data", data, *v)
	}
	return nil
}

// AwaitChoice is the untyped [AwaitChoice]: the chosen value comes back
// as JSON.
func (t *Thread) AwaitChoice(ctx context.Context, card render.Card, opts ...ChoiceOption) (Choice[json.RawMessage], error) {
	cfg := choiceConfig{outcome: DefaultOutcomeLine}
	for _, o := range opts {
		o(&cfg)
	}
	ts := targets(card)
	if len(ts) == 0 {
		return Choice[json.RawMessage]{}, errors.New("bot: AwaitChoice needs a card with at least one button or select option")
	}
	values := make([]json.RawMessage, len(ts))
	labels := make([]string, len(ts))
	for i, tg := range ts {
		v, err := json.Marshal(tg.value)
		if err != nil {
			return Choice[json.RawMessage]{}, fmt.Errorf("bot: option %q: value: %w", tg.label, err)
		}
		values[i], labels[i] = v, tg.label
	}

	b := t.bot
	if t.run == nil {
		// Outside a run only this goroutine can act on the answer: Stop
		// ends the wait, and none begins once it has.
		if !b.asking.enter() {
			return Choice[json.RawMessage]{}, errChoiceStopped
		}
		defer b.asking.leave()
	}
	id := rand.Text()
	if t.scope != nil {
		id = t.scope.choiceID()
		t.run.mu.Lock()
		t.run.choices = true
		t.run.mu.Unlock()
	}
	// Registered before the choice can be decided, so no decision slips
	// by.
	w := b.waits.register(id, t.run)
	defer b.waits.unwait(id, w)
	var held *lane // the lane of a wait outside a run
	if t.run == nil {
		// Held while this goroutine waits: should the process die, the
		// process that takes the lane over ends the choice plainly.
		l, item, err := b.holdWait(ctx, id, t.addr)
		if err != nil {
			return Choice[json.RawMessage]{}, err
		}
		held = l
		defer l.endWait(item)
	}

	// The card is posted once: a replay finds it in the journal, or — cut
	// before the journal was written — in the Store.
	whole := []any{labels, values, slices.Sorted(slices.Values(cfg.approvers)), contentWhole(card)}
	posted, err := step(ctx, t.scope, StepChoice, card.Title, whole, func() (choicePosted, error) {
		return t.postChoice(ctx, id, card, ts, values, cfg)
	})
	if err != nil {
		return Choice[json.RawMessage]{}, err
	}
	live := false
	stopped := false // cancelled here because the bot stops
	d, err := step(ctx, t.scope, StepDecision, posted.ID, nil, func() (decision, error) {
		live = true
		o, err := t.waitChoice(ctx, posted, w)
		stopped = err == errChoiceStopped && o.State == ChoiceCancelled
		if err != nil && err != errChoiceStopped {
			return decision{}, err
		}
		if t.run != nil && !t.run.lane.held() {
			// Woken past its lease — the process was paused, say — the
			// run may belong to another process now, which closes the
			// card and goes on: this one touches nothing more.
			t.scope.j.park()
			return decision{}, ErrParked
		}
		if held != nil && !held.held() {
			// Another process may have taken the wait over and closed
			// the card as unanswered: whoever takes it closes the card.
			if err := context.Cause(ctx); err != nil {
				return decision{}, err
			}
			return decision{}, errWaitLost
		}
		lines := []string{cfg.outcome(label(ts, o), o)}
		if stopped {
			lines = append(lines, stoppedLine)
		}
		// The card is closed before the decision is journaled, so that
		// the journal tells whether it was.
		return decision{Outcome: o, Closed: t.closeCard(ctx, posted.ID, posted.Ref, card, lines...)}, nil
	})
	if err != nil {
		return Choice[json.RawMessage]{}, err
	}
	if stopped {
		return Choice[json.RawMessage]{}, errChoiceStopped
	}
	o := d.Outcome
	if live {
		// A card the Store knows for the choice that is not the one this
		// code posted — a crash made two — is closed too.
		if c, err := b.store.Choice(context.WithoutCancel(ctx), posted.ID); err == nil && c.Message.ID != "" && c.Message.ID != posted.Ref.ID {
			b.closePlainly(c, c.Message, nil)
		}
	}
	switch {
	case live && t.scope != nil:
		// The decision is taken: in the Store before the code acts on it,
		// so that a crash after never makes a replay take it again.
		if err := t.scope.j.flush(ctx); err != nil {
			return Choice[json.RawMessage]{}, err
		}
	case !live && !d.Closed:
		// Replayed, its card maybe still open: the process that took the
		// decision could not close it, and may have died retrying.
		t.closeCard(ctx, posted.ID, posted.Ref, card, cfg.outcome(label(ts, o), o))
	}
	switch o.State {
	case ChoiceDecided:
		if len(o.Value) == 0 {
			return Choice[json.RawMessage]{}, errors.New("bot: the decision carries no value")
		}
		return Choice[json.RawMessage]{Value: o.Value, User: o.User, DecidedAt: o.At}, nil
	case ChoiceExpired:
		return Choice[json.RawMessage]{TimedOut: true}, nil
	default:
		if err := context.Cause(ctx); err != nil {
			return Choice[json.RawMessage]{}, err
		}
		return Choice[json.RawMessage]{}, errors.New("bot: the choice was cancelled")
	}
}

// decision is how the journal remembers a choice's outcome, and whether
// the card was closed with it.
type decision struct {
	Outcome
	Closed bool `json:",omitempty"`
}

// label is the label of the option o chose, or "".
func label(ts []target, o Outcome) string {
	if o.State == ChoiceDecided && o.Option >= 0 && o.Option < len(ts) {
		return ts[o.Option].label
	}
	return ""
}

// choicePosted is how the journal remembers a choice's card.
type choicePosted struct {
	ID       string
	Ref      MessageRef
	Deadline time.Time `json:",omitzero"`
}

// postChoice records a new choice and its options in the Store, then
// posts its card. A choice of a run found in the Store already — the run
// was cut after recording it, before its journal did — is the same choice
// if its options are the same, and its card is posted again only if the
// Store does not know it went out: then two cards carry the same option
// ids, and a click on either decides.
func (t *Thread) postChoice(ctx context.Context, id string, card render.Card, ts []target, values []json.RawMessage, cfg choiceConfig) (choicePosted, error) {
	b := t.bot
	now := time.Now()
	rec := ChoiceRecord{ID: id, Address: t.addr, Approvers: slices.Clone(cfg.approvers), Text: plaintext.Render(closedCard(card, "")), Created: now}
	if t.run != nil {
		rec.Run, rec.Lane = t.run.id, t.run.start.Lane
	}
	if cfg.timeout > 0 {
		rec.Deadline = now.Add(cfg.timeout)
	}
	ids := make(render.IDs, len(ts))
	for i, tg := range ts {
		ids[tg.el] = rand.Text()
		rec.Options = append(rec.Options, OptionRecord{ID: ids[tg.el], Label: tg.label, Value: values[i]})
	}
	if t.scope != nil {
		// What the run did up to the choice is in the Store before the
		// choice is: a replay after a crash finds the same choice, and
		// posts its card again only if it never went out; and a run with
		// choices always has a journal.
		if err := t.scope.j.flush(ctx); err != nil {
			return choicePosted{}, err
		}
	}
	err := b.store.PutChoice(ctx, rec)
	if errors.Is(err, ErrConflict) && t.scope != nil {
		old, gerr := b.store.Choice(ctx, id)
		if gerr != nil {
			return choicePosted{}, fmt.Errorf("bot: reading the choice: %w", gerr)
		}
		if !sameOptions(old.Options, rec.Options) {
			title := strconv.Quote(card.Title)
			return choicePosted{}, t.scope.diverged(StepChoice, title+" with options "+optionList(old.Options), title+" with options "+optionList(rec.Options))
		}
		for i, tg := range ts {
			ids[tg.el] = old.Options[i].ID
		}
		if old.Message.ID != "" {
			return choicePosted{ID: id, Ref: old.Message, Deadline: old.Deadline}, nil
		}
		rec = old
	} else if err != nil {
		return choicePosted{}, fmt.Errorf("bot: storing the choice: %w", err)
	}
	ref, err := t.adapter.Post(ctx, t.addr, Outgoing{Content: card, IDs: ids})
	if err != nil {
		t.endChoice(ctx, id, Outcome{State: ChoiceCancelled, At: time.Now()})
		return choicePosted{}, err
	}
	if err := b.store.SetChoiceMessage(context.WithoutCancel(ctx), id, ref); err != nil {
		b.log.Warn("bot: recording where a choice's card is failed", "thread", t.addr.String(), "err", err)
	}
	t.recordSelf(ref.ID, transcriptText(card))
	return choicePosted{ID: id, Ref: ref, Deadline: rec.Deadline}, nil
}

func sameOptions(a, b []OptionRecord) bool {
	return slices.EqualFunc(a, b, func(x, y OptionRecord) bool {
		return x.Label == y.Label && bytes.Equal(x.Value, y.Value)
	})
}

func optionList(os []OptionRecord) string {
	parts := make([]string, len(os))
	for i, o := range os {
		parts[i] = fmt.Sprintf("%q=%s", o.Label, o.Value)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// diverged fails the journal of s with a divergence at its current step.
func (s *scope) diverged(kind StepKind, recorded, asked string) error {
	s.mu.Lock()
	n := s.n
	s.mu.Unlock()
	return s.j.fail(&DivergedError{Run: s.j.run, Scope: s.name, Step: n, Recorded: string(kind) + " " + recorded, Asked: string(kind) + " " + asked})
}

// waitChoice waits for the choice's outcome: a decision (here, or told by
// the Notifier, or found polling the Store), the deadline, or ctx's end.
// In a run it parks after ParkAfter, when its lane is wanted, or when the
// bot stops, returning ErrParked with the choice still pending.
func (t *Thread) waitChoice(ctx context.Context, p choicePosted, w *waiter) (Outcome, error) {
	b := t.bot
	// The decision may be in already: the click that resumed this run.
	if c, err := b.store.Choice(ctx, p.ID); err == nil && c.Outcome.State != ChoicePending {
		return c.Outcome, nil
	}
	var deadline, park <-chan time.Time
	var yield <-chan struct{}
	if !p.Deadline.IsZero() {
		tm := time.NewTimer(time.Until(p.Deadline))
		defer tm.Stop()
		deadline = tm.C
	}
	r := t.run
	var stop <-chan struct{}
	if r == nil {
		stop = b.runCtx.Done()
	}
	if r != nil {
		tm := time.NewTimer(b.cfg.ParkAfter)
		defer tm.Stop()
		park = tm.C
		yield = r.lane.yielding()
		b.waits.sleep(w)
		defer b.waits.awake(w)
	}
	interval := b.cfg.PollInterval
	if b.notifier != nil {
		interval *= 10
	}
	poll := time.NewTicker(interval)
	defer poll.Stop()
	for {
		select {
		case o := <-w.ch:
			return o, nil
		case <-deadline:
			return t.endChoice(ctx, p.ID, Outcome{State: ChoiceExpired, At: time.Now()}), nil
		case <-poll.C:
			if c, err := b.store.Choice(ctx, p.ID); err == nil && c.Outcome.State != ChoicePending {
				return c.Outcome, nil
			}
		case <-park:
			return t.parkChoice(ctx, p.ID, w)
		case <-yield:
			return t.parkChoice(ctx, p.ID, w)
		case <-stop:
			// Outside a run: nothing could act on a click once this
			// process is gone.
			return t.endChoice(ctx, p.ID, Outcome{State: ChoiceCancelled, At: time.Now()}), errChoiceStopped
		case <-ctx.Done():
			switch cause := context.Cause(ctx); {
			case r != nil && (errors.Is(cause, errLeaseLost) || errors.Is(cause, errStoreLost)):
				// Its journal is written: whoever holds the lane when the
				// decision comes resumes it. (Outside a run — asked with
				// the ctx of a run's tool, say — there is none: the
				// choice ends as for any other end of ctx.)
				t.scope.j.park()
				return Outcome{}, ErrParked
			case errors.Is(cause, ErrStopped) && r != nil:
				return t.parkChoice(ctx, p.ID, w)
			case errors.Is(cause, ErrStopped):
				return t.endChoice(ctx, p.ID, Outcome{State: ChoiceCancelled, At: time.Now()}), errChoiceStopped
			}
			return t.endChoice(ctx, p.ID, Outcome{State: ChoiceCancelled, At: time.Now()}), nil
		}
	}
}

// parkChoice parks the run waiting for choice id, unless its outcome came
// as the wait gave up: then that outcome is the answer.
func (t *Thread) parkChoice(ctx context.Context, id string, w *waiter) (Outcome, error) {
	if o, ok := t.bot.waits.unwait(id, w); ok {
		return o, nil
	}
	if c, err := t.bot.store.Choice(context.WithoutCancel(ctx), id); err == nil && c.Outcome.State != ChoicePending {
		return c.Outcome, nil
	}
	t.scope.j.park()
	return Outcome{}, ErrParked
}

// endChoice resolves a choice with o, or, when a click won first, returns
// the click's outcome.
func (t *Thread) endChoice(ctx context.Context, id string, o Outcome) Outcome {
	c, _, err := t.bot.store.Resolve(context.WithoutCancel(ctx), id, o)
	if err != nil {
		t.bot.log.Error("bot: could not end a choice", "choice", id, "thread", t.addr.String(), "err", err)
		return o
	}
	return c.Outcome
}

// stoppedLine is added to the card of a choice asked outside a run that
// the bot cancelled because it stopped.
const stoppedLine = "⏹ The bot stopped before this was answered."

// closedCard is card with its options gone and lines at the bottom.
func closedCard(card render.Card, lines ...string) render.Card {
	closed := card
	closed.Actions = render.ActionsNode{}
	closed.Body = nil
	for _, n := range card.Body {
		switch n := n.(type) {
		case render.ActionsNode, *render.SelectNode:
			continue
		case render.SectionNode:
			if b, ok := n.Accessory.(*render.ButtonNode); ok && b != nil && !b.IsLink() {
				n.Accessory = nil
			}
			closed.Body = append(closed.Body, n)
		default:
			closed.Body = append(closed.Body, n)
		}
	}
	for _, line := range lines {
		if strings.TrimSpace(line) != "" {
			closed.Body = append(closed.Body, render.Context(line))
		}
	}
	return closed
}

// closeCard edits the card of choice id in place: its options gone, the
// outcome line (and any more lines) at the bottom. A failed edit is
// retried; closeCard reports whether the first try succeeded, and the
// run's journal learns when a retry does.
func (t *Thread) closeCard(ctx context.Context, id string, ref MessageRef, card render.Card, lines ...string) bool {
	closed := closedCard(card, lines...)
	var j *journal
	if t.scope != nil {
		j = t.scope.j
		j.setClosing(id, true)
	}
	ok := t.bot.retry("closing a choice's card", func(ctx context.Context) error {
		return t.adapter.Update(ctx, ref, Outgoing{Content: closed})
	}, func(ok bool) {
		if j != nil {
			j.closedLater(id, ok)
		}
	})
	if ok && j != nil {
		j.closedLater(id, true)
	}
	t.recordSelf(ref.ID, transcriptText(closed))
	return ok
}
