package bot_test

// Stopping: work accepted while the bot stops is done, not lost or told
// cut, and Stop never leaves a run to do twice.

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
)

// gateAcceptStore holds the next Accept of a message until gate is closed,
// telling the test (entered) that it got there.
type gateAcceptStore struct {
	bot.Store
	armed   atomic.Bool
	entered chan struct{}
	gate    chan struct{}
}

func (s *gateAcceptStore) Accept(ctx context.Context, a bot.Acceptance) (bot.Claimed, error) {
	if a.Item.Kind == bot.WorkMessage && s.armed.CompareAndSwap(true, false) {
		close(s.entered)
		<-s.gate
	}
	return s.Store.Accept(ctx, a)
}

// A message whose Inbox.Message passed the "stopping?" check just
// before Stop began is accepted (Inbox returns nil: the platform is
// acknowledged) after Stop found nothing to wait for. Accept marks it
// begun by this process's lease; the lane worker then sees the bot
// stopped and releases the lane without doing it. The next process finds
// it begun-and-unfinished — "cut" — and tells the thread "I was
// interrupted ... Please ask again" for a message nobody ever began to
// handle, instead of answering it.
func TestMessageAcceptedDuringStopIsAnsweredNotToldInterrupted(t *testing.T) {
	t.Parallel()
	mem := bot.NewMemoryStore()
	chat := bottest.NewChat()
	gated := &gateAcceptStore{Store: mem, entered: make(chan struct{}), gate: make(chan struct{})}
	gated.armed.Store(true)
	// A lease long enough that A, however loaded the machine, never
	// judges its own lane lost by its clock mid-answer (which cuts the
	// run, rightly told as interrupted); B takes a lane A failed to let
	// go of within it.
	cfg := bot.Config{LeaseTTL: time.Second, SweepInterval: 10 * time.Millisecond, PollInterval: 20 * time.Millisecond}
	cfgA := cfg
	cfgA.Model = bottest.NewModel(bottest.Reply("A's answer"))
	a := startReplica(t, chat, gated, "A", cfgA)

	accepted := make(chan error, 1)
	go func() {
		_, err := a.adapter.Deliver(bot.Message{Address: bottest.DefaultThread, User: bottest.Ana, Text: "hello?", Mention: true})
		accepted <- err
	}()
	<-gated.entered // past the stopping check, inside Accept
	stopped := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		stopped <- a.Bot.Stop(ctx)
	}()
	for a.adapter.Receiving() { // Stop has begun
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // (on 325e174 Stop has returned by now: it found no work)
	close(gated.gate)
	if err := <-accepted; err != nil {
		t.Skipf("the message was refused (%v): nothing to check", err)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("Stop: %v", err)
	}
	// Accepted and acknowledged. The next process handles it.
	cfgB := cfg
	cfgB.Model = bottest.NewModel(bottest.Reply("B's answer"))
	startReplica(t, chat, mem, "B", cfgB)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	chat.WaitFor(ctx, func([]bottest.Posted) bool {
		return strings.Contains(strings.Join(chat.Texts(), "|"), "answer") || strings.Contains(strings.Join(chat.Texts(), "|"), "interrupted")
	})
	texts := strings.Join(chat.Texts(), "|")
	if strings.Contains(texts, "interrupted") || !strings.Contains(texts, "answer") {
		t.Errorf("a message accepted during Stop and never begun: the thread shows %q; want it answered", chat.Texts())
	}
}

// Stop with a run whose tool calls run at once: one waits for a
// person, the other is at work. When Stop's grace ends both see their
// context end; the waiting call parks the run, and the working call's
// cancelled result is dropped (callTool journals nothing for a cancelled
// call) while its StepCall marker stays. The run "parks" quietly, no word
// to the thread — and when the person decides, the replay runs the cut
// tool again from its start: exactly the silent re-run TellInterrupted
// exists to prevent (half a deploy, done again).
func TestToolCutByStopBesideAWaitIsNotSilentlyRunAgain(t *testing.T) {
	t.Parallel()
	var slowRuns atomic.Int32
	slow := bot.DefineTool(bot.ToolSpec[struct{}]{
		Name: "slow", Description: "deploys, slowly",
		Handler: func(ctx context.Context, _ struct{}, tc *bot.ToolContext) (any, error) {
			if slowRuns.Add(1) > 1 {
				return "deployed", nil
			}
			<-ctx.Done()
			return nil, ctx.Err()
		},
	})
	model := bottest.NewModel(
		bottest.Step{ToolCalls: []bot.ToolCall{bottest.ToolCall("ask", askArgs{What: "Deploy"}), bottest.ToolCall("slow", struct{}{})}},
		bottest.Reply("done"))
	cfg := bot.Config{Model: model, Tools: []*bot.Tool{approvalTool("ask"), slow}, ParallelTools: true}
	store := bot.NewMemoryStore()
	a := bottest.NewAdapter()
	b := startBot(t, cfg, a, store)
	if _, err := a.Send(bottest.Ana, "deploy"); err != nil {
		t.Fatal(err)
	}
	p := card(t, a, 0)
	waitUntil(t, "slow to start", func() bool { return slowRuns.Load() == 1 })
	stop(t, b, a) // a grace of 100ms, which ends while slow works
	b = startBot(t, cfg, a, store)
	if err := a.ClickID(p.Ref, idOf(p, "Approve"), bottest.Ana); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	waitIdle(t, b)
	if n := slowRuns.Load(); n != 1 {
		t.Errorf("the tool Stop cut ran %d times: it was re-run, silently, on the resumption; the thread shows %q", n, a.Texts())
	}
}
