package storebench

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
)

// Store is a database Store as the restart and size benchmarks need it:
// a [bot.Store] that is its own [bot.Notifier] and is closed as a process
// ends.
type Store interface {
	bot.Store
	bot.Notifier
	// Close releases the Store's connections; a Store on a file
	// checkpoints it.
	Close() error
}

// lease accepts an item in lane for owner "bench" and returns the lease
// the acceptance claimed, as the bot's Inbox gets its lease.
func lease(b *testing.B, s bot.Store, lane string) bot.Lease {
	b.Helper()
	c, err := s.Accept(context.Background(), bot.Acceptance{
		Item:  bot.WorkItem{ID: "w-" + lane, Lane: lane, Kind: bot.WorkMessage, Accepted: time.Now()},
		Owner: "bench", LeaseTTL: time.Hour, Begin: true,
	})
	if err != nil || !c.Held() {
		b.Fatalf("Accept in lane %s = %+v, %v; want the lane claimed", lane, c, err)
	}
	return c.Lease
}

// entryData is a journal entry's result the size of a short model step.
var entryData = json.RawMessage(`{"ToolCalls":[{"ID":"call_0","Name":"lookup","Arguments":"{\"order\":\"A-1001\"}"}],"FinishReason":"tool_calls","Usage":{"PromptTokens":412,"CompletionTokens":23,"TotalTokens":435}}`)

// entries returns n journal entries from position seq.
func entries(seq, n int) []bot.JournalEntry {
	es := make([]bot.JournalEntry, n)
	for i := range es {
		es[i] = bot.JournalEntry{Seq: seq + i, Scope: "/a1", Kind: bot.StepModel, Key: "model " + strconv.Itoa(seq+i),
			Sum: "5f2b9c0e4d7a13e8b6c1f0a9d2e4b7c3", Data: entryData}
	}
	return es
}

// runLength is how many entries a benchmark writes to one run's journal
// before it starts another, so that journals stay as long as real ones.
const runLength = 64

