package bot_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
	"github.com/parleybot/parley/render"
)

// A model that reuses a tool call id in a later step (some OpenAI-compatible
// servers number calls per response: "call_0" every time) must still get a
// card for its second question. The run's journal scopes tool calls by the
// model's id, so the second AwaitChoice gets the first one's choice id, finds
// it decided in the Store, and returns the first decision for a different
// question, without posting a card.
func TestReusedToolCallIDGetsItsOwnChoice(t *testing.T) {
	t.Parallel()
	model := bottest.NewModel(
		bottest.Step{ToolCalls: []bot.ToolCall{{ID: "call_0", Name: "ask", Arguments: `{"what":"Deploy"}`}}},
		bottest.Step{ToolCalls: []bot.ToolCall{{ID: "call_0", Name: "ask", Arguments: `{"what":"Drop the database"}`}}},
		bottest.Reply("done"),
	)
	h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{approvalTool("ask")}})
	h.Send(bottest.Ana, "deploy please")
	first := card(t, h.Adapter, 0)
	h.Click(first.Ref, "Approve", bottest.Ana)
	h.Wait()
	cards := h.Chat.Cards()
	if len(cards) < 2 {
		t.Fatalf("the second question was never put: the model was told %s; the first card now reads %q",
			toolResult(t, model, 2), cards[0].Text())
	}
	h.Click(cards[1].Ref, "Deny", bottest.Ana)
	if got := toolResult(t, model, 2); got != `{"approved":false,"by":"ana","timed_out":false}` {
		t.Errorf("the second question's answer: %s", got)
	}
	if q, _ := h.Chat.Lookup(first.Ref); !strings.HasPrefix(q.Text(), "Deploy?") {
		t.Errorf("the first card was rewritten: %q", q.Text())
	}
}

// hangRenewStore is a Store whose Renew hangs, as a call to a database
// behind a network partition does: it returns only when its ctx ends.
type hangRenewStore struct {
	bot.Store
}

func (s *hangRenewStore) Renew(ctx context.Context, l bot.Lease, ttl time.Duration) (bot.Lease, int, error) {
	<-ctx.Done()
	return bot.Lease{}, 0, ctx.Err()
}

// A process whose lease renewals hang must give its runs up once its lease
// has surely lapsed (renewed + LeaseTTL by its own clock), as it does when
// renewals fail: another process takes the thread over then. The renewer
// calls Store.Renew with no deadline, so one hung call stops every lease
// check in the process and its runs go on beside the process that took
// their threads over.
func TestHungRenewStillGivesLapsedLanesUp(t *testing.T) {
	t.Parallel()
	mem := bot.NewMemoryStore()
	chat := bottest.NewChat()
	started := make(chan struct{})
	var cancelled atomic.Bool
	slow := bot.DefineTool(bot.ToolSpec[struct{}]{
		Name: "slow", Description: "works for a long time",
		Handler: func(ctx context.Context, _ struct{}, tc *bot.ToolContext) (any, error) {
			close(started)
			select {
			case <-ctx.Done():
				cancelled.Store(true)
				return nil, ctx.Err()
			case <-time.After(5 * time.Second):
				return "done", nil
			}
		},
	})
	cfg := bot.Config{LeaseTTL: 60 * time.Millisecond, SweepInterval: 10 * time.Millisecond, PollInterval: 20 * time.Millisecond}
	cfgA := cfg
	cfgA.Model, cfgA.Tools, cfgA.Notifier = bottest.NewModel(bottest.Call("slow", struct{}{}), bottest.Reply("A's answer")), []*bot.Tool{slow}, mem
	a := startReplica(t, chat, &hangRenewStore{Store: mem}, "A", cfgA)
	a.deliver(t, bottest.DefaultThread, bottest.Ana, "work")
	<-started
	cfgB := cfg
	cfgB.Model = bottest.NewModel(bottest.Reply("B's answer"))
	startReplica(t, chat, mem, "B", cfgB)
	waitForText(t, chat, "interrupted")
	// B took the thread over; A's lease lapsed long ago by A's own clock.
	time.Sleep(300 * time.Millisecond)
	if !cancelled.Load() {
		t.Errorf("A's run still works on a thread B took over; the thread shows %q", chat.Texts())
	}
}

