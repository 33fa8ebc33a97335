package bot

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"
)

// A lane is a line of work done one item at a time, across replicas: the
// messages of one thread (and the resumptions of its runs), the single
// run of a click or of a detached RunAgent, or the wait of a choice asked
// outside any run (see waitlane.go). The Store queues a lane's
// items; the process holding the lane's lease works through them. This
// file is that process's side: the lanes it holds, their workers, the
// lease renewals, and the sweep that takes over work no process holds.

// laneTable holds the lanes this process works on.
type laneTable struct {
	mu   sync.Mutex
	m    map[string]*lane
	peak int  // see shrunk
	full bool // a lane was refused for want of room since the last release
	// waits counts the lanes of m that stand for choices asked outside
	// any run: they hold no work, and leave room under Config.MaxLanes.
	waits int
}

// lane is a lane this process holds.
type lane struct {
	b   *Bot
	key string
	// wait is set on the lane of a choice asked outside any run, held
	// while its goroutine waits (see holdWait): it counts neither as work
	// nor under Config.MaxLanes.
	wait bool

	mu    sync.Mutex
	lease Lease
	// renewed is when this process last took or renewed the lease, by its
	// own clock: the lease is surely lost once renewed+LeaseTTL passed.
	renewed time.Time
	cur     *run          // the run being done, if any
	yield   chan struct{} // closed to ask cur to give the lane up while it waits for a person
	// yieldHeld is set when the request to yield counts as work of cur's.
	yieldHeld bool
	lost      bool // the lease was lost: another process holds the lane
	// unreached is set with lost when the lease was lost because the
	// Store could not be reached to renew it: the lane may still be
	// this process's when the Store is back (no other claimed it).
	unreached bool
	// renewErr is the error of the last renewal, nil once one succeeds.
	renewErr error
	// records are transcript entries of the lane's runs, written when
	// their items are reported done.
	records []ThreadRecord
	// giveBack is set when the lane should be released with its work
	// queued: the Store could not be told the work was begun.
	giveBack bool
	// renewing is set while a renewal of the lease is under way, begun at
	// renewStart.
	renewing   bool
	renewStart time.Time
	// begun holds the items of the batch this lease began, and started
	// those of them whose work began here.
	begun, started map[string]bool
	// batchYield is set when the lane's yield channel was closed because
	// more of the batch waits, not by a request.
	batchYield bool
}

func (t *laneTable) get(key string) *lane {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.m[key]
}

func (t *laneTable) all() []*lane {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]*lane, 0, len(t.m))
	for _, l := range t.m {
		out = append(out, l)
	}
	return out
}

// holdLane registers a lane whose lease this process took in a call made
// at asked. The lane counts as work until release.
func (b *Bot) holdLane(l Lease, asked time.Time) *lane { return b.lanes.hold(b, l, asked, false) }

func (t *laneTable) hold(b *Bot, l Lease, asked time.Time, wait bool) *lane {
	ln := &lane{b: b, key: l.Lane, wait: wait, lease: l, renewed: asked, yield: make(chan struct{})}
	if !wait {
		b.work.add(1)
	}
	t.mu.Lock()
	old := t.m[l.Lane]
	t.m[l.Lane] = ln
	if wait {
		t.waits++
	}
	if old != nil && old.wait {
		t.waits--
	}
	t.mu.Unlock()
	if old != nil {
		// This process took the lane again: the lease it held lapsed, so
		// whatever the old worker still does is not the lane's.
		old.lose()
	}
	return ln
}

func (t *laneTable) release(ln *lane) {
	t.mu.Lock()
	if t.m[ln.key] == ln {
		delete(t.m, ln.key)
		t.m = shrunk(t.m, &t.peak)
		if ln.wait {
			t.waits--
		}
	}
	full := t.full
	t.full = false
	t.mu.Unlock()
	if full {
		ln.b.nudgeSweep() // work may wait in the Store for a free lane
	}
	if !ln.wait {
		ln.b.work.add(-1)
	}
}

