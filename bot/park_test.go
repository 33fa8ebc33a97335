package bot_test

import (
	"context"
	"errors"
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

// hookStore is a Store whose calls tests can intercept.
type hookStore struct {
	bot.Store
	putActions  func(ctx context.Context, actions []bot.ActionRecord) error
	resolve     func(ctx context.Context, id string, o bot.Outcome) (bot.ChoiceRecord, bool, error)
	renew       func() error
	appendDelay time.Duration
}

func (s *hookStore) Renew(ctx context.Context, l bot.Lease, ttl time.Duration) (bot.Lease, int, error) {
	if s.renew != nil {
		if err := s.renew(); err != nil {
			return bot.Lease{}, 0, err
		}
	}
	return s.Store.Renew(ctx, l, ttl)
}

func (s *hookStore) PutActions(ctx context.Context, actions []bot.ActionRecord) error {
	if s.putActions != nil {
		if err := s.putActions(ctx, actions); err != nil {
			return err
		}
	}
	return s.Store.PutActions(ctx, actions)
}

func (s *hookStore) Resolve(ctx context.Context, id string, o bot.Outcome) (bot.ChoiceRecord, bool, error) {
	if s.resolve != nil {
		return s.resolve(ctx, id, o)
	}
	return s.Store.Resolve(ctx, id, o)
}

func (s *hookStore) AppendJournal(ctx context.Context, l bot.Lease, run string, es []bot.JournalEntry) error {
	time.Sleep(s.appendDelay)
	return s.Store.AppendJournal(ctx, l, run, es)
}

// hookHandler passes each log record to the test's log and to hook.
type hookHandler struct {
	slog.Handler
	hook func(msg string)
}

func (h hookHandler) Handle(ctx context.Context, r slog.Record) error {
	h.hook(r.Message)
	return h.Handler.Handle(ctx, r)
}

func (h hookHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return hookHandler{h.Handler.WithAttrs(as), h.hook}
}

func (h hookHandler) WithGroup(name string) slog.Handler {
	return hookHandler{h.Handler.WithGroup(name), h.hook}
}

// runLog counts a bot's runs parking and resuming by replay, from its
// logs.
type runLog struct{ parked, replayed atomic.Int32 }

func (r *runLog) logger(t *testing.T) *slog.Logger {
	return slog.New(hookHandler{bottest.Logger(t).Handler(), func(msg string) {
		switch msg {
		case "bot: run parked until a person decides":
			r.parked.Add(1)
		case "bot: resuming a run by replay":
			r.replayed.Add(1)
		}
	}})
}

// waitParked waits until n runs have parked.
func (r *runLog) waitParked(t *testing.T, n int32) {
	t.Helper()
	waitUntil(t, "the run to park", func() bool { return r.parked.Load() >= n })
}

// countingTool counts its calls and returns "ok" once release is closed
// (at once when release is nil).
func countingTool(name string, n *atomic.Int32, release <-chan struct{}) *bot.Tool {
	return bot.DefineTool(bot.ToolSpec[struct{}]{
		Name: name, Description: "counts",
		Handler: func(ctx context.Context, _ struct{}, tc *bot.ToolContext) (any, error) {
			n.Add(1)
			if release != nil {
				<-release
			}
			return "ok", nil
		},
	})
}

// A click that lands while a resumed run parks again at its next choice
// — after its wait gave up the choice, before the resume ended — must
// resume it once more, not be dropped as "already resuming".
func TestClickWhileResumedRunParksAgain(t *testing.T) {
	t.Parallel()
	store := bot.NewMemoryStore()
	a := bottest.NewAdapter()
	var parks atomic.Int32
	hook := func(msg string) {
		if msg != "bot: run parked, waiting for a person" || parks.Add(1) != 2 {
			return
		}
		// The resumed run has parked at its second card: click it now.
		var second bottest.Posted
		seen := 0
		for _, p := range a.Posts() {
			if len(render.Interactives(p.Versions[0])) > 0 {
				if seen == 1 {
					second = p
				}
				seen++
			}
		}
		id := idOf(second, "Approve")
		a.ClickID(second.Ref, id, bottest.Ana)
		rec, _ := store.Action(context.Background(), id)
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			if c, err := store.Choice(context.Background(), rec.Choice); err == nil && c.Outcome.State == bot.ChoiceDecided {
				break
			}
		}
		time.Sleep(20 * time.Millisecond) // the click's delivery
	}
	logger := slog.New(hookHandler{bottest.Logger(t).Handler(), hook})
	model := bottest.NewModel(bottest.Call("ask", askArgs{What: "Build"}), bottest.Call("ask", askArgs{What: "Ship"}), bottest.Reply("done"))
	b := startBot(t, bot.Config{Model: model, ParkAfter: 10 * time.Millisecond, Logger: logger, Tools: []*bot.Tool{approvalTool("ask")}}, a, store)
	a.Send(bottest.Ana, "build and ship")
	p := card(t, a, 0)
	waitUntil(t, "the run to park", func() bool { return parks.Load() >= 1 })
	waitIdle(t, b)
	a.ClickID(p.Ref, idOf(p, "Approve"), bottest.Ana)
	waitUntil(t, "the second card", func() bool { return parks.Load() >= 2 })
	waitIdle(t, b)
	if a.LastText() != "done" {
		t.Errorf("the decision on the second card was lost: last text %q, %d model requests", a.LastText(), len(model.Requests()))
	}
}

