package bot_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
	"github.com/parleybot/parley/render"
)

// Tests of what survives a process's end: a graceful restart
// (Harness.Restart) or a crash (Harness.Crash), the latter at the worst
// moments, injected through a Store wrapper below the harness's.

// crashCfg is a config whose leases lapse and whose sweeps come quickly,
// so that the process after a crash takes the dead one's work over within
// about a tenth of a second.
func crashCfg(model bot.Model, tools ...*bot.Tool) bot.Config {
	return bot.Config{Model: model, Tools: tools, LeaseTTL: 60 * time.Millisecond, SweepInterval: 10 * time.Millisecond, PollInterval: 20 * time.Millisecond}
}

// faultStore is a Store whose SetChoiceMessage and AppendJournal tests
// can intercept, and which records which process each work item was
// handed out to.
type faultStore struct {
	bot.Store
	setChoiceMessage func(ctx context.Context, id string, ref bot.MessageRef) error
	appendJournal    func(ctx context.Context, l bot.Lease, run string, es []bot.JournalEntry) error

	mu       sync.Mutex
	handouts []handout
}

// handout is a work item handed out to the owner of a lease.
type handout struct {
	owner string
	item  bot.WorkItem
}

func (s *faultStore) SetChoiceMessage(ctx context.Context, id string, ref bot.MessageRef) error {
	if s.setChoiceMessage != nil {
		return s.setChoiceMessage(ctx, id, ref)
	}
	return s.Store.SetChoiceMessage(ctx, id, ref)
}

func (s *faultStore) AppendJournal(ctx context.Context, l bot.Lease, run string, es []bot.JournalEntry) error {
	if s.appendJournal != nil {
		return s.appendJournal(ctx, l, run, es)
	}
	return s.Store.AppendJournal(ctx, l, run, es)
}

