package bot

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A run is made replayable rather than persisted: every step whose result
// is not determined by the code — a model response, a Thread operation, a
// decision — is recorded in the run's journal before its result is used.
// Replaying a run re-executes its code with each recorded step answered
// from the journal, until the first step not recorded, where the run goes
// on live.
//
// A journal is split into scopes: the handler's ("") and, inside it, one
// per agent loop ("/a1", "/a2", …) and one per tool call of a loop
// ("/a1/s2.0", call 0 of step 2). Steps of one scope replay in order;
// scopes are independent, so tool calls running at once journal side by
// side.
//
// Entries are kept in memory and written to the Store in batches: before
// anything a replay must find recorded (a choice's wait, a park), when
// the batch grows large, and at the run's end. A turn that never waits
// writes no journal at all: its run ends, and a finished run's journal is
// deleted (or kept for Config.JournalRetention).

// journal is the journal of one run.
type journal struct {
	store Store
	run   string
	lease func() Lease

	mu sync.Mutex
	// recorded holds, by scope, the entries read from the Store to replay.
	recorded map[string][]JournalEntry
	// closed holds the choices whose decision the run took and whose card
	// it closed, and inClose those whose card it is still trying to close.
	closed  map[string]bool
	inClose map[string]bool
	// closesSettled, when set, is closed (and cleared) once inClose is
	// empty again.
	closesSettled chan struct{}
	stored        int            // entries in the Store
	buf           []JournalEntry // entries recorded since, not yet written
	// broken is set when a replay asked for a different step than the
	// journal recorded, or the journal could not be written: the run
	// cannot go on.
	broken error
	// parked is set when the run gave up its goroutine to wait for a
	// person, or another process took it over: it stops quietly.
	parked bool
	// cut is set when a tool call was cancelled at work: the run cannot
	// park and resume, which would run the call again.
	cut bool
	// onStall, when set, is called (with mu held: it must return at once)
	// when a write fails and the run waits for the Store to come back.
	onStall func()
}

// maxBuffered bounds the entries a journal keeps unwritten.
const maxBuffered = 256

func newJournal(s Store, run string, lease func() Lease, entries []JournalEntry) *journal {
	j := &journal{store: s, run: run, lease: lease, stored: len(entries)}
	if len(entries) > 0 {
		j.recorded = map[string][]JournalEntry{}
		for _, e := range entries {
			j.recorded[e.Scope] = append(j.recorded[e.Scope], e)
			j.noteClosed(e)
		}
	}
	return j
}

func (j *journal) park() {
	j.mu.Lock()
	j.parked = true
	j.mu.Unlock()
}

func (j *journal) markCut() {
	j.mu.Lock()
	j.cut = true
	j.mu.Unlock()
}

func (j *journal) wasCut() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.cut
}

func (j *journal) isParked() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.parked
}

func (j *journal) fail(err error) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.broken == nil {
		j.broken = err
	}
	return j.broken
}

func (j *journal) err() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.broken
}

// flush writes the buffered entries. A write that lost its lease means
// another process took the run over: the run parks here, quietly. A write
// the Store fails is tried again, the run waiting, until it succeeds or
// ctx ends — the run's, which ends when its lane cannot be kept (see
// errStoreLost) — so a Store that is away for less than a lease costs a
// pause, not the run.
func (j *journal) flush(ctx context.Context) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.broken != nil {
		return j.broken
	}
	if len(j.buf) == 0 {
		return nil
	}
	stalled := false
	for wait := 50 * time.Millisecond; ; wait = min(2*wait, 2*time.Second) {
		err := j.store.AppendJournal(context.WithoutCancel(ctx), j.lease(), j.run, j.buf)
		if err == nil {
			break
		}
		if errors.Is(err, ErrConflict) {
			j.parked = true
			return ErrParked
		}
		if ctx.Err() != nil {
			j.broken = fmt.Errorf("bot: writing the journal: %w", err)
			return j.broken
		}
		if !stalled && j.onStall != nil {
			stalled = true
			j.onStall()
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
	}
	j.stored += len(j.buf)
	clear(j.buf)
	j.buf = j.buf[:0]
	return nil
}

// noteClosed remembers a decision the run took and the card it closed;
// j.mu must be held, or j not shared yet.
func (j *journal) noteClosed(e JournalEntry) {
	if e.Kind != StepDecision {
		return
	}
	var d stepResult[decision]
	if json.Unmarshal(e.Data, &d) == nil && d.Value.Closed {
		if j.closed == nil {
			j.closed = map[string]bool{}
		}
		j.closed[e.Key] = true
	}
}

// record buffers a live step's entry, writing the buffer when it is full.
func (j *journal) record(ctx context.Context, e JournalEntry) error {
	j.mu.Lock()
	e.Seq = j.stored + len(j.buf)
	j.buf = append(j.buf, e)
	j.noteClosed(e)
	full := len(j.buf) >= maxBuffered
	j.mu.Unlock()
	if full {
		return j.flush(ctx)
	}
	return nil
}

