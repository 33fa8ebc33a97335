package bot

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"
)

// A choice asked outside any run is held only by the goroutine waiting in
// AwaitChoice: no journal, no run to resume. So that its end is never
// silent, the wait holds a lane of its own, "w:" and the choice's id, with
// one work item of kind WorkWait, leased and renewed like any lane for as
// long as the goroutine waits, and completed when it stops waiting. If
// the process dies, the lease lapses and the sweep of a process (this one
// restarted, or a replica) takes the lane over: it finds the item and
// ends the choice plainly (see abandoned). Such a lane holds no work and
// leaves room under Config.MaxLanes: it waits for a person, as a parked
// run does, but cannot park.

// Lines on the card of a choice asked outside any run whose process is
// gone.
const (
	abandonedLine = "⚠️ This request was cancelled: I restarted before it was answered."
	tooLateLine   = "⚠️ This answer came too late to be acted on: I restarted before it could be."
)

// holdWait takes the lane of the choice id, asked outside any run at
// addr, for this process. It returns the lane and the id of its item, for
// endWait.
func (b *Bot) holdWait(ctx context.Context, id string, addr Address) (*lane, string, error) {
	item := WorkItem{ID: rand.Text(), Lane: "w:" + id, Kind: WorkWait, Choice: id, Message: Message{Address: addr}, Accepted: time.Now()}
	asked := time.Now()
	c, err := b.store.Accept(ctx, Acceptance{Item: item, Owner: b.owner, LeaseTTL: b.cfg.LeaseTTL, Begin: true})
	if err != nil {
		return nil, "", fmt.Errorf("bot: recording the wait for a choice: %w", err)
	}
	if !c.Held() {
		// The lane is new: only a Store that broke its contract says so.
		return nil, "", errors.New("bot: recording the wait for a choice: the Store did not give its lane to this process")
	}
	return b.lanes.hold(b, c.Lease, asked, true), item.ID, nil
}

// errWaitLost is returned by AwaitChoice outside any run when this
// process lost the lease of its wait before the choice ended.
var errWaitLost = errors.New("bot: the wait for the choice was given up: the Store could not be reached to keep it; the choice ends without an answer")

// endWait records the wait of the lane done and lets the lane go, on a
// goroutine of the bot's: AwaitChoice returns at once, not held past its
// ctx while the Store cannot be reached (complete tries again until it
// can, or the lane is lost). A lane whose lease was lost is let go with
// its work queued: the process that takes it over, maybe another, closes
// the card. Call it before the wait leaves b.asking, so that Stop waits
// for it.
func (l *lane) endWait(item string) {
	l.b.background(func() {
		if !l.isLost() {
			l.complete([]string{item}) // a failure is logged; the lane is taken over
		}
		l.b.lanes.release(l)
	})
}

// abandoned ends the choice of a wait whose process is gone — its lease
// lapsed with no end — since nothing can act on the answer: a pending
// choice is cancelled, and its card closed with a plain sentence saying
// so; a card decided meanwhile is closed saying the decision came too
// late. It reports false when the Store failed it: the item is left for
// later.
func (l *lane) abandoned(it WorkItem) bool {
	b := l.b
	ctx := context.WithoutCancel(b.runCtx)
	c, won, err := b.store.Resolve(ctx, it.Choice, Outcome{State: ChoiceCancelled, At: time.Now()})
	switch {
	case errors.Is(err, ErrNotFound):
		return true // its process died before asking
	case err != nil:
		b.log.Error("bot: could not end a choice whose process is gone; left for later", "thread", it.Message.Address.String(), "err", err)
		l.giveUpForNow()
		return false
	}
	lines := []string{abandonedLine}
	if !won {
		lines = []string{DefaultOutcomeLine(optionLabel(c), c.Outcome)}
		if c.Outcome.State == ChoiceDecided {
			lines = append(lines, tooLateLine)
		}
	}
	b.log.Warn("bot: a choice asked outside any run lost the process waiting for it; its card is closed", "thread", c.Address.String(), "outcome", c.Outcome.State.String())
	if won {
		b.ended(ctx, c) // a waiter cut off from the Store hears of it, if it is still there
	}
	b.closePlainly(c, c.Message, nil, lines...)
	return true
}
