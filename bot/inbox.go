package bot

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/parleybot/parley/render"
)

// inbox is what one adapter delivers to.
type inbox struct {
	b *Bot
	a Adapter
}

func (in inbox) Message(ctx context.Context, m Message) error { return in.b.accept(ctx, in.a, m) }
func (in inbox) Action(ctx context.Context, a Action) error   { return in.b.click(ctx, in.a, a) }

func (in inbox) Edited(ctx context.Context, m Message) error {
	if m.Address.Platform == "" {
		m.Address.Platform = in.a.Platform()
	}
	if m.ID == "" {
		return errors.New("bot: an edited message needs its ID")
	}
	return in.b.store.Record(ctx, m.Address.String(), []Message{m}, in.b.cfg.HistoryLimit)
}

func (in inbox) Deleted(ctx context.Context, ref MessageRef) error {
	if ref.Platform == "" {
		ref.Platform = in.a.Platform()
	}
	return in.b.store.Unrecord(ctx, ref.Address.String(), ref.ID)
}

// dedupeKey is the Store key of a platform's event id.
func dedupeKey(addr Address, kind, id string) string {
	return "event:" + addr.Platform + ":" + addr.Workspace + ":" + kind + ":" + id
}

// accept takes a message: in the Store — deduped, in the thread's
// transcript, queued in its lane — before it returns, so that nothing
// acknowledged is lost. If the lane is free, this process takes it and
// handles the message.
func (b *Bot) accept(ctx context.Context, a Adapter, m Message) error {
	if m.FromSelf {
		return nil
	}
	if b.stopping() {
		return ErrStopping
	}
	if m.Address.Platform == "" {
		m.Address.Platform = a.Platform()
	}
	if m.ID == "" {
		m.ID = "parley-" + rand.Text() // runs tell the message apart from its history by id
	}
	if m.Time.IsZero() {
		m.Time = time.Now()
	}
	thread := m.Address.String()
	id := rand.Text()
	lane := "t:" + thread
	if b.cfg.Busy == BusyConcurrent {
		lane += "#" + id
	}
	acc := Acceptance{
		Record: &m, Thread: thread, Keep: b.cfg.HistoryLimit,
		Item:  WorkItem{ID: id, Lane: lane, Kind: WorkMessage, Message: m, Accepted: m.Time},
		Owner: b.owner, LeaseTTL: b.cfg.LeaseTTL, Begin: true,
	}
	if m.EventID != "" {
		acc.Dedupe, acc.DedupeUntil = dedupeKey(m.Address, "message", m.EventID), time.Now().Add(b.cfg.DedupeTTL)
	}
	c, err := b.store.Accept(ctx, acc)
	if err != nil {
		if errors.Is(err, ErrDuplicate) {
			return err
		}
		b.log.Error("bot: could not record a message; the platform should deliver it again", "thread", thread, "err", err)
		return fmt.Errorf("bot: recording the message: %w", err)
	}
	if c.Held() {
		b.startLane(c)
	} else {
		b.queuedIn(ctx, lane, "")
	}
	return nil
}

// queuedIn tells whoever holds lane that work is queued there: a run of
// its waiting for a person then gives the lane up. run is the run the
// work resumes, if any.
func (b *Bot) queuedIn(ctx context.Context, lane, run string) {
	if l := b.lanes.get(lane); l != nil {
		l.requestYield(run)
		return
	}
	if b.notifier != nil {
		if err := b.notifier.Publish(context.WithoutCancel(ctx), laneNote(lane, run)); err != nil {
			b.log.Warn("bot: publishing a note failed", "err", err)
		}
	}
}

// click takes a click: deduped through the Store, then handled on a
// goroutine of its own.
func (b *Bot) click(ctx context.Context, a Adapter, act Action) error {
	if b.stopping() {
		return ErrStopping
	}
	if act.Message.Platform == "" {
		act.Message.Platform = a.Platform()
	}
	if act.EventID != "" {
		first, err := b.store.Dedupe(ctx, dedupeKey(act.Message.Address, "action", act.EventID), time.Now().Add(b.cfg.DedupeTTL))
		switch {
		case err != nil:
			return fmt.Errorf("bot: recording the click: %w", err)
		case !first:
			return fmt.Errorf("bot: click %q: %w", act.EventID, ErrDuplicate)
		}
	}
	b.work.add(1)
	b.background(func() {
		defer b.work.add(-1)
		b.handleClick(a, act)
	})
	return nil
}