// room reports whether this process may take one more lane, under
// Config.MaxLanes. When it may not, it remembers to look in the Store for
// waiting work as soon as a lane is released.
func (t *laneTable) room(max int) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.m)-t.waits < max {
		return true
	}
	t.full = true
	return false
}

// makeRoom asks every lane held here to yield: runs waiting for a person
// hold lanes no one works in; they park, freeing their lanes for the work
// that waits in the Store for want of room.
func (b *Bot) makeRoom() {
	for _, l := range b.lanes.all() {
		l.requestYield("")
	}
}

// claimantFor is claimant for work queued in lane: no one, while a lane
// held here that lost its lease for want of the Store still tries to
// record its work done — it takes the new work up itself once it can,
// where a new claim would find that work cut.
func (b *Bot) claimantFor(lane string) string {
	if l := b.lanes.get(lane); l != nil && l.cutForStore() {
		return ""
	}
	return b.claimant()
}

// claimant returns the owner to claim a new lane with, or "" to only queue
// the work when this process holds as many lanes as it may.
func (b *Bot) claimant() string {
	if b.lanes.room(b.cfg.MaxLanes) {
		return b.owner
	}
	return ""
}

// queuedForRoom follows work the Store queued with no lease, for want of
// room under Config.MaxLanes. A lane released between the check for room
// and the queueing nudged a sweep that could not see the work yet: if there
// is room now, the sweep looks again; if not, the next release nudges it.
func (b *Bot) queuedForRoom(lane string) {
	switch {
	case b.lanes.room(b.cfg.MaxLanes):
		b.nudgeSweep()
	case b.lanes.get(lane) == nil:
		b.makeRoom() // a lane held here takes its own work up
	}
}

// nudgeSweep asks the sweep to look for work to take over now.
func (b *Bot) nudgeSweep() {
	select {
	case b.sweepNow <- struct{}{}:
	default:
	}
}

// currentLease returns the lane's lease as last renewed.
func (l *lane) currentLease() Lease {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lease
}

// requestYield asks the lane's run to give the lane up as soon as it
// waits for a person, because other work is queued. A note about the
// resumption of the run itself asks nothing: the run's own wait hears of
// its choice.
func (l *lane) requestYield(run string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if run != "" && l.cur != nil && l.cur.id == run {
		return
	}
	l.batchYield = false // a request stands, whatever the batch
	select {
	case <-l.yield:
	default:
		close(l.yield)
		if l.cur != nil {
			// The queued work keeps the bot busy until the run yields
			// and the lane takes it up (see execute).
			l.cur.activity(1)
			l.yieldHeld = true
		}
	}
}

// yielding returns the channel closed when the lane's run should give
// the lane up.
func (l *lane) yielding() <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.yield
}

// startLane works on a lane claimed by a call made at asked, on a
// goroutine of its own.
func (b *Bot) startLane(c Claimed, asked time.Time) {
	l := b.holdLane(c.Lease, asked)
	b.background(func() { l.work(c.Items, nil) })
}

// work does the lane's items, then those queued meanwhile, until the lane
// is empty, lost, or the bot stops; then it releases the lane. first,
// when set, does the first unit on the calling goroutine instead (a
// detached RunAgent, whose caller wants the result).
func (l *lane) work(items []WorkItem, first func(*lane) []string) {
	b := l.b
	retake := false // the lane let go with work queued once the Store was back
	defer func() {
		b.lanes.release(l)
		if retake {
			b.nudgeSweep() // take that work up here, now
		}
	}()
	busy := false // items after the first batch arrived while the lane was busy
	for {
		var done []string
		if first != nil {
			done, first = first(l), nil
		}
		done = append(done, l.process(items, busy)...)
		for _, it := range items {
			b.replies.Delete(it.ID) // a click's answer is for this batch only
		}
		if l.lostToAnother() {
			return
		}
		// A fresh request to yield for the next batch, made before the
		// Store hands it out: a request made meanwhile is not lost (at
		// worst a run of the batch yields for work it already has).
		l.mu.Lock()
		l.yield, l.batchYield = make(chan struct{}), false
		l.mu.Unlock()
		asked := time.Now()
		c, err := l.complete(done)
		if err != nil {
			return
		}
		if !c.Held() {
			switch {
			case c.Queued > 0 && l.cutForStore() && !b.stopping():
				retake = true
			case c.Queued > 0:
				b.log.Info("bot: stopped with work queued in a thread; it stays in the Store for the next process", "lane", l.key, "queued", c.Queued)
			}
			return
		}
		items, busy = c.Items, true
		l.mu.Lock()
		l.lease, l.renewed = c.Lease, asked
		l.mu.Unlock()
	}
}