// With sequential tool calls, a call that parks its run parks the step:
// the calls after it run when the run resumes, not while the person has
// not decided yet.
func TestSequentialCallsWaitForParkedCall(t *testing.T) {
	t.Parallel()
	var noted atomic.Int32
	model := bottest.NewModel(bottest.Step{ToolCalls: []bot.ToolCall{
		bottest.ToolCall("ask", askArgs{What: "Deploy"}), bottest.ToolCall("note", struct{}{}),
	}}, bottest.Reply("done"))
	a := bottest.NewAdapter()
	var rl runLog
	b := startBot(t, bot.Config{Model: model, Logger: rl.logger(t), ParkAfter: 10 * time.Millisecond, Tools: []*bot.Tool{approvalTool("ask"), countingTool("note", &noted, nil)}}, a, bot.NewMemoryStore())
	a.Send(bottest.Ana, "deploy")
	p := card(t, a, 0)
	rl.waitParked(t, 1)
	waitIdle(t, b)
	if n := noted.Load(); n != 0 {
		t.Errorf("the call after the parked one ran %d times before anyone decided", n)
	}
	a.ClickID(p.Ref, idOf(p, "Approve"), bottest.Ana)
	waitIdle(t, b)
	if n := noted.Load(); n != 1 || a.LastText() != "done" {
		t.Errorf("after the click: note ran %d times, last text %q", n, a.LastText())
	}
	if rl.replayed.Load() != 1 {
		t.Errorf("the run resumed by replay %d times, want 1", rl.replayed.Load())
	}
}

// A click on a parked call's card while a parallel sibling call of the
// same step is still running must not replay the run beside it: the
// sibling would run twice.
func TestResumeWaitsForParallelSibling(t *testing.T) {
	t.Parallel()
	var slow atomic.Int32
	release := make(chan struct{})
	model := bottest.NewModel(bottest.Step{ToolCalls: []bot.ToolCall{
		bottest.ToolCall("ask", askArgs{What: "Deploy"}), bottest.ToolCall("slow", struct{}{}),
	}}, bottest.Reply("done"))
	a := bottest.NewAdapter()
	b := startBot(t, bot.Config{Model: model, ParallelTools: true, ParkAfter: 10 * time.Millisecond, Tools: []*bot.Tool{approvalTool("ask"), countingTool("slow", &slow, release)}}, a, bot.NewMemoryStore())
	a.Send(bottest.Ana, "deploy")
	p := card(t, a, 0)
	time.Sleep(100 * time.Millisecond) // "ask" parks; "slow" goes on
	a.ClickID(p.Ref, idOf(p, "Approve"), bottest.Ana)
	time.Sleep(100 * time.Millisecond)
	close(release)
	waitIdle(t, b)
	if n := slow.Load(); n != 1 {
		t.Errorf("the sibling tool ran %d times, want 1", n)
	}
	if n := len(model.Requests()); n != 2 || a.LastText() != "done" {
		t.Errorf("%d model requests, last text %q", n, a.LastText())
	}
}

