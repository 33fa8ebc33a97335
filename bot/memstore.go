package bot

import (
	"cmp"
	"container/list"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// MemoryStore is a [Store] and a [Notifier] in this process's memory: the
// default when [Config.Store] is nil. Nothing in it survives the process.
// Bots in one process that share one MemoryStore act as replicas of each
// other, which is how tests try replicas; real replicas need a database
// Store.
//
// It bounds what it holds: transcripts of at most 10,000 threads (the
// least recently written thread goes first) and 10,000 dedupe keys (the
// oldest go first).
type MemoryStore struct {
	mu        sync.Mutex
	actions   map[string]ActionRecord // bound to handlers
	options   map[string]memOption    // options of choices, by id
	choices   map[string]memChoice
	byRun     map[string]string    // run → its first choice's id
	moreByRun map[string][]string  // run → the ids of its other choices
	deadlines map[string]time.Time // pending choices with a deadline
	lanes     map[string]*memLane
	queued    map[string]struct{} // lanes with queued items
	tokens    int64               // the last fencing token given out, in any lane
	journals  map[string]*memJournal
	dedupe    map[string]time.Time
	dedupeQ   []string // dedupe keys, oldest first
	threads   map[string]*list.Element
	lru       *list.List // of *memThread, most recently written first

	subMu sync.Mutex
	subs  map[*NoteMailbox]struct{}

	// The largest the maps that empty as work ends have been (see shrunk).
	lanesPeak, queuedPeak, journalsPeak int
}

const (
	memMaxThreads = 10_000
	memMaxDedupe  = 10_000
)

type memLane struct {
	owner   string
	token   int64
	expires time.Time
	items   []memItem
}

type memItem struct {
	WorkItem
	begun    int   // leases that began it
	beganBy  int64 // the token of the lease that began it last
	handedTo int64 // the token of the lease it was last handed out with
}

// A parked choice should cost little memory: choices and journals are
// kept encoded, and an option's id points into its choice.

type memChoice struct {
	data []byte // the ChoiceRecord, by encodeChoice
	run  string
}

type memOption struct {
	choice string
	index  int
}

type memJournal struct {
	n    int       // entries
	data []byte    // the entries, encoded by appendEntry
	keep time.Time // zero while the run goes on
}

type memThread struct {
	key     string
	msgs    []Message
	touched time.Time
}

var (
	_ Store    = (*MemoryStore)(nil)
	_ Notifier = (*MemoryStore)(nil)
)

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{
		actions:   map[string]ActionRecord{},
		options:   map[string]memOption{},
		choices:   map[string]memChoice{},
		byRun:     map[string]string{},
		moreByRun: map[string][]string{},
		deadlines: map[string]time.Time{},
		lanes:     map[string]*memLane{},
		queued:    map[string]struct{}{},
		journals:  map[string]*memJournal{},
		dedupe:    map[string]time.Time{},
		threads:   map[string]*list.Element{},
		lru:       list.New(),
		subs:      map[*NoteMailbox]struct{}{},
	}
}

// PutActions implements [Store].
func (s *MemoryStore) PutActions(ctx context.Context, actions []ActionRecord) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, a := range actions {
		if s.taken(a.ID) || slices.ContainsFunc(actions[:i], func(b ActionRecord) bool { return b.ID == a.ID }) {
			return fmt.Errorf("bot: action id %q: %w", a.ID, ErrConflict)
		}
	}
	for _, a := range actions {
		a.Value = slices.Clone(a.Value)
		s.actions[a.ID] = a
	}
	return nil
}

// Action implements [Store].
func (s *MemoryStore) Action(ctx context.Context, id string) (ActionRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o, ok := s.options[id]; ok {
		c := s.choice(o.choice)
		opt := c.Options[o.index]
		return ActionRecord{ID: id, Address: c.Address, Choice: c.ID, Option: o.index, Label: opt.Label, Value: opt.Value}, nil
	}
	a, ok := s.actions[id]
	if !ok {
		return ActionRecord{}, fmt.Errorf("bot: action id %q: %w", id, ErrNotFound)
	}
	a.Value = slices.Clone(a.Value)
	return a, nil
}

// taken reports whether an action id is in use; s.mu must be held.
func (s *MemoryStore) taken(id string) bool {
	_, action := s.actions[id]
	_, option := s.options[id]
	return action || option
}

// choice decodes a stored choice; s.mu must be held.
func (s *MemoryStore) choice(id string) ChoiceRecord {
	return decodeChoice(s.choices[id].data)
}