func (l *lane) isLost() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lost
}

// held reports whether this process may still act for the lane. A lane
// whose lease was last renewed longer ago than the renewal loop lets pass
// is renewed here and now, before the caller acts: a process woken from a
// pause (or starved of CPU) finds its timers and its work ready at once,
// and must not post or edit for a thread another process may hold by now
// before the Store has said it is still this one's. A renewal refused
// gives the lane up (its run is cancelled), as the loop would.
func (l *lane) held() bool {
	ttl := l.b.cfg.LeaseTTL
	// The loop's renewal under way ends within its own timeout (a third
	// of the TTL) and says whether the lease is still this process's: it
	// is waited for, so that a lease another process took is given up
	// quietly, not taken for the Store's absence. The deadline only
	// bounds a process starved of CPU.
	for deadline := time.Now().Add(ttl); ; time.Sleep(time.Millisecond) {
		l.mu.Lock()
		lost, late, busy, old := l.lost, time.Since(l.renewed) > 2*ttl/3, l.renewing, l.lease
		if !lost && late && !busy {
			l.renewing, l.renewStart = true, time.Now()
		}
		l.mu.Unlock()
		switch {
		case lost:
			return false
		case !late:
			return true
		case !busy:
			l.b.renewLane(context.Background(), l, old)
			l.mu.Lock()
			lost, late = l.lost, time.Since(l.renewed) > 2*ttl/3
			l.mu.Unlock()
			if !lost && late {
				l.b.log.Warn("bot: could not renew a thread's lease in time: the Store cannot be reached; its run stops here", "lane", l.key)
				l.loseTo(errStoreLost)
			}
			return !lost && !late
		case time.Now().After(deadline):
			// The loop's renewal has not answered: as the loop would.
			l.b.log.Warn("bot: could not renew a thread's lease in time: the Store cannot be reached; its run stops here", "lane", l.key)
			l.loseTo(errStoreLost)
			return false
		}
	}
}

func (l *lane) givingBack() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.giveBack
}

// giveUpForNow gives the lane back with its work queued, for later: the
// Store failed it.
func (l *lane) giveUpForNow() {
	l.mu.Lock()
	l.giveBack = true
	l.mu.Unlock()
}

// moreAfter says whether more of the batch waits behind the work about to
// be done: then a run of it that waits for a person gives the lane up at
// once, as it would for work queued later; else the lane's yield is
// fresh, unless a request made it.
func (l *lane) moreAfter(more bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	closed := false
	select {
	case <-l.yield:
		closed = true
	default:
	}
	switch {
	case more && !closed:
		close(l.yield)
		l.batchYield = true
	case !more && closed && l.batchYield:
		l.yield = make(chan struct{})
		l.batchYield = false
	}
}