func (s *faultStore) handed(c bot.Claimed) {
	if !c.Held() {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, it := range c.Items {
		s.handouts = append(s.handouts, handout{owner: c.Lease.Owner, item: it})
	}
}

func (s *faultStore) Accept(ctx context.Context, a bot.Acceptance) (bot.Claimed, error) {
	c, err := s.Store.Accept(ctx, a)
	s.handed(c)
	return c, err
}

func (s *faultStore) Claim(ctx context.Context, lane, owner string, ttl time.Duration) (bot.Claimed, error) {
	c, err := s.Store.Claim(ctx, lane, owner, ttl)
	s.handed(c)
	return c, err
}

func (s *faultStore) Complete(ctx context.Context, l bot.Lease, comp bot.Completion) (bot.Claimed, error) {
	c, err := s.Store.Complete(ctx, l, comp)
	s.handed(c)
	return c, err
}

// ownersOf returns, in order, the owners the message work items with text
// were handed out to.
func (s *faultStore) ownersOf(text string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, h := range s.handouts {
		if h.item.Kind == bot.WorkMessage && h.item.Message.Text == text {
			out = append(out, h.owner)
		}
	}
	return out
}

// dieHere holds the calling goroutine of a process that the test crashes
// at this very moment: it tells the test (closing reached), then waits
// until Harness.Crash has killed the process's adapter, which it does
// just before its Store, so that what the process does after reaches
// neither.
func dieHere(reached chan struct{}, old *bottest.Adapter) {
	close(reached)
	for deadline := time.Now().Add(5 * time.Second); old.Receiving() && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
}

// waitText waits until a public message of the bot's contains sub.
func waitText(t *testing.T, h *bottest.Harness, sub string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.Chat.WaitFor(ctx, func([]bottest.Posted) bool { return countTexts(h, sub) > 0 }); err != nil {
		t.Fatalf("no message containing %q; the thread shows %q", sub, h.Chat.Texts())
	}
}

// countTexts counts the public messages of the bot's that contain sub.
func countTexts(h *bottest.Harness, sub string) int {
	n := 0
	for _, text := range h.Chat.Texts() {
		if strings.Contains(text, sub) {
			n++
		}
	}
	return n
}

// noWorkLeft fails the test if work is queued in the Store: nothing more
// will ever be done for what the test did.
func noWorkLeft(t *testing.T, s bot.Store) {
	t.Helper()
	// Work a dead process held is taken up by a sweep once its lease
	// lapses, which a settled bot may not have done yet: give it a moment.
	var lanes []string
	for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var err error
		lanes, err = s.Lapsed(context.Background(), time.Now().Add(time.Hour), 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(lanes) == 0 || time.Now().After(deadline) {
			break
		}
	}
	if len(lanes) != 0 {
		t.Errorf("work is still queued in lanes %q", lanes)
	}
}

// closedWith fails the test unless the message ref shows no option any
// more and shows line.
func closedWith(t *testing.T, h *bottest.Harness, ref bot.MessageRef, line string) {
	t.Helper()
	p, ok := h.Chat.Lookup(ref)
	if !ok {
		t.Fatalf("no message %q", ref.ID)
	}
	if len(p.Options()) != 0 || !strings.Contains(p.Text(), line) {
		t.Errorf("the card is not closed with %q:\n%s", line, p.Text())
	}
}

// recorded waits until the Store knows where the card p of a choice is,
// and returns the choice.
func recorded(t *testing.T, s bot.Store, p bottest.Posted) bot.ChoiceRecord {
	t.Helper()
	ctx := context.Background()
	rec, err := s.Action(ctx, p.ID("Approve"))
	if err != nil {
		t.Fatal(err)
	}
	var c bot.ChoiceRecord
	waitUntil(t, "the Store to record the card", func() bool {
		c, err = s.Choice(ctx, rec.Choice)
		return err == nil && c.Message.ID == p.Ref.ID
	})
	return c
}

const interrupted = "I was interrupted before I could finish. Please ask again."

// A process that dies right after posting a choice's card, before the
// Store heard where the card is, leaves a card only the platform knows
// of; one that dies after the Store heard of it, before the decision,
// leaves a card the Store knows. Either way the first click on any card
// posted for the choice decides it — even one the dying process took, for
// a waiter that died with it — the run ends once, and the card the Store
// knows is closed with the outcome.
func TestCrashAroundPostingChoiceCard(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		// known: the crash comes after the Store recorded where the card
		// is. early: the first card is clicked on the dying process,
		// before the crash; else card number click is, after it.
		known, early bool
		click        int
	}{
		{"card not recorded, first card clicked", false, false, 0},
		{"card not recorded, second card clicked", false, false, 1},
		{"card not recorded, clicked on the dying process", false, true, 0},
		{"card recorded", true, false, 0},
		{"card recorded, clicked on the dying process", true, true, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
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
				if tc.known {
					if err := store.Store.SetChoiceMessage(ctx, id, ref); err != nil {
						return err
					}
					dieHere(reached, old)
					return nil
				}
				dieHere(reached, old) // the write never reaches the Store
				return errors.New("the process died")
			}
			if _, err := h.Adapter.Send(bottest.Ana, "deploy"); err != nil {
				t.Fatal(err)
			}
			<-reached
			first := h.Card(0)
			if tc.early {
				if err := h.Adapter.Click(first.Ref, "Approve", bottest.Ana); err != nil {
					t.Fatal(err)
				}
				rec, err := store.Action(context.Background(), first.ID("Approve"))
				if err != nil {
					t.Fatal(err)
				}
				waitUntil(t, "the decision to reach the Store", func() bool {
					c, err := store.Choice(context.Background(), rec.Choice)
					return err == nil && c.Outcome.State == bot.ChoiceDecided
				})
			}
			h.Crash()

			cards := 1
			if !tc.known && !tc.early {
				// The new process cannot know the card went out: it posts
				// it again, with the same option ids. (A click on it before
				// the crash made it known.)
				second := h.Card(1)
				cards = 2
				for _, label := range []string{"Approve", "Deny"} {
					if !tc.early && (first.ID(label) == "" || first.ID(label) != second.ID(label)) {
						t.Errorf("option %q has id %q on the first card and %q on the second", label, first.ID(label), second.ID(label))
					}
				}
			}
			if !tc.early {
				// The new process takes the dead one's thread over; the
				// run waits for its card.
				waitUntil(t, "the new process to take the thread over", func() bool {
					owners := store.ownersOf("deploy")
					return len(owners) == 2 && owners[1] != owners[0]
				})
				h.Wait()
				h.Click(h.Chat.Cards()[tc.click].Ref, "Approve", bottest.Ana)
			}
			waitText(t, h, "done")
			h.Wait()

			if n := len(h.Chat.Cards()); n != cards {
				t.Errorf("%d cards posted, want %d", n, cards)
			}
			if n := countTexts(h, "done"); n != 1 {
				t.Errorf("the run answered %d times, want once", n)
			}
			if n := len(model.Requests()); n != 2 {
				t.Errorf("%d model requests, want 2: the step before the card is journaled", n)
			}
			if got := toolResult(t, model, 1); got != `{"approved":true,"by":"ana","timed_out":false}` {
				t.Errorf("tool result %s", got)
			}
			// The card the Store knows is the last one posted.
			known := h.Chat.Cards()[cards-1]
			closedWith(t, h, known.Ref, "✅ Approve — chosen by @ana")

			// A click on any card of the choice after the decision is
			// told so, and changes nothing.
			late := 0
			for _, c := range h.Chat.Cards() {
				if c.ID("Deny") != "" {
					h.Click(c.Ref, "Deny", bottest.Ana)
					late++
				}
			}
			told := 0
			for _, q := range h.Chat.Posts() {
				if q.Ephemeral && q.Text() == "This was already decided by @ana." {
					told++
				}
			}
			if told != late {
				t.Errorf("%d late clicks, %d told it was decided already", late, told)
			}
			if n := countTexts(h, "done"); n != 1 || len(model.Requests()) != 2 {
				t.Errorf("a late click went on with the run: %d answers, %d model requests", n, len(model.Requests()))
			}
			noWorkLeft(t, store)
		})
	}
}

