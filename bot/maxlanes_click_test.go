package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
)

// With MaxLanes lanes all held by runs waiting for a person (not parked
// yet), the approver's click must still decide the choice promptly.
func TestClickDecidesWhileWaitingRunsFillTheLanes(t *testing.T) {
	model := bottest.NewModel(bottest.Call("ask", askArgs{What: "Deploy"}), bottest.Reply("done"))
	h := bottest.Start(t, bot.Config{Model: model, MaxLanes: 1, ParkAfter: time.Hour, SweepInterval: 100 * time.Millisecond,
		Tools: []*bot.Tool{approvalTool("ask", bot.Approvers(bottest.Ana.ID))}})
	h.Adapter.Send(bottest.Ana, "deploy please")
	p := card(t, h.Adapter, 0)
	if err := h.Adapter.Click(p.Ref, "Approve", bottest.Ana); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.Adapter.WaitFor(ctx, func([]bottest.Posted) bool { return len(model.Requests()) >= 2 }); err != nil {
		t.Fatalf("the approver's click was not decided within 5s with MaxLanes 1: %d model requests", len(model.Requests()))
	}
}

// A click made in time decides, though the lanes are full, before the
// timeout.
func TestTimelyClickBeatsTheTimeoutWhenLanesAreFull(t *testing.T) {
	model := bottest.NewModel(bottest.Call("ask", askArgs{What: "Deploy"}), bottest.Reply("done"))
	h := bottest.Start(t, bot.Config{Model: model, MaxLanes: 1, SweepInterval: 100 * time.Millisecond,
		Tools: []*bot.Tool{approvalTool("ask", bot.Approvers(bottest.Ana.ID), bot.Timeout(2*time.Second))}})
	h.Adapter.Send(bottest.Ana, "deploy please")
	p := card(t, h.Adapter, 0)
	if err := h.Adapter.Click(p.Ref, "Approve", bottest.Ana); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Second)
	defer cancel()
	if err := h.Adapter.WaitFor(ctx, func([]bottest.Posted) bool { return len(model.Requests()) >= 2 }); err != nil {
		t.Fatal(err)
	}
	if got := toolResult(t, model, 1); got != `{"approved":true,"by":"ana","timed_out":false}` {
		t.Fatalf("click made 2s before the timeout; the tool saw %s; notices %q", got, notices(h.Adapter))
	}
}

// When a run waiting for a person holds the only lane, a message in
// another thread is not held back until the run parks on its own: the
// waiting run parks at once and the message is answered.
func TestWaitingRunGivesItsLaneUpToQueuedWork(t *testing.T) {
	model := bottest.NewModel(bottest.Call("ask", askArgs{What: "Deploy"}), bottest.Reply("hello B"))
	h := bottest.Start(t, bot.Config{Model: model, MaxLanes: 1, ParkAfter: time.Hour, SweepInterval: time.Hour,
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
		t.Fatalf("the message in another thread was not answered while a waiting run held the only lane: %q", h.Chat.LastText())
	}
}