// A decided card whose first closing edit failed and whose retry then
// closed it — with the card's own formatting — must stay so: the run
// that took the decision ends later, and its end must not overwrite the
// closed card with the plain text the Store holds of it. The journal only
// knows the first try failed, so the end of the run closes it "plainly"
// again, whatever the retry did.
func TestRetriedRichCloseIsNotOverwrittenPlainly(t *testing.T) {
	t.Parallel()
	gate := make(chan struct{})
	model := bottest.NewModel(bottest.Call("ask", askArgs{What: "Deploy"}), bottest.Step{Text: "done", Wait: gate})
	h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{approvalTool("ask")}})
	h.Adapter.Send(bottest.Ana, "deploy")
	p := h.Card(0)
	h.Chat.FailNext(1, errors.New("rate limited"))
	if err := h.Adapter.Click(p.Ref, "Approve", bottest.Ana); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.Chat.WaitFor(ctx, func([]bottest.Posted) bool {
		q, _ := h.Chat.Lookup(p.Ref)
		return len(q.Options()) == 0
	}); err != nil {
		t.Fatal("the card was not closed after its edit failed once")
	}
	q, _ := h.Chat.Lookup(p.Ref)
	t.Logf("closed by the retry as %T", q.Content)
	close(gate)
	h.Wait()
	q, _ = h.Chat.Lookup(p.Ref)
	if _, rich := q.Content.(render.Card); !rich {
		t.Errorf("the card the retry closed as a card ends as %T after the run ended (%d versions): %q", q.Content, len(q.Versions), q.Text())
	}
}