// A run cut by a crash while it was answering (not waiting for a person)
// is ended, by default, with a plain sentence in its thread, once; the
// model is not asked again. With ReplayInterrupted it is replayed and
// answers: the step the dead process was waiting for is asked again.
func TestCrashMidAnswer(t *testing.T) {
	t.Parallel()
	t.Run("told", func(t *testing.T) {
		t.Parallel()
		hold := make(chan struct{})
		model := bottest.NewModel(bottest.Step{Text: "never shown", Wait: hold}, bottest.Reply("asked again"))
		h := bottest.Start(t, crashCfg(model))
		h.Adapter.Send(bottest.Ana, "question")
		waitUntil(t, "the model to be asked", func() bool { return len(model.Requests()) == 1 })
		h.Crash()
		waitText(t, h, "interrupted")
		h.Wait()

		if got := h.Chat.Texts(); len(got) != 1 || got[0] != "⚠️ "+interrupted {
			t.Errorf("the thread shows %q; want only the notice", got)
		}
		if n := len(model.Requests()); n != 1 {
			t.Errorf("%d model requests, want 1: an interrupted run is not asked again", n)
		}
		noWorkLeft(t, h.Store)
	})
	t.Run("replayed", func(t *testing.T) {
		t.Parallel()
		hold := make(chan struct{})
		model := bottest.NewModel(bottest.Step{Text: "never shown", Wait: hold}, bottest.Reply("the answer"))
		cfg := crashCfg(model)
		cfg.Interrupted = bot.ReplayInterrupted
		h := bottest.Start(t, cfg)
		h.Adapter.Send(bottest.Ana, "question")
		waitUntil(t, "the model to be asked", func() bool { return len(model.Requests()) == 1 })
		h.Crash()
		waitText(t, h, "the answer")
		h.Wait()

		if got := h.Chat.Texts(); len(got) != 1 || got[0] != "the answer" {
			t.Errorf("the thread shows %q; want only the answer", got)
		}
		reqs := model.Requests()
		if len(reqs) != 2 {
			t.Fatalf("%d model requests, want 2", len(reqs))
		}
		if got, want := userTexts(reqs[1]), userTexts(reqs[0]); got != want {
			t.Errorf("the replay asked the model %q, the first process %q", got, want)
		}
		noWorkLeft(t, h.Store)
	})
}

// A run cut by a crash in a tool that had its approval and was doing its
// side effect is not replayed by default: the side effect is not done a
// second time, and the thread is told. With ReplayInterrupted it is done
// again — the journal cannot know how far it went — which is why telling
// is the default.
func TestCrashMidToolAfterApproval(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		policy  bot.InterruptedRuns
		effects int32
	}{
		{"told", bot.TellInterrupted, 1},
		{"replayed", bot.ReplayInterrupted, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var effects atomic.Int32
			deploy := bot.DefineTool(bot.ToolSpec[askArgs]{
				Name: "deploy", Description: "deploys, once approved",
				Handler: func(ctx context.Context, args askArgs, tc *bot.ToolContext) (any, error) {
					c, err := bot.AwaitChoice[verdict](ctx, tc.Thread, render.Card{
						Title:   args.What + "?",
						Actions: render.Actions(render.Button("Approve", verdict{true}), render.Button("Deny", verdict{false})),
					}, bot.Approvers(bottest.Ana.ID))
					if err != nil {
						return nil, err
					}
					if !c.Value.Approved {
						return "not deployed", nil
					}
					if effects.Add(1) == 1 {
						<-ctx.Done() // the first deploy is under way when the process dies
						return nil, ctx.Err()
					}
					return "deployed", nil
				},
			})
			model := bottest.NewModel(bottest.Call("deploy", askArgs{What: "Deploy"}), bottest.Reply("Deployed."))
			cfg := crashCfg(model, deploy)
			cfg.Interrupted = tc.policy
			h := bottest.Start(t, cfg)
			h.Adapter.Send(bottest.Ana, "deploy")
			p := h.Card(0)
			if err := h.Adapter.Click(p.Ref, "Approve", bottest.Ana); err != nil {
				t.Fatal(err)
			}
			waitUntil(t, "the deploy to begin", func() bool { return effects.Load() == 1 })
			h.Crash()

			if tc.policy == bot.TellInterrupted {
				waitText(t, h, "interrupted")
			} else {
				waitText(t, h, "Deployed.")
			}
			h.Wait()
			if n := effects.Load(); n != tc.effects {
				t.Errorf("the deploy began %d times, want %d", n, tc.effects)
			}
			closedWith(t, h, p.Ref, "✅ Approve — chosen by @ana")
			if tc.policy == bot.TellInterrupted {
				if got := h.Chat.Texts(); got[len(got)-1] != "⚠️ "+interrupted || countTexts(h, "interrupted") != 1 {
					t.Errorf("the thread shows %q; want the notice, once, last", got)
				}
				if n := len(model.Requests()); n != 1 || countTexts(h, "Deployed.") != 0 {
					t.Errorf("%d model requests, want 1: the run went on after the crash", n)
				}
			} else if n := countTexts(h, "interrupted"); n != 0 {
				t.Errorf("a replayed run told the thread it was interrupted")
			}
			if n := len(h.Chat.Cards()); n != 1 {
				t.Errorf("%d cards posted, want 1", n)
			}
			noWorkLeft(t, h.Store)
		})
	}
}

