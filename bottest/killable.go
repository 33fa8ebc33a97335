package bottest

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/parleybot/parley/bot"
)

// KillableStore is one process's way to a Store shared by the replicas of
// a test: once Kill is called, every call fails with ErrDead without
// reaching the Store, as a process killed with SIGKILL writes nothing
// more. Harness.Crash kills the harness's; tests playing replicas give
// each its own.
type KillableStore struct {
	bot.Store
	dead atomic.Bool
}

// NewKillableStore returns a live way to s.
func NewKillableStore(s bot.Store) *KillableStore { return &KillableStore{Store: s} }

// ErrDead is what a KillableStore answers once its process is dead.
var ErrDead = errors.New("bottest: the store's process is dead")

// killableModel is a model that stops answering when its process "dies":
// a dying run must not take a step of a script shared with the next bot.
type killableModel struct {
	bot.Model
	dead atomic.Bool
}

var errModelDead = errors.New("bottest: the model's process is dead")

func (m *killableModel) Generate(ctx context.Context, req *bot.ModelRequest, onText func(string)) (*bot.ModelResponse, error) {
	if m.dead.Load() {
		return nil, errModelDead
	}
	return m.Model.Generate(ctx, req, onText)
}

// Kill kills the process: from now on every call fails with ErrDead.
func (s *KillableStore) Kill() { s.dead.Store(true) }

// Revive makes the way to the Store work again, as a disk freed or a
// connection restored does: a test of a Store that fails for a while
// kills it, then revives it.
func (s *KillableStore) Revive() { s.dead.Store(false) }

// Dead reports whether the store is killed and not revived.
func (s *KillableStore) Dead() bool { return s.dead.Load() }

func (s *KillableStore) check() error {
	if s.dead.Load() {
		return ErrDead
	}
	return nil
}

func (s *KillableStore) PutActions(ctx context.Context, actions []bot.ActionRecord) error {
	if err := s.check(); err != nil {
		return err
	}
	return s.Store.PutActions(ctx, actions)
}

func (s *KillableStore) Action(ctx context.Context, id string) (bot.ActionRecord, error) {
	if err := s.check(); err != nil {
		return bot.ActionRecord{}, err
	}
	return s.Store.Action(ctx, id)
}

func (s *KillableStore) PutChoice(ctx context.Context, c bot.ChoiceRecord) error {
	if err := s.check(); err != nil {
		return err
	}
	return s.Store.PutChoice(ctx, c)
}

func (s *KillableStore) Choice(ctx context.Context, id string) (bot.ChoiceRecord, error) {
	if err := s.check(); err != nil {
		return bot.ChoiceRecord{}, err
	}
	return s.Store.Choice(ctx, id)
}

func (s *KillableStore) Choices(ctx context.Context, run string) ([]bot.ChoiceRecord, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	return s.Store.Choices(ctx, run)
}

func (s *KillableStore) SetChoiceMessage(ctx context.Context, id string, ref bot.MessageRef) error {
	if err := s.check(); err != nil {
		return err
	}
	return s.Store.SetChoiceMessage(ctx, id, ref)
}

func (s *KillableStore) Resolve(ctx context.Context, id string, o bot.Outcome) (bot.ChoiceRecord, bool, error) {
	if err := s.check(); err != nil {
		return bot.ChoiceRecord{}, false, err
	}
	return s.Store.Resolve(ctx, id, o)
}

func (s *KillableStore) Expiring(ctx context.Context, t time.Time, limit int) ([]bot.ChoiceRecord, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	return s.Store.Expiring(ctx, t, limit)
}

func (s *KillableStore) Accept(ctx context.Context, a bot.Acceptance) (bot.Claimed, error) {
	if err := s.check(); err != nil {
		return bot.Claimed{}, err
	}
	return s.Store.Accept(ctx, a)
}

func (s *KillableStore) Claim(ctx context.Context, lane, owner string, ttl time.Duration) (bot.Claimed, error) {
	if err := s.check(); err != nil {
		return bot.Claimed{}, err
	}
	return s.Store.Claim(ctx, lane, owner, ttl)
}

func (s *KillableStore) Complete(ctx context.Context, l bot.Lease, c bot.Completion) (bot.Claimed, error) {
	if err := s.check(); err != nil {
		return bot.Claimed{}, err
	}
	return s.Store.Complete(ctx, l, c)
}

func (s *KillableStore) Begin(ctx context.Context, l bot.Lease, ids []string) error {
	if err := s.check(); err != nil {
		return err
	}
	return s.Store.Begin(ctx, l, ids)
}

func (s *KillableStore) Renew(ctx context.Context, l bot.Lease, ttl time.Duration) (bot.Lease, int, error) {
	if err := s.check(); err != nil {
		return bot.Lease{}, 0, err
	}
	return s.Store.Renew(ctx, l, ttl)
}

func (s *KillableStore) Lapsed(ctx context.Context, now time.Time, limit int) ([]string, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	return s.Store.Lapsed(ctx, now, limit)
}

func (s *KillableStore) Dedupe(ctx context.Context, key string, until time.Time) (bool, error) {
	if err := s.check(); err != nil {
		return false, err
	}
	return s.Store.Dedupe(ctx, key, until)
}

func (s *KillableStore) AppendJournal(ctx context.Context, l bot.Lease, run string, entries []bot.JournalEntry) error {
	if err := s.check(); err != nil {
		return err
	}
	return s.Store.AppendJournal(ctx, l, run, entries)
}

func (s *KillableStore) Journal(ctx context.Context, run string) ([]bot.JournalEntry, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	return s.Store.Journal(ctx, run)
}

func (s *KillableStore) EndJournal(ctx context.Context, l bot.Lease, run string, keep time.Time) error {
	if err := s.check(); err != nil {
		return err
	}
	return s.Store.EndJournal(ctx, l, run, keep)
}

func (s *KillableStore) Record(ctx context.Context, thread string, msgs []bot.Message, keep int) error {
	if err := s.check(); err != nil {
		return err
	}
	return s.Store.Record(ctx, thread, msgs, keep)
}

func (s *KillableStore) Unrecord(ctx context.Context, thread, id string) error {
	if err := s.check(); err != nil {
		return err
	}
	return s.Store.Unrecord(ctx, thread, id)
}

func (s *KillableStore) Transcript(ctx context.Context, thread string, limit int) ([]bot.Message, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	return s.Store.Transcript(ctx, thread, limit)
}

func (s *KillableStore) Purge(ctx context.Context, p bot.Purge) error {
	if err := s.check(); err != nil {
		return err
	}
	return s.Store.Purge(ctx, p)
}