// complete reports the items done to the Store, with the transcript
// entries of the lane's runs, and returns what is queued next. It tries
// again and again while the lane is this process's — failing here means
// the work is taken for unfinished later — and, once the bot stops, for
// ten seconds more at most.
func (l *lane) complete(done []string) (Claimed, error) {
	b := l.b
	l.mu.Lock()
	records := l.records
	l.records = nil
	giveBack := l.giveBack
	l.giveBack = false
	var unbegin []string
	for id := range l.begun {
		if !slices.Contains(done, id) && !(l.lost && l.started[id]) {
			unbegin = append(unbegin, id)
		}
	}
	l.mu.Unlock()
	// A lane lost for the Store still reports what its runs finished, and
	// lets go of the rest: the work its cut run left, and what was queued
	// since, is taken up anew (here at once: see work).
	comp := Completion{Done: done, Records: records, Keep: b.cfg.HistoryLimit, Release: giveBack || l.isLost() || b.runCtx.Err() != nil, TTL: b.cfg.LeaseTTL}
	if comp.Release {
		comp.Unbegin = unbegin // not begun after all: the next process begins them afresh
	}
	var (
		err     error
		stopped time.Time
	)
	for wait := 50 * time.Millisecond; ; wait = min(2*wait, 2*time.Second) {
		ctx, cancel := context.WithTimeout(context.Background(), noticeTimeout)
		var c Claimed
		c, err = b.store.Complete(ctx, l.currentLease(), comp)
		cancel()
		switch {
		case err == nil:
			return c, nil
		case errors.Is(err, ErrConflict):
			b.log.Warn("bot: another process took a thread over before its work here was recorded as done", "lane", l.key)
			return Claimed{}, err
		}
		if b.stopping() && stopped.IsZero() {
			stopped = time.Now()
		}
		// While the lane may still be this process's, it keeps trying: the
		// Store will say ErrConflict if another process claimed it since.
		if l.lostToAnother() || (!stopped.IsZero() && time.Since(stopped) > 10*time.Second) {
			break
		}
		b.log.Warn("bot: recording work as done failed; will retry", "lane", l.key, "err", err)
		time.Sleep(wait)
	}
	b.log.Error("bot: could not record work as done; another process will find it unfinished", "lane", l.key, "err", err)
	return Claimed{}, err
}

// process does a batch of items handed out with the lane: first those a
// crash cut (see recover), then the resumptions of parked runs, clicks,
// and last the messages, as the Busy strategy says. busy means the batch
// was queued while the lane was busy. It returns the ids of the items
// done.
func (l *lane) process(items []WorkItem, busy bool) []string {
	b := l.b
	var done []string
	var msgs, cut, rest []WorkItem
	l.mu.Lock()
	l.begun, l.started = map[string]bool{}, map[string]bool{}
	for _, it := range items {
		if it.Begun {
			l.begun[it.ID] = true
		}
	}
	l.mu.Unlock()
	for _, it := range items {
		switch {
		case !knownWork(it.Kind):
			// Queued by a newer release sharing the Store: starting a run
			// for it would answer nobody's message in a thread.
			b.log.Error("bot: work of a kind this release does not know is ended undone", "lane", l.key, "kind", it.Kind, "item", it.ID)
			done = append(done, it.ID)
		case it.Attempts > 0 && it.Kind == WorkMessage:
			cut = append(cut, it)
		case it.Attempts > 0:
			rest = append([]WorkItem{it}, rest...) // cut runs first
		case it.Kind == WorkMessage:
			msgs = append(msgs, it)
		default:
			rest = append(rest, it)
		}
	}
	stop := func() bool { return b.runCtx.Err() != nil || l.isLost() || l.givingBack() }
	l.moreAfter(len(rest) > 0 || len(msgs) > 0)
	if len(cut) > 0 && !stop() && l.begin(cut...) {
		// Messages a process began and died with were handled by one run,
		// as the Busy strategy picked it: the others were its skipped.
		main := cut[0]
		if b.cfg.Busy != BusyConcurrent {
			main, _ = next(cut)
		}
		l.starting(cut...)
		if !l.recover(main) || l.cutForStore() {
			return done
		}
		for _, it := range cut {
			done = append(done, it.ID)
		}
	}
	for i, it := range rest {
		if stop() || !l.begin(it) {
			return done
		}
		l.moreAfter(i < len(rest)-1 || len(msgs) > 0)
		l.starting(it)
		ok := true
		switch {
		case it.Kind == WorkChoice:
			l.click(it)
		case it.Kind == WorkWait:
			ok = l.abandoned(it)
		case it.Attempts > 0:
			ok = l.recover(it)
		case it.Kind == WorkResume:
			ok = l.resume(it)
		default:
			l.start(it, nil)
		}
		if !ok || l.cutForStore() {
			return done // left for later: the lane is given back
		}
		done = append(done, it.ID)
	}
	l.moreAfter(false)
	if len(msgs) == 0 || stop() {
		return done
	}
	if busy && b.cfg.Busy == BusyDrop {
		for _, m := range msgs {
			b.log.Info("bot: thread busy; message dropped", "thread", m.Message.Address.String(), "message", m.Message.ID)
			done = append(done, m.ID)
		}
		return done
	}
	if b.cfg.Busy == BusyConcurrent {
		for _, m := range msgs {
			if stop() || !l.begin(m) {
				return done
			}
			l.starting(m)
			l.start(m, nil)
			if l.cutForStore() {
				return done
			}
			done = append(done, m.ID)
		}
		return done
	}
	if !l.begin(msgs...) {
		return done
	}
	it, skipped := next(msgs)
	l.starting(msgs...)
	l.start(it, skipped)
	if l.cutForStore() {
		return done
	}
	for _, m := range msgs {
		done = append(done, m.ID)
	}
	return done
}

