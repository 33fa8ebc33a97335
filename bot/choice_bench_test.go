package bot_test

import (
	"context"
	"io"
	"log/slog"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/render"
)

// nullAdapter is a platform that shows nothing, so that benchmarks
// measure the bot and its Store, not a fake platform's memory. It keeps
// the ids of the last card it was given.
type nullAdapter struct {
	mu    sync.Mutex
	in    bot.Inbox
	n     atomic.Int64
	last  bot.Outgoing
	lastR bot.MessageRef
}

func (a *nullAdapter) Platform() string { return "bench" }

func (a *nullAdapter) Start(ctx context.Context, in bot.Inbox) error {
	a.mu.Lock()
	a.in = in
	a.mu.Unlock()
	return nil
}

func (a *nullAdapter) Post(ctx context.Context, to bot.Address, m bot.Outgoing) (bot.MessageRef, error) {
	ref := bot.MessageRef{Address: to, ID: strconv.FormatInt(a.n.Add(1), 10)}
	if len(m.IDs) > 0 {
		a.mu.Lock()
		a.last, a.lastR = m, ref
		a.mu.Unlock()
	}
	return ref, nil
}

func (a *nullAdapter) Update(ctx context.Context, ref bot.MessageRef, m bot.Outgoing) error {
	return nil
}

// firstID returns the id of the first option of the last card posted.
func (a *nullAdapter) firstID() (string, bot.MessageRef) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, el := range render.Interactives(a.last.Content) {
		return a.last.IDs[el], a.lastR
	}
	return "", bot.MessageRef{}
}

// askModel calls the ask tool on a run's first request and answers once
// it has the tool's result.
type askModel struct{}

func (askModel) Generate(ctx context.Context, req *bot.ModelRequest, onText func(string)) (*bot.ModelResponse, error) {
	if last := req.Messages[len(req.Messages)-1]; last.Role == bot.RoleTool {
		return &bot.ModelResponse{Text: "done"}, nil
	}
	return &bot.ModelResponse{ToolCalls: []bot.ToolCall{{ID: "c1", Name: "ask", Arguments: `{"what":"Deploy"}`}}}, nil
}

func benchBot(b testing.TB, parkAfter time.Duration) (*bot.Bot, *nullAdapter) {
	a := &nullAdapter{}
	bt, err := bot.New(bot.Config{
		Store: bot.NewMemoryStore(),
		Model: askModel{}, Adapters: []bot.Adapter{a}, Tools: []*bot.Tool{approvalTool("ask")},
		ParkAfter: parkAfter, SweepInterval: time.Hour,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := bt.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	return bt, a
}

func message(i int) bot.Message {
	addr := bot.Address{Platform: "bench", Channel: "C1", Thread: strconv.Itoa(i)}
	return bot.Message{ID: "m" + strconv.Itoa(i), Address: addr, User: bot.User{ID: "U1", Name: "ana"}, Text: "deploy", Mention: true}
}

func inUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse + m.StackInuse
}

// BenchmarkPendingChoices measures the memory of 100,000 choices pending
// at once: blocked, each holding its run's goroutine; parked, each only
// records in the (memory) Store, the 100,000 messages arriving at once;
// and parked-in-batches, arriving 1,000 at a time, as a busy bot's would,
// which leaves the heap less fragmented by the burst. Run with
// -benchtime=1x.
func BenchmarkPendingChoices(b *testing.B) {
	const n = 100_000
	for _, mode := range []string{"blocked", "parked", "parked-in-batches"} {
		b.Run(mode, func(b *testing.B) {
			for b.Loop() {
				base := runtime.NumGoroutine()
				before := inUse()
				park := time.Hour
				if mode != "blocked" {
					park = time.Millisecond
				}
				bt, a := benchBot(b, park)
				batch := n
				if mode == "parked-in-batches" {
					batch = 1000
				}
				for i := range n {
					a.in.Message(context.Background(), message(i))
					if (i+1)%batch == 0 {
						for a.n.Load() < int64(i+1) {
							time.Sleep(time.Millisecond)
						}
						if mode != "blocked" {
							settle(b, base)
						}
					}
				}
				if mode == "blocked" {
					time.Sleep(200 * time.Millisecond) // every run reaches its wait
				}
				used := inUse() - before
				b.ReportMetric(float64(used)/n, "B/choice")
				b.ReportMetric(float64(used)/(1<<20), "MiB/100k")
				b.ReportMetric(float64(runtime.NumGoroutine()), "goroutines")
				ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
				bt.Stop(ctx)
				cancel()
			}
		})
	}
}

// settle waits until every run has parked: the goroutines are back to
// about base.
func settle(b testing.TB, base int) {
	deadline := time.Now().Add(time.Minute)
	for runtime.NumGoroutine() > base+10 {
		if time.Now().After(deadline) {
			b.Fatalf("%d goroutines left after a minute", runtime.NumGoroutine())
		}
		time.Sleep(100 * time.Microsecond)
	}
}

// BenchmarkResumeParked measures a click on a parked run's card until the
// run, resumed by replay, has finished.
func BenchmarkResumeParked(b *testing.B) {
	base := runtime.NumGoroutine()
	bt, a := benchBot(b, time.Millisecond)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		b.StopTimer()
		i++
		a.in.Message(ctx, message(i))
		for a.n.Load() < int64(2*i-1) {
			time.Sleep(100 * time.Microsecond)
		}
		settle(b, base) // parked: Idle returns already while it waits
		id, ref := a.firstID()
		if id == "" {
			b.Fatal("no card")
		}
		b.StartTimer()
		a.in.Action(ctx, bot.Action{ID: id, User: bot.User{ID: "U1", Name: "ana"}, Message: ref})
		if err := bt.Idle(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if got, want := a.n.Load(), int64(2*i); got != want {
		b.Fatalf("%d posts, want %d: a card and an answer per run", got, want)
	}
}