// putChoice encodes and stores c; s.mu must be held.
func (s *MemoryStore) putChoice(c ChoiceRecord) {
	mc := memChoice{data: encodeChoice(c), run: c.Run}
	if old, ok := s.choices[c.ID]; ok {
		mc.run = old.run // the string already kept
	}
	s.choices[c.ID] = mc
}

// PutChoice implements [Store].
func (s *MemoryStore) PutChoice(ctx context.Context, c ChoiceRecord) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.choices[c.ID]; dup {
		return fmt.Errorf("bot: choice %q: %w", c.ID, ErrConflict)
	}
	for i, o := range c.Options {
		if s.taken(o.ID) || slices.ContainsFunc(c.Options[:i], func(p OptionRecord) bool { return p.ID == o.ID }) {
			return fmt.Errorf("bot: choice %q: option id %q: %w", c.ID, o.ID, ErrConflict)
		}
	}
	s.putChoice(c)
	if c.Run != "" {
		if _, ok := s.byRun[c.Run]; ok {
			s.moreByRun[c.Run] = append(s.moreByRun[c.Run], c.ID)
		} else {
			s.byRun[c.Run] = c.ID
		}
	}
	if c.Outcome.State == ChoicePending && !c.Deadline.IsZero() {
		s.deadlines[c.ID] = c.Deadline
	}
	for i, o := range c.Options {
		s.options[o.ID] = memOption{choice: c.ID, index: i}
	}
	return nil
}

// Choice implements [Store].
func (s *MemoryStore) Choice(ctx context.Context, id string) (ChoiceRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.choices[id]; !ok {
		return ChoiceRecord{}, fmt.Errorf("bot: choice %q: %w", id, ErrNotFound)
	}
	return s.choice(id), nil
}

