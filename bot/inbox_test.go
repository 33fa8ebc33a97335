package bot_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
	"github.com/parleybot/parley/render"
	"github.com/parleybot/parley/render/plaintext"
)

// These tests hold the Inbox to its contract, as an adapter sees it: the
// errors it returns (the bottest Adapter hands them back), what is in the
// Store when it returns, and how clicks are answered.

// acceptStore is a Store whose Accept tests can intercept: before, when
// set, runs first, and its error is Accept's.
type acceptStore struct {
	bot.Store
	before func(ctx context.Context, a bot.Acceptance) error
}

func (s *acceptStore) Accept(ctx context.Context, a bot.Acceptance) (bot.Claimed, error) {
	if s.before != nil {
		if err := s.before(ctx, a); err != nil {
			return bot.Claimed{}, err
		}
	}
	return s.Store.Accept(ctx, a)
}

func goButton(t *testing.T, b *bot.Bot, a *bottest.Adapter) (bot.MessageRef, string) {
	t.Helper()
	ref, err := mustThread(t, b).Post(context.Background(), render.Card{Title: "Go?", Actions: render.Actions(render.Button("Go", 1).OnAction("go"))})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := a.Lookup(ref)
	return ref, p.ID("Go")
}

// A stopping bot, and a stopped one, refuses messages and clicks with
// ErrStopping and records nothing of them: no transcript entry, no queued
// work, no event id — the platform's redelivery to the next process is
// taken as new.
func TestInboxRefusesEventsWhileStoppingAndRecordsNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := bot.NewMemoryStore()
	a := &stickyAdapter{Adapter: bottest.NewAdapter()}
	b := startBot(t, bot.Config{Model: bottest.NewModel()}, a, store)
	var clicks atomic.Int32
	b.OnAction("go", func(context.Context, *bot.Thread, bot.ActionEvent) error { clicks.Add(1); return nil })
	entered, release := make(chan struct{}), make(chan struct{})
	b.OnMention(func(ctx context.Context, th *bot.Thread, m bot.Message) error {
		close(entered)
		<-release
		return nil
	})
	ref, id := goButton(t, b, a.Adapter)
	a.Send(bottest.Ana, "hold on")
	<-entered
	stopped := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		stopped <- b.Stop(ctx)
	}()
	waitUntil(t, "the bot to stop receiving", func() bool { return !a.Receiving() })

	elsewhere := bot.Address{Platform: bottest.Platform, Channel: "C_OTHER", Thread: "T7"}
	late := bot.Message{ID: "m-late", EventID: "Ev-late", Address: elsewhere, User: bottest.Ben, Text: "late question", Mention: true, Time: time.Now()}
	click := bot.Action{ID: id, EventID: "Ev-click", User: bottest.Ben, Message: ref}
	refuse := func(when string) {
		t.Helper()
		if err := a.inbox.Message(ctx, late); !errors.Is(err, bot.ErrStopping) {
			t.Errorf("%s: Message = %v, want ErrStopping", when, err)
		}
		if err := a.inbox.Action(ctx, click); !errors.Is(err, bot.ErrStopping) {
			t.Errorf("%s: Action = %v, want ErrStopping", when, err)
		}
	}
	refuse("during Stop")
	close(release)
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	refuse("after Stop")

	if tr, _ := store.Transcript(ctx, elsewhere.String(), 0); len(tr) != 0 {
		t.Errorf("a refused message is in the transcript: %+v", tr)
	}
	if lanes, _ := store.Lapsed(ctx, time.Now().Add(time.Hour), 0); len(lanes) != 0 {
		t.Errorf("work is queued after Stop in %q", lanes)
	}
	if clicks.Load() != 0 {
		t.Error("a refused click reached its handler")
	}

	// The platform delivers both again, to the next process: they are new.
	model := bottest.NewModel(bottest.Reply("Here is the answer."))
	a2 := &stickyAdapter{Adapter: a.Chat.Adapter()}
	b2 := startBot(t, bot.Config{Model: model}, a2, store)
	b2.OnAction("go", func(context.Context, *bot.Thread, bot.ActionEvent) error { clicks.Add(1); return nil })
	if err := a2.inbox.Message(ctx, late); err != nil {
		t.Errorf("the redelivered message: %v", err)
	}
	if err := a2.inbox.Action(ctx, click); err != nil {
		t.Errorf("the redelivered click: %v", err)
	}
	waitIdle(t, b2)
	if n := len(model.Requests()); n != 1 || clicks.Load() != 1 {
		t.Errorf("after redelivery: %d model requests, %d clicks; want each handled once", n, clicks.Load())
	}
}