// A click that wins just before the choice's deadline, delivered after
// the wait took the click's outcome from the Store and went on, must not
// replay the live run beside itself.
func TestClickRacingTimeoutDoesNotReplayLiveRun(t *testing.T) {
	t.Parallel()
	mem := bot.NewMemoryStore()
	gate := make(chan struct{})
	model := bottest.NewModel(bottest.Call("ask", askArgs{What: "Deploy"}), bottest.Step{Text: "done", Wait: gate}, bottest.Reply("again"))
	store := &hookStore{Store: mem}
	store.resolve = func(ctx context.Context, id string, o bot.Outcome) (bot.ChoiceRecord, bool, error) {
		c, won, err := mem.Resolve(ctx, id, o)
		if o.State == bot.ChoiceDecided {
			// Hold the click's delivery until the run went on to the
			// model: its wait timed out and found the click's outcome in
			// the Store (or found it there before waiting at all).
			for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
				if len(model.Requests()) == 2 {
					break
				}
			}
		}
		return c, won, err
	}
	a := bottest.NewAdapter()
	b := startBot(t, bot.Config{Model: model, Tools: []*bot.Tool{approvalTool("ask", bot.Timeout(50*time.Millisecond))}}, a, store)
	a.Send(bottest.Ana, "deploy")
	p := card(t, a, 0)
	a.ClickID(p.Ref, idOf(p, "Approve"), bottest.Ana)
	waitUntil(t, "the run to go on", func() bool { return len(model.Requests()) == 2 })
	time.Sleep(50 * time.Millisecond)
	close(gate)
	waitIdle(t, b)
	if n := len(model.Requests()); n != 2 {
		t.Errorf("%d model requests, want 2: the live run was replayed beside itself", n)
	}
	for _, text := range a.Texts() {
		if text == "again" {
			t.Errorf("a second copy of the run answered %q", text)
		}
	}
}

// A handler that reports AwaitChoice's error to the thread must not post
// "the run is waiting" when its run parks, nor journal that post: the
// replay would diverge.
func TestHandlerReportingParkIsQuiet(t *testing.T) {
	t.Parallel()
	ask := bot.DefineTool(bot.ToolSpec[askArgs]{
		Name: "ask", Description: "asks",
		Handler: func(ctx context.Context, args askArgs, tc *bot.ToolContext) (any, error) {
			c, err := bot.AwaitChoice[verdict](ctx, tc.Thread, render.Card{
				Title:   args.What + "?",
				Actions: render.Actions(render.Button("Approve", verdict{true}), render.Button("Deny", verdict{false})),
			})
			if err != nil {
				tc.Thread.Post(ctx, render.Text("could not ask: "+err.Error()))
				return nil, err
			}
			return c.Value, nil
		},
	})
	model := bottest.NewModel(bottest.Call("ask", askArgs{What: "Deploy"}), bottest.Reply("done"))
	a := bottest.NewAdapter()
	var rl runLog
	b := startBot(t, bot.Config{Model: model, Logger: rl.logger(t), ParkAfter: 10 * time.Millisecond, Tools: []*bot.Tool{ask}}, a, bot.NewMemoryStore())
	a.Send(bottest.Ana, "deploy")
	p := card(t, a, 0)
	rl.waitParked(t, 1)
	waitIdle(t, b)
	a.ClickID(p.Ref, idOf(p, "Approve"), bottest.Ana)
	waitIdle(t, b)
	for _, text := range a.Texts() {
		if strings.Contains(text, "could not") {
			t.Errorf("the thread was told %q", text)
		}
	}
	if a.LastText() != "done" {
		t.Errorf("last text %q", a.LastText())
	}
	if rl.replayed.Load() != 1 {
		t.Errorf("the run resumed by replay %d times, want 1", rl.replayed.Load())
	}
}

