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

// Edited replaces a message in its thread's transcript. A message the
// transcript does not hold (older than it keeps, or from a thread the bot
// is not in) is left out: an edit does not make an old message new.
func (in inbox) Edited(ctx context.Context, m Message) error {
	if m.Address.Platform == "" {
		m.Address.Platform = in.a.Platform()
	}
	if m.ID == "" {
		return errors.New("bot: an edited message needs its ID")
	}
	thread := m.Address.String()
	tr, err := in.b.store.Transcript(ctx, thread, 0)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(tr, func(x Message) bool { return x.ID == m.ID })
	if i < 0 {
		return nil
	}
	old := tr[i]
	old.Text = m.Text
	return in.b.store.Record(ctx, thread, []Message{old}, in.b.cfg.HistoryLimit)
}

func (in inbox) Deleted(ctx context.Context, ref MessageRef) error {
	if ref.Platform == "" {
		ref.Platform = in.a.Platform()
	}
	return in.b.store.Unrecord(ctx, ref.Address.String(), ref.ID)
}

// dedupeKey is the Store key of a platform's event id in a workspace:
// "event:platform:workspace:kind:id", the platform and workspace escaped
// as in an address's key (an address of that channel writes just them, so
// that the keys of ids without ':', '/' or '%' are as they were), so that
// a ':' in them or in the id never makes two events one.
func dedupeKey(addr Address, kind, id string) string {
	return "event:" + Address{Platform: addr.Platform, Channel: addr.Workspace}.String() + ":" + kind + ":" + id
}