// An edit and a deletion the platform reports reach the bot's transcript:
// a tool reading the thread, and the model, see the edited text and not
// the deleted message (which the platform's own history, a fallback,
// still shows).
func TestEditedAndDeletedKeepTheTranscriptTrue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	readThread := bot.DefineTool(bot.ToolSpec[struct{}]{
		Name: "read_thread", Description: "reads the thread",
		Handler: func(ctx context.Context, _ struct{}, tc *bot.ToolContext) (any, error) {
			msgs, err := tc.Thread.Messages(ctx, 0)
			if err != nil {
				return nil, err
			}
			var lines []string
			for _, m := range msgs {
				lines = append(lines, m.User.Name+": "+m.Text)
			}
			return strings.Join(lines, "|"), nil
		},
	})
	model := bottest.NewModel(bottest.Call("read_thread", struct{}{}), bottest.Reply("On Tuesday."))
	a := &stickyAdapter{Adapter: bottest.NewAdapter()}
	b := startBot(t, bot.Config{Model: model, Tools: []*bot.Tool{readThread}}, a, bot.NewMemoryStore())
	draft, err := a.Deliver(bot.Message{Address: bottest.DefaultThread, User: bottest.Ana, Text: "ship on Monday"})
	if err != nil {
		t.Fatal(err)
	}
	oops, err := a.Deliver(bot.Message{Address: bottest.DefaultThread, User: bottest.Ben, Text: "my password is hunter2"})
	if err != nil {
		t.Fatal(err)
	}
	waitIdle(t, b)
	edited := draft
	edited.Text = "ship on Tuesday"
	if err := a.inbox.Edited(ctx, edited); err != nil {
		t.Fatalf("Edited = %v", err)
	}
	if err := a.inbox.Deleted(ctx, bot.MessageRef{Address: bottest.DefaultThread, ID: oops.ID}); err != nil {
		t.Fatalf("Deleted = %v", err)
	}
	a.Send(bottest.Ana, "when do we ship?")
	waitIdle(t, b)

	if got, want := toolResult(t, model, 1), "ana: ship on Tuesday|ana: when do we ship?"; got != want {
		t.Errorf("read_thread saw %q, want %q", got, want)
	}
	if got, want := userTexts(model.Requests()[0]), "u:ship on Tuesday|u:when do we ship?"; got != want {
		t.Errorf("the model saw %q, want %q", got, want)
	}
}