// begin marks items begun in the Store before they are done, unless their
// hand-out says they are already: a process that dies doing them leaves
// them marked cut, and one that dies before leaves them fresh. When the
// Store cannot be told, the lane is given back for later.
func (l *lane) begin(items ...WorkItem) bool {
	var ids []string
	for _, it := range items {
		if !it.Begun {
			ids = append(ids, it.ID)
		}
	}
	if len(ids) == 0 {
		return true
	}
	ctx, cancel := context.WithTimeout(context.Background(), noticeTimeout)
	defer cancel()
	err := l.b.store.Begin(ctx, l.currentLease(), ids)
	switch {
	case err == nil:
		l.mu.Lock()
		for _, id := range ids {
			l.begun[id] = true
		}
		l.mu.Unlock()
		return true
	case errors.Is(err, ErrConflict):
		l.lose()
	default:
		l.b.log.Error("bot: could not mark work begun; leaving it for later", "lane", l.key, "err", err)
		l.giveUpForNow()
	}
	return false
}

// next picks the message to handle from those queued: the latest one that
// addresses the bot, else the latest. The others are skipped, in order.
func next(pending []WorkItem) (WorkItem, []Message) {
	i := len(pending) - 1
	for j := i; j >= 0; j-- {
		if pending[j].Message.Mention {
			i = j
			break
		}
	}
	skipped := make([]Message, 0, len(pending)-1)
	for j, it := range pending {
		if j != i {
			skipped = append(skipped, it.Message)
		}
	}
	return pending[i], skipped
}

// renew keeps the leases of the lanes held here alive, renewing each
// every third of LeaseTTL, until ctx ends. A lane the Store says was taken
// over is given up: its run stops quietly, as it goes on elsewhere. So is
// a lane this process could not renew for two thirds of LeaseTTL, by its
// own clock — before the Store's lease can lapse and another process take
// the lane — so that a run is live on one process at a time even when the
// Store hangs. A lane with work queued that was not handed out asks its
// run to yield (without a Notifier, this is how a holder hears of it).
func (b *Bot) renew(ctx context.Context) {
	ttl := b.cfg.LeaseTTL
	tick := time.NewTicker(ttl / 6)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		for _, l := range b.lanes.all() {
			l.mu.Lock()
			old, renewErr := l.lease, l.renewErr
			v := l.renewVerdict(time.Now(), ttl)
			if v == renewDue {
				l.renewing, l.renewStart = true, time.Now()
			}
			l.mu.Unlock()
			switch v {
			case renewStoreLost:
				// The Store failed the renewals or has not answered: only
				// an ErrConflict says another process holds the lane.
				b.log.Warn("bot: could not renew a thread's lease in time: the Store cannot be reached; its run stops here", "lane", l.key, "err", renewErr)
				l.loseTo(errStoreLost)
			case renewGiveUp:
				b.log.Warn("bot: could not renew a thread's lease in time; giving the thread up", "lane", l.key)
				l.lose()
			case renewDue:
				go b.renewLane(ctx, l, old)
			}
		}
	}
}