// An edit of a message the transcript does not hold (older than its
// HistoryLimit, or from before the bot was in the thread) must not enter
// the transcript as the newest message: Edited goes through Store.Record,
// which appends what it does not find, so the model reads a months-old
// message, edited, as the latest word in the thread, and a recent message
// is pushed out of the transcript's window.
func TestEditOfUnknownMessageIsNotTheNewest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	model := bottest.NewModel(bottest.Reply("ok"))
	a := &stickyAdapter{Adapter: bottest.NewAdapter()}
	b := startBot(t, bot.Config{Model: model, HistoryLimit: 3}, a, bot.NewMemoryStore())
	for _, text := range []string{"one", "two"} {
		if _, err := a.Deliver(bot.Message{Address: bottest.DefaultThread, User: bottest.Ana, Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	waitIdle(t, b)
	old := bot.Message{ID: "ancient", Address: bottest.DefaultThread, User: bottest.Ben, Text: "deploy friday (edited a year later)", Time: time.Now().Add(-365 * 24 * time.Hour)}
	if err := a.inbox.Edited(ctx, old); err != nil {
		t.Fatal(err)
	}
	a.Send(bottest.Ana, "what did we say?")
	waitIdle(t, b)
	if got := userTexts(model.Requests()[0]); strings.Contains(got, "edited a year later") {
		t.Errorf("the model read the edit of a message the transcript never held as recent: %q", got)
	}
}

// dedupeHookStore calls hook after each Dedupe that reached the Store.
type clickHookStore struct {
	bot.Store
	hook atomic.Pointer[func()]
}

func (s *clickHookStore) Accept(ctx context.Context, a bot.Acceptance) (bot.Claimed, error) {
	c, err := s.Store.Accept(ctx, a)
	if a.Item.Kind == bot.WorkChoice {
		if f := s.hook.Swap(nil); f != nil {
			(*f)()
		}
	}
	return c, err
}

// A click acknowledged is in the Store: when its process dies before it
// was done, the platform's redelivery is a duplicate, and the click is
// done by the process that takes its work over — not lost.
func TestClickAcceptedBeforeACrashIsDone(t *testing.T) {
	t.Parallel()
	store := &clickHookStore{Store: bot.NewMemoryStore()}
	model := bottest.NewModel(bottest.Call("ask", askArgs{What: "Deploy"}), bottest.Reply("done"))
	cfg := crashCfg(model, approvalTool("ask"))
	cfg.Store = store
	h := bottest.Start(t, cfg)
	h.Adapter.Send(bottest.Ana, "deploy")
	p := h.Card(0)
	h.Wait()
	old := h.Adapter
	reached := make(chan struct{})
	die := func() { dieHere(reached, old) }
	store.hook.Store(&die)
	go old.Redeliver(p.Ref, p.ID("Approve"), bottest.Ana, "EvClick1")
	<-reached
	h.Crash()
	if err := h.Adapter.Redeliver(p.Ref, p.ID("Approve"), bottest.Ana, "EvClick1"); err != nil && !errors.Is(err, bot.ErrDuplicate) {
		t.Fatal(err)
	}
	waitText(t, h, "done")
	h.Wait()
	_, c := choiceOf(t, h.Store, p, "Approve")
	if c.Outcome.State != bot.ChoiceDecided || c.Outcome.User != bottest.Ana {
		t.Errorf("the click is lost: the choice is %v; the thread shows %q", c.Outcome.State, h.Chat.Texts())
	}
	if n := countTexts(h, "done"); n != 1 {
		t.Errorf("the run answered %d times, want once", n)
	}
}

type slowRenewStore struct {
	bot.Store
	delay time.Duration
}

func (s *slowRenewStore) Renew(ctx context.Context, l bot.Lease, ttl time.Duration) (bot.Lease, int, error) {
	select {
	case <-time.After(s.delay):
	case <-ctx.Done():
		return bot.Lease{}, 0, ctx.Err()
	}
	return s.Store.Renew(ctx, l, ttl)
}

// A message arriving in a thread this process is working on, after the
// lane's lease expired in the Store but before the process noticed, is
// claimed by Accept for this same process: a second worker starts on the
// lane beside the first, recovers the first's message as "cut by a crash"
// and tells the thread so, while the first run goes on in the same
// process, unfenced, because the renewer only looks at the newest lane.
func TestOneProcessNeverWorksALaneTwice(t *testing.T) {
	t.Parallel()
	started := make(chan struct{})
	var once sync.Once
	var runs atomic.Int32
	slow := bot.DefineTool(bot.ToolSpec[struct{}]{
		Name: "slow", Description: "works for a while",
		Handler: func(ctx context.Context, _ struct{}, tc *bot.ToolContext) (any, error) {
			runs.Add(1)
			once.Do(func() { close(started) })
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(1500 * time.Millisecond):
				return "done", nil
			}
		},
	})
	model := bottest.NewModel(bottest.Call("slow", struct{}{}), bottest.Reply("first answer"), bottest.Reply("second answer"))
	store := &slowRenewStore{Store: bot.NewMemoryStore(), delay: 2 * time.Second}
	a := bottest.NewAdapter()
	b := startBot(t, bot.Config{Model: model, Tools: []*bot.Tool{slow}, LeaseTTL: 150 * time.Millisecond, SweepInterval: time.Hour}, a, store)
	if _, err := a.Send(bottest.Ana, "work"); err != nil {
		t.Fatal(err)
	}
	<-started
	time.Sleep(400 * time.Millisecond) // the lease lapsed in the Store; the renewal is still on its way
	if _, err := a.Send(bottest.Ana, "and this?"); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, b)
	// The renewal hung past the lease: the first run was given up here
	// before the Store let the lane go — it asked the model nothing more —
	// and the thread told so; the second message was answered once.
	reqs := model.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d model requests, want 2: the first run's, cut, and the second message's", len(reqs))
	}
	if got := userTexts(reqs[1]); !strings.HasSuffix(got, "u:and this?") {
		t.Errorf("the second request answers %q, want the second message", got)
	}
	texts := a.Texts()
	if len(texts) != 2 || !strings.Contains(texts[0], "interrupted") {
		t.Errorf("the thread reads %q, want the first run told interrupted, then one answer", texts)
	}
}

// transcriptHookStore calls hook on the next Transcript read.
type transcriptHookStore struct {
	bot.Store
	hook atomic.Pointer[func()]
}

func (s *transcriptHookStore) Transcript(ctx context.Context, thread string, limit int) ([]bot.Message, error) {
	if f := s.hook.Swap(nil); f != nil {
		(*f)()
	}
	return s.Store.Transcript(ctx, thread, limit)
}

