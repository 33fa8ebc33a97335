package bot_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
	"github.com/parleybot/parley/render"
)

type verdict struct {
	Approved bool `json:"approved"`
}

type askArgs struct {
	What string `json:"what"`
}

// approvalTool asks, with AwaitChoice, whether to do args.What, and
// returns what it heard.
func approvalTool(name string, opts ...bot.ChoiceOption) *bot.Tool {
	return bot.DefineTool(bot.ToolSpec[askArgs]{
		Name: name, Description: "asks a person",
		Handler: func(ctx context.Context, args askArgs, tc *bot.ToolContext) (any, error) {
			c, err := bot.AwaitChoice[verdict](ctx, tc.Thread, render.Card{
				Title: args.What + "?",
				Actions: render.Actions(
					render.Button("Approve", verdict{true}).Primary(),
					render.Button("Deny", verdict{false}).Danger(),
				),
			}, opts...)
			if err != nil {
				return nil, err
			}
			return map[string]any{"approved": c.Value.Approved, "by": c.User.Name, "timed_out": c.TimedOut}, nil
		},
	})
}

// card waits for the n-th posted message that had interactive elements
// when posted, and returns it.
func card(t *testing.T, a *bottest.Adapter, n int) bottest.Posted {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var found bottest.Posted
	err := a.WaitFor(ctx, func(ps []bottest.Posted) bool {
		seen := 0
		for _, p := range ps {
			if len(p.Versions) > 0 && len(render.Interactives(p.Versions[0])) > 0 {
				if seen == n {
					found = p
					return true
				}
				seen++
			}
		}
		return false
	})
	if err != nil {
		t.Fatalf("no card %d was posted", n)
	}
	return found
}

func notices(a *bottest.Adapter) []string {
	var out []string
	for _, p := range a.Posts() {
		if p.Ephemeral {
			out = append(out, p.To+": "+p.Text())
		}
	}
	return out
}

func toolResult(t *testing.T, m *bottest.Model, req int) string {
	t.Helper()
	reqs := m.Requests()
	if len(reqs) <= req {
		t.Fatalf("the model had %d requests, want > %d", len(reqs), req)
	}
	msgs := reqs[req].Messages
	return msgs[len(msgs)-1].Content
}

func TestAwaitChoiceApproversAndFirstClick(t *testing.T) {
	t.Parallel()
	model := bottest.NewModel(bottest.Call("ask", askArgs{What: "Deploy"}), bottest.Reply("done"))
	h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{approvalTool("ask", bot.Approvers(bottest.Ana.ID))}})
	h.Adapter.Send(bottest.Ana, "deploy please")
	p := card(t, h.Adapter, 0)
	for el, id := range p.IDs {
		if len(id) < 26 || strings.Contains(id, "true") || strings.Contains(id, "approved") {
			t.Errorf("option %v has id %q: not opaque", el, id)
		}
	}
	// Ben is not an approver: told privately, and the wait goes on.
	if err := h.Adapter.Click(p.Ref, "Approve", bottest.Ben); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.Adapter.WaitFor(ctx, func([]bottest.Posted) bool { return len(notices(h.Adapter)) == 1 }); err != nil {
		t.Fatal("Ben got no notice")
	}
	if n := notices(h.Adapter)[0]; !strings.HasPrefix(n, "U_BEN: Only") {
		t.Errorf("notice %q", n)
	}
	if got := len(model.Requests()); got != 1 {
		t.Fatalf("a non-approver's click ended the wait: %d model requests", got)
	}
	// A forged id resolves nothing.
	if err := h.Adapter.ClickID(p.Ref, "forged-id", bottest.Ana); err != nil {
		t.Fatal(err)
	}
	h.Adapter.Click(p.Ref, "Deny", bottest.Ana)
	h.Wait()
	if got := toolResult(t, model, 1); got != `{"approved":false,"by":"ana","timed_out":false}` {
		t.Errorf("tool result %s", got)
	}
	closed := h.Adapter.Posts()[indexOf(h.Adapter.Posts(), p.Ref)]
	if len(render.Interactives(closed.Content)) != 0 || !strings.Contains(closed.Text(), "✅ Deny — chosen by @ana") {
		t.Errorf("closed card:\n%s", closed.Text())
	}
	want := []string{"U_BEN: Only", "U_ANA: This button is no longer valid."}
	got := notices(h.Adapter)
	if len(got) != 2 || !strings.HasPrefix(got[0], want[0]) || got[1] != want[1] {
		t.Errorf("notices %q", got)
	}
	// A late click on the old id changes nothing and is told why.
	var approveID string
	for el, id := range p.IDs {
		if b, ok := el.(*render.ButtonNode); ok && b.Label == "Approve" {
			approveID = id
		}
	}
	h.Adapter.ClickID(p.Ref, approveID, bottest.Ana)
	h.Wait()
	if got := notices(h.Adapter); got[len(got)-1] != "U_ANA: This was already decided by @ana." {
		t.Errorf("late click notice %q", got[len(got)-1])
	}
	if len(model.Requests()) != 2 {
		t.Errorf("a late click reached the model")
	}
}