// A platform's redelivery of an event (same event id, same workspace) is
// refused as a duplicate and handled once; another event id, or the same
// id in another workspace, is another event.
func TestDuplicateEventsAreDroppedPerWorkspace(t *testing.T) {
	t.Parallel()
	model := bottest.NewModel(bottest.Reply("one"), bottest.Reply("two"), bottest.Reply("three"), bottest.Reply("four"))
	h := bottest.Start(t, bot.Config{Model: model})
	deliver := func(m bot.Message) error {
		t.Helper()
		_, err := h.Adapter.Deliver(m)
		h.Wait()
		return err
	}
	first := bot.Message{ID: "m1", EventID: "Ev1", Address: bottest.DefaultThread, User: bottest.Ana, Text: "hello", Mention: true}
	if err := deliver(first); err != nil {
		t.Fatal(err)
	}
	if err := deliver(first); !errors.Is(err, bot.ErrDuplicate) {
		t.Errorf("the same event again: %v, want ErrDuplicate", err)
	}
	if n := len(model.Requests()); n != 1 {
		t.Fatalf("%d runs for one event delivered twice", n)
	}
	if err := deliver(bot.Message{ID: "m2", EventID: "Ev2", Address: bottest.DefaultThread, User: bottest.Ana, Text: "and this", Mention: true}); err != nil {
		t.Errorf("another event id: %v", err)
	}
	otherTeam := bottest.DefaultThread
	otherTeam.Workspace = "W_OTHER"
	if err := deliver(bot.Message{ID: "m1", EventID: "Ev1", Address: otherTeam, User: bottest.Ben, Text: "hello from elsewhere", Mention: true}); err != nil {
		t.Errorf("the same event id in another workspace: %v", err)
	}
	if n := len(model.Requests()); n != 3 {
		t.Errorf("%d runs, want 3", n)
	}

	var clicks atomic.Int32
	h.Bot.OnAction("go", func(context.Context, *bot.Thread, bot.ActionEvent) error { clicks.Add(1); return nil })
	ref, id := goButton(t, h.Bot, h.Adapter)
	redeliver := func(ref bot.MessageRef, event string) error {
		t.Helper()
		err := h.Adapter.Redeliver(ref, id, bottest.Ana, event)
		h.Wait()
		return err
	}
	if err := redeliver(ref, "EvC1"); err != nil {
		t.Fatal(err)
	}
	if err := redeliver(ref, "EvC1"); !errors.Is(err, bot.ErrDuplicate) {
		t.Errorf("the same click again: %v, want ErrDuplicate", err)
	}
	if err := redeliver(ref, "EvC2"); err != nil {
		t.Errorf("another click: %v", err)
	}
	if n := clicks.Load(); n != 2 {
		t.Errorf("the handler ran %d times, want 2", n)
	}
	elsewhere := ref
	elsewhere.Workspace = "W_OTHER"
	if err := redeliver(elsewhere, "EvC1"); err != nil {
		t.Errorf("the same click event id in another workspace: %v, want it taken (and refused as a button not valid there)", err)
	}
	if n := clicks.Load(); n != 2 {
		t.Errorf("a click from another workspace reached the handler")
	}
}

// Inbox.Message returns only once the message is in the Store — in the
// thread's transcript and queued as work — so an adapter that
// acknowledges it then loses nothing to a crash. The Store here is slow,
// and the model never answers while the test looks.
func TestMessageIsInTheStoreWhenInboxReturns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	mem := bot.NewMemoryStore()
	store := &acceptStore{Store: mem, before: func(context.Context, bot.Acceptance) error {
		time.Sleep(30 * time.Millisecond) // a database round trip
		return nil
	}}
	hold := make(chan struct{})
	h := bottest.Start(t, bot.Config{Model: bottest.NewModel(bottest.Step{Text: "answer", Wait: hold}), Store: store, Notifier: mem})
	m, err := h.Adapter.Send(bottest.Ana, "remember me")
	if err != nil {
		t.Fatal(err)
	}
	tr, _ := mem.Transcript(ctx, m.Address.String(), 0)
	lanes, _ := mem.Lapsed(ctx, time.Now().Add(time.Hour), 0)
	close(hold)
	h.Wait()
	if len(tr) != 1 || tr[0].ID != m.ID {
		t.Errorf("when Message returned, the transcript held %+v", tr)
	}
	if len(lanes) != 1 {
		t.Errorf("when Message returned, work was queued in %q, want one lane", lanes)
	}
}

// A Store that cannot accept a message makes Inbox.Message fail with its
// error — not nil, not a duplicate — so the adapter does not acknowledge
// it and the platform delivers it again; the bot stays up and takes the
// redelivery.
func TestStoreFailingAcceptIsReportedToTheAdapter(t *testing.T) {
	t.Parallel()
	errDB := errors.New("database unreachable")
	var down atomic.Bool
	down.Store(true)
	mem := bot.NewMemoryStore()
	store := &acceptStore{Store: mem, before: func(context.Context, bot.Acceptance) error {
		if down.Load() {
			return errDB
		}
		return nil
	}}
	model := bottest.NewModel(bottest.Reply("Got it."))
	h := bottest.Start(t, bot.Config{Model: model, Store: store, Notifier: mem})
	m, err := h.Adapter.Send(bottest.Ana, "hello")
	if !errors.Is(err, errDB) || errors.Is(err, bot.ErrDuplicate) || errors.Is(err, bot.ErrStopping) {
		t.Fatalf("Message = %v, want the Store's error", err)
	}
	h.Wait()
	if n := len(model.Requests()); n != 0 {
		t.Errorf("a message the Store did not take ran (%d model requests)", n)
	}
	down.Store(false)
	if _, err := h.Adapter.Deliver(m); err != nil {
		t.Fatalf("the platform's redelivery: %v", err)
	}
	h.Wait()
	if n := len(model.Requests()); n != 1 || h.Chat.LastText() != "Got it." {
		t.Errorf("after the redelivery: %d model requests, last text %q", n, h.Chat.LastText())
	}
}