// Choices implements [Store].
func (s *MemoryStore) Choices(ctx context.Context, run string) ([]ChoiceRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []ChoiceRecord
	for _, id := range s.runChoices(run) {
		if _, ok := s.choices[id]; ok {
			out = append(out, s.choice(id))
		}
	}
	slices.SortFunc(out, func(a, b ChoiceRecord) int {
		if d := a.Created.Compare(b.Created); d != 0 {
			return d
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out, nil
}

// runChoices lists the ids of run's choices; s.mu must be held.
func (s *MemoryStore) runChoices(run string) []string {
	first, ok := s.byRun[run]
	if !ok {
		return nil
	}
	return append([]string{first}, s.moreByRun[run]...)
}

// SetChoiceMessage implements [Store].
func (s *MemoryStore) SetChoiceMessage(ctx context.Context, id string, ref MessageRef) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.choices[id]; !ok {
		return fmt.Errorf("bot: choice %q: %w", id, ErrNotFound)
	}
	if c := s.choice(id); c.Message.ID == "" {
		c.Message = ref
		s.putChoice(c)
	}
	return nil
}

// Resolve implements [Store].
func (s *MemoryStore) Resolve(ctx context.Context, id string, o Outcome) (ChoiceRecord, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.choices[id]; !ok {
		return ChoiceRecord{}, false, fmt.Errorf("bot: choice %q: %w", id, ErrNotFound)
	}
	c := s.choice(id)
	if c.Outcome.State != ChoicePending || o.State == ChoicePending {
		return c, false, nil
	}
	c.Outcome = o
	s.putChoice(c)
	delete(s.deadlines, id)
	return s.choice(id), true, nil
}

// Expiring implements [Store].
func (s *MemoryStore) Expiring(ctx context.Context, t time.Time, limit int) ([]ChoiceRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []ChoiceRecord
	for id, d := range s.deadlines {
		if !d.After(t) {
			out = append(out, s.choice(id))
		}
	}
	slices.SortFunc(out, func(a, b ChoiceRecord) int {
		if d := a.Deadline.Compare(b.Deadline); d != 0 {
			return d
		}
		return cmp.Compare(a.ID, b.ID)
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// Accept implements [Store].
func (s *MemoryStore) Accept(ctx context.Context, a Acceptance) (Claimed, error) {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if a.Dedupe != "" {
		if until, seen := s.dedupe[a.Dedupe]; seen && until.After(now) {
			return Claimed{}, fmt.Errorf("bot: event %q: %w", a.Dedupe, ErrDuplicate)
		}
		s.setDedupe(a.Dedupe, a.DedupeUntil)
	}
	if a.Record != nil {
		s.record(a.Thread, []Message{*a.Record}, a.Keep, now)
	}
	if a.Item.ID == "" {
		return Claimed{}, nil
	}
	l := s.lanes[a.Item.Lane]
	if l == nil {
		l = &memLane{}
		s.lanes[a.Item.Lane] = l
	}
	l.items = append(l.items, memItem{WorkItem: memItem{WorkItem: a.Item}.copy(0)})
	s.queued[a.Item.Lane] = struct{}{}
	if a.Owner == "" || (l.owner != "" && l.expires.After(now)) {
		return Claimed{}, nil
	}
	s.tokens++
	l.owner, l.token, l.expires = a.Owner, s.tokens, now.Add(a.LeaseTTL)
	if a.Begin && len(l.items) == 1 {
		l.begin(&l.items[0])
	}
	return Claimed{Lease: l.lease(a.Item.Lane), Items: l.handOut()}, nil
}

// take gives lane l to owner with a new token and hands out its items;
// s.mu must be held.
func (s *MemoryStore) take(lane string, l *memLane, owner string, ttl time.Duration, now time.Time) Claimed {
	s.tokens++
	l.owner, l.token, l.expires = owner, s.tokens, now.Add(ttl)
	return Claimed{Lease: l.lease(lane), Items: l.handOut()}
}

func (l *memLane) lease(lane string) Lease {
	return Lease{Lane: lane, Owner: l.owner, Token: l.token, Expires: l.expires}
}

// handOut returns the lane's queued items, with the attempts other
// leases made at them.
func (l *memLane) handOut() []WorkItem {
	if len(l.items) == 0 {
		return nil
	}
	out := make([]WorkItem, len(l.items))
	for i := range l.items {
		l.items[i].handedTo = l.token
		it := l.items[i]
		mine := it.beganBy == l.token
		attempts := it.begun
		if mine {
			attempts--
		}
		out[i] = it.copy(attempts)
		out[i].Begun = mine
	}
	return out
}

// begin marks an item begun by the lane's lease.
func (l *memLane) begin(it *memItem) {
	if it.beganBy != l.token {
		it.begun++
		it.beganBy = l.token
	}
}

// copy returns the item as handed out: its own copy, with its attempts.
func (it memItem) copy(attempts int) WorkItem {
	w := it.WorkItem
	w.Attempts = attempts
	if w.Action != nil {
		a := *w.Action
		a.Value = slices.Clone(a.Value)
		w.Action = &a
	}
	if w.Agent != nil {
		a := *w.Agent
		a.Tools = slices.Clone(a.Tools)
		w.Agent = &a
	}
	return w
}

// Claim implements [Store].
func (s *MemoryStore) Claim(ctx context.Context, lane, owner string, ttl time.Duration) (Claimed, error) {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.lanes[lane]
	if l == nil {
		l = &memLane{}
		s.lanes[lane] = l
	}
	if l.owner != "" && l.expires.After(now) {
		return Claimed{}, fmt.Errorf("bot: lane %q is held by %s: %w", lane, l.owner, ErrConflict)
	}
	return s.take(lane, l, owner, ttl, now), nil
}

// held returns the lane l is a live or lapsed lease of, if it is still
// the lane's; s.mu must be held.
func (s *MemoryStore) held(l Lease) (*memLane, error) {
	ml := s.lanes[l.Lane]
	if ml == nil || ml.token != l.Token || ml.owner != l.Owner || l.Owner == "" {
		return nil, fmt.Errorf("bot: lease on lane %q (token %d) is no longer held: %w", l.Lane, l.Token, ErrConflict)
	}
	return ml, nil
}

// Complete implements [Store].
func (s *MemoryStore) Complete(ctx context.Context, l Lease, c Completion) (Claimed, error) {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	ml, err := s.held(l)
	if err != nil {
		return Claimed{}, err
	}
	if len(c.Done) > 0 {
		ml.items = slices.DeleteFunc(ml.items, func(it memItem) bool { return slices.Contains(c.Done, it.ID) })
	}
	for i := range ml.items {
		if it := &ml.items[i]; it.beganBy == ml.token && slices.Contains(c.Unbegin, it.ID) {
			it.begun--
			it.beganBy = 0
		}
	}
	for _, r := range c.Records {
		s.record(r.Thread, []Message{r.Message}, c.Keep, now)
	}
	if len(ml.items) > 0 && !c.Release {
		ml.expires = now.Add(c.TTL)
		return Claimed{Lease: ml.lease(l.Lane), Items: ml.handOut()}, nil
	}
	ml.owner, ml.expires = "", time.Time{}
	if len(ml.items) == 0 {
		delete(s.lanes, l.Lane)
		delete(s.queued, l.Lane)
		s.lanes = shrunk(s.lanes, &s.lanesPeak)
		s.queued = shrunk(s.queued, &s.queuedPeak)
	}
	return Claimed{Queued: len(ml.items)}, nil
}

// Begin implements [Store].
func (s *MemoryStore) Begin(ctx context.Context, l Lease, ids []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ml, err := s.held(l)
	if err != nil {
		return err
	}
	for i := range ml.items {
		if slices.Contains(ids, ml.items[i].ID) {
			ml.begin(&ml.items[i])
		}
	}
	return nil
}

// Renew implements [Store].
func (s *MemoryStore) Renew(ctx context.Context, l Lease, ttl time.Duration) (Lease, int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ml, err := s.held(l)
	if err != nil {
		return Lease{}, 0, err
	}
	ml.expires = time.Now().Add(ttl)
	fresh := 0
	for _, it := range ml.items {
		if it.handedTo != ml.token {
			fresh++
		}
	}
	return ml.lease(l.Lane), fresh, nil
}

// Lapsed implements [Store].
func (s *MemoryStore) Lapsed(ctx context.Context, now time.Time, limit int) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for lane := range s.queued {
		if l := s.lanes[lane]; l.owner == "" || !l.expires.After(now) {
			out = append(out, lane)
		}
	}
	slices.Sort(out)
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// Dedupe implements [Store].
func (s *MemoryStore) Dedupe(ctx context.Context, key string, until time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, seen := s.dedupe[key]; seen && u.After(time.Now()) {
		return false, nil
	}
	s.setDedupe(key, until)
	return true, nil
}

// setDedupe sets a dedupe key, forgetting the oldest past the bound; s.mu
// must be held.
func (s *MemoryStore) setDedupe(key string, until time.Time) {
	if _, ok := s.dedupe[key]; !ok {
		s.dedupeQ = append(s.dedupeQ, key)
	}
	s.dedupe[key] = until
	for len(s.dedupe) > memMaxDedupe {
		delete(s.dedupe, s.dedupeQ[0])
		s.dedupeQ = s.dedupeQ[1:]
	}
	if cap(s.dedupeQ) > 4*memMaxDedupe {
		s.dedupeQ = slices.Clone(s.dedupeQ)
	}
}

// AppendJournal implements [Store].
func (s *MemoryStore) AppendJournal(ctx context.Context, l Lease, run string, entries []JournalEntry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.held(l); err != nil {
		return err
	}
	j := s.journals[run]
	n := 0
	if j != nil {
		n = j.n
	}
	for i, e := range entries {
		if e.Seq != n+i {
			return fmt.Errorf("bot: journal of run %q: entry %d, journal has %d: %w", run, e.Seq, n+i, ErrConflict)
		}
	}
	if len(entries) == 0 {
		return nil
	}
	data := []byte(nil)
	if j != nil {
		data = j.data
	}
	for _, e := range entries {
		data = appendEntry(data, e)
	}
	if j == nil {
		j = &memJournal{}
		s.journals[run] = j
	}
	j.n += len(entries)
	j.data = slices.Clone(data) // to size: appending grew it by doubling
	return nil
}

// Journal implements [Store].
func (s *MemoryStore) Journal(ctx context.Context, run string) ([]JournalEntry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.journals[run]
	if j == nil {
		return nil, nil
	}
	out := make([]JournalEntry, 0, j.n)
	for data := j.data; len(data) > 0; {
		var e JournalEntry
		e, data = readEntry(data)
		out = append(out, e)
	}
	return out, nil
}

// EndJournal implements [Store].
func (s *MemoryStore) EndJournal(ctx context.Context, l Lease, run string, keep time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.held(l); err != nil {
		return err
	}
	j := s.journals[run]
	switch {
	case j == nil:
	case keep.IsZero():
		delete(s.journals, run)
		s.journals = shrunk(s.journals, &s.journalsPeak)
	default:
		j.keep = keep
	}
	return nil
}

// Record implements [Store].
func (s *MemoryStore) Record(ctx context.Context, thread string, msgs []Message, keep int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.record(thread, msgs, keep, time.Now())
	return nil
}

// record adds msgs to a thread's transcript; s.mu must be held.
func (s *MemoryStore) record(thread string, msgs []Message, keep int, now time.Time) {
	el, ok := s.threads[thread]
	if !ok {
		if s.lru.Len() >= memMaxThreads {
			old := s.lru.Remove(s.lru.Back()).(*memThread)
			delete(s.threads, old.key)
		}
		el = s.lru.PushFront(&memThread{key: thread})
		s.threads[thread] = el
	} else {
		s.lru.MoveToFront(el)
	}
	t := el.Value.(*memThread)
	t.touched = now
	for _, m := range msgs {
		if i := slices.IndexFunc(t.msgs, func(x Message) bool { return x.ID == m.ID && m.ID != "" }); i >= 0 {
			t.msgs[i] = m
			continue
		}
		if keep > 0 && len(t.msgs) >= keep {
			// Full: drop the oldest in place, so that a busy thread's
			// transcript does not churn the heap.
			copy(t.msgs, t.msgs[len(t.msgs)-keep+1:])
			clear(t.msgs[keep-1:])
			t.msgs = append(t.msgs[:keep-1], m)
			continue
		}
		t.msgs = append(t.msgs, m)
	}
}

// Unrecord implements [Store].
func (s *MemoryStore) Unrecord(ctx context.Context, thread, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if el, ok := s.threads[thread]; ok {
		t := el.Value.(*memThread)
		t.msgs = slices.DeleteFunc(t.msgs, func(m Message) bool { return m.ID == id })
	}
	return nil
}

// Transcript implements [Store].
func (s *MemoryStore) Transcript(ctx context.Context, thread string, limit int) ([]Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	el, ok := s.threads[thread]
	if !ok {
		return nil, nil
	}
	msgs := el.Value.(*memThread).msgs
	if limit > 0 && len(msgs) > limit {
		msgs = msgs[len(msgs)-limit:]
	}
	return slices.Clone(msgs), nil
}

// Purge implements [Store].
func (s *MemoryStore) Purge(ctx context.Context, p Purge) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !p.Now.IsZero() {
		kept := s.dedupeQ[:0]
		for _, k := range s.dedupeQ {
			if s.dedupe[k].After(p.Now) {
				kept = append(kept, k)
			} else {
				delete(s.dedupe, k)
			}
		}
		clear(s.dedupeQ[len(kept):])
		s.dedupeQ = kept
		for run, j := range s.journals {
			if !j.keep.IsZero() && !j.keep.After(p.Now) {
				delete(s.journals, run)
			}
		}
		for id, a := range s.actions {
			if !a.Expires.IsZero() && !a.Expires.After(p.Now) {
				delete(s.actions, id)
			}
		}
	}
	if !p.ChoicesEndedBefore.IsZero() {
		for id, mc := range s.choices {
			c := s.choice(id)
			if c.Outcome.State == ChoicePending || !c.Outcome.At.Before(p.ChoicesEndedBefore) {
				continue
			}
			for _, o := range c.Options {
				delete(s.options, o.ID)
			}
			delete(s.choices, id)
			ids := slices.DeleteFunc(s.runChoices(mc.run), func(x string) bool { return x == id })
			delete(s.byRun, mc.run)
			delete(s.moreByRun, mc.run)
			if len(ids) > 0 {
				s.byRun[mc.run] = ids[0]
			}
			if len(ids) > 1 {
				s.moreByRun[mc.run] = ids[1:]
			}
		}
	}
	if !p.TranscriptsIdleBefore.IsZero() {
		for el := s.lru.Back(); el != nil; {
			t := el.Value.(*memThread)
			if !t.touched.Before(p.TranscriptsIdleBefore) {
				break
			}
			prev := el.Prev()
			s.lru.Remove(el)
			delete(s.threads, t.key)
			el = prev
		}
	}
	return nil
}

// Publish implements [Notifier]: every subscriber of this store, in this
// process, receives note.
func (s *MemoryStore) Publish(ctx context.Context, note string) error {
	s.subMu.Lock()
	defer s.subMu.Unlock()
	for sub := range s.subs {
		sub.Put(note)
	}
	return nil
}

// Subscribe implements [Notifier].
func (s *MemoryStore) Subscribe(ctx context.Context, receive func(note string)) error {
	sub := NewNoteMailbox()
	s.subMu.Lock()
	s.subs[sub] = struct{}{}
	s.subMu.Unlock()
	go func() {
		defer func() {
			s.subMu.Lock()
			delete(s.subs, sub)
			s.subMu.Unlock()
		}()
		sub.Deliver(ctx, nil, receive)
	}()
	return nil
}

// shrunk returns m, or a copy of it made to its size when it has fallen
// far below the largest it was (*peak, kept up to date): Go maps never
// give back the memory a burst made them take.
func shrunk[K comparable, V any](m map[K]V, peak *int) map[K]V {
	*peak = max(*peak, len(m))
	if *peak < 1024 || len(m) > *peak/8 {
		return m
	}
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	*peak = len(out)
	return out
}
