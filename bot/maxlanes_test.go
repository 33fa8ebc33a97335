package bot_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
)

// gateModel answers each request once the test lets it: the runs it
// serves stay busy until then.
type gateModel struct {
	calls atomic.Int32
	gate  chan struct{}
	once  sync.Once
}

func (m *gateModel) Generate(ctx context.Context, req *bot.ModelRequest, onText func(string)) (*bot.ModelResponse, error) {
	m.calls.Add(1)
	select {
	case <-m.gate:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return &bot.ModelResponse{Text: "answered"}, nil
}

func TestMaxLanesQueuesOverflowInTheStoreAndDoesItLater(t *testing.T) {
	t.Parallel()
	model := &gateModel{gate: make(chan struct{})}
	a := bottest.NewAdapter()
	b, err := bot.New(bot.Config{Store: bot.NewMemoryStore(), Model: model, Adapters: []bot.Adapter{a}, MaxLanes: 2, SweepInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	ana := bot.User{ID: "U1", Name: "ana"}
	const threads = 6
	for i := range threads {
		m := bot.Message{Address: bot.Address{Channel: "C1", Thread: string(rune('a' + i))}, User: ana, Text: "hi", Mention: true}
		if _, err := a.Deliver(m); err != nil {
			t.Fatalf("message %d refused: %v", i, err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for model.calls.Load() < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	// Two lanes work; the other four messages wait in the Store. Give a
	// wrongly unbounded bot the chance to start more.
	time.Sleep(50 * time.Millisecond)
	if n := model.calls.Load(); n != 2 {
		t.Fatalf("%d runs at work with MaxLanes 2", n)
	}
	close(model.gate)
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	if err := a.WaitFor(wctx, func(p []bottest.Posted) bool { return len(p) >= threads }); err != nil {
		t.Fatalf("only %d of %d queued messages answered: %v", len(a.Posts()), threads, err)
	}
	if n := model.calls.Load(); n != threads {
		t.Fatalf("model called %d times for %d messages", n, threads)
	}
}