// end records that the run is over: its journal is deleted, or kept until
// keep. A journal never written needs nothing unless it is to be kept.
func (j *journal) end(ctx context.Context, keep time.Time) error {
	j.mu.Lock()
	written := j.stored > 0
	j.mu.Unlock()
	if keep.IsZero() && !written {
		return nil
	}
	if !keep.IsZero() {
		j.mu.Lock()
		j.buf = append(j.buf, JournalEntry{Seq: j.stored + len(j.buf), Kind: StepEnd})
		j.mu.Unlock()
		if err := j.flush(ctx); err != nil {
			return err
		}
	}
	return j.store.EndJournal(context.WithoutCancel(ctx), j.lease(), j.run, keep)
}

// closedCard reports whether the run took the outcome of choice id and
// closed its card.
func (j *journal) closedCard(id string) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.closed[id]
}

// setClosing records that the run is trying to close the card of choice
// id.
func (j *journal) setClosing(id string, on bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.inClose == nil {
		j.inClose = map[string]bool{}
	}
	if on {
		j.inClose[id] = true
	} else {
		delete(j.inClose, id)
		j.settleClosesLocked()
	}
}

// settleClosesLocked wakes those waiting in waitCloses when no card is
// being closed any more; j.mu is held.
func (j *journal) settleClosesLocked() {
	if len(j.inClose) == 0 && j.closesSettled != nil {
		close(j.closesSettled)
		j.closesSettled = nil
	}
}

// waitCloses waits until every closing of a card the run began has ended,
// closed or given up, or ctx ends. A run that ended while a closing edit
// still waited for its retry would leave, if its process died then, a
// card nobody closes: its journal, which tells a replay that the card is
// still open, would be gone.
func (j *journal) waitCloses(ctx context.Context) {
	j.mu.Lock()
	pending := len(j.inClose) > 0
	j.mu.Unlock()
	if !pending {
		return
	}
	// What the run did is in the Store while it waits: a replay after a
	// crash now finds the run answered, with the card still to close.
	if err := j.flush(ctx); err != nil {
		return
	}
	for {
		j.mu.Lock()
		if len(j.inClose) == 0 {
			j.mu.Unlock()
			return
		}
		if j.closesSettled == nil {
			j.closesSettled = make(chan struct{})
		}
		ch := j.closesSettled
		j.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return
		}
	}
}

// closing reports whether the run is still trying to close the card of
// choice id: nothing else should.
func (j *journal) closing(id string) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.inClose[id]
}

// closedLater records how the run's closing of the card of choice id
// ended.
func (j *journal) closedLater(id string, ok bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	delete(j.inClose, id)
	j.settleClosesLocked()
	if ok {
		if j.closed == nil {
			j.closed = map[string]bool{}
		}
		j.closed[id] = true
	}
}

// scope is a cursor over one scope of a journal.
type scope struct {
	j    *journal
	name string

	mu      sync.Mutex
	pos     int // recorded entries of the scope replayed so far
	n       int // steps taken in the scope, replayed or live
	subs    int // sub-scopes opened
	choices int // choices asked
	// stopped is set when a step of the scope was refused because the run
	// had parked: what the scope's code did next is not what it would do
	// live, and must not be recorded as such.
	stopped bool
}

func (j *journal) scope(name string) *scope { return &scope{j: j, name: name} }

// sub opens the next sub-scope of s, named for its kind ("a" for an agent
// loop) and its rank among s's sub-scopes.
func (s *scope) sub(kind string) *scope {
	s.mu.Lock()
	s.subs++
	n := s.subs
	s.mu.Unlock()
	return s.j.scope(s.name + "/" + kind + strconv.Itoa(n))
}

// choiceID returns the id of the next choice asked in s: the same on every
// replay, so a choice recorded in the Store before a crash is found again.
func (s *scope) choiceID() string {
	s.mu.Lock()
	s.choices++
	n := s.choices
	s.mu.Unlock()
	return s.j.run + s.name + "/c" + strconv.Itoa(n)
}

// child returns the scope of a tool call of s.
func (s *scope) child(id string) *scope { return s.j.scope(s.name + "/" + id) }

// recorded returns the scope's recorded entries.
func (s *scope) recorded() []JournalEntry {
	s.j.mu.Lock()
	defer s.j.mu.Unlock()
	return s.j.recorded[s.name]
}

// last returns the scope's last recorded entry, if any.
func (s *scope) last() (JournalEntry, bool) {
	es := s.recorded()
	if len(es) == 0 {
		return JournalEntry{}, false
	}
	return es[len(es)-1], true
}

// DivergedError reports a replay that asked for a different step than the
// run's journal recorded: the code that ran the first time and the code
// replaying it differ.
type DivergedError struct {
	Run string
	// Scope is the part of the run ("" for its handler; see JournalEntry)
	// and Step the step's position in it, from 1.
	Scope string
	Step  int
	// Recorded and Asked describe the recorded step and the step the
	// replay asked for, as "kind key".
	Recorded, Asked string
}

