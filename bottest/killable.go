package bottest

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/parleybot/parley/bot"
)

// killable is a Store that stops reaching the real one when its process
// "dies" (see Harness.Crash).
type killable struct {
	bot.Store
	dead atomic.Bool
}

var errStoreDead = errors.New("bottest: the store's process is dead")

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

func (s *killable) kill() { s.dead.Store(true) }

func (s *killable) check() error {
	if s.dead.Load() {
		return errStoreDead
	}
	return nil
}

func (s *killable) PutActions(ctx context.Context, actions []bot.ActionRecord) error {
	if err := s.check(); err != nil {
		return err
	}
	return s.Store.PutActions(ctx, actions)
}

func (s *killable) Action(ctx context.Context, id string) (bot.ActionRecord, error) {
	if err := s.check(); err != nil {
		return bot.ActionRecord{}, err
	}
	return s.Store.Action(ctx, id)
}

func (s *killable) PutChoice(ctx context.Context, c bot.ChoiceRecord) error {
	if err := s.check(); err != nil {
		return err
	}
	return s.Store.PutChoice(ctx, c)
}

func (s *killable) Choice(ctx context.Context, id string) (bot.ChoiceRecord, error) {
	if err := s.check(); err != nil {
		return bot.ChoiceRecord{}, err
	}
	return s.Store.Choice(ctx, id)
}

func (s *killable) Choices(ctx context.Context, run string) ([]bot.ChoiceRecord, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	return s.Store.Choices(ctx, run)
}

func (s *killable) SetChoiceMessage(ctx context.Context, id string, ref bot.MessageRef) error {
	if err := s.check(); err != nil {
		return err
	}
	return s.Store.SetChoiceMessage(ctx, id, ref)
}

func (s *killable) Resolve(ctx context.Context, id string, o bot.Outcome) (bot.ChoiceRecord, bool, error) {
	if err := s.check(); err != nil {
		return bot.ChoiceRecord{}, false, err
	}
	return s.Store.Resolve(ctx, id, o)
}

func (s *killable) Expiring(ctx context.Context, t time.Time, limit int) ([]bot.ChoiceRecord, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	return s.Store.Expiring(ctx, t, limit)
}

func (s *killable) Accept(ctx context.Context, a bot.Acceptance) (bot.Claimed, error) {
	if err := s.check(); err != nil {
		return bot.Claimed{}, err
	}
	return s.Store.Accept(ctx, a)
}

func (s *killable) Claim(ctx context.Context, lane, owner string, ttl time.Duration) (bot.Claimed, error) {
	if err := s.check(); err != nil {
		return bot.Claimed{}, err
	}
	return s.Store.Claim(ctx, lane, owner, ttl)
}

func (s *killable) Complete(ctx context.Context, l bot.Lease, c bot.Completion) (bot.Claimed, error) {
	if err := s.check(); err != nil {
		return bot.Claimed{}, err
	}
	return s.Store.Complete(ctx, l, c)
}

func (s *killable) Begin(ctx context.Context, l bot.Lease, ids []string) error {
	if err := s.check(); err != nil {
		return err
	}
	return s.Store.Begin(ctx, l, ids)
}

func (s *killable) Renew(ctx context.Context, l bot.Lease, ttl time.Duration) (bot.Lease, int, error) {
	if err := s.check(); err != nil {
		return bot.Lease{}, 0, err
	}
	return s.Store.Renew(ctx, l, ttl)
}

func (s *killable) Lapsed(ctx context.Context, now time.Time, limit int) ([]string, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	return s.Store.Lapsed(ctx, now, limit)
}

func (s *killable) Dedupe(ctx context.Context, key string, until time.Time) (bool, error) {
	if err := s.check(); err != nil {
		return false, err
	}
	return s.Store.Dedupe(ctx, key, until)
}

func (s *killable) AppendJournal(ctx context.Context, l bot.Lease, run string, entries []bot.JournalEntry) error {
	if err := s.check(); err != nil {
		return err
	}
	return s.Store.AppendJournal(ctx, l, run, entries)
}

func (s *killable) Journal(ctx context.Context, run string) ([]bot.JournalEntry, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	return s.Store.Journal(ctx, run)
}

func (s *killable) EndJournal(ctx context.Context, l bot.Lease, run string, keep time.Time) error {
	if err := s.check(); err != nil {
		return err
	}
	return s.Store.EndJournal(ctx, l, run, keep)
}

func (s *killable) Record(ctx context.Context, thread string, msgs []bot.Message, keep int) error {
	if err := s.check(); err != nil {
		return err
	}
	return s.Store.Record(ctx, thread, msgs, keep)
}

func (s *killable) Unrecord(ctx context.Context, thread, id string) error {
	if err := s.check(); err != nil {
		return err
	}
	return s.Store.Unrecord(ctx, thread, id)
}

func (s *killable) Transcript(ctx context.Context, thread string, limit int) ([]bot.Message, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	return s.Store.Transcript(ctx, thread, limit)
}

func (s *killable) Purge(ctx context.Context, p bot.Purge) error {
	if err := s.check(); err != nil {
		return err
	}
	return s.Store.Purge(ctx, p)
}
