package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
)

// A run is made replayable rather than persisted: every step whose result
// is not determined by the code — a model response, a Thread operation
// inside a tool handler, a decision — is appended to the run's journal in
// the Store before its result is used. Replaying a run re-executes its
// code with each recorded step answered from the journal, until the first
// step not recorded, where the run goes on live.
//
// A run's own journal holds its start, the history it read, each model
// response and, once the run is over (not parked), an "end" entry: a late
// decision or expiry of one of its choices then resumes nothing. A run
// going on in this process is never replayed beside itself; a decision
// for it that finds no wait resumes it once it has ended. Each tool call has a journal of its own (the run's id, "/",
// the call's id), holding the handler's Thread operations and, last, the
// call's result: tool calls of one step may run concurrently, and their
// operations must not interleave in one journal.

// journal is a cursor over one journal: entries before pos are recorded
// steps to replay; past them, steps run live and are appended.
type journal struct {
	store Store
	key   string

	// wmu orders appends: Thread operations a handler makes concurrently
	// are journaled one after the other, not at one position.
	wmu     sync.Mutex
	mu      sync.Mutex
	entries []JournalEntry
	pos     int
	// broken is set when a replay asked for a different step than the
	// journal recorded, or the journal could not be written: the run
	// cannot go on.
	broken error
	// parked is set when the run gave up its goroutine to wait for a
	// person; the run stops quietly and resumes by replay.
	parked bool
	// resumed is set on the journals of a run being replayed, whose tool
	// calls have journals of their own to read.
	resumed bool
}

func (j *journal) park() {
	j.mu.Lock()
	j.parked = true
	j.mu.Unlock()
}

func (j *journal) isParked() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.parked
}

// DivergedError reports a replay that asked for a different step than
// the run's journal recorded: the code that ran the first time and the
// code replaying it differ.
type DivergedError struct {
	Run  string
	Step int
	// Recorded and Asked are "kind key" of the recorded step and of the
	// step the replay asked for ("" when the journal has no step there but
	// the result was expected).
	Recorded, Asked string
}

func (e *DivergedError) Error() string {
	return fmt.Sprintf("bot: replaying run %s diverged at step %d: the journal recorded %q, the code asked for %q", e.Run, e.Step, e.Recorded, e.Asked)
}

func loadJournal(ctx context.Context, s Store, key string) (*journal, error) {
	es, err := s.Journal(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("bot: reading the journal of %s: %w", key, err)
	}
	return &journal{store: s, key: key, entries: es, resumed: true}, nil
}

// last returns the journal's last recorded entry, if any.
func (j *journal) last() (JournalEntry, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.entries) == 0 {
		return JournalEntry{}, false
	}
	return j.entries[len(j.entries)-1], true
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

// stepResult is how a step is journaled: its value, or the error it ended
// with, so that a replay sees the same failure.
type stepResult[T any] struct {
	Value T      `json:"value,omitempty"`
	Err   string `json:"error,omitempty"`
	// Unsupported keeps a missing capability matching ErrUnsupported.
	Unsupported *UnsupportedError `json:"unsupported,omitempty"`
}

// recordedError is a step's error as the journal recorded it.
type recordedError struct{ msg string }

func (e *recordedError) Error() string { return e.msg }

// step runs live, or answers from the journal, the step of kind and key.
// A nil journal runs live and records nothing: Thread operations outside
// a run.
func step[T any](ctx context.Context, j *journal, kind, key string, live func() (T, error)) (T, error) {
	var zero T
	if j == nil {
		return live()
	}
	if err := j.err(); err != nil {
		return zero, err
	}
	if j.isParked() {
		// A handler going on after its run parked (reporting the error,
		// say) must not act live: the run resumes by replay.
		return zero, ErrParked
	}
	j.mu.Lock()
	if j.pos < len(j.entries) {
		e := j.entries[j.pos]
		if e.Kind != kind || e.Key != key {
			j.mu.Unlock()
			return zero, j.fail(&DivergedError{Run: j.key, Step: j.pos, Recorded: e.Kind + " " + e.Key, Asked: kind + " " + key})
		}
		j.pos++
		j.mu.Unlock()
		var r stepResult[T]
		if err := json.Unmarshal(e.Data, &r); err != nil {
			return zero, j.fail(fmt.Errorf("bot: journal of %s, step %d (%s): %w", j.key, e.Seq, kind, err))
		}
		switch {
		case r.Unsupported != nil:
			return r.Value, r.Unsupported
		case r.Err != "":
			return r.Value, &recordedError{r.Err}
		}
		return r.Value, nil
	}
	j.mu.Unlock()

	v, err := live()
	if errors.Is(err, ErrParked) {
		return v, err
	}
	r := stepResult[T]{Value: v}
	if err != nil {
		r.Err = err.Error()
		errors.As(err, &r.Unsupported)
	}
	data, merr := json.Marshal(r)
	if merr != nil {
		return zero, j.fail(fmt.Errorf("bot: journaling step %s of %s: %w", kind, j.key, merr))
	}
	if aerr := j.append(ctx, JournalEntry{Kind: kind, Key: key, Data: data}); aerr != nil {
		if errors.Is(aerr, ErrConflict) {
			// Another process resumed this run and took the step: the
			// run goes on there, and stops here without a word.
			j.park()
			return zero, ErrParked
		}
		return zero, j.fail(fmt.Errorf("bot: journaling step %s of %s: %w", kind, j.key, aerr))
	}
	return v, err
}

// append adds e at the journal's end.
func (j *journal) append(ctx context.Context, e JournalEntry) error {
	j.wmu.Lock()
	defer j.wmu.Unlock()
	j.mu.Lock()
	e.Seq = len(j.entries)
	j.mu.Unlock()
	if err := j.store.Append(context.WithoutCancel(ctx), j.key, e); err != nil {
		return err
	}
	j.mu.Lock()
	j.entries = append(j.entries, e)
	j.pos = len(j.entries)
	j.mu.Unlock()
	return nil
}

// end journals that the run is over, so that a late decision or expiry of
// one of its choices resumes nothing. A failure only costs a replay that
// finds nothing left to do.
func (j *journal) end(ctx context.Context) {
	j.append(ctx, JournalEntry{Kind: "end"})
}

// over reports whether the journal records a run that is over.
func (j *journal) over() bool {
	e, ok := j.last()
	return ok && e.Kind == "end"
}