func indexOf(ps []bottest.Posted, ref bot.MessageRef) int {
	for i, p := range ps {
		if p.Ref == ref {
			return i
		}
	}
	return -1
}

func TestAwaitChoiceConcurrentClicks(t *testing.T) {
	t.Parallel()
	model := bottest.NewModel(bottest.Call("ask", askArgs{What: "Ship"}), bottest.Reply("ok"))
	h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{approvalTool("ask")}})
	var users []bot.User
	for i := range 100 {
		u := bot.User{ID: fmt.Sprintf("U%03d", i), Name: fmt.Sprintf("user%03d", i)}
		h.Adapter.AddUser(u)
		users = append(users, u)
	}
	h.Adapter.Send(bottest.Ana, "ship it")
	p := card(t, h.Adapter, 0)
	ids := map[string]string{}
	for el, id := range p.IDs {
		ids[el.(*render.ButtonNode).Label] = id
	}
	var wg sync.WaitGroup
	for i, u := range users {
		label := "Approve"
		if i%2 == 1 {
			label = "Deny"
		}
		wg.Go(func() { h.Adapter.ClickID(p.Ref, ids[label], u) })
	}
	wg.Wait()
	h.Wait()
	var result struct {
		Approved bool   `json:"approved"`
		By       string `json:"by"`
	}
	if err := json.Unmarshal([]byte(toolResult(t, model, 1)), &result); err != nil {
		t.Fatal(err)
	}
	told := notices(h.Adapter)
	if len(told) != 99 {
		t.Fatalf("%d clickers were told, want 99", len(told))
	}
	for _, n := range told {
		if !strings.HasSuffix(n, "already decided by @"+result.By+".") {
			t.Errorf("notice %q does not name the decider %s", n, result.By)
		}
	}
	if len(model.Requests()) != 2 {
		t.Errorf("%d model requests, want 2: exactly one decision", len(model.Requests()))
	}
}

