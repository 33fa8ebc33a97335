package postgres_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleybot/parley/adapters/slack"
	"github.com/parleybot/parley/adapters/slack/slackfake"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
	"github.com/parleybot/parley/render"
	"github.com/parleybot/parley/store/postgres"
)

// Issue 10's promise for replicas, end to end: two bots, each with a
// Store of its own on one schema (its own pool and listening connection,
// as another process would have) and a Slack adapter of its own on one
// slackfake, behind one webhook endpoint that hands requests to them in
// turn. What is checked is what the people in the workspace see, what
// the tool and the models were asked, and what the bots logged.

// replicaTimeout bounds every wait of these tests: far more than any of
// them needs, and far less than the 30-second lease the tests that do not
// want a lease to lapse keep.
const replicaTimeout = 10 * time.Second

// replicaChannel is the channel the tests happen in.
const replicaChannel = "C0REPLICA"

// Sentences the tests look for: the bot's own words.
const (
	// replicaInterrupted is what the core tells a thread whose run a
	// crash cut while it worked (bot.TellInterrupted).
	replicaInterrupted = "⚠️ I was interrupted before I could finish. Please ask again."
	// replicaReplayLog is what a bot logs when it resumes a run by replay.
	replicaReplayLog = "bot: resuming a run by replay"
)

// errReplicaDead is what a killed replica's Notifier and Slack
// client answer: a dead process reaches nothing.
var errReplicaDead = errors.New("test: the replica's process is dead")

// replicaCtx returns a context that ends after replicaTimeout or with the
// test.
func replicaCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), replicaTimeout)
	t.Cleanup(cancel)
	return ctx
}

// replicaFake starts a fake Slack, closed when the test ends (after the
// bots on it have stopped: cleanups run last registered first).
func replicaFake(t *testing.T) *slackfake.Server {
	t.Helper()
	f := slackfake.New(slackfake.Config{})
	t.Cleanup(f.Close)
	return f
}

// replicaNode is one process of the bot: a bot.Bot with its own
// postgres.Store, its own Slack adapter and its own HTTP client to Slack,
// all of which die together (see kill).
type replicaNode struct {
	name    string
	bot     *bot.Bot
	adapter *slack.Adapter
	// pg is the replica's own handle on the shared schema; the bot
	// reaches it through a wrapper that dies with the replica.
	pg    *postgres.Store
	store *bottest.KillableStore // the bot's way to pg
	dead  atomic.Bool            // its Slack client and its notes die with it
	logs  replicaLogbook

	stopOnce sync.Once
	stopped  chan struct{} // closed when Stop has returned
	stopErr  error         // Stop's error, read after stopped is closed
}