// An option's id is valid only at the exact address its card was posted
// to: carried from another thread of the channel, the channel itself,
// another channel or another workspace, it is refused and the choice
// stays pending.
func TestChoiceIDsAreValidOnlyWhereTheirCardWasPosted(t *testing.T) {
	t.Parallel()
	model := bottest.NewModel(bottest.Call("ask", askArgs{What: "Deploy"}), bottest.Reply("done"))
	h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{approvalTool("ask")}})
	h.Adapter.Send(bottest.Ana, "deploy")
	p := h.Card(0)
	id := idOf(p, "Approve")
	at := func(edit func(*bot.Address)) bot.MessageRef {
		ref := p.Ref
		edit(&ref.Address)
		return ref
	}
	for _, tc := range []struct {
		name string
		ref  bot.MessageRef
	}{
		{"another thread of the channel", at(func(a *bot.Address) { a.Thread = "T2" })},
		{"the channel outside the thread", at(func(a *bot.Address) { a.Thread = "" })},
		{"another channel", at(func(a *bot.Address) { a.Channel = "C_OTHER" })},
		{"another workspace", at(func(a *bot.Address) { a.Workspace = "W_OTHER" })},
	} {
		if err := h.Adapter.ClickID(tc.ref, id, bottest.Ana); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		h.Wait()
		told := notices(h.Adapter)
		if len(told) == 0 || told[len(told)-1] != "U_ANA: This button is no longer valid." {
			t.Errorf("%s: notices %q", tc.name, told)
		}
		if _, c := choiceOf(t, h.Store, p, "Approve"); c.Outcome.State != bot.ChoicePending {
			t.Errorf("%s: the choice is %v, want pending", tc.name, c.Outcome.State)
		}
	}
	if n := len(model.Requests()); n != 1 {
		t.Fatalf("%d model requests: a click from elsewhere decided", n)
	}
	h.Click(p.Ref, "Approve", bottest.Ana)
	if got := toolResult(t, model, 1); got != `{"approved":true,"by":"ana","timed_out":false}` {
		t.Errorf("the click where the card is: %s", got)
	}
}

// A click that carries its own reply is answered through it: the notices
// to the person who clicked (not an approver, too late, a stale button)
// go through Action.Reply, not into the thread nor through the
// platform's ephemeral API.
func TestClickNoticesGoThroughTheClicksReply(t *testing.T) {
	t.Parallel()
	model := bottest.NewModel(bottest.Call("ask", askArgs{What: "Deploy"}), bottest.Reply("done"))
	h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{approvalTool("ask", bot.Approvers(bottest.Ana.ID))}})
	h.Adapter.Send(bottest.Ana, "deploy")
	p := h.Card(0)
	approve := idOf(p, "Approve")
	h.Click(p.Ref, "Approve", bottest.Ben) // not an approver
	h.Click(p.Ref, "Deny", bottest.Ana)
	if err := h.Adapter.ClickID(p.Ref, approve, bottest.Ana); err != nil { // too late
		t.Fatal(err)
	}
	h.Wait()
	if err := h.Adapter.ClickID(p.Ref, "stale-id", bottest.Ben); err != nil {
		t.Fatal(err)
	}
	h.Wait()

	var replies []string
	for _, q := range h.Chat.Posts() {
		switch {
		case q.Ephemeral && q.Reply:
			replies = append(replies, q.To+": "+q.Text())
		case q.Ephemeral:
			t.Errorf("a notice went out as an ephemeral message, not through the click's reply: %+v", q)
		case strings.Contains(q.Text(), "Only the people") || strings.Contains(q.Text(), "already decided") || strings.Contains(q.Text(), "no longer valid"):
			t.Errorf("a notice to the clicker went into the thread: %q", q.Text())
		}
	}
	want := []string{
		"U_BEN: Only the people asked to approve this can decide it; your click changed nothing.",
		"U_ANA: This was already decided by @ana.",
		"U_BEN: This button is no longer valid.",
	}
	if strings.Join(replies, "|") != strings.Join(want, "|") {
		t.Errorf("replies %q, want %q", replies, want)
	}
}