// Messages queued behind a run when the bot stops are never lost nor
// answered twice. A graceful stop goes on through the thread's queue
// within its grace period; what the grace period did not reach stays in
// the Store, and the next process handles it. After a crash, the next
// process takes the dead one's queue over once its lease lapses.
func TestQueuedMessagesSurviveRestart(t *testing.T) {
	t.Parallel()
	for _, how := range []string{"restart within grace", "restart past grace", "crash"} {
		t.Run(how, func(t *testing.T) {
			t.Parallel()
			store := &faultStore{Store: bot.NewMemoryStore()}
			hold := make(chan struct{})
			model := bottest.NewModel(bottest.Step{Text: "A1", Wait: hold}, bottest.Reply("A2"))
			cfg := crashCfg(model)
			cfg.Store = store
			h := bottest.Start(t, cfg)
			h.Adapter.Send(bottest.Ana, "m1")
			waitUntil(t, "the first run to ask the model", func() bool { return len(model.Requests()) == 1 })
			for _, text := range []string{"m2", "m3"} {
				if _, err := h.Adapter.Send(bottest.Ben, text); err != nil {
					t.Fatal(err)
				}
			}
			old := h.Adapter
			var want []string
			switch how {
			case "restart within grace":
				// The first run finishes during the graceful stop, which
				// goes on with the queue.
				go func() {
					for old.Receiving() {
						time.Sleep(time.Millisecond)
					}
					close(hold)
				}()
				h.Restart()
				want = []string{"A1", "A2"}
			case "restart past grace":
				// The first run outlasts the grace period: it is cut, and
				// says so; the queue is left to the next process.
				ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
				defer cancel()
				if err := h.Bot.Stop(ctx); !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("Stop: %v, want the grace period's end", err)
				}
				if n := countTexts(h, "A2"); n != 0 {
					t.Fatalf("the queue was handled after the grace period")
				}
				h.Crash() // the stopped process exits; a new one starts
				want = []string{"⏹ I had to stop before finishing: the bot is shutting down. Please ask again in a moment.", "A2"}
			case "crash":
				h.Crash()
				want = []string{"⚠️ " + interrupted, "A2"}
			}
			waitText(t, h, "A2")
			h.Wait()

			first := store.ownersOf("m1")[0]
			for _, text := range []string{"m2", "m3"} {
				owners := store.ownersOf(text)
				if len(owners) != 1 {
					t.Errorf("%s was handed out %d times, want once", text, len(owners))
				} else if how != "restart within grace" && owners[0] == first {
					t.Errorf("%s was handed to the process that stopped", text)
				}
			}
			if got := h.Chat.Texts(); strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("the thread shows %q, want %q", got, want)
			}
			reqs := model.Requests()
			if len(reqs) != 2 {
				t.Fatalf("%d model requests, want 2", len(reqs))
			}
			// The latest message is answered, with the one it superseded.
			if got := userTexts(reqs[1]); !strings.HasSuffix(got, "u:m2|u:m3") {
				t.Errorf("the queued run's history %q; want it to end with m2 then m3", got)
			}
			noWorkLeft(t, store)
		})
	}
}

// A message handler that runs the agent with tools of its own, which
// waits for a person in one of them, resumes after a restart: the handler
// runs again by replay, passing RunAgent the same tools.
func TestRunWithPerRunToolsResumesAfterRestart(t *testing.T) {
	t.Parallel()
	model := bottest.NewModel(bottest.Call("confirm", askArgs{What: "Deploy"}), bottest.Reply("done"))
	h := bottest.Start(t, crashCfg(model))
	handler := func(ctx context.Context, th *bot.Thread, m bot.Message) error {
		_, err := th.RunAgent(ctx, bot.RunOptions{Tools: []*bot.Tool{approvalTool("confirm", bot.Approvers(bottest.Ana.ID))}})
		return err
	}
	h.Bot.OnMention(handler)
	h.Send(bottest.Ana, "deploy")
	p := h.Card(0)
	h.Restart()
	h.Bot.OnMention(handler) // the new process's code registers it too

	h.Click(p.Ref, "Approve", bottest.Ana)
	if got := h.Chat.LastText(); got != "done" {
		t.Errorf("last text %q, want the resumed run's answer", got)
	}
	reqs := model.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d model requests, want 2", len(reqs))
	}
	if got := toolResult(t, model, 1); got != `{"approved":true,"by":"ana","timed_out":false}` {
		t.Errorf("tool result %s", got)
	}
	if !slices.ContainsFunc(reqs[1].Tools, func(d bot.ToolDef) bool { return d.Name == "confirm" }) {
		t.Errorf("the resumed run did not offer its own tool to the model")
	}
	closedWith(t, h, p.Ref, "✅ Approve — chosen by @ana")
	if n := countTexts(h, "done"); n != 1 {
		t.Errorf("answered %d times", n)
	}
	noWorkLeft(t, h.Store)
}

