package storebench

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parleybot/parley/bot"
)

// countingStore counts the calls that reach a Store, and those of them
// that write, and times them by method; Publish, through notifier, counts
// as a write too. Its first Purge closes purged: the bot's first sweep is
// over.
type countingStore struct {
	bot.Store
	calls, writes, journal atomic.Int64
	by                     sync.Map // method name → *methodStats
	purgeOnce              sync.Once
	purged                 chan struct{}
}

// methodStats are the calls of one method and the time they took.
type methodStats struct{ n, ns atomic.Int64 }

func newCountingStore(s bot.Store) *countingStore {
	return &countingStore{Store: s, purged: make(chan struct{})}
}

// count counts a call of method; the call calls the func it returns when
// it returns, to time it.
func (s *countingStore) count(method string, write bool) (done func()) {
	s.calls.Add(1)
	if write {
		s.writes.Add(1)
	}
	m, _ := s.by.LoadOrStore(method, new(methodStats))
	st := m.(*methodStats)
	st.n.Add(1)
	start := time.Now()
	return func() { st.ns.Add(int64(time.Since(start))) }
}

// reset sets every count to zero.
func (s *countingStore) reset() {
	s.calls.Store(0)
	s.writes.Store(0)
	s.journal.Store(0)
	s.by.Clear()
}

// perOp lists, by name, the calls of each method per op and the mean time
// of one.
func (s *countingStore) perOp(ops int) string {
	var parts []string
	s.by.Range(func(k, v any) bool {
		st := v.(*methodStats)
		n := st.n.Load()
		parts = append(parts, fmt.Sprintf("%s %.2f×%v", k, float64(n)/float64(ops), (time.Duration(st.ns.Load()/n)).Round(time.Microsecond)))
		return true
	})
	slices.Sort(parts)
	return strings.Join(parts, ", ")
}

func (s *countingStore) PutActions(ctx context.Context, as []bot.ActionRecord) error {
	defer s.count("PutActions", true)()
	return s.Store.PutActions(ctx, as)
}

func (s *countingStore) Action(ctx context.Context, id string) (bot.ActionRecord, error) {
	defer s.count("Action", false)()
	return s.Store.Action(ctx, id)
}

func (s *countingStore) PutChoice(ctx context.Context, c bot.ChoiceRecord) error {
	defer s.count("PutChoice", true)()
	return s.Store.PutChoice(ctx, c)
}

func (s *countingStore) Choice(ctx context.Context, id string) (bot.ChoiceRecord, error) {
	defer s.count("Choice", false)()
	return s.Store.Choice(ctx, id)
}

func (s *countingStore) Choices(ctx context.Context, run string) ([]bot.ChoiceRecord, error) {
	defer s.count("Choices", false)()
	return s.Store.Choices(ctx, run)
}

func (s *countingStore) SetChoiceMessage(ctx context.Context, id string, ref bot.MessageRef) error {
	defer s.count("SetChoiceMessage", true)()
	return s.Store.SetChoiceMessage(ctx, id, ref)
}

func (s *countingStore) Resolve(ctx context.Context, id string, o bot.Outcome) (bot.ChoiceRecord, bool, error) {
	defer s.count("Resolve", true)()
	return s.Store.Resolve(ctx, id, o)
}

func (s *countingStore) Expiring(ctx context.Context, t time.Time, limit int) ([]bot.ChoiceRecord, error) {
	defer s.count("Expiring", false)()
	return s.Store.Expiring(ctx, t, limit)
}

func (s *countingStore) Accept(ctx context.Context, a bot.Acceptance) (bot.Claimed, error) {
	defer s.count("Accept", true)()
	return s.Store.Accept(ctx, a)
}

func (s *countingStore) Claim(ctx context.Context, lane, owner string, ttl time.Duration) (bot.Claimed, error) {
	defer s.count("Claim", true)()
	return s.Store.Claim(ctx, lane, owner, ttl)
}

func (s *countingStore) Begin(ctx context.Context, l bot.Lease, ids []string) error {
	defer s.count("Begin", true)()
	return s.Store.Begin(ctx, l, ids)
}

func (s *countingStore) Complete(ctx context.Context, l bot.Lease, c bot.Completion) (bot.Claimed, error) {
	defer s.count("Complete", true)()
	return s.Store.Complete(ctx, l, c)
}

func (s *countingStore) Renew(ctx context.Context, l bot.Lease, ttl time.Duration) (bot.Lease, int, error) {
	defer s.count("Renew", true)()
	return s.Store.Renew(ctx, l, ttl)
}

func (s *countingStore) Lapsed(ctx context.Context, now time.Time, limit int) ([]string, error) {
	defer s.count("Lapsed", false)()
	return s.Store.Lapsed(ctx, now, limit)
}

func (s *countingStore) Dedupe(ctx context.Context, key string, until time.Time) (bool, error) {
	defer s.count("Dedupe", true)()
	return s.Store.Dedupe(ctx, key, until)
}

func (s *countingStore) AppendJournal(ctx context.Context, l bot.Lease, run string, es []bot.JournalEntry) error {
	defer s.count("AppendJournal", true)()
	s.journal.Add(1)
	return s.Store.AppendJournal(ctx, l, run, es)
}

func (s *countingStore) Journal(ctx context.Context, run string) ([]bot.JournalEntry, error) {
	defer s.count("Journal", false)()
	return s.Store.Journal(ctx, run)
}

func (s *countingStore) EndJournal(ctx context.Context, l bot.Lease, run string, keep time.Time) error {
	defer s.count("EndJournal", true)()
	s.journal.Add(1)
	return s.Store.EndJournal(ctx, l, run, keep)
}

func (s *countingStore) Record(ctx context.Context, thread string, msgs []bot.Message, keep int) error {
	defer s.count("Record", true)()
	return s.Store.Record(ctx, thread, msgs, keep)
}

func (s *countingStore) Unrecord(ctx context.Context, thread, id string) error {
	defer s.count("Unrecord", true)()
	return s.Store.Unrecord(ctx, thread, id)
}

func (s *countingStore) Transcript(ctx context.Context, thread string, limit int) ([]bot.Message, error) {
	defer s.count("Transcript", false)()
	return s.Store.Transcript(ctx, thread, limit)
}

func (s *countingStore) Purge(ctx context.Context, p bot.Purge) error {
	done := s.count("Purge", true)
	err := s.Store.Purge(ctx, p)
	done()
	s.purgeOnce.Do(func() { close(s.purged) })
	return err
}

// notifier returns n, counting its Publish calls in s.
func (s *countingStore) notifier(n bot.Notifier) bot.Notifier { return countingNotifier{n, s} }

type countingNotifier struct {
	bot.Notifier
	s *countingStore
}

func (n countingNotifier) Publish(ctx context.Context, note string) error {
	defer n.s.count("Publish", true)()
	return n.Notifier.Publish(ctx, note)
}