// A crash while the bot looks at a message not addressed to it, in a
// thread it never spoke in (the default handler only checks whether to
// answer), must not make the next process post "I was interrupted ...
// Please ask again." into that thread: nobody asked the bot anything.
func TestCrashOnUnaddressedMessageStaysQuiet(t *testing.T) {
	t.Parallel()
	store := &transcriptHookStore{Store: bot.NewMemoryStore()}
	cfg := crashCfg(bottest.NewModel())
	cfg.Store = store
	h := bottest.Start(t, cfg)
	old := h.Adapter
	reached := make(chan struct{})
	die := func() { dieHere(reached, old) }
	store.hook.Store(&die)
	other := bot.Address{Platform: bottest.Platform, Channel: "C_RANDOM", Thread: "T9"}
	if _, err := old.Deliver(bot.Message{Address: other, User: bottest.Ben, Text: "lunch anyone?"}); err != nil {
		t.Fatal(err)
	}
	<-reached
	h.Crash()
	time.Sleep(300 * time.Millisecond) // the new process takes the thread over
	h.Wait()
	if texts := h.Chat.Texts(); len(texts) != 0 {
		t.Errorf("the bot spoke in a thread where nobody addressed it: %q", texts)
	}
}

// The Store counts every item handed out with a lease as attempted, and
// the bot reports a batch done only once all of it is. A crash while the
// first item of a batch (a resumed run) works therefore makes the next
// process take a message behind it, never begun, for a run the crash cut:
// the person is told "I was interrupted ... ask again" and never
// answered, though nothing of theirs was ever started.
func TestMessageNeverBegunIsAnsweredAfterCrash(t *testing.T) {
	t.Parallel()
	slowGate := make(chan struct{})
	never := make(chan struct{})
	slow := countingTool("slow", new(atomic.Int32), slowGate)
	model := bottest.NewModel(
		bottest.Call("ask", askArgs{What: "Deploy"}), // m1's run: asks, then parks for m2
		bottest.Call("slow", struct{}{}),             // m2's run
		bottest.Reply("status ok"),
		bottest.Step{Text: "deployed", Wait: never}, // m1's run, resumed: cut by the crash
		bottest.Reply("hello to you"),               // m3, on the new process
	)
	cfg := crashCfg(model, approvalTool("ask"), slow)
	h := bottest.Start(t, cfg)
	h.Send(bottest.Ana, "deploy")
	p := h.Card(0)
	if _, err := h.Adapter.Send(bottest.Ben, "status?"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "m2's run to call its tool", func() bool { return len(model.Requests()) == 2 })
	if err := h.Adapter.Click(p.Ref, "Approve", bottest.Ana); err != nil {
		t.Fatal(err)
	}
	_, c := choiceOf(t, h.Store, p, "Approve")
	waitUntil(t, "the decision", func() bool {
		c, _ = h.Store.Choice(context.Background(), c.ID)
		return c.Outcome.State == bot.ChoiceDecided
	})
	time.Sleep(100 * time.Millisecond) // its resumption is queued behind m2's run
	if _, err := h.Adapter.Send(bottest.Ben, "hello?"); err != nil {
		t.Fatal(err)
	}
	close(slowGate)
	waitUntil(t, "m1's run to resume and ask the model", func() bool { return len(model.Requests()) == 4 })
	h.Crash()
	waitText(t, h, "interrupted") // m1's run was cut: told, rightly
	time.Sleep(200 * time.Millisecond)
	h.Wait()
	if n := countTexts(h, "hello to you"); n != 1 {
		t.Errorf("\"hello?\" was never begun before the crash, yet never answered; the thread shows %q", h.Chat.Texts())
	}
}

