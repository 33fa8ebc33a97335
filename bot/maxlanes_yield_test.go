package bot_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
	"github.com/parleybot/parley/render"
)

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func countingApproval(name string, calls *atomic.Int32) *bot.Tool {
	return bot.DefineTool(bot.ToolSpec[askArgs]{
		Name: name, Description: "asks a person",
		Handler: func(ctx context.Context, args askArgs, tc *bot.ToolContext) (any, error) {
			calls.Add(1)
			c, err := bot.AwaitChoice[verdict](ctx, tc.Thread, render.Card{
				Title:   args.What + "?",
				Actions: render.Actions(render.Button("Approve", verdict{true}), render.Button("Deny", verdict{false})),
			})
			if err != nil {
				return nil, err
			}
			return map[string]any{"approved": c.Value.Approved}, nil
		},
	})
}

// A click on an option at MaxLanes must not make the very run it decides
// park and come back by replay: the click bypasses MaxLanes, so it needs no
// lane freed, and asks no run to yield.
func TestClickAtLimitDoesNotParkTheRunItDecides(t *testing.T) {
	for _, max := range []int{1, 2} {
		t.Run(map[int]string{1: "MaxLanes1", 2: "MaxLanes2"}[max], func(t *testing.T) {
			var calls atomic.Int32
			logs := &syncBuf{}
			model := bottest.NewModel(bottest.Call("ask", askArgs{What: "Deploy"}), bottest.Reply("done"))
			h := bottest.Start(t, bot.Config{Model: model, MaxLanes: max, ParkAfter: time.Hour, SweepInterval: 100 * time.Millisecond,
				Logger: slog.New(slog.NewTextHandler(logs, nil)), Store: slowResolve{bot.NewMemoryStore()},
				Tools: []*bot.Tool{countingApproval("ask", &calls)}})
			h.Adapter.Send(bottest.Ana, "deploy please")
			p := card(t, h.Adapter, 0)
			time.Sleep(50 * time.Millisecond)
			if err := h.Adapter.Click(p.Ref, "Approve", bottest.Ana); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := h.Adapter.WaitFor(ctx, func([]bottest.Posted) bool { return h.Chat.LastText() == "done" }); err != nil {
				t.Fatal(err)
			}
			if n := calls.Load(); n != 1 || strings.Contains(logs.String(), "parked") {
				t.Errorf("MaxLanes %d: the tool handler ran %d times; parked=%v — the click parked the run it decides, which then replayed", max, n, strings.Contains(logs.String(), "parked"))
			}
		})
	}
}

// A second message in a thread this process already holds needs no new
// lane; at MaxLanes it must not park the runs of other threads that wait
// for a person.
func TestMessageInHeldThreadDoesNotParkOtherThreads(t *testing.T) {
	var calls atomic.Int32
	logs := &syncBuf{}
	model := bottest.NewModel(
		bottest.Call("ask", askArgs{What: "A"}),
		bottest.Call("ask", askArgs{What: "B"}),
		bottest.Reply("second in B"),
	)
	h := bottest.Start(t, bot.Config{Model: model, MaxLanes: 2, ParkAfter: time.Hour, SweepInterval: time.Hour,
		Logger: slog.New(slog.NewTextHandler(logs, nil)),
		Tools:  []*bot.Tool{countingApproval("ask", &calls)}})
	thA := bot.Address{Channel: "C1", Thread: "A"}
	thB := bot.Address{Channel: "C1", Thread: "B"}
	if _, err := h.Adapter.Deliver(bot.Message{Address: thA, User: bottest.Ana, Text: "a", Mention: true}); err != nil {
		t.Fatal(err)
	}
	card(t, h.Adapter, 0)
	if _, err := h.Adapter.Deliver(bot.Message{Address: thB, User: bottest.Ana, Text: "b", Mention: true}); err != nil {
		t.Fatal(err)
	}
	card(t, h.Adapter, 1)
	time.Sleep(50 * time.Millisecond)
	if _, err := h.Adapter.Deliver(bot.Message{Address: thB, User: bottest.Ana, Text: "b again", Mention: true}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.Adapter.WaitFor(ctx, func([]bottest.Posted) bool { return h.Chat.LastText() == "second in B" }); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if n := strings.Count(logs.String(), "run parked until"); n != 1 {
		t.Errorf("%d runs parked; want 1 (B's, whose thread has work queued). Thread A's run parked for a message that needed no lane.\n%s", n, logs.String())
	}
}

// slowQueue is a Store whose Accept of work that is only queued (no owner:
// the process was at MaxLanes) takes a moment, as a real database's may.
type slowQueue struct{ bot.Store }

func (s slowQueue) Accept(ctx context.Context, a bot.Acceptance) (bot.Claimed, error) {
	if a.Owner == "" {
		time.Sleep(100 * time.Millisecond)
	}
	return s.Store.Accept(ctx, a)
}

// A run asked to yield may park and release its lane before the message
// that asked is in the Store, so that the nudge of the sweep finds nothing:
// the message must not wait for the next SweepInterval.
func TestQueuedWorkIsTakenWhenTheNudgeCameFirst(t *testing.T) {
	model := bottest.NewModel(bottest.Call("ask", askArgs{What: "Deploy"}), bottest.Reply("hello B"))
	h := bottest.Start(t, bot.Config{Model: model, MaxLanes: 1, ParkAfter: time.Hour, SweepInterval: time.Hour,
		Store: slowQueue{bot.NewMemoryStore()},
		Tools: []*bot.Tool{approvalTool("ask", bot.Approvers(bottest.Ana.ID))}})
	h.Adapter.Send(bottest.Ana, "deploy please")
	card(t, h.Adapter, 0)
	other := bot.Message{Address: bot.Address{Channel: "C_OTHER", Thread: "B"}, User: bottest.Ben, Text: "hi", Mention: true}
	if _, err := h.Adapter.Deliver(other); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.Adapter.WaitFor(ctx, func(p []bottest.Posted) bool { return h.Chat.LastText() == "hello B" }); err != nil {
		t.Fatalf("the queued message was not taken up: the sweep's only nudge came before it was in the Store: %q", h.Chat.LastText())
	}
}

// slowResolve is a Store whose Resolve takes a moment, as a database's
// round trip may: time enough for a run asked to yield to park.
type slowResolve struct{ bot.Store }

func (s slowResolve) Resolve(ctx context.Context, id string, o bot.Outcome) (bot.ChoiceRecord, bool, error) {
	time.Sleep(30 * time.Millisecond)
	return s.Store.Resolve(ctx, id, o)
}