// A renewVerdict is what the renewal loop does for a lane at one tick.
type renewVerdict int

const (
	renewNothing   renewVerdict = iota // the lease is fresh, lost, or a renewal under way answers first
	renewDue                           // renew it now
	renewGiveUp                        // give the lane up quietly
	renewStoreLost                     // give the lane up: the Store cannot be reached
)

// renewVerdict decides what the renewal loop does for the lane at now;
// l.mu is held.
func (l *lane) renewVerdict(now time.Time, ttl time.Duration) renewVerdict {
	since := now.Sub(l.renewed)
	busy := l.renewing
	// A renewal begun once the lease had lapsed by this process's clock —
	// one a process woken from a pause began as it woke, say — answers
	// first, within its own timeout: an ErrConflict then gives the lane up
	// quietly. One begun while the lease may still hold is not waited for
	// past two thirds of the TTL: its timeout may end as late as the
	// Store's lease, or later.
	late := busy && l.renewStart.Sub(l.renewed) > ttl
	switch {
	case l.lost:
		return renewNothing
	case late && now.Sub(l.renewStart) <= ttl/3:
		return renewNothing
	case since > 2*ttl/3 && (l.renewErr != nil || busy):
		// The Store failed the renewals or has not answered.
		return renewStoreLost
	case since > 2*ttl/3:
		return renewGiveUp
	case !busy && since >= ttl/3:
		return renewDue
	}
	return renewNothing
}

// renewLane renews one lane's lease, within a third of LeaseTTL.
func (b *Bot) renewLane(ctx context.Context, l *lane, old Lease) {
	defer func() {
		l.mu.Lock()
		l.renewing = false
		l.mu.Unlock()
	}()
	asked := time.Now()
	rctx, cancel := context.WithTimeout(ctx, b.cfg.LeaseTTL/3)
	defer cancel()
	nl, queued, err := b.store.Renew(rctx, old, b.cfg.LeaseTTL)
	switch {
	case err == nil:
		l.mu.Lock()
		if l.lease.Token == old.Token {
			l.lease, l.renewed = nl, asked
		}
		l.renewErr = nil
		l.mu.Unlock()
		if queued > 0 {
			l.requestYield("")
		}
	case errors.Is(err, ErrConflict):
		if ctx.Err() == nil {
			b.log.Warn("bot: lost a thread's lease; its run goes on in another process", "lane", l.key)
			l.lose()
		}
	default:
		l.mu.Lock()
		l.renewErr = err
		l.mu.Unlock()
		if ctx.Err() == nil {
			b.log.Warn("bot: renewing a lease failed; will try again", "lane", l.key, "err", err)
		}
	}
}

// lose gives the lane up: its run is cancelled and stops without a word.
func (l *lane) lose() { l.loseTo(errLeaseLost) }

// loseTo gives the lane up for cause: errLeaseLost (another process holds
// it) or errStoreLost (the Store could not be reached to keep it).
func (l *lane) loseTo(cause error) {
	l.mu.Lock()
	l.lost = true
	l.unreached = cause == errStoreLost
	r := l.cur
	l.mu.Unlock()
	if r != nil {
		r.cancel(cause)
	}
}

// starting notes that the work of items begins here: should the Store be
// lost before it ends, they stay begun, for whoever takes the lane up to
// find cut.
func (l *lane) starting(items ...WorkItem) {
	l.mu.Lock()
	for _, it := range items {
		l.started[it.ID] = true
	}
	l.mu.Unlock()
}