// A RunAgent started outside any handler lives in its own lane. Parked,
// it resumes after a restart when it uses only the bot's tools. With
// tools of its own, which no other process has, a click after the
// restart ends it plainly: the thread is told, and the card closed.
func TestDetachedRunAfterRestart(t *testing.T) {
	t.Parallel()
	for _, extra := range []bool{false, true} {
		name := "bot's tools"
		if extra {
			name = "tools of its own"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			model := bottest.NewModel(bottest.Call("ask", askArgs{What: "Deploy"}), bottest.Reply("done"))
			cfg := crashCfg(model)
			cfg.ParkAfter = 20 * time.Millisecond
			var opts bot.RunOptions
			if extra {
				opts.Tools = []*bot.Tool{approvalTool("ask")}
			} else {
				cfg.Tools = []*bot.Tool{approvalTool("ask")}
			}
			h := bottest.Start(t, cfg)
			th, err := h.Bot.Thread(bottest.DefaultThread)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := th.RunAgent(context.Background(), opts); !errors.Is(err, bot.ErrParked) {
				t.Fatalf("RunAgent: %v, want ErrParked", err)
			}
			p := h.Card(0)
			h.Restart()
			h.Click(p.Ref, "Approve", bottest.Ana)

			closedWith(t, h, p.Ref, "✅ Approve — chosen by @ana")
			if extra {
				if got := h.Chat.LastText(); !strings.Contains(got, "cannot pick this task up") || !strings.Contains(got, "ask") {
					t.Errorf("last text %q; want the thread told the run cannot go on", got)
				}
				if n := len(model.Requests()); n != 1 || countTexts(h, "done") != 0 {
					t.Errorf("%d model requests: the run went on without its tools", n)
				}
			} else {
				if got := h.Chat.LastText(); got != "done" {
					t.Errorf("last text %q, want the resumed run's answer", got)
				}
				if got := toolResult(t, model, 1); got != `{"approved":true,"by":"ana","timed_out":false}` {
					t.Errorf("tool result %s", got)
				}
			}
			if n := len(h.Chat.Cards()); n != 1 {
				t.Errorf("%d cards posted, want 1", n)
			}
			noWorkLeft(t, h.Store)
		})
	}
}

// An action handler that waits for a person resumes after a restart: a
// click by someone not asked is answered privately and changes nothing;
// the approver's click closes the card and the handler goes on after
// AwaitChoice.
func TestActionHandlerChoiceResumesAfterRestart(t *testing.T) {
	t.Parallel()
	h := bottest.Start(t, crashCfg(bottest.NewModel()))
	var calls atomic.Int32
	pick := func(ctx context.Context, th *bot.Thread, e bot.ActionEvent) error {
		calls.Add(1)
		c, err := bot.AwaitChoice[string](ctx, th, render.Card{
			Title:   "Which colour?",
			Actions: render.Actions(render.Button("Red", "red"), render.Button("Blue", "blue")),
		}, bot.Approvers(bottest.Ana.ID))
		if err != nil {
			return err
		}
		_, err = th.Post(ctx, render.Text("done: "+c.Value))
		return err
	}
	h.Bot.OnAction("pick", pick)
	h.Bot.OnMention(func(ctx context.Context, th *bot.Thread, m bot.Message) error {
		_, err := th.Post(ctx, render.Card{Title: "Menu", Actions: render.Actions(render.Button("Pick a colour", nil).OnAction("pick"))})
		return err
	})
	h.Send(bottest.Ana, "menu")
	h.Click(h.Card(0).Ref, "Pick a colour", bottest.Ben)
	p := h.Card(1)
	h.Restart()
	h.Bot.OnAction("pick", pick)

	h.Click(p.Ref, "Red", bottest.Ben)
	var told []bottest.Posted
	for _, q := range h.Chat.Posts() {
		if q.Ephemeral {
			told = append(told, q)
		}
	}
	if len(told) != 1 || told[0].To != bottest.Ben.ID || !told[0].Reply || !strings.Contains(told[0].Text(), "Only the people asked to approve") {
		t.Errorf("the click of someone not asked was answered with %+v", told)
	}
	if q, _ := h.Chat.Lookup(p.Ref); len(q.Options()) != 2 {
		t.Errorf("a click by someone not asked changed the card:\n%s", q.Text())
	}

	h.Click(p.Ref, "Blue", bottest.Ana)
	if got := h.Chat.LastText(); got != "done: blue" {
		t.Errorf("last text %q, want the handler to go on after AwaitChoice", got)
	}
	if n := countTexts(h, "done: "); n != 1 {
		t.Errorf("the handler went on %d times", n)
	}
	closedWith(t, h, p.Ref, "✅ Blue — chosen by @ana")
	if n := calls.Load(); n != 2 {
		t.Errorf("the handler ran %d times, want 2 (live, then replayed once)", n)
	}
	noWorkLeft(t, h.Store)
}