// replicaStart starts the replica name of a bot on the schema and on
// Slack f, and stops it when the test ends. cfg gives the model, the
// tools and the timings; the rest is the replica's own.
func replicaStart(t *testing.T, f *slackfake.Server, schema, name string, cfg bot.Config) *replicaNode {
	t.Helper()
	r := &replicaNode{name: name, pg: openStore(t, schema), stopped: make(chan struct{})}

	transport := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(transport.CloseIdleConnections)
	fc := f.Config()
	a, err := slack.New(slack.Config{
		BotToken:      fc.BotToken,
		SigningSecret: fc.SigningSecret,
		APIURL:        f.APIURL(),
		HTTPClient:    &http.Client{Transport: replicaTransport{base: transport, dead: &r.dead}, Timeout: replicaTimeout},
		Env:           func(string) string { return "" },
		PostInterval:  time.Millisecond,
		Logger:        slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatalf("slack.New: %v", err)
	}
	r.adapter = a

	r.store = bottest.NewKillableStore(r.pg)
	cfg.Adapters = []bot.Adapter{a}
	cfg.Store = r.store
	cfg.Notifier = replicaKillNotifier{Notifier: r.pg, dead: &r.dead}
	cfg.ReplicaID = name
	cfg.StreamInterval = time.Millisecond
	cfg.Logger = slog.New(replicaLogHook{bottest.Logger(t).With("replica", name).Handler(), r.logs.add})
	b, err := bot.New(cfg)
	if err != nil {
		t.Fatalf("bot.New (replica %s): %v", name, err)
	}
	if err := b.Start(context.Background()); err != nil {
		t.Fatalf("Bot.Start (replica %s): %v", name, err)
	}
	r.bot = b
	t.Cleanup(func() {
		r.stop(replicaTimeout)
		select {
		case <-r.stopped:
		case <-time.After(2 * replicaTimeout):
			t.Errorf("replica %s did not stop", name)
		}
	})
	return r
}

// stop stops the replica in the background, giving its work grace to
// finish; the first call counts.
func (r *replicaNode) stop(grace time.Duration) {
	r.stopOnce.Do(func() {
		go func() {
			defer close(r.stopped)
			ctx, cancel := context.WithTimeout(context.Background(), grace)
			defer cancel()
			r.stopErr = r.bot.Stop(ctx)
		}()
	})
}

// shutDown stops the replica gracefully, as a process asked to end does,
// and waits until it has stopped.
func (r *replicaNode) shutDown(t *testing.T) {
	t.Helper()
	r.stop(replicaTimeout)
	select {
	case <-r.stopped:
	case <-replicaCtx(t).Done():
		t.Fatalf("replica %s did not stop", r.name)
	}
	if r.stopErr != nil {
		t.Fatalf("stopping replica %s: %v", r.name, r.stopErr)
	}
}

// kill kills the replica as a SIGKILL would: from now on nothing it does
// reaches the database or Slack, and it hears no notes; its leases lapse
// on their own. Its goroutines are then ended in the background.
func (r *replicaNode) kill() {
	r.dead.Store(true)
	r.store.Kill()
	r.stop(time.Millisecond)
}

// idle waits until the replica has settled: nothing handled or queued
// here, every run over or waiting for a person.
func (r *replicaNode) idle(t *testing.T) {
	t.Helper()
	if err := r.bot.Idle(replicaCtx(t)); err != nil {
		t.Fatalf("replica %s did not settle: %v", r.name, err)
	}
}

// replicaEndpoint is the bot's one webhook endpoint, behind which a load
// balancer hands the requests to the replicas in turn.
type replicaEndpoint struct {
	replicas []*replicaNode
	next     atomic.Int64

	mu     sync.Mutex
	served []string // the name of the replica each request went to
}

func replicaBalance(rs ...*replicaNode) *replicaEndpoint {
	return &replicaEndpoint{replicas: rs}
}

// ServeHTTP hands the request to the next replica, round-robin.
func (e *replicaEndpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := e.next.Add(1) - 1
	to := e.replicas[int(n)%len(e.replicas)]
	e.mu.Lock()
	e.served = append(e.served, to.name)
	e.mu.Unlock()
	to.adapter.ServeHTTP(w, r)
}

// routed fails the test unless the requests went to the replicas named,
// in order: the test proves what it claims only if they did.
func (e *replicaEndpoint) routed(t *testing.T, want ...string) {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	if !slices.Equal(e.served, want) {
		t.Fatalf("the endpoint handed the requests to %q, want %q", e.served, want)
	}
}

// replicaSend delivers ev to h as Slack does over HTTP and fails the test
// unless h answers 200.
func replicaSend(t *testing.T, f *slackfake.Server, h http.Handler, ev slackfake.Event, opts ...slackfake.SendOption) {
	t.Helper()
	f.SendOK(replicaCtx(t), t, h, ev, opts...)
}

// replicaWait waits until cond holds on f, failing the test with what
// otherwise.
func replicaWait(t *testing.T, f *slackfake.Server, what string, cond func() bool) {
	t.Helper()
	f.Await(replicaCtx(t), t, what, cond)
}

// replicaBotMsgs returns the bot's messages in the thread, oldest first.
func replicaBotMsgs(f *slackfake.Server, thread string) []slackfake.Msg {
	var out []slackfake.Msg
	for _, m := range f.Messages(replicaChannel, thread) {
		if m.FromBot() {
			out = append(out, m)
		}
	}
	return out
}

// replicaTexts returns what the bot's messages in the thread read, one
// entry a message.
func replicaTexts(f *slackfake.Server, thread string) []string {
	var out []string
	for _, m := range replicaBotMsgs(f, thread) {
		out = append(out, m.PlainText())
	}
	return out
}

// replicaPosts counts the successful calls that put a new message of the
// bot into the thread: chat.postMessage and chat.startStream.
func replicaPosts(f *slackfake.Server, thread string) int {
	n := 0
	for _, c := range f.Calls("chat.postMessage", "chat.startStream") {
		if c.OK() && c.Params.Get("channel") == replicaChannel && c.Params.Get("thread_ts") == thread {
			n++
		}
	}
	return n
}

// replicaCard waits for the bot's card in the thread and returns it.
func replicaCard(t *testing.T, f *slackfake.Server, thread string) slackfake.Msg {
	t.Helper()
	var card slackfake.Msg
	replicaWait(t, f, "the approval card", func() bool {
		for _, m := range replicaBotMsgs(f, thread) {
			if len(m.Options()) > 0 {
				card = m
				return true
			}
		}
		return false
	})
	return card
}

// replicaCardKnown waits until the Store knows where card is: a process
// dying between posting a card and recording it leaves a card nobody can
// close, which is not what these tests are about.
func replicaCardKnown(t *testing.T, s bot.Store, card slackfake.Msg) {
	t.Helper()
	var id string
	for _, c := range card.Controls() {
		if c.Label == "Approve" {
			id = c.Value
		}
	}
	if id == "" {
		t.Fatalf("card %q has no Approve button", card.PlainText())
	}
	ctx := replicaCtx(t)
	for {
		rec, err := s.Action(ctx, id)
		if err != nil {
			t.Fatalf("the Store does not know the card's Approve button: %v", err)
		}
		c, err := s.Choice(ctx, rec.Choice)
		if err == nil && c.Message.ID == card.TS {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the Store never learned where the card is (choice %s: %+v, %v)", rec.Choice, c.Message, err)
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// replicaAnsweredOnce fails the test unless the thread holds the bot's
// announcement, the card (closed once) and the answer final, each once.
func replicaAnsweredOnce(t *testing.T, f *slackfake.Server, thread string, card slackfake.Msg, final string) {
	t.Helper()
	texts := replicaTexts(f, thread)
	if len(texts) != 3 || texts[0] != "Asking ana to approve: drop the staging table" || texts[2] != final {
		t.Errorf("the bot's messages in the thread read %q; want the announcement, the card and the answer, once each", texts)
	}
	if n := replicaPosts(f, thread); n != 3 {
		t.Errorf("the bot posted %d messages in the thread, want 3", n)
	}
	replicaClosedOnce(t, f, card)
}

// replicaClosedOnce fails the test unless card, now, shows no options and
// says who decided, after exactly one edit: the one closing it.
func replicaClosedOnce(t *testing.T, f *slackfake.Server, card slackfake.Msg) {
	t.Helper()
	now, _ := f.Message(replicaChannel, card.TS)
	if len(now.Options()) > 0 || !strings.Contains(now.PlainText(), "Approve — chosen by @ana") {
		t.Errorf("the card after the decision shows options %q and reads %q; want it closed, saying ana approved", now.Options(), now.PlainText())
	}
	if now.Edits != 1 {
		t.Errorf("the card was edited %d times, want once (closed)", now.Edits)
	}
}

// replicaWriteArgs are the arguments of the approval tool.
type replicaWriteArgs struct {
	Action string `json:"action"`
}

// replicaApprovalTool announces in the thread that it asks — a Thread
// operation a replay must answer from the journal, not repeat — then asks
// ana to approve, and returns the value of the button she clicked. begun
// counts the times its handler begins: more than once for one call means
// the run was replayed.
func replicaApprovalTool(begun *atomic.Int32) *bot.Tool {
	return bot.DefineTool(bot.ToolSpec[replicaWriteArgs]{
		Name:        "confirm_write",
		Description: "Ask for approval before a write.",
		Handler: func(ctx context.Context, args replicaWriteArgs, tc *bot.ToolContext) (any, error) {
			begun.Add(1)
			if _, err := tc.Thread.Post(ctx, render.Text("Asking ana to approve: "+args.Action)); err != nil {
				return nil, err
			}
			choice, err := bot.AwaitChoice[string](ctx, tc.Thread, render.Card{
				Title: "Approve write?",
				Body:  []render.Node{render.Text(args.Action)},
				Actions: render.Actions(
					render.Button("Approve", "approve").Primary(),
					render.Button("Deny", "deny").Danger(),
				),
			}, bot.Approvers(slackfake.Ana))
			if err != nil {
				return nil, err
			}
			return choice.Value, nil
		},
	})
}

// replicaLastMessage returns the last message of a model request, or a
// zero one.
func replicaLastMessage(req bot.ModelRequest) bot.ModelMessage {
	if len(req.Messages) == 0 {
		return bot.ModelMessage{}
	}
	return req.Messages[len(req.Messages)-1]
}

// A run started on replica A waits for ana's approval; her click lands on
// replica B, which decides the choice in the database. A's waiting
// goroutine hears of it through NOTIFY and goes on: the tool ran once,
// nothing was replayed, the card was closed once and the answer posted
// once — by A, whose model alone was asked. Neither parking nor polling
// can come into it within the test's time: only the note can.
func TestReplicaClickOnOtherReplicaWakesWaitingRunThroughNotify(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	f := replicaFake(t)
	const final = "Done: the staging table is dropped."
	var begun atomic.Int32
	modelA := bottest.NewModel(
		bottest.Call("confirm_write", replicaWriteArgs{Action: "drop the staging table"}),
		bottest.Reply(final),
	)
	modelB := bottest.NewModel()
	cfg := bot.Config{
		Tools:     []*bot.Tool{replicaApprovalTool(&begun)},
		ParkAfter: time.Minute, PollInterval: time.Minute, LeaseTTL: time.Minute,
	}
	cfg.Model = modelA
	a := replicaStart(t, f, schema, "A", cfg)
	cfg.Model = modelB
	b := replicaStart(t, f, schema, "B", cfg)
	endpoint := replicaBalance(a, b)

	mention, _ := f.Mention(slackfake.Ana, replicaChannel, "please drop the staging table", "")
	replicaSend(t, f, endpoint, mention)
	card := replicaCard(t, f, mention.TS)
	a.idle(t) // the run waits for ana, on A

	click, err := f.Click(slackfake.Ana, replicaChannel, card.TS, "Approve")
	if err != nil {
		t.Fatal(err)
	}
	clicked := time.Now()
	replicaSend(t, f, endpoint, click)
	replicaWait(t, f, "the answer", func() bool { return slices.Contains(replicaTexts(f, mention.TS), final) })
	t.Logf("the answer came %v after the click", time.Since(clicked))
	a.idle(t)
	b.idle(t)

	endpoint.routed(t, "A", "B")
	if n := begun.Load(); n != 1 {
		t.Errorf("the tool's handler began %d times, want 1", n)
	}
	for _, r := range []*replicaNode{a, b} {
		if n := r.logs.count(replicaReplayLog); n != 0 {
			t.Errorf("replica %s resumed a run by replay %d times; A's waiting goroutine should have gone on", r.name, n)
		}
	}
	reqs := modelA.Requests()
	if len(reqs) != 2 {
		t.Fatalf("replica A asked its model %d times, want 2", len(reqs))
	}
	if last := replicaLastMessage(reqs[1]); last.Role != bot.RoleTool || last.Content != "approve" {
		t.Errorf("A's second model request ends with %+v, want the tool's result, approve", last)
	}
	if n := len(modelB.Requests()); n != 0 {
		t.Errorf("replica B asked its model %d times, want 0", n)
	}
	replicaAnsweredOnce(t, f, mention.TS, card, final)
}

// A run started on replica A waits for ana's approval; then A stops —
// gracefully, its run parking, or killed, its lease left to lapse — and
// her click lands on replica B. B resumes the run by replay, exactly
// once: the tool's handler begins again there, but what it did before is
// answered from the journal, so the thread holds one announcement, one
// card (closed once) and one answer. A stopped gracefully hands the run
// over at once (its lease of a minute never lapses in the test); a killed
// A, once its short lease has lapsed.
func TestReplicaClickOnOtherReplicaResumesRunByReplay(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		killed bool
		lease  time.Duration
	}{
		{"A stopped", false, time.Minute},
		{"A killed", true, 300 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			schema := newSchema(t)
			f := replicaFake(t)
			const final = "Done: the staging table is dropped."
			var begun atomic.Int32
			// A only asks for the tool; B only answers after it: a
			// step taken on the wrong replica finds its script used
			// up.
			modelA := bottest.NewModel(bottest.Call("confirm_write", replicaWriteArgs{Action: "drop the staging table"}))
			modelB := bottest.NewModel(bottest.Reply(final))
			cfg := bot.Config{
				Tools:     []*bot.Tool{replicaApprovalTool(&begun)},
				ParkAfter: time.Minute, PollInterval: time.Minute,
				LeaseTTL: tc.lease, SweepInterval: 50 * time.Millisecond,
			}
			cfg.Model = modelA
			a := replicaStart(t, f, schema, "A", cfg)
			cfg.Model = modelB
			b := replicaStart(t, f, schema, "B", cfg)
			endpoint := replicaBalance(a, b)

			mention, _ := f.Mention(slackfake.Ana, replicaChannel, "please drop the staging table", "")
			replicaSend(t, f, endpoint, mention)
			card := replicaCard(t, f, mention.TS)
			replicaCardKnown(t, b.pg, card)
			a.idle(t)
			if tc.killed {
				a.kill()
			} else {
				a.shutDown(t)
			}

			click, err := f.Click(slackfake.Ana, replicaChannel, card.TS, "Approve")
			if err != nil {
				t.Fatal(err)
			}
			replicaSend(t, f, endpoint, click)
			replicaWait(t, f, "the answer", func() bool { return slices.Contains(replicaTexts(f, mention.TS), final) })
			b.idle(t)

			endpoint.routed(t, "A", "B")
			if n := begun.Load(); n != 2 {
				t.Errorf("the tool's handler began %d times, want 2: on A, and the replay on B", n)
			}
			if n := a.logs.count(replicaReplayLog); n != 0 {
				t.Errorf("replica A resumed a run by replay %d times, want 0", n)
			}
			if n := b.logs.count(replicaReplayLog); n != 1 {
				t.Errorf("replica B resumed a run by replay %d times, want 1", n)
			}
			if n := len(modelA.Requests()); n != 1 {
				t.Errorf("replica A asked its model %d times, want 1", n)
			}
			reqs := modelB.Requests()
			if len(reqs) != 1 {
				t.Fatalf("replica B asked its model %d times, want 1", len(reqs))
			}
			if last := replicaLastMessage(reqs[0]); last.Role != bot.RoleTool || last.Content != "approve" {
				t.Errorf("B's model request ends with %+v, want the tool's result, approve", last)
			}
			replicaAnsweredOnce(t, f, mention.TS, card, final)
		})
	}
}

// Slack delivers an event again when it did not hear the answer in time,
// and behind one endpoint each delivery may land on another replica: a
// mention delivered to A, then retried three times alternately to B and
// A, is acknowledged every time and answered once.
func TestReplicaRetryOnOtherReplicaIsAnsweredOnce(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	f := replicaFake(t)
	// Each replica answers every run it is given, so that a delivery
	// answered twice shows as a second answer.
	modelA := bottest.NewModel(bottest.Reply("It is noon.")).Cycle()
	modelB := bottest.NewModel(bottest.Reply("It is noon.")).Cycle()
	a := replicaStart(t, f, schema, "A", bot.Config{Model: modelA})
	b := replicaStart(t, f, schema, "B", bot.Config{Model: modelB})
	endpoint := replicaBalance(a, b)

	mention, _ := f.Mention(slackfake.Ana, replicaChannel, "what time is it?", "")
	replicaSend(t, f, endpoint, mention)
	for n := 1; n <= 3; n++ {
		replicaSend(t, f, endpoint, mention, slackfake.Retry(n, "http_timeout"))
	}
	replicaWait(t, f, "the answer", func() bool { return replicaPosts(f, mention.TS) > 0 })
	a.idle(t)
	b.idle(t)

	endpoint.routed(t, "A", "B", "A", "B")
	if n := replicaPosts(f, mention.TS); n != 1 {
		t.Errorf("the mention was answered %d times, want once: %q", n, replicaTexts(f, mention.TS))
	}
	if got := replicaTexts(f, mention.TS); len(got) != 1 || got[0] != "It is noon." {
		t.Errorf("the bot's messages in the thread read %q, want the one answer", got)
	}
	if na, nb := len(modelA.Requests()), len(modelB.Requests()); na+nb != 1 {
		t.Errorf("the models were asked %d times (A %d, B %d), want once", na+nb, na, nb)
	}
}

// replicaStallModel writes the start of an answer, then thinks until its
// call is cancelled: a run that is working when its process dies.
type replicaStallModel struct {
	calls  atomic.Int32
	called chan struct{} // closed at the first call, once its text is out
	once   sync.Once
}

// replicaStallStart is what the stalling model writes before it stalls.
const replicaStallStart = "Let me think about "

// Generate implements bot.Model.
func (m *replicaStallModel) Generate(ctx context.Context, _ *bot.ModelRequest, onText func(string)) (*bot.ModelResponse, error) {
	m.calls.Add(1)
	if onText != nil {
		onText(replicaStallStart)
	}
	m.once.Do(func() { close(m.called) })
	<-ctx.Done()
	return nil, ctx.Err()
}

// Replica A is killed while its run works, half an answer written. Once
// A's lease lapses, B takes the thread over and, as the core defines
// (bot.TellInterrupted, the default), tells it in one plain sentence that
// the bot was interrupted, without asking its model: the thread is not
// left silent, and what A did is not done again.
func TestReplicaKilledMidRunHandsItsRunToOtherReplica(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	f := replicaFake(t)
	modelA := &replicaStallModel{called: make(chan struct{})}
	modelB := bottest.NewModel()
	const lease = 300 * time.Millisecond
	cfg := bot.Config{LeaseTTL: lease, SweepInterval: 50 * time.Millisecond}
	cfg.Model = modelA
	a := replicaStart(t, f, schema, "A", cfg)
	cfg.Model = modelB
	b := replicaStart(t, f, schema, "B", cfg)
	endpoint := replicaBalance(a, b)

	mention, _ := f.Mention(slackfake.Ana, replicaChannel, "what should we ship next?", "")
	replicaSend(t, f, endpoint, mention)
	select {
	case <-modelA.called:
	case <-replicaCtx(t).Done():
		t.Fatal("replica A never asked its model")
	}
	replicaWait(t, f, "the start of A's answer", func() bool {
		texts := replicaTexts(f, mention.TS)
		return len(texts) == 1 && strings.TrimSpace(texts[0]) == strings.TrimSpace(replicaStallStart)
	})
	a.kill()
	killed := time.Now()

	replicaWait(t, f, "B to say the bot was interrupted", func() bool {
		return slices.Contains(replicaTexts(f, mention.TS), replicaInterrupted)
	})
	took := time.Since(killed)
	b.idle(t)

	endpoint.routed(t, "A")
	t.Logf("B told the thread %v after A died (lease %v)", took, lease)
	if got, want := replicaTexts(f, mention.TS), []string{strings.TrimSpace(replicaStallStart), replicaInterrupted}; !slices.Equal(got, want) {
		t.Errorf("the bot's messages in the thread read %q, want %q", got, want)
	}
	if n := replicaPosts(f, mention.TS); n != 2 {
		t.Errorf("the bot posted %d messages in the thread, want 2: A's half answer and B's sentence", n)
	}
	if n := modelA.calls.Load(); n != 1 {
		t.Errorf("replica A asked its model %d times, want 1", n)
	}
	if n := len(modelB.Requests()); n != 0 {
		t.Errorf("replica B asked its model %d times, want 0: the interrupted run is told, not run again", n)
	}
}

// replicaTransport is a replica's way to Slack: once its process is dead,
// every request fails before it leaves.
type replicaTransport struct {
	base http.RoundTripper
	dead *atomic.Bool
}

// RoundTrip implements http.RoundTripper.
func (rt replicaTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if rt.dead.Load() {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, errReplicaDead
	}
	return rt.base.RoundTrip(r)
}

// replicaKillNotifier is a replica's way to the notes of the schema: once
// its process is dead, it neither publishes nor hears anything.
type replicaKillNotifier struct {
	bot.Notifier
	dead *atomic.Bool
}

// Publish implements bot.Notifier.
func (n replicaKillNotifier) Publish(ctx context.Context, note string) error {
	if n.dead.Load() {
		return errReplicaDead
	}
	return n.Notifier.Publish(ctx, note)
}

// Subscribe implements bot.Notifier.
func (n replicaKillNotifier) Subscribe(ctx context.Context, receive func(note string)) error {
	return n.Notifier.Subscribe(ctx, func(note string) {
		if !n.dead.Load() {
			receive(note)
		}
	})
}

// replicaLogbook keeps the messages a replica logged.
type replicaLogbook struct {
	mu   sync.Mutex
	msgs []string
}

func (l *replicaLogbook) add(msg string) {
	l.mu.Lock()
	l.msgs = append(l.msgs, msg)
	l.mu.Unlock()
}

// count returns how many messages were logged that start with prefix.
func (l *replicaLogbook) count(prefix string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, m := range l.msgs {
		if strings.HasPrefix(m, prefix) {
			n++
		}
	}
	return n
}

// replicaLogHook passes each log record to the test's log and its message
// to hook.
type replicaLogHook struct {
	slog.Handler
	hook func(msg string)
}

func (h replicaLogHook) Handle(ctx context.Context, r slog.Record) error {
	h.hook(r.Message)
	return h.Handler.Handle(ctx, r)
}

func (h replicaLogHook) WithAttrs(as []slog.Attr) slog.Handler {
	return replicaLogHook{h.Handler.WithAttrs(as), h.hook}
}

func (h replicaLogHook) WithGroup(name string) slog.Handler {
	return replicaLogHook{h.Handler.WithGroup(name), h.hook}
}