// cutForStore reports whether the lane was lost because the Store could
// not be reached: the work under way was cut, and is not done.
func (l *lane) cutForStore() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lost && l.unreached
}

// lostToAnother reports whether the lane was lost and cannot be this
// process's any more: another process claimed it, or may have.
func (l *lane) lostToAnother() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lost && !l.unreached
}

// sweepLimit bounds what one sweep takes on.
const sweepLimit = 100

// sweep looks in the Store, at once and then every SweepInterval until ctx
// ends, for choices past their deadline that no goroutine here waits on,
// which it expires, and for lanes with queued work and no live lease,
// which it takes over. Now and then it purges what outlived its
// retention.
func (b *Bot) sweep(ctx context.Context) {
	tick := time.NewTicker(b.cfg.SweepInterval)
	defer tick.Stop()
	lastPurge := time.Time{}
	for {
		b.expire(ctx)
		b.takeOver(ctx)
		if time.Since(lastPurge) >= time.Minute {
			lastPurge = time.Now()
			b.purge(ctx)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-b.sweepNow:
		}
	}
}

func (b *Bot) expire(ctx context.Context) {
	due, err := b.store.Expiring(ctx, time.Now(), sweepLimit)
	if ctx.Err() == nil {
		b.expireTrouble.note(b.log, "looking for expired choices", err)
	}
	if err != nil {
		return
	}
	for _, c := range due {
		if ctx.Err() != nil || b.stopping() {
			return
		}
		if b.waits.has(c.ID) {
			continue // its AwaitChoice has a timer of its own
		}
		b.work.add(1)
		if c, won, err := b.store.Resolve(ctx, c.ID, Outcome{State: ChoiceExpired, At: time.Now()}); err == nil && won {
			b.ended(ctx, c)
		}
		b.work.add(-1)
	}
}

// takeOver takes the lanes with work and no live lease, a page of
// sweepLimit at a time, while this process has room for them. A full page
// means more may wait behind it: it looks again at once, as long as the
// page gave it some lane (a page of lanes all held here, or all taken by
// others first, would only be read again).
func (b *Bot) takeOver(ctx context.Context) {
	for {
		lanes, err := b.store.Lapsed(ctx, time.Now(), sweepLimit)
		if ctx.Err() == nil {
			b.takeTrouble.note(b.log, "looking for work to take over", err)
		}
		if err != nil {
			return
		}
		took := 0
		for _, lane := range lanes {
			if ctx.Err() != nil || b.stopping() {
				return
			}
			if b.lanes.get(lane) != nil {
				continue
			}
			if !b.lanes.room(b.cfg.MaxLanes) {
				b.makeRoom()
				return
			}
			asked := time.Now()
			c, err := b.store.Claim(ctx, lane, b.owner, b.cfg.LeaseTTL)
			switch {
			case errors.Is(err, ErrConflict):
				continue // another process was quicker
			case err != nil:
				b.log.Error("bot: taking over work failed", "lane", lane, "err", err)
				continue
			}
			b.log.Info("bot: taking over work no process holds", "lane", lane, "items", len(c.Items))
			b.startLane(c, asked)
			took++
		}
		if len(lanes) < sweepLimit || took == 0 {
			return
		}
	}
}

func (b *Bot) purge(ctx context.Context) {
	now := time.Now()
	p := Purge{Now: now, ChoicesEndedBefore: now.Add(-b.cfg.ChoiceRetention), TranscriptsIdleBefore: now.Add(-b.cfg.TranscriptRetention)}
	if err := b.store.Purge(ctx, p); err != nil && ctx.Err() == nil {
		b.log.Warn("bot: purging the Store failed", "err", err)
	}
}

// receiveNote handles a note from the Notifier.
func (b *Bot) receiveNote(note string) {
	kind, x, run, ok := parseNote(note)
	if !ok {
		return
	}
	switch kind {
	case noteChoice:
		if !b.waits.has(x) {
			return
		}
		c, err := b.store.Choice(b.runCtx, x)
		if err == nil && c.Outcome.State != ChoicePending {
			b.waits.deliver(x, c.Outcome)
		}
	case noteLane:
		if l := b.lanes.get(x); l != nil {
			l.requestYield(run)
		}
	}
}

