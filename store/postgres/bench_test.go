package postgres_test

// The benchmarks of issue 10: journal appends/s, decisions/s under 100
// concurrent deciders, the Store calls and writes of one agent turn that
// does not wait, restart-to-ready time with 10,000 pending choices, and
// the database's size per parked choice. Each works in a schema of its
// own on the tests' server (see needServer), dropped when it ends, and is
// skipped when the server cannot be reached. store/sqlite has the same
// benchmarks.
//
//	go test ./store/postgres -run '^$' -bench . -benchmem -benchtime 2s

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
	"github.com/parleybot/parley/render"
	"github.com/parleybot/parley/store/postgres"
)

// benchReach is whether the tests' server answered, asked once.
var benchReach struct {
	once sync.Once
	err  error
}

// benchSchema returns the name of a schema of the benchmark's own,
// dropped when it ends. It skips the benchmark when the tests' server
// cannot be reached, or fails it under CI, as needServer does for tests.
func benchSchema(b *testing.B) string {
	b.Helper()
	benchReach.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, testURL())
		if err != nil {
			benchReach.err = err
			return
		}
		benchReach.err = conn.Ping(ctx)
		conn.Close(ctx)
	})
	if err := benchReach.err; err != nil {
		if os.Getenv("CI") != "" {
			b.Fatalf("no PostgreSQL server for the benchmarks (CI is set; set PARLEY_TEST_POSTGRES_URL): %v", err)
		}
		b.Skipf("no PostgreSQL server for the benchmarks; set PARLEY_TEST_POSTGRES_URL (default %s): %v", defaultTestURL, err)
	}
	raw := make([]byte, 6)
	rand.Read(raw)
	schema := "parley_bench_" + hex.EncodeToString(raw)
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`); err != nil {
			b.Errorf("dropping the benchmark's schema %s: %v", schema, err)
		}
	})
	return schema
}

// openBench opens a Store on schema for a benchmark, closed when it ends
// (before the schema is dropped: cleanups run last first).
func openBench(b *testing.B, schema string, opts postgres.Options) *postgres.Store {
	b.Helper()
	opts.Schema = schema
	s, err := postgres.Open(context.Background(), testURL(), opts)
	if err != nil {
		b.Fatalf("Open(schema %s): %v", schema, err)
	}
	b.Cleanup(func() { s.Close() })
	return s
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

// BenchmarkJournalAppend measures AppendJournal under a held lease: one op
// is one batch of entries, appended to the journal of a run of the
// lease's lane. lanes=16 appends from 16 goroutines at once, each under
// the lease of a lane of its own, as 16 busy threads would, on a pool of
// 16 connections.
func BenchmarkJournalAppend(b *testing.B) {
	for _, c := range []struct{ batch, lanes int }{{1, 1}, {8, 1}, {8, 16}} {
		b.Run(fmt.Sprintf("batch=%d/lanes=%d", c.batch, c.lanes), func(b *testing.B) {
			opts := postgres.Options{}
			if c.lanes > 1 {
				opts.MaxConns = int32(c.lanes)
			}
			s := openBench(b, benchSchema(b), opts)
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

// BenchmarkDecide100 measures Resolve with 100 goroutines deciding at
// once. distinct: each decides choices of its own, b.N in all, every call
// a win. same: all 100 click each of b.N choices at once, as 100 people on
// one card would; one wins, 99 are told the outcome. decisions/s counts
// choices decided; resolves/s counts calls. pool=default is the pool a
// Store has by default (4 connections, or the number of CPUs if more);
// pool=32 lets more of the 100 reach the server at once.
func BenchmarkDecide100(b *testing.B) {
	for _, pool := range []struct {
		name  string
		conns int32
	}{{"pool=default", 0}, {"pool=32", 32}} {
		b.Run(pool.name+"/distinct", func(b *testing.B) {
			schema := benchSchema(b)
			ids := seedChoices(b, openBench(b, schema, postgres.Options{MaxConns: 8}), b.N, false)
			s := openBench(b, schema, postgres.Options{MaxConns: pool.conns})
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
						_, ok, err := s.Resolve(context.Background(), ids[i], decided("U"+strconv.Itoa(g)))
						if err != nil {
							b.Errorf("Resolve(%s): %v", ids[i], err)
							return
						}
						if ok {
							won.Add(1)
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
		b.Run(pool.name+"/same", func(b *testing.B) {
			schema := benchSchema(b)
			ids := seedChoices(b, openBench(b, schema, postgres.Options{MaxConns: 8}), b.N, false)
			s := openBench(b, schema, postgres.Options{MaxConns: pool.conns})
			var won atomic.Int64
			b.ReportAllocs()
			b.ResetTimer()
			for _, id := range ids {
				var wg sync.WaitGroup
				for g := range deciders {
					wg.Go(func() {
						_, ok, err := s.Resolve(context.Background(), id, decided("U"+strconv.Itoa(g)))
						if err != nil {
							b.Errorf("Resolve(%s): %v", id, err)
						}
						if ok {
							won.Add(1)
						}
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
}

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

// BenchmarkTurn measures the Store's part in one agent turn that does not
// wait for a person, as bot's BenchmarkStoreWritesPerTurn does on the
// memory Store: a message, a model step calling a tool, the tool, a model
// step answering at once, the answer posted; over 1,000 threads. It
// reports the Store calls and writes per turn (the target is one write
// batch per turn once the message is accepted), the journal writes among
// them, and the time of a turn; the calls of each method per turn are
// logged.
func BenchmarkTurn(b *testing.B) {
	s := openBench(b, benchSchema(b), postgres.Options{})
	turns(b, s, s)
}

// turns runs b.N turns of a bot over s and n (see BenchmarkTurn) and
// reports what they cost.
func turns(b *testing.B, s bot.Store, n bot.Notifier) {
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

// BenchmarkRestartWith10kPendingChoices measures a process restarting on
// a schema holding 10,000 pending choices, each with its card posted: Open,
// bot.New and Start, until Start returns (ready-ms, of which open-ms is
// Open's), then until the first sweep — Expiring, Lapsed and Purge over
// them — is over (sweep-ms). One op is both; stopping the bot and closing
// the Store are not timed. The first sweep's calls are logged.
func BenchmarkRestartWith10kPendingChoices(b *testing.B) {
	schema := benchSchema(b)
	seed := openBench(b, schema, postgres.Options{MaxConns: 8})
	ids := seedChoices(b, seed, pendingChoices, true)
	if err := seed.Close(); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var opened, ready, swept time.Duration
	var last *countingStore
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		s, err := postgres.Open(ctx, testURL(), postgres.Options{Schema: schema})
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

// askArgs are the arguments of the ask tool.
type askArgs struct {
	What string `json:"what"`
}

// askTool asks a person, as a tool does before it acts: a card of two
// buttons that expires in a day.
var askTool = bot.DefineTool(bot.ToolSpec[askArgs]{
	Name: "ask", Description: "Asks a person before acting.",
	Handler: func(ctx context.Context, args askArgs, tc *bot.ToolContext) (any, error) {
		c, err := bot.AwaitChoice[bool](ctx, tc.Thread, render.Card{
			Title: args.What + "?",
			Actions: render.Actions(
				render.Button("Approve", true).Primary(),
				render.Button("Deny", false).Danger(),
			),
		}, bot.Timeout(24*time.Hour))
		if err != nil {
			return nil, err
		}
		return map[string]any{"approved": c.Value, "by": c.User.Name, "timed_out": c.TimedOut}, nil
	},
})

// askModel calls the ask tool on a run's first request and answers once
// it has the tool's result. It keeps no state, so runs can share it.
type askModel struct{}

func (askModel) Generate(ctx context.Context, req *bot.ModelRequest, onText func(string)) (*bot.ModelResponse, error) {
	if last := req.Messages[len(req.Messages)-1]; last.Role == bot.RoleTool {
		return &bot.ModelResponse{Text: "Deployed.", FinishReason: "stop"}, nil
	}
	call := bottest.ToolCall("ask", askArgs{What: "Deploy web-42 to production"})
	call.ID = "call_0"
	return &bot.ModelResponse{ToolCalls: []bot.ToolCall{call}, FinishReason: "tool_calls",
		Usage: bot.Usage{PromptTokens: 412, CompletionTokens: 23, TotalTokens: 435}}, nil
}

// parkedRuns is how many runs BenchmarkParkedChoiceSize parks.
const parkedRuns = 1000

// BenchmarkParkedChoiceSize measures the schema's growth per run parked
// at AwaitChoice: its choice and the choice's action ids, its journal, its
// message's dedupe key and its thread's transcript — all a real run
// leaves, 1,000 runs in 1,000 threads, each parked. bytes/choice is the
// sum of pg_total_relation_size (table, indexes, TOAST) over the schema's
// tables, less that of the schema just migrated; vacuumed-bytes/choice is
// the same after VACUUM FULL, without the dead rows of what was deleted or
// updated (work done, leases released), whose space PostgreSQL reuses but
// does not give back. The bytes of each table are logged. One op parks
// the 1,000 runs and stops the bot; run it with -benchtime 1x.
func BenchmarkParkedChoiceSize(b *testing.B) {
	ctx := context.Background()
	var grown, vacuumed int64
	var runs int
	for range b.N {
		b.StopTimer()
		schema := benchSchema(b)
		s := openBench(b, schema, postgres.Options{})
		base := schemaSize(b, schema, false)
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
		grown += schemaSize(b, schema, false) - base
		vacuumed += schemaSize(b, schema, true) - base
		runs += parkedRuns
		b.StartTimer()
	}
	b.ReportMetric(float64(grown)/float64(runs), "bytes/choice")
	b.ReportMetric(float64(vacuumed)/float64(runs), "vacuumed-bytes/choice")
}

// schemaSize returns the bytes of the tables of schema, with their
// indexes and TOAST, after VACUUM FULL of each if vacuum is set; then it
// also logs the bytes of each table.
func schemaSize(b *testing.B, schema string, vacuum bool) int64 {
	b.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, testURL())
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	const tables = `SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relkind = 'r' ORDER BY 2 DESC, 1`
	rows, err := conn.Query(ctx, tables, schema)
	if err != nil {
		b.Fatal(err)
	}
	// table is a table's name and bytes, as the query lists them.
	type table struct {
		Name  string
		Bytes int64
	}
	ts, err := pgx.CollectRows(rows, pgx.RowToStructByPos[table])
	if err != nil {
		b.Fatal(err)
	}
	if !vacuum {
		var n int64
		for _, t := range ts {
			n += t.Bytes
		}
		return n
	}
	for _, t := range ts {
		if _, err := conn.Exec(ctx, `VACUUM FULL `+pgx.Identifier{schema, t.Name}.Sanitize()); err != nil {
			b.Fatalf("VACUUM FULL %s.%s: %v", schema, t.Name, err)
		}
	}
	rows, err = conn.Query(ctx, tables, schema)
	if err != nil {
		b.Fatal(err)
	}
	if ts, err = pgx.CollectRows(rows, pgx.RowToStructByPos[table]); err != nil {
		b.Fatal(err)
	}
	var n int64
	parts := make([]string, len(ts))
	for i, t := range ts {
		n += t.Bytes
		parts[i] = fmt.Sprintf("%s %d", t.Name, t.Bytes)
	}
	b.Logf("after VACUUM FULL, bytes by table (with its indexes): %s", strings.Join(parts, ", "))
	return n
}
