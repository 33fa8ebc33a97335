package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
)

// A message lands on a replica that is at MaxLanes, for a thread another
// replica holds with a run waiting for a person. The Store only queues it
// (no owner); the holder must still hear of it through the Notifier, so
// that its waiting run parks and the message is answered at once — not
// after the holder's next lease renewal (LeaseTTL/3).
func TestFullReplicaStillTellsTheHolder(t *testing.T) {
	chat := bottest.NewChat()
	shared := bot.NewMemoryStore()
	gate := &gateModel{gate: make(chan struct{})}
	t.Cleanup(func() { close(gate.gate) })
	r1 := startReplica(t, chat, shared, "r1", bot.Config{Model: gate, MaxLanes: 1, ParkAfter: time.Hour, SweepInterval: time.Hour})
	m2 := bottest.NewModel(bottest.Call("ask", askArgs{What: "Deploy"}), bottest.Reply("second in A"))
	r2 := startReplica(t, chat, shared, "r2", bot.Config{Model: m2, ParkAfter: time.Hour, SweepInterval: time.Hour,
		Tools: []*bot.Tool{approvalTool("ask", bot.Approvers(bottest.Ana.ID))}})
	_ = r2
	thA := bot.Address{Channel: "C1", Thread: "A"}
	r2.deliver(t, thA, bottest.Ana, "deploy")
	card(t, r2.adapter.Adapter, 0)
	r1.deliver(t, bot.Address{Channel: "C1", Thread: "X"}, bottest.Ben, "busy")
	deadline := time.Now().Add(5 * time.Second)
	for gate.calls.Load() < 1 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	r1.deliver(t, thA, bottest.Ana, "and another thing")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := chat.Adapter().WaitFor(ctx, func([]bottest.Posted) bool { return chat.LastText() == "second in A" }); err != nil {
		t.Fatalf("the message queued in A through a full replica was not answered within 3s: the holder was not told: %q", chat.LastText())
	}
}