// waitTable holds the choices waited for here.
type waitTable struct {
	mu   sync.Mutex
	m    map[string]*waiter
	peak int // see shrunk
}

// waiter is an AwaitChoice waiting for a choice's outcome.
type waiter struct {
	ch chan Outcome
	// run is the run waiting, if any; while it sleeps it does not keep
	// the bot busy. An outcome delivered counts the run as at work again
	// at once (woke), before its goroutine wakes, so the bot is never seen
	// idle in between.
	run   *run
	slept bool
	woke  bool
}

func (w *waitTable) register(id string, r *run) *waiter {
	wt := &waiter{ch: make(chan Outcome, 1), run: r}
	w.mu.Lock()
	w.m[id] = wt
	w.mu.Unlock()
	return wt
}

func (w *waitTable) has(id string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.m[id] != nil
}

// deliver hands o to the waiter of choice id, if there is one here.
func (w *waitTable) deliver(id string, o Outcome) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	wt := w.m[id]
	if wt == nil {
		return false
	}
	// Sent under w.mu: a wait that gives up (see unwait) either finds
	// the outcome or is gone before this looks.
	select {
	case wt.ch <- o:
		w.wake(wt)
	default:
	}
	return true
}

// wake marks the waiter as given an outcome, counting its run as at work
// again if it slept; w.mu must be held.
func (w *waitTable) wake(wt *waiter) {
	if wt.woke {
		return
	}
	wt.woke = true
	if wt.slept && wt.run != nil {
		wt.run.activity(1)
	}
}

// sleep counts the waiter's run as waiting for a person, unless an
// outcome came already.
func (w *waitTable) sleep(wt *waiter) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !wt.woke && wt.run != nil {
		wt.slept = true
		wt.run.activity(-1)
	}
}

// awake ends a wait: its run is at work again, however the wait ended.
func (w *waitTable) awake(wt *waiter) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.wake(wt)
}

// unwait stops waiting for choice id and returns the outcome delivered
// meanwhile, if any. After it, an outcome is no longer delivered here but
// resumes the choice's run.
func (w *waitTable) unwait(id string, wt *waiter) (Outcome, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.m[id] == wt {
		delete(w.m, id)
		w.m = shrunk(w.m, &w.peak)
	}
	select {
	case o := <-wt.ch:
		return o, true
	default:
		return Outcome{}, false
	}
}

// trouble keeps the log of a failing background task short while the
// Store is away: the first failure, one a minute after it, and the
// recovery, rather than every sweep's.
type trouble struct {
	mu     sync.Mutex
	since  time.Time // when the failures began; zero while all is well
	logged time.Time // when one was last logged
	missed int       // failures not logged since
}

// trouble's reminder interval.
const troubleEvery = time.Minute

func (t *trouble) note(log *slog.Logger, what string, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	switch {
	case err == nil && !t.since.IsZero():
		log.Info("bot: "+what+" works again", "failing for", now.Sub(t.since).Round(time.Millisecond))
		t.since, t.logged, t.missed = time.Time{}, time.Time{}, 0
	case err == nil:
	case t.since.IsZero():
		t.since, t.logged = now, now
		log.Error("bot: "+what+" failed", "err", err)
	case now.Sub(t.logged) >= troubleEvery:
		log.Error("bot: "+what+" still fails", "err", err, "failing for", now.Sub(t.since).Round(time.Second), "failures not logged", t.missed)
		t.logged, t.missed = now, 0
	default:
		t.missed++
	}
}

// knownWork reports whether this release knows how to do work of kind k.
func knownWork(k WorkKind) bool {
	switch k {
	case WorkMessage, WorkAction, WorkAgent, WorkResume, WorkChoice, WorkWait:
		return true
	}
	return false
}