// Thread operations a handler makes concurrently are journaled one after
// the other; they must not collide in the journal and silently park the
// run.
func TestConcurrentThreadOpsInHandler(t *testing.T) {
	t.Parallel()
	two := bot.DefineTool(bot.ToolSpec[struct{}]{
		Name: "two", Description: "posts twice at once",
		Handler: func(ctx context.Context, _ struct{}, tc *bot.ToolContext) (any, error) {
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, text := range []string{"one", "two"} {
				wg.Go(func() { _, errs[i] = tc.Thread.Post(ctx, render.Text(text)) })
			}
			wg.Wait()
			return "posted", errors.Join(errs...)
		},
	})
	model := bottest.NewModel(bottest.Call("two", struct{}{}), bottest.Reply("done"))
	a := bottest.NewAdapter()
	b := startBot(t, bot.Config{Model: model, Tools: []*bot.Tool{two}}, a, &hookStore{Store: bot.NewMemoryStore(), appendDelay: 20 * time.Millisecond})
	a.Send(bottest.Ana, "post")
	waitIdle(t, b)
	if a.LastText() != "done" {
		t.Errorf("last text %q, %d model requests: the run stopped without a word", a.LastText(), len(model.Requests()))
	}
	if got := toolResult(t, model, 1); got != "posted" {
		t.Errorf("tool result %s", got)
	}
}