// A process dies right after posting a choice's card, before the Store
// heard where the card is; the person clicks that card before the crash
// is noticed, and the click is decided. The card is known from then on —
// the click carried its ref — yet the next process posts a second card
// for the decided choice (closed at once) and leaves the card that was
// clicked open, its buttons live, forever.
func TestClickedCardOfDecidedChoiceIsClosed(t *testing.T) {
	t.Parallel()
	store := &faultStore{Store: bot.NewMemoryStore()}
	model := bottest.NewModel(bottest.Call("ask", askArgs{What: "Deploy"}), bottest.Reply("done"))
	cfg := crashCfg(model, approvalTool("ask", bot.Approvers(bottest.Ana.ID)))
	cfg.Store = store
	h := bottest.Start(t, cfg)
	old := h.Adapter
	reached := make(chan struct{})
	var armed atomic.Bool
	armed.Store(true)
	store.setChoiceMessage = func(ctx context.Context, id string, ref bot.MessageRef) error {
		if !armed.CompareAndSwap(true, false) {
			return store.Store.SetChoiceMessage(ctx, id, ref)
		}
		dieHere(reached, old) // the write never reaches the Store
		return errors.New("the process died")
	}
	if _, err := h.Adapter.Send(bottest.Ana, "deploy"); err != nil {
		t.Fatal(err)
	}
	<-reached
	first := h.Card(0)
	if err := h.Adapter.Click(first.Ref, "Approve", bottest.Ana); err != nil {
		t.Fatal(err)
	}
	_, c := choiceOf(t, store, first, "Approve")
	waitUntil(t, "the decision to reach the Store", func() bool {
		c, _ = store.Choice(context.Background(), c.ID)
		return c.Outcome.State == bot.ChoiceDecided
	})
	h.Crash()
	waitText(t, h, "done")
	h.Wait()
	if n := len(h.Chat.Cards()); n != 1 {
		t.Errorf("%d cards posted for one choice decided before the crash", n)
	}
	if q, _ := h.Chat.Lookup(first.Ref); len(q.Options()) != 0 {
		t.Errorf("the card that was clicked and decided is still open: %q", q.Text())
	}
}

// With parallel tool calls, a crash can cut a run that both waits for a
// person (one call's card is out) and works (another call is mid-way
// through a deploy). Recovery sees only the pending card and counts the
// run as waiting; the click resumes it by replay and the deploy runs a
// second time — silently, though TellInterrupted (the default) promises
// that a run cut mid-tool is told to its thread, never done twice.
func TestCrashMidToolBesideAWaitDoesNotRunTheToolAgain(t *testing.T) {
	t.Parallel()
	var deploys atomic.Int32
	reached := make(chan struct{})
	var old *bottest.Adapter
	deploy := bot.DefineTool(bot.ToolSpec[struct{}]{
		Name: "deploy", Description: "deploys",
		Handler: func(ctx context.Context, _ struct{}, tc *bot.ToolContext) (any, error) {
			if deploys.Add(1) == 1 {
				dieHere(reached, old) // the process dies mid-deploy
				<-ctx.Done()
				return nil, ctx.Err()
			}
			return "deployed", nil
		},
	})
	model := bottest.NewModel(
		bottest.Step{ToolCalls: []bot.ToolCall{bottest.ToolCall("ask", askArgs{What: "Notify the team"}), bottest.ToolCall("deploy", struct{}{})}},
		bottest.Reply("done"),
	)
	cfg := crashCfg(model, approvalTool("ask"), deploy)
	cfg.ParallelTools = true
	h := bottest.Start(t, cfg)
	old = h.Adapter
	if _, err := h.Adapter.Send(bottest.Ana, "deploy and tell the team"); err != nil {
		t.Fatal(err)
	}
	p := h.Card(0)
	<-reached
	recorded(t, h.Store, p) // the Store knows the card: the run "waits"
	h.Crash()
	// The new process finds a run cut at work beside its wait: it tells
	// the thread, and closes the card, rather than replay the deploy.
	waitText(t, h, "interrupted")
	h.Wait()
	if err := h.Adapter.ClickID(p.Ref, p.ID("Approve"), bottest.Ana); err != nil {
		t.Fatal(err)
	}
	h.Wait()
	if n := deploys.Load(); n != 1 {
		t.Errorf("the deploy cut by the crash ran %d times; the thread shows %q", n, h.Chat.Texts())
	}
	if q, _ := h.Chat.Lookup(p.Ref); len(q.Options()) != 0 {
		t.Errorf("the card of the ended run is still open: %q", q.Text())
	}
}