func (b *Bot) handleClick(a Adapter, act Action) {
	ctx, cancel := context.WithCancelCause(b.runCtx)
	defer cancel(nil)
	t := &Thread{bot: b, adapter: a, addr: act.Message.Address, trigger: Message{Address: act.Message.Address, User: act.User}}
	rec, err := b.store.Action(ctx, act.ID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		b.log.Error("bot: could not look up a clicked action", "thread", t.addr.String(), "err", err)
		t.tell(ctx, act, "Something went wrong with this button; please try again.")
		return
	}
	// An id is valid only at the very address it was posted to.
	if err != nil || rec.Address != act.Message.Address {
		b.log.Info("bot: click on an unknown action id", "thread", t.addr.String(), "user", act.User.ID)
		t.tell(ctx, act, "This button is no longer valid.")
		return
	}
	if rec.Choice != "" {
		b.decide(ctx, t, rec, act)
		return
	}
	if b.reg.actionHandler(rec.Handler) == nil {
		b.log.Error("bot: click for an action with no handler", "action", rec.Handler, "thread", t.addr.String())
		t.tell(ctx, act, "This button has nothing to do right now.")
		return
	}
	// The handler runs as a run of its own, in a lane of its own, so a
	// wait for a person inside it resumes after a restart.
	id := rand.Text()
	ev := &ActionEvent{Name: rec.Handler, Label: rec.Label, Value: rec.Value, User: act.User, Message: act.Message}
	item := WorkItem{ID: id, Lane: "a:" + id, Kind: WorkAction, Message: t.trigger, Action: ev, Accepted: time.Now()}
	c, err := b.store.Accept(ctx, Acceptance{Item: item, Owner: b.owner, LeaseTTL: b.cfg.LeaseTTL, Begin: true})
	if err != nil || !c.Held() {
		b.log.Error("bot: could not record a click", "action", rec.Handler, "thread", t.addr.String(), "err", err)
		t.tell(ctx, act, "Something went wrong with this button; please try again.")
		return
	}
	// The lane's work counts on its own: once the handler waits for a
	// person, the bot is idle, though the click was handled only now.
	b.startLane(c)
}

// tell answers the person who clicked, privately: through the click's
// own reply where the platform has one, else as the thread can.
func (t *Thread) tell(ctx context.Context, act Action, text string) {
	if act.Reply != nil {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), noticeTimeout)
		defer cancel()
		err := act.Reply.Ephemeral(ctx, Outgoing{Content: render.Text(text)})
		if err == nil {
			return
		}
		t.bot.log.Warn("bot: answering a click failed; telling the person another way", "thread", t.addr.String(), "err", err)
	}
	t.notify(ctx, act.User, text)
}

// decide handles a click on an option of a choice: only an approver
// decides, only the first valid click wins, everyone else is told why
// nothing happened.
func (b *Bot) decide(ctx context.Context, t *Thread, rec ActionRecord, act Action) {
	c, err := b.store.Choice(ctx, rec.Choice)
	if err != nil {
		b.log.Error("bot: a clicked option's choice is missing", "choice", rec.Choice, "err", err)
		t.tell(ctx, act, "This button is no longer valid.")
		return
	}
	if len(c.Approvers) > 0 && !slices.Contains(c.Approvers, act.User.ID) {
		t.tell(ctx, act, "Only the people asked to approve this can decide it; your click changed nothing.")
		return
	}
	o := Outcome{State: ChoiceDecided, Option: rec.Option, Value: rec.Value, User: act.User, At: time.Now()}
	c, won, err := b.store.Resolve(ctx, rec.Choice, o)
	if err != nil {
		b.log.Error("bot: could not record a decision", "choice", rec.Choice, "err", err)
		t.tell(ctx, act, "Something went wrong recording your choice; please try again.")
		return
	}
	if c.Message.ID != "" && act.Message.ID != c.Message.ID {
		// A second card of the choice, posted by a run that a crash cut
		// before the Store knew where the first went: the code that asked
		// closes the card it knows; this one is closed here.
		b.closePlainly(c, act.Message, act.Reply)
	}
	if !won {
		t.tell(ctx, act, lateNotice(c.Outcome))
		return
	}
	b.ended(ctx, c)
}

// ended hands a choice's outcome to the AwaitChoice waiting for it: here,
// on another replica through the Notifier, or — when no goroutine waits,
// or one may have just given up — to a replay of its run, queued in the
// run's lane.
func (b *Bot) ended(ctx context.Context, c ChoiceRecord) {
	if b.waits.deliver(c.ID, c.Outcome) {
		return
	}
	if b.notifier != nil {
		if err := b.notifier.Publish(context.WithoutCancel(ctx), choiceNote(c.ID)); err != nil {
			b.log.Warn("bot: publishing a note failed", "err", err)
		}
	}
	if c.Run == "" {
		return // asked outside a run: only its waiting goroutine can go on
	}
	item := WorkItem{ID: rand.Text(), Lane: c.Lane, Kind: WorkResume, Run: c.Run, Choice: c.ID, Message: Message{Address: c.Address}, Accepted: time.Now()}
	cl, err := b.store.Accept(context.WithoutCancel(ctx), Acceptance{Item: item, Owner: b.owner, LeaseTTL: b.cfg.LeaseTTL, Begin: true})
	switch {
	case err != nil:
		b.log.Error("bot: could not queue the resumption of a run; it resumes when its choice is looked at again", "run", c.Run, "err", err)
	case cl.Held():
		b.startLane(cl)
	default:
		b.queuedIn(ctx, c.Lane, c.Run)
	}
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