func TestAwaitChoiceTimeoutAndCancel(t *testing.T) {
	t.Parallel()
	t.Run("timeout", func(t *testing.T) {
		t.Parallel()
		model := bottest.NewModel(bottest.Call("ask", askArgs{What: "Wait"}), bottest.Reply("ok"))
		h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{approvalTool("ask", bot.Timeout(50*time.Millisecond))}})
		h.Send(bottest.Ana, "go") // returns once the run waits
		waitUntil(t, "the answer after the timeout", func() bool { return len(model.Requests()) == 2 })
		h.Wait()
		if got := toolResult(t, model, 1); got != `{"approved":false,"by":"","timed_out":true}` {
			t.Errorf("tool result %s", got)
		}
		p := card(t, h.Adapter, 0)
		closed := h.Adapter.Posts()[indexOf(h.Adapter.Posts(), p.Ref)]
		if !strings.Contains(closed.Text(), "⏱ Expired") || len(render.Interactives(closed.Content)) != 0 {
			t.Errorf("expired card:\n%s", closed.Text())
		}
	})
	t.Run("cancel", func(t *testing.T) {
		t.Parallel()
		h := bottest.Start(t, bot.Config{Model: bottest.NewModel()})
		th, err := h.Bot.Thread(bottest.DefaultThread)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			_, err := th.AwaitChoice(ctx, render.Card{Actions: render.Actions(render.Button("Yes", 1))}, bot.OutcomeLine(func(label string, o bot.Outcome) string { return "ended: " + o.State.String() }))
			done <- err
		}()
		card(t, h.Adapter, 0)
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("AwaitChoice after cancel: %v", err)
		}
		if got := h.Adapter.Posts()[0].Text(); !strings.Contains(got, "ended: cancelled") {
			t.Errorf("cancelled card:\n%s", got)
		}
	})
}

func TestAwaitChoicePendingChoicesResolveIndependently(t *testing.T) {
	t.Parallel()
	model := bottest.NewModel(
		bottest.Step{ToolCalls: []bot.ToolCall{bottest.ToolCall("ask", askArgs{What: "First"}), bottest.ToolCall("ask", askArgs{What: "Second"})}},
		bottest.Reply("both done"),
	)
	h := bottest.Start(t, bot.Config{Model: model, ParallelTools: true, Tools: []*bot.Tool{approvalTool("ask")}})
	h.Adapter.Send(bottest.Ana, "two things")
	first, second := card(t, h.Adapter, 0), card(t, h.Adapter, 1)
	if !strings.Contains(first.Text()+second.Text(), "First?") || !strings.Contains(first.Text()+second.Text(), "Second?") {
		t.Fatalf("cards:\n%s\n%s", first.Text(), second.Text())
	}
	h.Adapter.Click(second.Ref, "Approve", bottest.Ben)
	h.Adapter.Click(first.Ref, "Deny", bottest.Ana)
	h.Wait()
	msgs := model.Requests()[1].Messages
	var results []string
	for _, m := range msgs {
		if m.Role == bot.RoleTool {
			results = append(results, m.Content)
		}
	}
	got := strings.Join(results, " ")
	if !strings.Contains(got, `"approved":true,"by":"ben"`) || !strings.Contains(got, `"approved":false,"by":"ana"`) {
		t.Errorf("tool results %s", got)
	}
}

func TestAwaitChoiceSelectsDecideAndTypesAreChecked(t *testing.T) {
	t.Parallel()
	h := bottest.Start(t, bot.Config{Model: bottest.NewModel()})
	th, _ := h.Bot.Thread(bottest.DefaultThread)
	type result struct {
		c   bot.Choice[int]
		err error
	}
	done := make(chan result, 1)
	go func() {
		c, err := bot.AwaitChoice[int](context.Background(), th, render.Card{Body: []render.Node{
			render.Select("Size", render.Opt("Small", 1), render.Opt("Large", 3)),
		}})
		done <- result{c, err}
	}()
	p := card(t, h.Adapter, 0)
	h.Adapter.Click(p.Ref, "Large", bottest.Ben)
	r := <-done
	if r.err != nil || r.c.Value != 3 || r.c.User != bottest.Ben || r.c.DecidedAt.IsZero() {
		t.Errorf("AwaitChoice = %+v, %v", r.c, r.err)
	}

	// An option whose value does not fit T is an error before anything
	// is posted: a card must never announce an outcome the code rejects.
	posts := len(h.Adapter.Posts())
	for _, tc := range []struct {
		name string
		card render.Card
	}{
		{"string for int", render.Card{Actions: render.Actions(render.Button("One", 1), render.Button("Text", "not a number"))}},
		{"float for int", render.Card{Actions: render.Actions(render.Button("Half", 0.5))}},
		{"select option", render.Card{Body: []render.Node{render.Select("Size", render.Opt("Small", 1), render.Opt("Odd", []int{1}))}}},
	} {
		_, err := bot.AwaitChoice[int](context.Background(), th, tc.card)
		if err == nil || !strings.Contains(err.Error(), "does not fit int") {
			t.Errorf("%s: AwaitChoice = %v, want an error saying the value does not fit int", tc.name, err)
		}
	}
	type verdict struct {
		OK bool `json:"ok"`
	}
	if _, err := bot.AwaitChoice[verdict](context.Background(), th, render.Card{Actions: render.Actions(render.Button("Odd", map[string]any{"ok": true, "extra": 1}))}); err == nil {
		t.Error("a value with a field T lacks was accepted")
	}
	if n := len(h.Adapter.Posts()); n != posts {
		t.Errorf("%d messages posted for choices whose values do not fit", n-posts)
	}

	if _, err := th.AwaitChoice(context.Background(), render.Card{Title: "no options"}); err == nil {
		t.Error("AwaitChoice without options did not fail")
	}
}