// retriedCloses returns a logger for t, and a count of the failed edits
// of choice cards it logged.
func retriedCloses(t *testing.T) (*slog.Logger, *atomic.Int32) {
	var n atomic.Int32
	return slog.New(hookHandler{bottest.Logger(t).Handler(), func(msg string) {
		if msg == "bot: closing a choice's card failed; will retry" {
			n.Add(1)
		}
	}}), &n
}

// A decided card whose closing edit fails — the platform's passing
// hiccup — is edited again until it closes: by the run that took the
// decision, and by a run that cannot go on and closes its cards plainly.
func TestFailedCardCloseIsRetried(t *testing.T) {
	t.Parallel()
	hiccup := errors.New("rate limited")
	t.Run("by the run", func(t *testing.T) {
		t.Parallel()
		gate := make(chan struct{})
		model := bottest.NewModel(bottest.Call("ask", askArgs{What: "Deploy"}), bottest.Step{Text: "done", Wait: gate})
		cfg := crashCfg(model, approvalTool("ask"))
		cfg.LeaseTTL = 5 * time.Second // nothing crashes here: a lease lost to a slow machine is not what is tested
		logger, retried := retriedCloses(t)
		cfg.Logger = logger
		h := bottest.Start(t, cfg)
		h.Adapter.Send(bottest.Ana, "deploy")
		p := h.Card(0)
		// The run holds its answer until the card is closed, so the
		// failure can only fall on the card's edit.
		h.Chat.FailNext(1, hiccup)
		if err := h.Adapter.Click(p.Ref, "Approve", bottest.Ana); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := h.Chat.WaitClosed(ctx, p.Ref); err != nil {
			t.Fatal("the card was not closed after its edit failed once")
		}
		close(gate)
		h.Wait()
		closedWith(t, h, p.Ref, "✅ Approve — chosen by @ana")
		if retried.Load() == 0 {
			t.Error("no closing edit failed: the test did not test a retry")
		}
		if got := h.Chat.LastText(); got != "done" {
			t.Errorf("last text %q", got)
		}
	})
	t.Run("plainly", func(t *testing.T) {
		t.Parallel()
		model := bottest.NewModel(bottest.Call("ask", askArgs{What: "Deploy"}), bottest.Reply("done"))
		cfg := crashCfg(model)
		cfg.ParkAfter = 20 * time.Millisecond
		logger, retried := retriedCloses(t)
		cfg.Logger = logger
		h := bottest.Start(t, cfg)
		th, err := h.Bot.Thread(bottest.DefaultThread)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := th.RunAgent(context.Background(), bot.RunOptions{Tools: []*bot.Tool{approvalTool("ask")}}); !errors.Is(err, bot.ErrParked) {
			t.Fatalf("RunAgent: %v, want ErrParked", err)
		}
		p := h.Card(0)
		h.Restart()
		// The run cannot resume without its tool: it closes its card from
		// what the Store holds, before it tells the thread.
		h.Chat.FailNext(1, hiccup)
		h.Click(p.Ref, "Approve", bottest.Ana)
		closedWith(t, h, p.Ref, "✅ Approve — chosen by @ana")
		if retried.Load() == 0 {
			t.Error("no closing edit failed: the test did not test a retry")
		}
		if got := h.Chat.LastText(); !strings.Contains(got, "cannot pick this task up") {
			t.Errorf("last text %q", got)
		}
	})
}