// A Thread may run the agent twice at once (it is safe for concurrent
// use); run with -race.
func TestConcurrentRunsOnOneThread(t *testing.T) {
	t.Parallel()
	const runs = 20
	model := bottest.NewModel()
	for range runs {
		model.Add(bottest.Reply("hi"))
	}
	a := bottest.NewAdapter()
	b := startBot(t, bot.Config{Model: model}, a, bot.NewMemoryStore())
	th, err := b.Thread(bottest.DefaultThread)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range runs {
		wg.Go(func() {
			if _, err := th.RunAgent(context.Background(), bot.RunOptions{}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

// A click accepted just before Stop, whose decision is recorded while
// the bot stops, resumes its parked run within Stop's grace: nothing
// else ever would.
func TestClickDuringStopResumesRun(t *testing.T) {
	t.Parallel()
	mem := bot.NewMemoryStore()
	gate := make(chan struct{})
	store := &hookStore{Store: mem}
	store.resolve = func(ctx context.Context, id string, o bot.Outcome) (bot.ChoiceRecord, bool, error) {
		if o.State == bot.ChoiceDecided {
			<-gate
		}
		return mem.Resolve(ctx, id, o)
	}
	model := bottest.NewModel(bottest.Call("ask", askArgs{What: "Deploy"}), bottest.Reply("done"))
	a := bottest.NewAdapter()
	var rl runLog
	b := startBot(t, bot.Config{Model: model, Logger: rl.logger(t), ParkAfter: 10 * time.Millisecond, Tools: []*bot.Tool{approvalTool("ask")}}, a, store)
	a.Send(bottest.Ana, "deploy")
	p := card(t, a, 0)
	rl.waitParked(t, 1)
	waitIdle(t, b)
	a.ClickID(p.Ref, idOf(p, "Approve"), bottest.Ana)
	stopped := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		stopped <- b.Stop(ctx)
	}()
	waitUntil(t, "Stop to begin", func() bool { return !a.Receiving() })
	close(gate)
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	if a.LastText() != "done" {
		t.Errorf("the decision recorded during Stop was lost: last text %q", a.LastText())
	}
	if rl.replayed.Load() != 1 {
		t.Errorf("the run resumed by replay %d times, want 1", rl.replayed.Load())
	}
}

// When a choice's options cannot be stored, the choice is ended, not
// left pending to expire later and replay a run that is over.
func TestFailedOptionsLeaveNoPendingChoice(t *testing.T) {
	t.Parallel()
	mem := bot.NewMemoryStore()
	var failed atomic.Bool
	store := &hookStore{Store: mem, putActions: func(ctx context.Context, _ []bot.ActionRecord) error {
		if failed.CompareAndSwap(false, true) {
			return errors.New("database unavailable")
		}
		return nil
	}}
	model := bottest.NewModel(bottest.Call("ask", askArgs{What: "Deploy"}), bottest.Reply("done"))
	a := bottest.NewAdapter()
	b := startBot(t, bot.Config{Model: model, SweepInterval: 5 * time.Millisecond, Tools: []*bot.Tool{approvalTool("ask", bot.Timeout(20*time.Millisecond))}}, a, store)
	a.Send(bottest.Ana, "deploy")
	waitIdle(t, b)
	time.Sleep(100 * time.Millisecond) // past the deadline, several sweeps
	waitIdle(t, b)
	if due, _ := mem.Expiring(context.Background(), time.Now().Add(time.Hour), 0); len(due) != 0 {
		t.Errorf("%d choices left pending", len(due))
	}
	thinking := 0
	for _, s := range a.Statuses() {
		if s.Text == "is thinking…" {
			thinking++
		}
	}
	if thinking != 1 {
		t.Errorf("the run showed it was thinking %d times: a run that is over was replayed", thinking)
	}
}

// A request to yield made while the lane's previous batch ran is
// dropped by work()'s reset of l.yield — and the batch it asked for is
// handed out with that very work in it. A resumed run at the head of the
// batch that waits for a person again waits on a fresh, open yield
// channel, so the message queued behind it in the same batch waits for
// ParkAfter (5 minutes by default) though "a waiting run parks at once
// when other work is queued in its thread". Renew does not help: the
// message was handed out, so it does not count as queued.
func TestMessageBehindAResumedRunInOneBatchIsNotHeldUp(t *testing.T) {
	t.Parallel()
	gate := make(chan struct{})
	model := modelFunc(func(ctx context.Context, req *bot.ModelRequest, onText func(string)) (*bot.ModelResponse, error) {
		last := req.Messages[len(req.Messages)-1]
		if last.Role == bot.RoleTool {
			tools := 0
			for _, m := range req.Messages {
				if m.Role == bot.RoleTool {
					tools++
				}
			}
			if tools == 1 {
				return &bot.ModelResponse{ToolCalls: []bot.ToolCall{bottest.ToolCall("ask", askArgs{What: "Second"})}}, nil
			}
			return &bot.ModelResponse{Text: "X done"}, nil
		}
		switch last.Content {
		case "one":
			return &bot.ModelResponse{ToolCalls: []bot.ToolCall{bottest.ToolCall("ask", askArgs{What: "First"})}}, nil
		case "two":
			select {
			case <-gate:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			return &bot.ModelResponse{Text: "answer two"}, nil
		default:
			return &bot.ModelResponse{Text: "answer " + last.Content}, nil
		}
	})
	cfg := bot.Config{Model: model, Tools: []*bot.Tool{approvalTool("ask")}, ParkAfter: time.Minute, PollInterval: 20 * time.Millisecond}
	h := bottest.Start(t, cfg)
	h.Send(bottest.Ana, "one") // X waits on "First?"
	first := h.Card(0)
	if _, err := h.Adapter.Send(bottest.Ana, "two"); err != nil { // X parks; "two" runs, held at the model
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if err := h.Adapter.Click(first.Ref, "Approve", bottest.Ana); err != nil { // X's resumption queued
		t.Fatal(err)
	}
	if _, err := h.Adapter.Send(bottest.Ana, "three"); err != nil { // queued too
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	close(gate) // "two" ends; the next batch is [X's resumption, "three"]
	h.Card(1)   // X waits on "Second?"
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := h.Chat.WaitFor(ctx, func([]bottest.Posted) bool { return countTexts(h, "answer three") > 0 }); err != nil {
		t.Errorf("\"three\" is held up behind a run waiting for a person (until ParkAfter): the thread shows %q", h.Chat.Texts())
	}
}