func TestAwaitChoiceStopLeavesItPending(t *testing.T) {
	t.Parallel()
	store := bot.NewMemoryStore()
	model := bottest.NewModel(bottest.Call("ask", askArgs{What: "Deploy"}), bottest.Reply("done"))
	a := bottest.NewAdapter()
	b, err := bot.New(bot.Config{Model: model, Adapters: []bot.Adapter{a}, Store: store, Tools: []*bot.Tool{approvalTool("ask")}})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	a.Send(bottest.Ana, "deploy")
	p := card(t, a, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	b.Stop(ctx)
	for _, id := range p.IDs {
		rec, err := store.Action(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		c, err := store.Choice(context.Background(), rec.Choice)
		if err != nil || c.Outcome.State != bot.ChoicePending {
			t.Errorf("after Stop the choice is %v, %v; want pending", c.Outcome.State, err)
		}
	}
}

func TestAwaitChoicePendingInSeveralRunsOfOneThread(t *testing.T) {
	t.Parallel()
	model := bottest.NewModel(
		bottest.Call("ask", askArgs{What: "First"}),
		bottest.Call("ask", askArgs{What: "Second"}),
		bottest.Reply("answer one"),
		bottest.Reply("answer two"),
	)
	h := bottest.Start(t, bot.Config{Model: model, Busy: bot.BusyConcurrent, Tools: []*bot.Tool{approvalTool("ask")}})
	h.Adapter.Send(bottest.Ana, "first")
	first := card(t, h.Adapter, 0)
	h.Adapter.Send(bottest.Ben, "second")
	second := card(t, h.Adapter, 1)
	if first.Ref.Address != second.Ref.Address {
		t.Fatal("the two cards are in different threads")
	}
	h.Adapter.Click(second.Ref, "Approve", bottest.Ben)
	h.Adapter.Click(first.Ref, "Deny", bottest.Ana)
	h.Wait()
	var results []string
	for _, r := range model.Requests()[2:] {
		results = append(results, r.Messages[len(r.Messages)-1].Content)
	}
	got := strings.Join(results, " ")
	if !strings.Contains(got, `"approved":true,"by":"ben"`) || !strings.Contains(got, `"approved":false,"by":"ana"`) {
		t.Errorf("tool results %s", got)
	}
	for _, ref := range []bot.MessageRef{first.Ref, second.Ref} {
		if p := h.Adapter.Posts()[indexOf(h.Adapter.Posts(), ref)]; len(render.Interactives(p.Content)) != 0 {
			t.Errorf("card %s still has options", ref.ID)
		}
	}
}

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
	if err := h.Chat.WaitClosed(ctx, p.Ref); err != nil {
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
