package bot

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/parleybot/parley/render"
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

// Timeout ends the wait after d with a Choice whose TimedOut is set. Without
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
		return "✅ " + label + " — chosen by @" + o.User.display()
	case ChoiceExpired:
		return "⏱ Expired"
	default:
		return "✖ Cancelled"
	}
}

func (u User) display() string {
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
// Every option is posted with an opaque id of 130 random bits, bound in the
// Store to this choice; its value never reaches the platform. With
// [Approvers], only those users decide: anyone else is told privately and
// the wait goes on. Without it, anyone in the conversation decides. The
// first valid click wins, even among concurrent clicks on several
// replicas sharing a Store; later clickers are told who decided.
//
// When the choice ends — decided, timed out or cancelled — the card is
// edited in place: its options are removed and an outcome line added (see
// [OutcomeLine]). A timeout returns a Choice with TimedOut set and no
// error. When ctx ends first, AwaitChoice returns ctx's error, except
// when the bot is stopping: then the choice stays pending in the Store.
//
// Inside a tool handler, the wait is durable: after [Config.ParkAfter],
// or when the bot stops, AwaitChoice returns [ErrParked] and the run gives
// up its goroutine; when someone decides, the run resumes by replay and
// this call returns the decision (see the package docs for the replay
// rule handlers follow). Outside a run — in an action handler — the wait
// lasts as long as ctx.
//
// Options' Action names, if any, are ignored: a click on an option of a
// pending choice only decides it.
func AwaitChoice[T any](ctx context.Context, t *Thread, card render.Card, opts ...ChoiceOption) (Choice[T], error) {
	raw, err := t.AwaitChoice(ctx, card, opts...)
	c := Choice[T]{User: raw.User, TimedOut: raw.TimedOut, DecidedAt: raw.DecidedAt}
	if err != nil || raw.TimedOut {
		return c, err
	}
	if err := json.Unmarshal(raw.Value, &c.Value); err != nil {
		return c, fmt.Errorf("bot: the chosen value %s does not fit %T: %w", raw.Value, c.Value, err)
	}
	return c, nil
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
	for i, tg := range ts {
		v, err := json.Marshal(tg.value)
		if err != nil {
			return Choice[json.RawMessage]{}, fmt.Errorf("bot: option %q: value: %w", tg.label, err)
		}
		values[i] = v
	}

	b := t.bot
	wait := make(chan Outcome, 1)
	registered := ""
	register := func(id string) {
		b.mu.Lock()
		b.waiters[id] = wait
		b.mu.Unlock()
		registered = id
	}
	defer func() {
		if registered != "" {
			b.mu.Lock()
			delete(b.waiters, registered)
			b.mu.Unlock()
		}
	}()

	// The card is posted once: a replay finds it in the journal.
	posted, err := step(ctx, t.j, "choice", card.Title, func() (choicePosted, error) {
		return t.postChoice(ctx, card, ts, values, cfg, register)
	})
	if err != nil {
		return Choice[json.RawMessage]{}, err
	}
	if registered == "" {
		register(posted.ID) // before reading the choice's state, so no decision slips by
	}
	live := false
	o, err := step(ctx, t.j, "decision", posted.ID, func() (Outcome, error) {
		live = true
		return t.waitChoice(ctx, posted, wait, cfg)
	})
	if err != nil {
		return Choice[json.RawMessage]{}, err
	}
	if live {
		label := ""
		if o.State == ChoiceDecided && o.Option >= 0 && o.Option < len(ts) {
			label = ts[o.Option].label
		}
		t.closeCard(ctx, posted.Ref, card, cfg.outcome(label, o))
	}
	switch o.State {
	case ChoiceDecided:
		if o.Option < 0 || o.Option >= len(values) {
			return Choice[json.RawMessage]{}, fmt.Errorf("bot: the decision names option %d of a card with %d", o.Option, len(values))
		}
		return Choice[json.RawMessage]{Value: values[o.Option], User: o.User, DecidedAt: o.At}, nil
	case ChoiceExpired:
		return Choice[json.RawMessage]{TimedOut: true}, nil
	default:
		if err := context.Cause(ctx); err != nil {
			return Choice[json.RawMessage]{}, err
		}
		return Choice[json.RawMessage]{}, errors.New("bot: the choice was cancelled")
	}
}

// choicePosted is how the journal remembers a choice's card.
type choicePosted struct {
	ID       string
	Ref      MessageRef
	Deadline time.Time
}

// postChoice records a new choice and its options in the Store and posts
// its card.
func (t *Thread) postChoice(ctx context.Context, card render.Card, ts []target, values []json.RawMessage, cfg choiceConfig, register func(string)) (choicePosted, error) {
	b := t.bot
	now := time.Now()
	rec := ChoiceRecord{ID: rand.Text(), Address: t.addr, Approvers: slices.Clone(cfg.approvers), Created: now}
	if t.run != nil {
		rec.Run = t.run.key
	}
	if cfg.timeout > 0 {
		rec.Deadline = now.Add(cfg.timeout)
	}
	ids := make(render.IDs, len(ts))
	actions := make([]ActionRecord, len(ts))
	for i, tg := range ts {
		ids[tg.el] = rand.Text()
		rec.Labels = append(rec.Labels, tg.label)
		actions[i] = ActionRecord{ID: ids[tg.el], Address: t.addr, Choice: rec.ID, Option: i, Label: tg.label, Value: values[i]}
	}
	register(rec.ID)
	if err := b.store.PutChoice(ctx, rec); err != nil {
		return choicePosted{}, fmt.Errorf("bot: storing the choice: %w", err)
	}
	if err := b.store.PutActions(ctx, actions); err != nil {
		t.endChoice(ctx, rec.ID, Outcome{State: ChoiceCancelled, At: time.Now()})
		return choicePosted{}, fmt.Errorf("bot: storing the choice's options: %w", err)
	}
	ref, err := t.adapter.Post(ctx, t.addr, Outgoing{Content: card, IDs: ids})
	if err != nil {
		t.endChoice(ctx, rec.ID, Outcome{State: ChoiceCancelled, At: time.Now()})
		return choicePosted{}, err
	}
	t.recordSelf(ref.ID, transcriptText(card))
	return choicePosted{ID: rec.ID, Ref: ref, Deadline: rec.Deadline}, nil
}

// waitChoice waits for the choice's outcome: a decision, the deadline, or
// ctx's end. In a journaled run it parks after ParkAfter, or when the bot
// stops, returning ErrParked with the choice still pending.
func (t *Thread) waitChoice(ctx context.Context, p choicePosted, wait <-chan Outcome, cfg choiceConfig) (Outcome, error) {
	// The decision may be in already: the click that resumed this run.
	if c, err := t.bot.store.Choice(ctx, p.ID); err == nil && c.Outcome.State != ChoicePending {
		return c.Outcome, nil
	}
	var deadline, park <-chan time.Time
	if !p.Deadline.IsZero() {
		tm := time.NewTimer(time.Until(p.Deadline))
		defer tm.Stop()
		deadline = tm.C
	}
	if t.j != nil {
		tm := time.NewTimer(t.bot.cfg.ParkAfter)
		defer tm.Stop()
		park = tm.C
	}
	select {
	case o := <-wait:
		return o, nil
	case <-deadline:
		return t.endChoice(ctx, p.ID, Outcome{State: ChoiceExpired, At: time.Now()}), nil
	case <-park:
		return t.parkChoice(p.ID, wait)
	case <-ctx.Done():
		if errors.Is(context.Cause(ctx), ErrStopped) {
			if t.j != nil {
				return t.parkChoice(p.ID, wait)
			}
			return Outcome{}, context.Cause(ctx) // stays pending
		}
		return t.endChoice(ctx, p.ID, Outcome{State: ChoiceCancelled, At: time.Now()}), nil
	}
}

// parkChoice parks the run waiting for choice id, unless an outcome
// reached wait as the wait gave up: then that outcome is the answer.
func (t *Thread) parkChoice(id string, wait <-chan Outcome) (Outcome, error) {
	if o, ok := t.bot.unwait(id, wait); ok {
		return o, nil
	}
	t.j.park()
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

// closeCard edits a choice's card in place: its options gone, the outcome
// line at the bottom.
func (t *Thread) closeCard(ctx context.Context, ref MessageRef, card render.Card, line string) {
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
	if strings.TrimSpace(line) != "" {
		closed.Body = append(closed.Body, render.Context(line))
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), noticeTimeout)
	defer cancel()
	if err := t.adapter.Update(ctx, ref, Outgoing{Content: closed}); err != nil {
		t.bot.log.Error("bot: could not close a choice's card", "thread", t.addr.String(), "message", ref.ID, "err", err)
	}
}

// decide handles a click on an option of a choice: only an approver
// decides, only the first valid click wins, everyone else is told why
// nothing happened.
func (b *Bot) decide(ctx context.Context, t *Thread, rec ActionRecord, act Action) {
	c, err := b.store.Choice(ctx, rec.Choice)
	if err != nil {
		b.log.Error("bot: a clicked option's choice is missing", "choice", rec.Choice, "err", err)
		t.notify(ctx, act.User, "This button is no longer valid.")
		return
	}
	if len(c.Approvers) > 0 && !slices.Contains(c.Approvers, act.User.ID) {
		t.notify(ctx, act.User, "Only the people asked to approve this can decide it; your click changed nothing.")
		return
	}
	o := Outcome{State: ChoiceDecided, Option: rec.Option, User: act.User, At: time.Now()}
	c, won, err := b.store.Resolve(ctx, rec.Choice, o)
	switch {
	case err != nil:
		b.log.Error("bot: could not record a decision", "choice", rec.Choice, "err", err)
		t.notify(ctx, act.User, "Something went wrong recording your choice; please try again.")
		return
	case !won:
		t.notify(ctx, act.User, lateNotice(c.Outcome))
		return
	}
	b.delivered(c)
}

func lateNotice(o Outcome) string {
	switch o.State {
	case ChoiceDecided:
		return "This was already decided by @" + o.User.display() + "."
	case ChoiceExpired:
		return "This choice has expired."
	default:
		return "This choice was cancelled."
	}
}