// A choice whose deadline passes while no process waits on it — its
// process died, or parked it and stopped — is expired by the next
// process's sweep, and its run resumes with the timeout.
func TestChoiceExpiresWhileItsProcessIsDown(t *testing.T) {
	t.Parallel()
	for _, crash := range []bool{false, true} {
		name := "restart"
		if crash {
			name = "crash"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			model := bottest.NewModel(bottest.Call("ask", askArgs{What: "Deploy"}), bottest.Reply("Nobody answered."))
			h := bottest.Start(t, crashCfg(model, approvalTool("ask", bot.Timeout(150*time.Millisecond))))
			h.Adapter.Send(bottest.Ana, "deploy")
			p := h.Card(0)
			recorded(t, h.Store, p)
			if crash {
				h.Crash()
			} else {
				h.Restart()
			}
			waitText(t, h, "Nobody answered.")
			h.Wait()

			if got := toolResult(t, model, 1); got != `{"approved":false,"by":"","timed_out":true}` {
				t.Errorf("tool result %s, want the timeout", got)
			}
			if n := len(model.Requests()); n != 2 || countTexts(h, "Nobody answered.") != 1 {
				t.Errorf("%d model requests, %d answers; want 2 and 1", n, countTexts(h, "Nobody answered."))
			}
			closedWith(t, h, p.Ref, "⏱ Expired")
			if n := countTexts(h, "interrupted"); n != 0 {
				t.Errorf("a run waiting for a person was told it was interrupted")
			}
			noWorkLeft(t, h.Store)
		})
	}
}

// A run that waited for a person wrote its journal; when the run ends,
// the journal goes, unless Config.JournalRetention keeps it — ended with
// an "end" entry — until a purge past its time.
func TestJournalRetention(t *testing.T) {
	t.Parallel()
	for _, keep := range []time.Duration{0, time.Hour} {
		t.Run("retention "+keep.String(), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			model := bottest.NewModel(bottest.Call("ask", askArgs{What: "Deploy"}), bottest.Reply("done"))
			cfg := crashCfg(model, approvalTool("ask"))
			cfg.JournalRetention = keep
			h := bottest.Start(t, cfg)
			h.Send(bottest.Ana, "deploy")
			p := h.Card(0)
			c := recorded(t, h.Store, p)
			if es, _ := h.Store.Journal(ctx, c.Run); len(es) == 0 {
				t.Fatal("the journal of a run waiting for a person is empty")
			}
			h.Click(p.Ref, "Approve", bottest.Ana)
			if got := h.Chat.LastText(); got != "done" {
				t.Fatalf("last text %q", got)
			}

			es, err := h.Store.Journal(ctx, c.Run)
			if err != nil {
				t.Fatal(err)
			}
			if keep == 0 {
				if len(es) != 0 {
					t.Errorf("the journal of a finished run holds %d entries; want it deleted", len(es))
				}
				return
			}
			if len(es) == 0 || es[len(es)-1].Kind != bot.StepEnd {
				t.Fatalf("the kept journal has %d entries and does not end with %q", len(es), bot.StepEnd)
			}
			if !slices.ContainsFunc(es, func(e bot.JournalEntry) bool { return e.Kind == bot.StepDecision }) {
				t.Errorf("the kept journal does not hold the decision")
			}
			if err := h.Store.Purge(ctx, bot.Purge{Now: time.Now()}); err != nil {
				t.Fatal(err)
			}
			if es, _ := h.Store.Journal(ctx, c.Run); len(es) == 0 {
				t.Errorf("a purge before the journal's time deleted it")
			}
			if err := h.Store.Purge(ctx, bot.Purge{Now: time.Now().Add(keep + time.Minute)}); err != nil {
				t.Fatal(err)
			}
			if es, _ := h.Store.Journal(ctx, c.Run); len(es) != 0 {
				t.Errorf("a purge past the journal's time left %d entries", len(es))
			}
		})
	}
}