// With native streaming, the stream is told whom the answer is for: the
// person whose message the run answers, also when someone else's click
// resumed the run after a restart.
func TestNativeStreamGetsTheRecipient(t *testing.T) {
	t.Parallel()
	streamed := func(h *bottest.Harness, text string) (bottest.Posted, bool) {
		for _, p := range h.Chat.Posts() {
			if p.Streamed && p.Text() == text {
				return p, true
			}
		}
		return bottest.Posted{}, false
	}
	t.Run("answer", func(t *testing.T) {
		t.Parallel()
		h := bottest.Start(t, bot.Config{Model: bottest.NewModel(bottest.Reply("Hello, ana."))})
		h.Chat.SetCapabilities(bot.AllCapabilities)
		h.Send(bottest.Ana, "hi")
		p, ok := streamed(h, "Hello, ana.")
		if !ok {
			t.Fatalf("no streamed answer; posted %q", h.Chat.Texts())
		}
		if p.To != bottest.Ana.ID {
			t.Errorf("the stream's recipient is %q, want %q", p.To, bottest.Ana.ID)
		}
	})
	t.Run("answer after a resume", func(t *testing.T) {
		t.Parallel()
		model := bottest.NewModel(bottest.Call("ask", askArgs{What: "Deploy"}), bottest.Reply("Deployed."))
		h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{approvalTool("ask")}})
		h.Chat.SetCapabilities(bot.AllCapabilities)
		h.Send(bottest.Ana, "deploy")
		p := h.Card(0)
		h.Restart()
		h.Click(p.Ref, "Approve", bottest.Ben)
		s, ok := streamed(h, "Deployed.")
		if !ok {
			t.Fatalf("no streamed answer; posted %q", h.Chat.Texts())
		}
		if s.To != bottest.Ana.ID {
			t.Errorf("the stream's recipient is %q, want %q: the run answers ana", s.To, bottest.Ana.ID)
		}
	})
}

// randomID matches the ids the bot makes (crypto/rand.Text): run ids,
// work item ids, option ids.
var randomID = regexp.MustCompile(`[A-Z2-7]{26}`)

