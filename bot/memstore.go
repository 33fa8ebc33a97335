package bot

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// MemoryStore is a [Store] in this process's memory: the default when
// [Config.Store] is nil. Nothing in it survives a restart, and replicas
// do not share it; use a database-backed Store for either.
type MemoryStore struct {
	mu       sync.Mutex
	actions  map[string]ActionRecord
	choices  map[string]ChoiceRecord
	journals map[string][]JournalEntry
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{
		actions:  map[string]ActionRecord{},
		choices:  map[string]ChoiceRecord{},
		journals: map[string][]JournalEntry{},
	}
}

// PutActions implements [Store].
func (s *MemoryStore) PutActions(ctx context.Context, actions []ActionRecord) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range actions {
		if _, dup := s.actions[a.ID]; dup {
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
	a, ok := s.actions[id]
	if !ok {
		return ActionRecord{}, fmt.Errorf("bot: action id %q: %w", id, ErrNotFound)
	}
	a.Value = slices.Clone(a.Value)
	return a, nil
}

// PutChoice implements [Store].
func (s *MemoryStore) PutChoice(ctx context.Context, c ChoiceRecord) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.choices[c.ID]; dup {
		return fmt.Errorf("bot: choice %q: %w", c.ID, ErrConflict)
	}
	s.choices[c.ID] = cloneChoice(c)
	return nil
}

// Choice implements [Store].
func (s *MemoryStore) Choice(ctx context.Context, id string) (ChoiceRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.choices[id]
	if !ok {
		return ChoiceRecord{}, fmt.Errorf("bot: choice %q: %w", id, ErrNotFound)
	}
	return cloneChoice(c), nil
}

// Resolve implements [Store].
func (s *MemoryStore) Resolve(ctx context.Context, id string, o Outcome) (ChoiceRecord, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.choices[id]
	if !ok {
		return ChoiceRecord{}, false, fmt.Errorf("bot: choice %q: %w", id, ErrNotFound)
	}
	if c.Outcome.State != ChoicePending || o.State == ChoicePending {
		return cloneChoice(c), false, nil
	}
	c.Outcome = o
	s.choices[id] = c
	return cloneChoice(c), true, nil
}

// Expiring implements [Store].
func (s *MemoryStore) Expiring(ctx context.Context, t time.Time) ([]ChoiceRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []ChoiceRecord
	for _, c := range s.choices {
		if c.Outcome.State == ChoicePending && !c.Deadline.IsZero() && !c.Deadline.After(t) {
			out = append(out, cloneChoice(c))
		}
	}
	slices.SortFunc(out, func(a, b ChoiceRecord) int {
		if d := a.Deadline.Compare(b.Deadline); d != 0 {
			return d
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out, nil
}

// Append implements [Store].
func (s *MemoryStore) Append(ctx context.Context, run string, e JournalEntry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.journals[run]
	if e.Seq != len(j) {
		return fmt.Errorf("bot: journal of run %q: entry %d, journal has %d: %w", run, e.Seq, len(j), ErrConflict)
	}
	e.Data = slices.Clone(e.Data)
	s.journals[run] = append(j, e)
	return nil
}

// Journal implements [Store].
func (s *MemoryStore) Journal(ctx context.Context, run string) ([]JournalEntry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := slices.Clone(s.journals[run])
	for i := range j {
		j[i].Data = slices.Clone(j[i].Data)
	}
	return j, nil
}

func cloneChoice(c ChoiceRecord) ChoiceRecord {
	c.Approvers = slices.Clone(c.Approvers)
	c.Labels = slices.Clone(c.Labels)
	return c
}