// A process that dies after writing a decision to its run's journal,
// before the card's closing edit reached the platform, leaves a decided
// card with its buttons. The next process closes it, whether it tells
// the thread or replays the run.
func TestCrashBetweenDecisionAndCardClose(t *testing.T) {
	t.Parallel()
	for _, policy := range []bot.InterruptedRuns{bot.TellInterrupted, bot.ReplayInterrupted} {
		name := "told"
		if policy == bot.ReplayInterrupted {
			name = "replayed"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			store := &faultStore{Store: bot.NewMemoryStore()}
			// The model answers by what it is asked, not by its place in
			// a script: the dying process may still ask it before its run
			// is cancelled.
			model := modelFunc(func(ctx context.Context, req *bot.ModelRequest, onText func(string)) (*bot.ModelResponse, error) {
				if last := req.Messages[len(req.Messages)-1]; last.Role == bot.RoleTool {
					return &bot.ModelResponse{Text: "done"}, nil
				}
				return &bot.ModelResponse{ToolCalls: []bot.ToolCall{bottest.ToolCall("ask", askArgs{What: "Deploy"})}}, nil
			})
			cfg := crashCfg(model, approvalTool("ask"))
			cfg.Store, cfg.Interrupted = store, policy
			h := bottest.Start(t, cfg)
			old := h.Adapter
			reached := make(chan struct{})
			var armed atomic.Bool
			armed.Store(true)
			store.appendJournal = func(ctx context.Context, l bot.Lease, run string, es []bot.JournalEntry) error {
				decided := slices.ContainsFunc(es, func(e bot.JournalEntry) bool { return e.Kind == bot.StepDecision })
				if err := store.Store.AppendJournal(ctx, l, run, es); err != nil || !decided || !armed.CompareAndSwap(true, false) {
					return err
				}
				dieHere(reached, old)
				return nil
			}
			h.Adapter.Send(bottest.Ana, "deploy")
			p := h.Card(0)
			recorded(t, store, p)
			if err := h.Adapter.Click(p.Ref, "Approve", bottest.Ana); err != nil {
				t.Fatal(err)
			}
			<-reached
			h.Crash()
			if policy == bot.TellInterrupted {
				waitText(t, h, "interrupted")
			} else {
				waitText(t, h, "done")
			}
			h.Wait()

			closedWith(t, h, p.Ref, "✅ Approve — chosen by @ana")
			if n := len(h.Chat.Cards()); n != 1 {
				t.Errorf("%d cards posted, want 1", n)
			}
			if policy == bot.TellInterrupted {
				if n := countTexts(h, "interrupted"); n != 1 || countTexts(h, "done") != 0 {
					t.Errorf("the thread shows %q; want the notice once, and no answer", h.Chat.Texts())
				}
			} else if n := countTexts(h, "done"); n != 1 || countTexts(h, "interrupted") != 0 {
				t.Errorf("the thread shows %q; want the answer once", h.Chat.Texts())
			}
			noWorkLeft(t, store)
		})
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
// through a deploy). Recovery must not count it as merely waiting: a
// click would resume it by replay and run the deploy a second time. With
// TellInterrupted (the default) its thread is told, its card closed.
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

// Tool calls made at once: one asks a person, the other finishes after
// the card is out. The finished call's result must be in the Store before
// the run sleeps on its person: else a crash meanwhile would leave the
// finished call looking "at work beside a wait", and the next process
// would end a run that was merely waiting (or, with ReplayInterrupted,
// run the finished call again).
func TestFinishedParallelSiblingDoesNotKillTheWait(t *testing.T) {
	t.Parallel()
	var quickRuns atomic.Int32
	finished := make(chan struct{})
	var h *bottest.Harness
	quick := bot.DefineTool(bot.ToolSpec[struct{}]{
		Name: "quick", Description: "looks something up",
		Handler: func(ctx context.Context, _ struct{}, tc *bot.ToolContext) (any, error) {
			if quickRuns.Add(1) == 1 {
				for len(h.Chat.Cards()) == 0 { // ends once the card is out
					time.Sleep(time.Millisecond)
				}
				defer close(finished)
			}
			return "looked up", nil
		},
	})
	model := bottest.NewModel(
		bottest.Step{ToolCalls: []bot.ToolCall{bottest.ToolCall("ask", askArgs{What: "Deploy"}), bottest.ToolCall("quick", struct{}{})}},
		bottest.Reply("done"))
	cfg := crashCfg(model, approvalTool("ask", bot.Approvers(bottest.Ana.ID)), quick)
	cfg.ParallelTools = true
	h = bottest.Start(t, cfg)
	if _, err := h.Adapter.Send(bottest.Ana, "deploy"); err != nil {
		t.Fatal(err)
	}
	p := h.Card(0)
	<-finished
	recorded(t, h.Store, p)
	time.Sleep(100 * time.Millisecond) // quick's result is recorded (in memory); the run waits for Ana
	h.Crash()
	time.Sleep(300 * time.Millisecond) // the new process takes the thread over
	h.Wait()
	if n := countTexts(h, "interrupted"); n != 0 {
		t.Fatalf("a run that only waited for a person was ended as cut: the thread shows %q", h.Chat.Texts())
	}
	h.Click(p.Ref, "Approve", bottest.Ana)
	waitText(t, h, "done")
	if n := quickRuns.Load(); n != 1 {
		t.Errorf("quick ran %d times, want once", n)
	}
}

// After a crash between posting a choice's card and recording it,
// the new process posts the card again (same option ids). A click on the
// FIRST card wins; decide closes a card other than the one the Store
// knows only when the click lost (`!won`), and the run closes only the
// card it posted. So the card the person actually clicked keeps its
// buttons after the decision.
func TestWinningClickOnTheUnknownCardClosesIt(t *testing.T) {
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
		dieHere(reached, old)
		return errors.New("the process died")
	}
	h.Adapter.Send(bottest.Ana, "deploy")
	<-reached
	first := h.Card(0)
	h.Crash()
	h.Card(1) // posted again by the new process
	time.Sleep(100 * time.Millisecond)
	h.Wait()
	h.Click(first.Ref, "Approve", bottest.Ana)
	waitText(t, h, "done")
	h.Wait()
	if now, _ := h.Chat.Lookup(first.Ref); len(now.Options()) != 0 {
		t.Errorf("the clicked card still offers %q after it decided the choice:\n%s", now.Options(), now.Text())
	}
}