// The notices people read when a run fails — a divergence on replay, a
// run cut by a crash, a handler failing after a resume — show no internal
// ids: no run, choice, option or call id, no journal scope, no replica or
// lane name.
func TestNoticesShowNoInternalIDs(t *testing.T) {
	t.Parallel()
	const (
		callID  = "call_x7Qz42internal"
		replica = "replica-internal-9"
	)
	askCall := bottest.Step{ToolCalls: []bot.ToolCall{{ID: callID, Name: "ask", Arguments: `{"what":"Deploy"}`}}}
	entered := make(chan struct{})
	for _, tc := range []struct {
		name  string
		model *bottest.Model
		tools func(replaying *atomic.Bool) []*bot.Tool
		cfg   bot.Config
		// provoke makes the run fail and returns the notice it expects.
		provoke func(t *testing.T, h *bottest.Harness, replaying *atomic.Bool) string
	}{
		{
			name:  "divergence",
			model: bottest.NewModel(askCall, bottest.Reply("done")),
			tools: func(replaying *atomic.Bool) []*bot.Tool {
				return []*bot.Tool{bot.DefineTool(bot.ToolSpec[askArgs]{
					Name: "ask", Description: "asks",
					Handler: func(ctx context.Context, args askArgs, tc *bot.ToolContext) (any, error) {
						if replaying.Load() { // the code changed: it posts first
							if _, err := tc.Thread.Post(ctx, render.Text("Checking first…")); err != nil {
								return nil, err
							}
						}
						c, err := bot.AwaitChoice[bool](ctx, tc.Thread, render.Card{Title: args.What + "?", Actions: approveDeny()})
						return c.Value, err
					},
				})}
			},
			provoke: func(t *testing.T, h *bottest.Harness, replaying *atomic.Bool) string {
				h.Send(bottest.Ana, "deploy")
				p := h.Card(0)
				h.Restart()
				replaying.Store(true)
				h.Click(p.Ref, "Approve", bottest.Ana)
				return "could not resume"
			},
		},
		{
			name:  "interrupted by a crash",
			model: bottest.NewModel(bottest.Step{ToolCalls: []bot.ToolCall{{ID: callID, Name: "work", Arguments: `{}`}}}),
			tools: func(*atomic.Bool) []*bot.Tool {
				return []*bot.Tool{bot.DefineTool(bot.ToolSpec[struct{}]{
					Name: "work", Description: "works until stopped",
					Handler: func(ctx context.Context, _ struct{}, tc *bot.ToolContext) (any, error) {
						close(entered)
						<-ctx.Done()
						return nil, ctx.Err()
					},
				})}
			},
			cfg: bot.Config{LeaseTTL: 50 * time.Millisecond, SweepInterval: 10 * time.Millisecond},
			provoke: func(t *testing.T, h *bottest.Harness, _ *atomic.Bool) string {
				if _, err := h.Adapter.Send(bottest.Ana, "deploy"); err != nil {
					t.Fatal(err)
				}
				<-entered
				h.Crash()
				return "interrupted"
			},
		},
		{
			name:  "handler failing after a resume",
			model: bottest.NewModel(askCall, bottest.Reply("done")),
			tools: func(*atomic.Bool) []*bot.Tool { return []*bot.Tool{approvalTool("ask")} },
			provoke: func(t *testing.T, h *bottest.Harness, _ *atomic.Bool) string {
				h.Send(bottest.Ana, "deploy") // the default handler: RunAgent
				p := h.Card(0)
				h.Restart()
				h.Bot.OnMention(func(ctx context.Context, th *bot.Thread, m bot.Message) error {
					if _, err := th.RunAgent(ctx, bot.RunOptions{}); err != nil {
						return err
					}
					return fmt.Errorf("deploying: %w", errors.New("the deploy API answered 500"))
				})
				h.Click(p.Ref, "Approve", bottest.Ana)
				return "something went wrong"
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var replaying atomic.Bool
			cfg := tc.cfg
			cfg.Model, cfg.Tools, cfg.ReplicaID = tc.model, tc.tools(&replaying), replica
			h := bottest.Start(t, cfg)
			want := tc.provoke(t, h, &replaying)
			waitForText(t, h.Chat, want)
			h.Wait()

			forbidden := []string{callID, replica, "/a1", "/c1", "t:" + bottest.Platform, bottest.DefaultThread.String()}
			for _, p := range h.Chat.Posts() {
				for _, id := range p.IDs {
					forbidden = append(forbidden, id)
					if rec, err := h.Store.Action(context.Background(), id); err == nil && rec.Choice != "" {
						if c, err := h.Store.Choice(context.Background(), rec.Choice); err == nil {
							forbidden = append(forbidden, c.ID, c.Run, c.Lane)
						}
					}
				}
			}
			for _, p := range h.Chat.Posts() {
				for _, v := range p.Versions {
					text := plaintext.Render(v)
					for _, f := range forbidden {
						if f != "" && strings.Contains(text, f) {
							t.Errorf("people read %q, which shows the internal %q", text, f)
						}
					}
					if id := randomID.FindString(text); id != "" {
						t.Errorf("people read %q, which shows the internal id %s", text, id)
					}
				}
			}
		})
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

// A click on a button bound to a handler (WorkAction) stores the
// click's ActionReply in Bot.replies by item id; only lane.click (a click
// on a choice's option) ever takes replies out. Every handler-button
// click on a platform with interaction replies (Slack, Discord) leaks one
// entry for the life of the process — and the handler never gets the
// reply to answer the click with.
func TestHandlerClicksDoNotLeakTheirReplies(t *testing.T) {
	t.Parallel()
	h := bottest.Start(t, bot.Config{Model: bottest.NewModel()})
	var clicks atomic.Int32
	h.Bot.OnAction("go", func(context.Context, *bot.Thread, bot.ActionEvent) error { clicks.Add(1); return nil })
	ref, id := goButton(t, h.Bot, h.Adapter)
	for range 5 {
		if err := h.Adapter.ClickID(ref, id, bottest.Ana); err != nil {
			t.Fatal(err)
		}
	}
	h.Wait()
	if clicks.Load() != 5 {
		t.Fatalf("%d clicks handled, want 5", clicks.Load())
	}
	if n := bot.PendingReplies(h.Bot); n != 0 {
		t.Errorf("%d click replies still held after every click was handled, want 0", n)
	}
}
