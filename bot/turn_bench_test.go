package bot_test

import (
	"context"
	"io"
	"log/slog"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
)

// turnBot starts a bot whose every turn is one tool call, then the answer,
// on a platform that shows nothing, over store.
func turnBot(b testing.TB, store bot.Store) (*bot.Bot, *nullAdapter) {
	b.Helper()
	model := bottest.NewModel(
		bottest.Call("lookup", LookupArgs{Order: "A-1001"}),
		bottest.Reply("Order A-1001 has 2 lines: shoes and a hat."),
	).Cycle().KeepRequests(1)
	lookup := bot.DefineTool(bot.ToolSpec[LookupArgs]{Name: "lookup", Description: "Look up an order.",
		Handler: func(_ context.Context, a LookupArgs, _ *bot.ToolContext) (any, error) {
			return map[string]any{"order": a.Order, "lines": 2}, nil
		}})
	a := &nullAdapter{}
	bt, err := bot.New(bot.Config{
		Model: model, Adapters: []bot.Adapter{a}, Tools: []*bot.Tool{lookup}, Store: store,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), SweepInterval: time.Hour,
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := bt.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { bt.Stop(context.Background()) })
	return bt, a
}

// LookupArgs are the arguments of the benchmarks' lookup tool.
type LookupArgs struct {
	Order string `json:"order"`
}

// turn delivers message i, in one of threads threads, and waits for its
// answer.
func turn(b testing.TB, bt *bot.Bot, a *nullAdapter, i, threads int) {
	m := bot.Message{
		ID: "m" + strconv.Itoa(i), EventID: "Ev" + strconv.Itoa(i),
		Address: bot.Address{Platform: "bench", Channel: "C1", Thread: strconv.Itoa(i % threads)},
		User:    bot.User{ID: "U1", Name: "ana"}, Text: "what's in A-1001?", Mention: true,
	}
	if err := a.in.Message(context.Background(), m); err != nil {
		b.Fatal(err)
	}
	if err := bt.Idle(context.Background()); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkTurn measures one turn with the bottest model: a message, a
// model step calling a tool, the tool, a model step answering, the answer
// posted; on the memory Store.
func BenchmarkTurn(b *testing.B) {
	bt, a := turnBot(b, bot.NewMemoryStore())
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		turn(b, bt, a, i, 1000)
		i++
	}
}

// BenchmarkHeapAfterTurns measures the heap after N and 2N turns: over
// 1,000 threads, after 50,000 and 100,000 turns; over 10,000 threads,
// after 300,000 and 600,000 (each thread's transcript holds
// Config.HistoryLimit messages, two a turn, from 250,000 turns on). With
// journals deleted as runs end, and transcripts capped per thread and in
// number of threads, it must not grow between the two. Run with
// -benchtime=1x.
func BenchmarkHeapAfterTurns(b *testing.B) {
	for _, c := range []struct{ threads, half int }{{1000, 50_000}, {10_000, 300_000}} {
		b.Run("threads="+strconv.Itoa(c.threads), func(b *testing.B) {
			for b.Loop() {
				before := inUse()
				bt, a := turnBot(b, bot.NewMemoryStore())
				for i := range c.half {
					turn(b, bt, a, i, c.threads)
				}
				half := inUse() - before
				for i := c.half; i < 2*c.half; i++ {
					turn(b, bt, a, i, c.threads)
				}
				full := inUse() - before
				unit := strconv.Itoa(c.half/1000) + "k"
				b.ReportMetric(float64(half)/(1<<20), "MiB@"+unit)
				b.ReportMetric(float64(full)/(1<<20), "MiB@"+strconv.Itoa(2*c.half/1000)+"k")
				b.ReportMetric(100*(float64(full)-float64(half))/float64(half), "%growth")
				runtime.KeepAlive(bt)
			}
		})
	}
}

// countingStore counts the writes that reach a Store, and those of them
// that write a journal.
type countingStore struct {
	bot.Store
	writes, journal atomic.Int64
}

func (s *countingStore) Accept(ctx context.Context, a bot.Acceptance) (bot.Claimed, error) {
	s.writes.Add(1)
	return s.Store.Accept(ctx, a)
}

func (s *countingStore) Complete(ctx context.Context, l bot.Lease, c bot.Completion) (bot.Claimed, error) {
	s.writes.Add(1)
	return s.Store.Complete(ctx, l, c)
}

func (s *countingStore) Record(ctx context.Context, thread string, msgs []bot.Message, keep int) error {
	s.writes.Add(1)
	return s.Store.Record(ctx, thread, msgs, keep)
}

func (s *countingStore) PutActions(ctx context.Context, actions []bot.ActionRecord) error {
	s.writes.Add(1)
	return s.Store.PutActions(ctx, actions)
}

func (s *countingStore) PutChoice(ctx context.Context, c bot.ChoiceRecord) error {
	s.writes.Add(1)
	return s.Store.PutChoice(ctx, c)
}

func (s *countingStore) Resolve(ctx context.Context, id string, o bot.Outcome) (bot.ChoiceRecord, bool, error) {
	s.writes.Add(1)
	return s.Store.Resolve(ctx, id, o)
}

func (s *countingStore) Renew(ctx context.Context, l bot.Lease, ttl time.Duration) (bot.Lease, int, error) {
	s.writes.Add(1)
	return s.Store.Renew(ctx, l, ttl)
}

func (s *countingStore) Claim(ctx context.Context, lane, owner string, ttl time.Duration) (bot.Claimed, error) {
	s.writes.Add(1)
	return s.Store.Claim(ctx, lane, owner, ttl)
}

func (s *countingStore) Dedupe(ctx context.Context, key string, until time.Time) (bool, error) {
	s.writes.Add(1)
	return s.Store.Dedupe(ctx, key, until)
}

func (s *countingStore) AppendJournal(ctx context.Context, l bot.Lease, run string, es []bot.JournalEntry) error {
	s.writes.Add(1)
	s.journal.Add(1)
	return s.Store.AppendJournal(ctx, l, run, es)
}

func (s *countingStore) EndJournal(ctx context.Context, l bot.Lease, run string, keep time.Time) error {
	s.writes.Add(1)
	s.journal.Add(1)
	return s.Store.EndJournal(ctx, l, run, keep)
}

// BenchmarkStoreWritesPerTurn counts the Store writes of a turn that does
// not wait for a person (one tool call, then the answer).
func BenchmarkStoreWritesPerTurn(b *testing.B) {
	s := &countingStore{Store: bot.NewMemoryStore()}
	bt, a := turnBot(b, s)
	i := 0
	s.writes.Store(0)
	for b.Loop() {
		turn(b, bt, a, i, 1000)
		i++
	}
	b.ReportMetric(float64(s.writes.Load())/float64(i), "writes/turn")
	b.ReportMetric(float64(s.journal.Load())/float64(i), "journal-writes/turn")
}