// JournalAppend measures AppendJournal under a held lease, in the
// sub-benchmarks batch=1/lanes=1, batch=8/lanes=1 and batch=8/lanes=16:
// one op is one batch of entries, appended to the journal of a run of the
// lease's lane. lanes=16 appends from 16 goroutines at once, each under
// the lease of a lane of its own, as 16 busy threads would. open opens a
// fresh Store for a sub-benchmark, closed when it ends, with room for
// lanes writers at once. It reports appends/s and batches/s.
func JournalAppend(b *testing.B, open func(b *testing.B, lanes int) bot.Store) {
	for _, c := range []struct{ batch, lanes int }{{1, 1}, {8, 1}, {8, 16}} {
		b.Run(fmt.Sprintf("batch=%d/lanes=%d", c.batch, c.lanes), func(b *testing.B) {
			s := open(b, c.lanes)
			leases := make([]bot.Lease, c.lanes)
			for i := range leases {
				leases[i] = lease(b, s, "lane-"+strconv.Itoa(i))
			}
			var next atomic.Int64
			var wg sync.WaitGroup
			b.ReportAllocs()
			b.ResetTimer()
			for i, l := range leases {
				wg.Go(func() {
					run, seq := 0, 0
					for next.Add(1) <= int64(b.N) {
						if seq+c.batch > runLength {
							run, seq = run+1, 0
						}
						id := fmt.Sprintf("run-%d-%d", i, run)
						if err := s.AppendJournal(context.Background(), l, id, entries(seq, c.batch)); err != nil {
							b.Errorf("AppendJournal(%s, seq %d): %v", id, seq, err)
							return
						}
						seq += c.batch
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			sec := b.Elapsed().Seconds()
			b.ReportMetric(float64(b.N*c.batch)/sec, "appends/s")
			b.ReportMetric(float64(b.N)/sec, "batches/s")
		})
	}
}

// decided is the outcome the deciders record.
func decided(user string) bot.Outcome {
	return bot.Outcome{State: bot.ChoiceDecided, Option: 0, Value: json.RawMessage(`{"approved":true}`),
		User: bot.User{ID: user, Name: user}, At: time.Now()}
}

// pendingChoice returns choice i of a parked run: two options with opaque
// ids as the bot makes them, a deadline a day away.
func pendingChoice(i int, now time.Time) bot.ChoiceRecord {
	id := "ch-" + strconv.Itoa(i) + "-" + rand.Text()[:8]
	addr := bot.Address{Platform: "bench", Channel: "C0123456789", Thread: "1718000000." + strconv.Itoa(100000+i)}
	return bot.ChoiceRecord{
		ID: id, Run: "run-" + id, Lane: "thread:" + addr.Thread, Address: addr,
		Options: []bot.OptionRecord{
			{ID: rand.Text(), Label: "Approve", Value: json.RawMessage(`{"approved":true}`)},
			{ID: rand.Text(), Label: "Deny", Value: json.RawMessage(`{"approved":false}`)},
		},
		Text:     "Deploy web-42 to production?",
		Deadline: now.Add(24 * time.Hour), Created: now,
	}
}

// seedChoices puts n pending choices, each with its card's message if
// posted, from 8 goroutines, and returns their ids.
func seedChoices(b *testing.B, s bot.Store, n int, posted bool) []string {
	b.Helper()
	ids := make([]string, n)
	now := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || b.Failed() {
					return
				}
				c := pendingChoice(i, now)
				if err := s.PutChoice(context.Background(), c); err != nil {
					b.Errorf("PutChoice(%s): %v", c.ID, err)
					return
				}
				ids[i] = c.ID
				if !posted {
					continue
				}
				ref := bot.MessageRef{Address: c.Address, ID: "1718000001." + strconv.Itoa(100000+i)}
				if err := s.SetChoiceMessage(context.Background(), c.ID, ref); err != nil {
					b.Errorf("SetChoiceMessage(%s): %v", c.ID, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if b.Failed() {
		b.FailNow()
	}
	return ids
}

// deciders is how many goroutines decide at once.
const deciders = 100

// resolve decides choice id as decider g, counting the call in won if it
// won, and reports whether it returned without an error, which it fails
// the benchmark with.
func resolve(b *testing.B, s bot.Store, id string, g int, won *atomic.Int64) bool {
	_, ok, err := s.Resolve(context.Background(), id, decided("U"+strconv.Itoa(g)))
	if err != nil {
		b.Errorf("Resolve(%s): %v", id, err)
		return false
	}
	if ok {
		won.Add(1)
	}
	return true
}

// Decide100 measures Resolve with 100 goroutines deciding at once, in two
// sub-benchmarks. distinct: each decides choices of its own, b.N in all,
// every call a win. same: all 100 click each of b.N choices at once, as
// 100 people on one card would; one wins, 99 are told the outcome. It
// reports decisions/s, choices decided, and for same resolves/s, calls.
//
// open opens, for a sub-benchmark, a Store on a fresh database to seed
// the b.N pending choices through, and returns with it a func that opens
// the Store the deciders use on the same database, called once the
// choices are in; both are closed when the sub-benchmark ends.
func Decide100(b *testing.B, open func(b *testing.B) (seed bot.Store, deciders func() bot.Store)) {
	b.Run("distinct", func(b *testing.B) {
		seed, reopen := open(b)
		ids := seedChoices(b, seed, b.N, false)
		s := reopen()
		var next, won atomic.Int64
		var wg sync.WaitGroup
		b.ReportAllocs()
		b.ResetTimer()
		for g := range deciders {
			wg.Go(func() {
				for {
					i := int(next.Add(1) - 1)
					if i >= len(ids) {
						return
					}
					if !resolve(b, s, ids[i], g, &won) {
						return
					}
				}
			})
		}
		wg.Wait()
		b.StopTimer()
		if got := won.Load(); got != int64(b.N) {
			b.Fatalf("%d Resolves won, want %d: every choice was pending", got, b.N)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
	})
	b.Run("same", func(b *testing.B) {
		seed, reopen := open(b)
		ids := seedChoices(b, seed, b.N, false)
		s := reopen()
		var won atomic.Int64
		b.ReportAllocs()
		b.ResetTimer()
		for _, id := range ids {
			var wg sync.WaitGroup
			for g := range deciders {
				wg.Go(func() {
					resolve(b, s, id, g, &won)
				})
			}
			wg.Wait()
		}
		b.StopTimer()
		if got := won.Load(); got != int64(b.N) {
			b.Fatalf("%d Resolves won over %d choices, want one each", got, b.N)
		}
		sec := b.Elapsed().Seconds()
		b.ReportMetric(float64(b.N)/sec, "decisions/s")
		b.ReportMetric(float64(b.N*deciders)/sec, "resolves/s")
	})
}

// startBot starts a bot with one bottest adapter over cs and n, stopped
// when the benchmark ends, and waits for its first sweep to be over, so
// that what the benchmark counts next is its own.
func startBot(b *testing.B, cfg bot.Config, cs *countingStore, n bot.Notifier) (*bot.Bot, *bottest.Adapter) {
	b.Helper()
	a := bottest.NewAdapter()
	cfg.Adapters = []bot.Adapter{a}
	cfg.Store, cfg.Notifier = cs, cs.notifier(n)
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg.SweepInterval = time.Hour
	bt, err := bot.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	if err := bt.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { bt.Stop(context.Background()) })
	<-cs.purged
	return bt, a
}

// lookupArgs are the arguments of the turn's lookup tool.
type lookupArgs struct {
	Order string `json:"order"`
}

// Turn measures the Store's part in b.N agent turns of a bot over s and
// n that do not wait for a person, as bot's BenchmarkStoreWritesPerTurn
// does on the memory Store: a message, a model step calling a tool, the
// tool, a model step answering at once, the answer posted; over 1,000
// threads. It reports the Store calls and writes per turn (calls/turn,
// writes/turn; the target is one write batch per turn once the message is
// accepted), the journal writes among them (journal-writes/turn), and the
// time of a turn (µs/turn); the calls of each method per turn are logged.
func Turn(b *testing.B, s bot.Store, n bot.Notifier) {
	cs := newCountingStore(s)
	lookup := bot.DefineTool(bot.ToolSpec[lookupArgs]{Name: "lookup", Description: "Look up an order.",
		Handler: func(_ context.Context, a lookupArgs, _ *bot.ToolContext) (any, error) {
			return map[string]any{"order": a.Order, "lines": 2}, nil
		}})
	model := bottest.NewModel(
		bottest.Call("lookup", lookupArgs{Order: "A-1001"}),
		bottest.Reply("Order A-1001 has 2 lines: shoes and a hat."),
	).Cycle().KeepRequests(1)
	bt, a := startBot(b, bot.Config{Model: model, Tools: []*bot.Tool{lookup}}, cs, n)
	ctx := context.Background()
	cs.reset()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		m := bot.Message{
			Address: bot.Address{Platform: bottest.Platform, Channel: "C1", Thread: strconv.Itoa(i % 1000)},
			User:    bottest.Ana, Text: "what's in A-1001?", Mention: true,
		}
		if _, err := a.Deliver(m); err != nil {
			b.Fatal(err)
		}
		if err := bt.Idle(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if got := len(a.Texts()); got < b.N {
		b.Fatalf("%d answers posted for %d turns", got, b.N)
	}
	ops := float64(b.N)
	b.ReportMetric(float64(cs.calls.Load())/ops, "calls/turn")
	b.ReportMetric(float64(cs.writes.Load())/ops, "writes/turn")
	b.ReportMetric(float64(cs.journal.Load())/ops, "journal-writes/turn")
	b.ReportMetric(float64(b.Elapsed().Microseconds())/ops, "µs/turn")
	if b.N > 1 { // not the probe
		b.Logf("per turn (b.N=%d), calls × mean time: %s", b.N, cs.perOp(b.N))
	}
}

// pendingChoices is how many choices wait when the bot restarts.
const pendingChoices = 10_000

// RestartWith10kPendingChoices measures a process restarting on a
// database holding 10,000 pending choices, each with its card posted:
// open, bot.New and Start, until Start returns (ready-ms, of which
// open-ms is open's), then until the first sweep — Expiring, Lapsed and
// Purge over them — is over (sweep-ms). One op is both; stopping the bot
// and closing the Store are not timed. The first sweep's calls are
// logged.
//
// seed opens a Store on a fresh database, which the choices are put
// through and which is closed then; open opens, as a process starting
// would, a Store on the same database, closed at the end of each op.
func RestartWith10kPendingChoices(b *testing.B, seed func(b *testing.B) Store, open func(ctx context.Context) (Store, error)) {
	sd := seed(b)
	ids := seedChoices(b, sd, pendingChoices, true)
	if err := sd.Close(); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var opened, ready, swept time.Duration
	var last *countingStore
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		s, err := open(ctx)
		if err != nil {
			b.Fatal(err)
		}
		opened += time.Since(start)
		cs := newCountingStore(s)
		bt, err := bot.New(bot.Config{
			Model: bottest.NewModel(), Adapters: []bot.Adapter{bottest.NewAdapter()}, Store: cs, Notifier: s,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), SweepInterval: time.Hour,
		})
		if err != nil {
			b.Fatal(err)
		}
		if err := bt.Start(ctx); err != nil {
			b.Fatal(err)
		}
		up := time.Now()
		<-cs.purged
		ready += up.Sub(start)
		swept += time.Since(up)
		b.StopTimer()
		last = cs
		if err := bt.Stop(ctx); err != nil {
			b.Fatal(err)
		}
		if c, err := s.Choice(ctx, ids[len(ids)-1]); err != nil || c.Outcome.State != bot.ChoicePending {
			b.Fatalf("after a restart, Choice(%s) = %v, %v; want it pending", ids[len(ids)-1], c.Outcome.State, err)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	if b.N > 1 { // not the probe
		b.Logf("the last restart's calls × mean time: %s", last.perOp(1))
	}
	b.ReportMetric(float64(opened.Microseconds())/1e3/float64(b.N), "open-ms")
	b.ReportMetric(float64(ready.Microseconds())/1e3/float64(b.N), "ready-ms")
	b.ReportMetric(float64(swept.Microseconds())/1e3/float64(b.N), "sweep-ms")
}

// parkedRuns is how many runs ParkedChoiceSize parks.
const parkedRuns = 1000

// ParkedChoiceSize measures a database's growth per run parked at
// AwaitChoice: its choice and the choice's action ids, its journal, its
// message's dedupe key and its thread's transcript — all a real run
// leaves, 1,000 runs in 1,000 threads, each parked. One op parks the
// 1,000 runs and stops the bot; run it with -benchtime 1x.
//
// open opens a Store on a fresh database for each op and returns with it
// the database's size then (base) and a func that measures it once the
// bot has stopped: the size as it is and after vacuuming, which drops the
// space of rows deleted or updated (work done, leases released) that a
// database reuses but does not give back. sizes may close the Store, and
// logs what it likes (the bytes of each table). It reports bytes/choice
// and vacuumed-bytes/choice, each less base.
func ParkedChoiceSize(b *testing.B, open func(b *testing.B) (s Store, base int64, sizes func() (size, vacuumed int64))) {
	ctx := context.Background()
	var grown, vacuumed int64
	var runs int
	for range b.N {
		b.StopTimer()
		s, base, sizes := open(b)
		cs := newCountingStore(s)
		bt, a := startBot(b, bot.Config{Model: askModel{}, Tools: []*bot.Tool{askTool}, ParkAfter: 10 * time.Millisecond}, cs, s)
		cs.reset()
		b.StartTimer()
		for i := range parkedRuns {
			m := bot.Message{
				Address: bot.Address{Platform: bottest.Platform, Channel: "C1", Thread: "1718000000." + strconv.Itoa(100000+i)},
				User:    bottest.Ana, Text: "deploy web-42 to production", Mention: true,
			}
			if _, err := a.Deliver(m); err != nil {
				b.Fatal(err)
			}
		}
		wait, cancel := context.WithTimeout(ctx, 5*time.Minute)
		if _, err := a.WaitForCard(wait, parkedRuns-1); err != nil {
			b.Fatalf("waiting for %d cards: %v", parkedRuns, err)
		}
		if err := bt.Stop(wait); err != nil {
			b.Fatalf("Stop: %v", err)
		}
		cancel()
		b.StopTimer()
		due, err := s.Expiring(ctx, time.Now().Add(25*time.Hour), 2*parkedRuns)
		if err != nil || len(due) != parkedRuns {
			b.Fatalf("Expiring a day on = %d choices, %v; want the %d parked runs' choices pending", len(due), err, parkedRuns)
		}
		b.Logf("per parked run, calls × mean time: %s", cs.perOp(parkedRuns))
		size, vac := sizes()
		grown += size - base
		vacuumed += vac - base
		runs += parkedRuns
		b.StartTimer()
	}
	b.ReportMetric(float64(grown)/float64(runs), "bytes/choice")
	b.ReportMetric(float64(vacuumed)/float64(runs), "vacuumed-bytes/choice")
}