// accept takes a message: in the Store — deduped, in the thread's
// transcript, queued in its lane — before it returns, so that nothing
// acknowledged is lost. If the lane is free, this process takes it and
// handles the message.
func (b *Bot) accept(ctx context.Context, a Adapter, m Message) error {
	if m.FromSelf {
		return nil
	}
	if !b.enter() {
		return ErrStopping
	}
	defer b.leave()
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
		Owner: b.claimantFor(lane), LeaseTTL: b.cfg.LeaseTTL, Begin: true,
	}
	if m.EventID != "" {
		acc.Dedupe, acc.DedupeUntil = dedupeKey(m.Address, "message", m.EventID), time.Now().Add(b.cfg.DedupeTTL)
	}
	asked := time.Now()
	c, err := b.store.Accept(ctx, acc)
	if err != nil {
		if errors.Is(err, ErrDuplicate) {
			return err
		}
		b.log.Error("bot: could not record a message; the platform should deliver it again", "thread", thread, "err", err)
		return fmt.Errorf("bot: recording the message: %w", err)
	}
	if c.Held() {
		b.startLane(c, asked)
		return nil
	}
	if acc.Owner == "" {
		b.queuedForRoom(lane)
	}
	if b.cfg.Busy != BusyDrop {
		b.queuedIn(ctx, lane, "") // whoever holds the thread hears of it
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

// click takes a click: before it returns, the click is in the Store —
// deduped by its event id, queued as work in a lane of its own — so that
// nothing acknowledged is lost, and a redelivery of a click no process
// handled is not dropped as a duplicate. A click on an option decides its
// choice; one on a button bound to a handler runs the handler as a run of
// its own, so that a wait for a person inside it resumes after a restart.
func (b *Bot) click(ctx context.Context, a Adapter, act Action) error {
	if !b.enter() {
		return ErrStopping
	}
	defer b.leave()
	if act.Message.Platform == "" {
		act.Message.Platform = a.Platform()
	}
	t := &Thread{bot: b, adapter: a, addr: act.Message.Address, trigger: Message{Address: act.Message.Address, User: act.User}}
	rec, err := b.store.Action(ctx, act.ID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("bot: looking up the clicked action: %w", err)
	}
	// An id is valid only at the very address it was posted to.
	if err != nil || rec.Address != act.Message.Address {
		b.log.Info("bot: click on an unknown action id", "thread", t.addr.String(), "user", act.User.ID)
		b.aside(func(ctx context.Context) { t.tell(ctx, act, "This button is no longer valid.") })
		return nil
	}
	if rec.Choice == "" && b.reg.actionHandler(rec.Handler) == nil {
		b.log.Error("bot: click for an action with no handler", "action", rec.Handler, "thread", t.addr.String())
		b.aside(func(ctx context.Context) { t.tell(ctx, act, "This button has nothing to do right now.") })
		return nil
	}
	id := rand.Text()
	ev := &ActionEvent{Name: rec.Handler, Label: rec.Label, Value: rec.Value, User: act.User, Message: act.Message}
	item := WorkItem{ID: id, Lane: "a:" + id, Kind: WorkAction, Message: t.trigger, Action: ev, Accepted: time.Now()}
	if rec.Choice != "" {
		item.Kind, item.Lane, item.Choice, item.Option = WorkChoice, "k:"+id, rec.Choice, rec.Option
	}
	acc := Acceptance{Item: item, Owner: b.owner, LeaseTTL: b.cfg.LeaseTTL, Begin: true}
	if rec.Choice == "" {
		// Deciding is short, and it frees the lanes of the runs waiting
		// on it: only a click that runs a handler waits for room under
		// Config.MaxLanes, which those runs may fill.
		acc.Owner = b.claimant()
	}
	if act.EventID != "" {
		acc.Dedupe, acc.DedupeUntil = dedupeKey(act.Message.Address, "action", act.EventID), time.Now().Add(b.cfg.DedupeTTL)
	}
	if act.Reply != nil {
		b.replies.Store(id, act.Reply)
	}
	asked := time.Now()
	c, err := b.store.Accept(ctx, acc)
	switch {
	case err != nil:
		b.replies.Delete(id)
		if errors.Is(err, ErrDuplicate) {
			return err
		}
		return fmt.Errorf("bot: recording the click: %w", err)
	case c.Held():
		b.startLane(c, asked)
	case acc.Owner == "":
		b.queuedForRoom(item.Lane)
	}
	return nil
}

// aside does f on a goroutine of its own, as work Stop waits for.
func (b *Bot) aside(f func(ctx context.Context)) {
	b.work.add(1)
	b.background(func() {
		defer b.work.add(-1)
		ctx, cancel := context.WithCancelCause(b.runCtx)
		defer cancel(nil)
		f(ctx)
	})
}

// click does a queued click on an option of a choice: it decides the
// choice, if the clicker may. A click a crash cut is done again: deciding
// twice is harmless.
func (l *lane) click(it WorkItem) {
	b := l.b
	ev := it.Action
	if ev == nil {
		b.log.Error("bot: a queued click carries no click", "item", it.ID)
		return
	}
	a := b.adapters[ev.Message.Platform]
	if a == nil {
		b.log.Error("bot: a click is on a platform this bot has no adapter for", "platform", it.Message.Address.Platform)
		return
	}
	act := Action{User: ev.User, Message: ev.Message}
	if r, ok := b.replies.LoadAndDelete(it.ID); ok {
		act.Reply = r.(ActionReply)
	}
	t := &Thread{bot: b, adapter: a, addr: ev.Message.Address, trigger: it.Message}
	rec := ActionRecord{Address: ev.Message.Address, Choice: it.Choice, Option: it.Option, Label: ev.Label, Value: ev.Value}
	b.decide(context.WithoutCancel(b.runCtx), t, rec, act, it.Accepted)
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

// decide handles a click, accepted at clicked, on an option of a choice:
// only an approver decides, only the first valid click before the
// choice's deadline wins, everyone else is told why nothing happened.
func (b *Bot) decide(ctx context.Context, t *Thread, rec ActionRecord, act Action, clicked time.Time) {
	c, err := b.store.Choice(ctx, rec.Choice)
	if err != nil {
		b.log.Error("bot: a clicked option's choice is missing", "choice", rec.Choice, "err", err)
		t.tell(ctx, act, "This button is no longer valid.")
		return
	}
	unknown := c.Message.ID == ""
	if unknown {
		// The card went out, but a crash cut its run before the Store knew
		// where, or the platform failed a post it made: it is
		// known now, and a replay will not post it again.
		if err := b.store.SetChoiceMessage(ctx, c.ID, act.Message); err != nil {
			b.log.Warn("bot: recording where a choice's card is failed", "choice", c.ID, "err", err)
		} else {
			c.Message = act.Message
		}
	}
	if c.Outcome.State == ChoicePending && !c.Deadline.IsZero() && !clicked.Before(c.Deadline) {
		// Clicked after the deadline, before anything noticed it passed —
		// its run parked, its timer with it, and the sweep not come by
		// yet: the choice expired, whoever clicks.
		c, won, err := b.store.Resolve(ctx, rec.Choice, Outcome{State: ChoiceExpired, At: c.Deadline})
		if err != nil {
			b.log.Error("bot: could not expire a choice", "choice", rec.Choice, "err", err)
			t.tell(ctx, act, "Something went wrong recording your choice; please try again.")
			return
		}
		t.tell(ctx, act, lateNotice(c.Outcome))
		if won {
			b.ended(ctx, c)
		}
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
		// closes the card it posted, and the one the Store knows; this one
		// is closed here.
		b.closePlainly(c, act.Message, act.Reply)
	}
	again := c.Outcome.State == ChoiceDecided && c.Outcome.User.ID == act.User.ID && c.Outcome.Option == rec.Option
	if !won && !again {
		if unknown && c.Message.ID == act.Message.ID {
			// A card nobody knew of, its choice ended: a post the platform
			// reported failed, and made. Nothing else will ever close it.
			b.closePlainly(c, act.Message, act.Reply)
		}
		t.tell(ctx, act, lateNotice(c.Outcome))
		return
	}
	// Won, or won before by this very click, done again after a crash:
	// the run takes the decision either way, once.
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
	asked := time.Now()
	owner := b.claimantFor(c.Lane)
	cl, err := b.store.Accept(context.WithoutCancel(ctx), Acceptance{Item: item, Owner: owner, LeaseTTL: b.cfg.LeaseTTL, Begin: true})
	switch {
	case err != nil:
		b.log.Error("bot: could not queue the resumption of a run; it resumes when its choice is looked at again", "run", c.Run, "err", err)
	case cl.Held():
		b.startLane(cl, asked)
	default:
		if owner == "" {
			b.queuedForRoom(c.Lane)
		}
		b.queuedIn(ctx, c.Lane, c.Run)
	}
}

func lateNotice(o Outcome) string {
	switch o.State {
	case ChoiceDecided:
		return "This was already decided by @" + display(o.User) + "."
	case ChoiceExpired:
		return "This choice has expired."
	default:
		return "This choice was cancelled."
	}
}