func (e *DivergedError) Error() string {
	return fmt.Sprintf("bot: replaying run %s diverged at step %d%s: the journal recorded %s, the code asked for %s", e.Run, e.Step, scopeSuffix(e.Scope), e.Recorded, e.Asked)
}

func scopeSuffix(s string) string {
	if s == "" {
		return ""
	}
	return " of " + s
}

// stepResult is how a step is journaled: its value, or the error it ended
// with, so that a replay sees the same failure.
type stepResult[T any] struct {
	Value T            `json:"v,omitempty"`
	Err   *errorRecord `json:"e,omitempty"`
}

// sum hashes the whole request of a step, so that steps differing in any
// part compare different.
func sum(parts ...any) string {
	h := sha256.New()
	enc := json.NewEncoder(h)
	for _, p := range parts {
		if err := enc.Encode(p); err != nil {
			fmt.Fprintf(h, "%T %v\n", p, p)
		}
	}
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:8])
}

// sumVersion begins the sums this release writes. Sums without it were
// written by releases that hashed a card without its accent colour; a
// replay compares them with the step asked as those releases hashed it,
// so that a run parked before an upgrade resumes after it.
const sumVersion = "v2:"

// stepSum is the sum a journal entry holds of a step asked with kind, key
// and whole.
func stepSum(kind StepKind, key string, whole any) string {
	return sumVersion + sum(kind, key, whole)
}

// sameSum reports whether recorded, a journal entry's sum, is the sum of
// the step asked, whose sum is asked.
func sameSum(recorded, asked string, kind StepKind, key string, whole any) bool {
	if strings.HasPrefix(recorded, sumVersion) {
		return recorded == asked
	}
	return recorded == sum(kind, key, unversioned(whole))
}

// step runs live, or answers from the journal, the step of kind asked
// with key (readable) and whole (hashed). A nil scope runs live and
// records nothing: Thread operations outside a run.
func step[T any](ctx context.Context, s *scope, kind StepKind, key string, whole any, live func() (T, error)) (T, error) {
	var zero T
	if s == nil {
		return live()
	}
	j := s.j
	if err := j.err(); err != nil {
		return zero, err
	}
	if j.isParked() {
		// A handler going on after its run parked (reporting the error,
		// say) must not act live: the run resumes by replay.
		s.mu.Lock()
		s.stopped = true
		s.mu.Unlock()
		return zero, ErrParked
	}
	sm := stepSum(kind, key, whole)
	s.mu.Lock()
	if kind != StepCall {
		s.n++ // a call's start is the framework's step, not the code's
	}
	if rec := s.recorded(); s.pos < len(rec) {
		e := rec[s.pos]
		s.pos++
		n := s.n
		s.mu.Unlock()
		if e.Kind != kind || e.Key != key || !sameSum(e.Sum, sm, kind, key, whole) {
			asked, recorded := stepName(kind, key), stepName(e.Kind, e.Key)
			if asked == recorded {
				asked += " with other details"
			}
			return zero, j.fail(&DivergedError{Run: j.run, Scope: s.name, Step: n, Recorded: recorded, Asked: asked})
		}
		var r stepResult[T]
		if err := json.Unmarshal(e.Data, &r); err != nil {
			return zero, j.fail(fmt.Errorf("bot: journal of run %s, step %d%s (%s): %w", j.run, n, scopeSuffix(s.name), kind, err))
		}
		if r.Err != nil {
			return r.Value, r.Err.err()
		}
		return r.Value, nil
	}
	s.mu.Unlock()

	v, err := live()
	if errors.Is(err, ErrParked) {
		s.mu.Lock()
		s.stopped = true
		s.mu.Unlock()
		return v, err
	}
	r := stepResult[T]{Value: v}
	if err != nil {
		r.Err = recordError(err)
	}
	data, merr := json.Marshal(r)
	if merr != nil {
		return zero, j.fail(fmt.Errorf("bot: journaling step %s of run %s: %w", kind, j.run, merr))
	}
	if werr := j.record(ctx, JournalEntry{Scope: s.name, Kind: kind, Key: key, Sum: sm, Data: data}); werr != nil {
		return zero, werr
	}
	return v, err
}

// finished records the result of a tool call whose code ran to its end
// without meeting its run's park: a sibling call of one that parked. Its
// result stands, and the replay must not run it again.
func (s *scope) finished(ctx context.Context, name, args, msg string) {
	s.mu.Lock()
	stopped := s.stopped
	s.mu.Unlock()
	if stopped || s.j.err() != nil {
		return
	}
	data, err := json.Marshal(stepResult[string]{Value: msg})
	if err != nil {
		return
	}
	s.j.record(ctx, JournalEntry{Scope: s.name, Kind: StepResult, Key: name, Sum: stepSum(StepResult, name, args), Data: data})
}

// stepName describes a step for a divergence, which people read: its kind
// and key, except a decision's key, which is a choice's id and no concern
// of theirs.
func stepName(kind StepKind, key string) string {
	if kind == StepDecision {
		return "the decision of a choice"
	}
	return string(kind) + " " + strconv.Quote(key)
}
