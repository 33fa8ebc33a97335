package bot_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
	"github.com/parleybot/parley/render"
)

// These tests replay runs whose code, or whose circumstances, changed
// between the first run and the replay, and check that a replay either
// answers every step from the run's own journal or stops loudly: it never
// decides something else than what the person saw and clicked.

// recorder keeps strings from several goroutines, in order.
type recorder struct {
	mu sync.Mutex
	xs []string
}

func (r *recorder) add(s string) {
	r.mu.Lock()
	r.xs = append(r.xs, s)
	r.mu.Unlock()
}

func (r *recorder) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.xs...)
}

// choiceOf returns what the Store holds for the option labelled label of
// card p: its action record and its choice.
func choiceOf(t *testing.T, s bot.Store, p bottest.Posted, label string) (bot.ActionRecord, bot.ChoiceRecord) {
	t.Helper()
	ctx := context.Background()
	rec, err := s.Action(ctx, idOf(p, label))
	if err != nil {
		t.Fatalf("the option %q of the card: %v", label, err)
	}
	c, err := s.Choice(ctx, rec.Choice)
	if err != nil {
		t.Fatalf("the choice of the card: %v", err)
	}
	return rec, c
}

// waitForText waits until a public message contains want.
func waitForText(t *testing.T, c *bottest.Chat, want string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := c.WaitFor(ctx, func([]bottest.Posted) bool {
		for _, text := range c.Texts() {
			if strings.Contains(text, want) {
				return true
			}
		}
		return false
	})
	if err != nil {
		t.Fatalf("nothing posted contains %q; posted %q", want, c.Texts())
	}
}

// cardTitled waits for a card whose text begins with title.
func cardTitled(t *testing.T, c *bottest.Chat, title string) bottest.Posted {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var found bottest.Posted
	err := c.WaitFor(ctx, func([]bottest.Posted) bool {
		for _, p := range c.Cards() {
			if strings.HasPrefix(p.Text(), title) {
				found = p
				return true
			}
		}
		return false
	})
	if err != nil {
		t.Fatalf("no card %q was posted", title)
	}
	return found
}

func countText(c *bottest.Chat, text string) int {
	n := 0
	for _, s := range c.Texts() {
		if s == text {
			n++
		}
	}
	return n
}

// writeTool asks "Approve write?" with the options actions returns (first
// is whether it runs in a replay), and records what AwaitChoice returned.
func writeTool(actions func(replay bool) render.ActionsNode, replaying *atomic.Bool, returned *recorder) *bot.Tool {
	return bot.DefineTool(bot.ToolSpec[struct{}]{
		Name: "write", Description: "writes after asking",
		Handler: func(ctx context.Context, _ struct{}, tc *bot.ToolContext) (any, error) {
			c, err := bot.AwaitChoice[bool](ctx, tc.Thread, render.Card{Title: "Approve write?", Actions: actions(replaying.Load())})
			if err != nil {
				return nil, err
			}
			returned.add(strconv.FormatBool(c.Value))
			return c.Value, nil
		},
	})
}

func approveDeny() render.ActionsNode {
	return render.Actions(render.Button("Approve", true), render.Button("Deny", false))
}

// replayedCards are cards a tool may build on replay in place of
// approveDeny's: same title, other options.
var replayedCards = []struct {
	name    string
	actions func() render.ActionsNode
}{
	{"options in another order", func() render.ActionsNode {
		return render.Actions(render.Button("Deny", false), render.Button("Approve", true))
	}},
	{"same labels with values swapped", func() render.ActionsNode {
		return render.Actions(render.Button("Approve", false), render.Button("Deny", true))
	}},
	{"an option added", func() render.ActionsNode {
		return render.Actions(render.Button("Not now", false), render.Button("Approve", true), render.Button("Deny", false))
	}},
}

// A tool that rebuilds its card with other options on replay, after the
// person clicked "Approve" (true) on the original: mapping the click by
// position or label onto the new card would return false. The run must
// stop with a notice naming the step, and the card must say what was
// decided.
func TestReplayedCardWithOtherOptionsDivergesInsteadOfRemapping(t *testing.T) {
	t.Parallel()
	for _, tc := range replayedCards {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var replaying atomic.Bool
			var returned recorder
			tool := writeTool(func(replay bool) render.ActionsNode {
				if replay {
					return tc.actions()
				}
				return approveDeny()
			}, &replaying, &returned)
			model := bottest.NewModel(bottest.Call("write", struct{}{}), bottest.Reply("Written."))
			h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{tool}})
			h.Send(bottest.Ana, "write it")
			p := h.Card(0)
			h.Restart()
			replaying.Store(true)
			h.Click(p.Ref, "Approve", bottest.Ana)

			if got := returned.all(); len(got) != 0 {
				t.Errorf("AwaitChoice returned %q on replay: a click on one card was mapped onto another", got)
			}
			if n := len(model.Requests()); n != 1 {
				t.Errorf("the model was asked %d times, want 1: a diverged run must not go on", n)
			}
			last := h.Chat.LastText()
			for _, want := range []string{"could not resume", "step 1 of a tool call", `choice "Approve write?"`} {
				if !strings.Contains(last, want) {
					t.Errorf("the thread was told %q; want it to contain %q", last, want)
				}
			}
			closed, _ := h.Chat.Lookup(p.Ref)
			if len(render.Interactives(closed.Content)) != 0 || !strings.Contains(closed.Text(), "✅ Approve — chosen by @ana") {
				t.Errorf("the card after the divergence:\n%s", closed.Text())
			}
			if n := len(h.Chat.Cards()); n != 1 {
				t.Errorf("%d cards posted, want the original only", n)
			}
			if _, c := choiceOf(t, h.Store, p, "Approve"); c.Outcome.State != bot.ChoiceDecided || c.Outcome.Option != 0 || string(c.Outcome.Value) != "true" {
				t.Errorf("the Store holds the outcome %+v, want option 0 (Approve) with true", c.Outcome)
			}
		})
	}
}

// choiceHookStore is a Store that can stop the process right after a
// choice is recorded.
type choiceHookStore struct {
	bot.Store
	afterPut func(ctx context.Context, c bot.ChoiceRecord) error
}

func (s *choiceHookStore) PutChoice(ctx context.Context, c bot.ChoiceRecord) error {
	if err := s.Store.PutChoice(ctx, c); err != nil {
		return err
	}
	if s.afterPut != nil {
		return s.afterPut(ctx, c)
	}
	return nil
}

// writeModel calls "write" until it has the tool's result, then answers
// "Written.": the same answers however many times a replay asks. It counts
// the requests in n.
func writeModel(n *atomic.Int32) bot.Model {
	return modelFunc(func(ctx context.Context, req *bot.ModelRequest, onText func(string)) (*bot.ModelResponse, error) {
		n.Add(1)
		if n := len(req.Messages); n > 0 && req.Messages[n-1].Role == bot.RoleTool {
			return &bot.ModelResponse{Text: "Written.", FinishReason: "stop"}, nil
		}
		return &bot.ModelResponse{ToolCalls: []bot.ToolCall{{ID: "call_write", Name: "write", Arguments: "{}"}}, FinishReason: "tool_calls"}, nil
	})
}

// A crash between recording a choice in the Store and journaling it
// leaves a choice the replay finds again by its id. Rebuilt with the same
// options it is the same choice (its card posted once, the click on it
// decides); rebuilt with other options it is a divergence, never a card
// whose ids mean other values.
func TestChoiceInStoreButNotInJournalRebuiltDifferentlyDiverges(t *testing.T) {
	t.Parallel()
	for _, window := range []string{"crash after the choice is stored", "crash after the card is posted"} {
		for _, changed := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/changed=%v", window, changed), func(t *testing.T) {
				t.Parallel()
				mem := bot.NewMemoryStore()
				store := &choiceHookStore{Store: mem}
				var (
					stored    = make(chan bot.ChoiceRecord, 1)
					once      sync.Once
					replaying atomic.Bool
					returned  recorder
					asked     atomic.Int32
				)
				if window == "crash after the choice is stored" {
					store.afterPut = func(ctx context.Context, c bot.ChoiceRecord) error {
						first := false
						once.Do(func() { first = true })
						if first {
							stored <- c
							<-ctx.Done() // the process dies here
						}
						return nil
					}
				}
				tool := writeTool(func(replay bool) render.ActionsNode {
					if replay && changed {
						return replayedCards[0].actions()
					}
					return approveDeny()
				}, &replaying, &returned)
				h := bottest.Start(t, bot.Config{
					Model: writeModel(&asked), Tools: []*bot.Tool{tool}, Store: store, Notifier: mem,
					LeaseTTL: 50 * time.Millisecond, SweepInterval: 10 * time.Millisecond, PollInterval: 20 * time.Millisecond,
				})
				if _, err := h.Adapter.Send(bottest.Ana, "write it"); err != nil {
					t.Fatal(err)
				}
				var c bot.ChoiceRecord
				var p bottest.Posted
				if window == "crash after the choice is stored" {
					select {
					case c = <-stored:
					case <-time.After(5 * time.Second):
						t.Fatal("the choice was never stored")
					}
				} else {
					p = h.Card(0)
					_, c = choiceOf(t, mem, p, "Approve")
					// The Store knows where the card is; only the journal
					// lacks it.
					waitUntil(t, "the Store to record the card", func() bool {
						c, _ = mem.Choice(context.Background(), c.ID)
						return c.Message == p.Ref
					})
				}
				es, err := mem.Journal(context.Background(), c.Run)
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range es {
					if e.Kind == bot.StepChoice {
						t.Fatalf("the journal holds the choice before the crash; this test needs the window where only the Store does")
					}
				}
				// The replay asks the model only for what its journal lacks:
				// the journal is written before the choice is stored, so
				// only the answer after the decision, unless the run
				// diverged.
				var want int32
				if !changed {
					want++
				}
				replaying.Store(true)
				asked.Store(0)
				h.Crash()

				switch {
				case window == "crash after the choice is stored" && !changed:
					p = h.Card(0) // the replay posts the card the crash cut
					if rec, _ := choiceOf(t, mem, p, "Approve"); rec.Choice != c.ID {
						t.Errorf("the card's option belongs to choice %q, want the stored %q", rec.Choice, c.ID)
					}
					if err := h.Adapter.Click(p.Ref, "Approve", bottest.Ana); err != nil {
						t.Fatal(err)
					}
				case window == "crash after the card is posted":
					if err := h.Adapter.Click(p.Ref, "Approve", bottest.Ana); err != nil {
						t.Fatal(err)
					}
				}
				if changed {
					waitForText(t, h.Chat, "could not resume")
				} else {
					waitForText(t, h.Chat, "Written.")
				}
				h.Wait()

				got, err := mem.Choice(context.Background(), c.ID)
				if err != nil {
					t.Fatal(err)
				}
				if n := asked.Load(); n != want {
					t.Errorf("after the crash the model was asked %d times, want %d: the run was not resumed from its journal", n, want)
				}
				if !changed {
					if r := returned.all(); len(r) != 1 || r[0] != "true" {
						t.Errorf("AwaitChoice returned %q, want true once", r)
					}
					if n := len(h.Chat.Cards()); n != 1 {
						t.Errorf("%d cards posted for one choice", n)
					}
					return
				}
				if r := returned.all(); len(r) != 0 {
					t.Errorf("AwaitChoice returned %q from a card rebuilt with other options", r)
				}
				if last := h.Chat.LastText(); !strings.Contains(last, "step 1 of a tool call") || !strings.Contains(last, "Approve write?") {
					t.Errorf("the notice %q does not name the step", last)
				}
				if window == "crash after the choice is stored" {
					if n := len(h.Chat.Cards()); n != 0 {
						t.Errorf("%d cards posted: the rebuilt card went out with the stored choice's ids", n)
					}
					if got.Outcome.State != bot.ChoiceCancelled {
						t.Errorf("the choice is %v, want cancelled: nothing will ever read it", got.Outcome.State)
					}
					return
				}
				if n := len(h.Chat.Cards()); n != 1 {
					t.Errorf("%d cards posted, want the original only", n)
				}
				closed, _ := h.Chat.Lookup(p.Ref)
				if len(render.Interactives(closed.Content)) != 0 || !strings.Contains(closed.Text(), "✅ Approve — chosen by @ana") {
					t.Errorf("the card after the divergence:\n%s", closed.Text())
				}
				if got.Outcome.State != bot.ChoiceDecided || got.Outcome.Option != 0 || string(got.Outcome.Value) != "true" {
					t.Errorf("the Store holds the outcome %+v, want option 0 (Approve) with true", got.Outcome)
				}
			})
		}
	}
}

type region struct {
	Code string `json:"code"`
	Zone int    `json:"zone"`
}

// The value a decision hands back is the one the Store recorded for the
// clicked id — the option's ActionRecord.Value, kept as the Outcome's
// Value — byte for byte, live and after a restart.
func TestDecisionValueIsWhatTheStoreRecordedForTheClickedID(t *testing.T) {
	t.Parallel()
	for _, restart := range []bool{false, true} {
		t.Run(fmt.Sprintf("restart=%v", restart), func(t *testing.T) {
			t.Parallel()
			pick := bot.DefineTool(bot.ToolSpec[struct{}]{
				Name: "pick", Description: "asks where",
				Handler: func(ctx context.Context, _ struct{}, tc *bot.ToolContext) (any, error) {
					c, err := tc.Thread.AwaitChoice(ctx, render.Card{Title: "Where?", Body: []render.Node{render.Select("Region",
						render.Opt("Lisbon", region{"eu-south", 1}),
						render.Opt("Dublin", region{"eu-west", 2}),
						render.Opt("Tokyo", region{"ap-northeast", 3}),
						render.Opt("Ohio", region{"us-east", 4}),
					)}})
					if err != nil {
						return nil, err
					}
					return string(c.Value), nil
				},
			})
			model := bottest.NewModel(bottest.Call("pick", struct{}{}), bottest.Reply("Done."))
			h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{pick}})
			h.Send(bottest.Ana, "where?")
			p := h.Card(0)
			if restart {
				h.Restart()
			}
			h.Click(p.Ref, "Tokyo", bottest.Ben)

			rec, c := choiceOf(t, h.Store, p, "Tokyo")
			if rec.Option != 2 || rec.Label != "Tokyo" || rec.Address != p.Ref.Address {
				t.Errorf("the clicked id's record %+v, want option 2, Tokyo, at the card's address", rec)
			}
			var v region
			if err := json.Unmarshal(rec.Value, &v); err != nil || v != (region{"ap-northeast", 3}) {
				t.Errorf("the Store recorded %s for Tokyo (%v)", rec.Value, err)
			}
			if o := c.Outcome; o.State != bot.ChoiceDecided || o.Option != rec.Option || string(o.Value) != string(rec.Value) || o.User.ID != bottest.Ben.ID {
				t.Errorf("outcome %+v; want option %d with the value %s recorded for the clicked id, by ben", o, rec.Option, rec.Value)
			}
			if got := toolResult(t, model, 1); got != string(rec.Value) {
				t.Errorf("AwaitChoice returned %s, want exactly the recorded %s", got, rec.Value)
			}
		})
	}
}

// accentCard is a status card with the accent first, or replay on the
// replay: a colour is data a card's JSON does not show.
func accentCard(replay bool, first, second render.Color) render.Card {
	accent := first
	if replay {
		accent = second
	}
	return render.Card{Title: "Status", Accent: accent, Body: []render.Node{render.Text("all green")}}
}

// deployPrefix is 60 characters: what a journal key made of a text's
// first 60 characters would keep of the texts below.
const deployPrefix = "Deploying build 2024.11.3 of the payments service to product"

// A replay that asks for a Thread operation differing from the recorded
// one only past its 60th character, or deep inside a card, diverges: it
// is not answered with the recorded result.
func TestReplayComparesTheWholeThreadOperation(t *testing.T) {
	t.Parallel()
	if len(deployPrefix) != 60 {
		t.Fatalf("deployPrefix has %d characters, want 60", len(deployPrefix))
	}
	releaseCard := func(region string) render.Card {
		return render.Card{Title: "Release", Body: []render.Node{
			render.Section("Payments service, build 2024.11.3, approved by the release team", nil),
			render.Fields(render.Field{Label: "Service", Value: "payments"}, render.Field{Label: "Region", Value: region}),
		}}
	}
	for _, tc := range []struct {
		name string
		// op does a Thread operation; its replay (second) differs only by
		// marker (text that must then never reach the platform), or in
		// what no text shows when marker is empty, or not at all in a
		// control.
		op      func(ctx context.Context, th *bot.Thread, second bool) error
		marker  string
		control bool
	}{
		{"post of an 80-character text", func(ctx context.Context, th *bot.Thread, second bool) error {
			tail := "ion, cluster eu-west-1"
			if second {
				tail = "ion, cluster us-east-1"
			}
			_, err := th.Post(ctx, render.Text(deployPrefix+tail))
			return err
		}, "us-east-1", false},
		{"update to an 80-character text", func(ctx context.Context, th *bot.Thread, second bool) error {
			ref, err := th.Post(ctx, render.Text("Deploying…"))
			if err != nil {
				return err
			}
			tail := "ion: done in 4 minutes"
			if second {
				tail = "ion: done in 9 minutes"
			}
			return th.Update(ctx, ref, render.Text(deployPrefix+tail))
		}, "9 minutes", false},
		{"card differing only in a button value", func(ctx context.Context, th *bot.Thread, second bool) error {
			target := "web-1"
			if second {
				target = "web-2"
			}
			_, err := th.Post(ctx, render.Card{Title: "Deploy", Actions: render.Actions(render.Button("Roll back", target).OnAction("rollback"))})
			return err
		}, "web-2", false},
		{"card differing only in a field deep inside", func(ctx context.Context, th *bot.Thread, second bool) error {
			region := "eu-west-1"
			if second {
				region = "eu-west-2"
			}
			_, err := th.Post(ctx, releaseCard(region))
			return err
		}, "eu-west-2", false},
		{"card differing only in its accent", func(ctx context.Context, th *bot.Thread, second bool) error {
			_, err := th.Post(ctx, accentCard(second, render.Green, render.Red))
			return err
		}, "", false},
		{"card given an accent", func(ctx context.Context, th *bot.Thread, second bool) error {
			_, err := th.Post(ctx, accentCard(second, render.Color{}, render.Red))
			return err
		}, "", false},
		{"the same accent (control)", func(ctx context.Context, th *bot.Thread, second bool) error {
			_, err := th.Post(ctx, accentCard(second, render.Green, render.Green))
			return err
		}, "", true},
		{"the same operation (control)", func(ctx context.Context, th *bot.Thread, second bool) error {
			_, err := th.Post(ctx, render.Text(deployPrefix+"ion, cluster eu-west-1"))
			return err
		}, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var runs atomic.Int32
			work := bot.DefineTool(bot.ToolSpec[struct{}]{
				Name: "work", Description: "works, then asks",
				Handler: func(ctx context.Context, _ struct{}, tcx *bot.ToolContext) (any, error) {
					if err := tc.op(ctx, tcx.Thread, runs.Add(1) > 1); err != nil {
						return nil, err
					}
					c, err := bot.AwaitChoice[bool](ctx, tcx.Thread, render.Card{Title: "Go on?", Actions: approveDeny()})
					if err != nil {
						return nil, err
					}
					return c.Value, nil
				},
			})
			model := bottest.NewModel(bottest.Call("work", struct{}{}), bottest.Reply("Done."))
			h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{work}})
			h.Send(bottest.Ana, "deploy")
			p := cardTitled(t, h.Chat, "Go on?")
			h.Restart()
			h.Click(p.Ref, "Approve", bottest.Ana)

			if runs.Load() != 2 {
				t.Fatalf("the tool ran %d times, want 2: live, then replayed", runs.Load())
			}
			last := h.Chat.LastText()
			if tc.control {
				if last != "Done." {
					t.Errorf("the same operation replayed as a divergence: last text %q", last)
				}
				return
			}
			if !strings.Contains(last, "could not resume") {
				t.Errorf("last text %q, want a divergence notice", last)
			}
			if n := len(model.Requests()); n != 1 {
				t.Errorf("the model was asked %d times after the divergence", n-1)
			}
			for _, posted := range h.Chat.Posts() {
				for _, v := range posted.Versions {
					data, _ := json.Marshal(v)
					if tc.marker != "" && strings.Contains(string(data), tc.marker) {
						t.Errorf("the replay's operation reached the platform: %s", data)
					}
				}
			}
		})
	}
}

var (
	errQuotaExceeded = errors.New("billing: quota exceeded")
	errCardDeclined  = errors.New("billing: card declined") // not registered
)

func init() {
	bot.RegisterError("parley.bot_test.errQuotaExceeded", errQuotaExceeded)
}

// A Thread operation that failed live fails the same way on replay: a
// handler that branches on errors.Is (or errors.As) takes the same branch,
// so the replay does not diverge. Only the errors the journal knows keep
// their identity: bot's and the standard library's sentinels, and those
// registered with bot.RegisterError. An unregistered sentinel comes back
// with its text only, so the handler takes the other branch, and the
// replay stops as a divergence — the reason to register it.
func TestErrorsKeepTheirIdentityThroughTheJournal(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		err   error
		match func(error) bool
		kept  bool
	}{
		{"ErrUnsupported", fmt.Errorf("tables in cards: %w", bot.ErrUnsupported),
			func(err error) bool { return errors.Is(err, bot.ErrUnsupported) }, true},
		{"UnsupportedError", &bot.UnsupportedError{Platform: bottest.Platform, Capability: bot.CapFiles},
			func(err error) bool {
				var ue *bot.UnsupportedError
				return errors.As(err, &ue) && ue.Platform == bottest.Platform && ue.Capability == bot.CapFiles && errors.Is(err, bot.ErrUnsupported)
			}, true},
		{"registered sentinel", fmt.Errorf("posting the invoice: %w", errQuotaExceeded),
			func(err error) bool { return errors.Is(err, errQuotaExceeded) }, true},
		{"ErrNotFound", fmt.Errorf("the channel was archived: %w", bot.ErrNotFound),
			func(err error) bool { return errors.Is(err, bot.ErrNotFound) }, true},
		{"unregistered sentinel", fmt.Errorf("posting the invoice: %w", errCardDeclined),
			func(err error) bool { return errors.Is(err, errCardDeclined) }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var branches recorder
			try := bot.DefineTool(bot.ToolSpec[struct{}]{
				Name: "try", Description: "posts, with a fallback",
				Handler: func(ctx context.Context, _ struct{}, tcx *bot.ToolContext) (any, error) {
					_, err := tcx.Thread.Post(ctx, render.Text("Posting the invoice…"))
					branch := "other"
					if err != nil && tc.match(err) {
						branch = "matched"
					}
					text := "<nil>"
					if err != nil {
						text = err.Error()
					}
					branches.add(branch + ": " + text)
					if _, err := tcx.Thread.Post(ctx, render.Text("Took the "+branch+" branch.")); err != nil {
						return nil, err
					}
					c, err := bot.AwaitChoice[bool](ctx, tcx.Thread, render.Card{Title: "Retry later?", Actions: approveDeny()})
					if err != nil {
						return nil, err
					}
					return c.Value, nil
				},
			})
			model := bottest.NewModel(bottest.Call("try", struct{}{}), bottest.Reply("Done."))
			h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{try}})
			h.Chat.FailNext(1, tc.err) // the tool's first post fails
			h.Send(bottest.Ana, "invoice")
			p := h.Card(0)
			h.Restart()
			h.Click(p.Ref, "Approve", bottest.Ana)

			got := branches.all()
			if len(got) != 2 || got[0] != "matched: "+tc.err.Error() {
				t.Fatalf("branches %q; want the live run to match %v", got, tc.err)
			}
			if !tc.kept {
				// Documented behaviour: the identity of an error no one
				// registered is lost, and the replay diverges.
				if got[1] != "other: "+tc.err.Error() {
					t.Errorf("replayed branch %q, want the other branch with the same text", got[1])
				}
				if last := h.Chat.LastText(); !strings.Contains(last, "could not resume") {
					t.Errorf("last text %q, want a divergence notice", last)
				}
				return
			}
			if got[1] != got[0] {
				t.Errorf("the replay took %q, the live run %q", got[1], got[0])
			}
			if last := h.Chat.LastText(); last != "Done." {
				t.Errorf("last text %q, want the run to finish", last)
			}
			if n := countText(h.Chat, "Took the matched branch."); n != 1 {
				t.Errorf("the branch's post went out %d times", n)
			}
		})
	}
}

type workArgs struct {
	Name string `json:"name"`
	Ask  bool   `json:"ask"`
}

// Parallel tool calls of one step journal side by side; a replay answers
// each call's Thread operations from its own part of the journal — its
// own posts' refs, its own lookups — and posts nothing twice.
func TestParallelCallsReplayFromTheirOwnJournal(t *testing.T) {
	t.Parallel()
	var runs sync.Map // name → *atomic.Int32
	count := func(name string) *atomic.Int32 {
		n, _ := runs.LoadOrStore(name, new(atomic.Int32))
		return n.(*atomic.Int32)
	}
	work := bot.DefineTool(bot.ToolSpec[workArgs]{
		Name: "work", Description: "posts, looks up, maybe asks",
		Handler: func(ctx context.Context, args workArgs, tc *bot.ToolContext) (any, error) {
			count(args.Name).Add(1)
			first, err := tc.Thread.Post(ctx, render.Text(args.Name+": started"))
			if err != nil {
				return nil, err
			}
			u, err := tc.Thread.LookupUser(ctx, map[string]string{"A": bottest.Ana.ID, "B": bottest.Ben.ID, "C": "U_CY"}[args.Name])
			if err != nil {
				return nil, err
			}
			second, err := tc.Thread.Post(ctx, render.Text(args.Name+": for "+u.Name))
			if err != nil {
				return nil, err
			}
			answer := "none"
			if args.Ask {
				c, err := bot.AwaitChoice[bool](ctx, tc.Thread, render.Card{Title: args.Name + "?", Actions: approveDeny()})
				if err != nil {
					return nil, err
				}
				answer = strconv.FormatBool(c.Value)
			}
			return strings.Join([]string{args.Name, first.ID, second.ID, answer}, " "), nil
		},
	})
	calls := []bot.ToolCall{
		{ID: "call_a", Name: "work", Arguments: `{"name":"A","ask":true}`},
		{ID: "call_b", Name: "work", Arguments: `{"name":"B","ask":true}`},
		{ID: "call_c", Name: "work", Arguments: `{"name":"C","ask":false}`},
	}
	model := bottest.NewModel(bottest.Step{ToolCalls: calls}, bottest.Reply("All done."))
	h := bottest.Start(t, bot.Config{Model: model, ParallelTools: true, Tools: []*bot.Tool{work}})
	h.Chat.AddUser(bot.User{ID: "U_CY", Name: "cy"})
	h.Adapter.Send(bottest.Ana, "do three things")
	cards := map[string]bottest.Posted{"A": cardTitled(t, h.Chat, "A?"), "B": cardTitled(t, h.Chat, "B?")}
	h.Wait()
	h.Restart()
	h.Click(cards["A"].Ref, "Approve", bottest.Ana) // resumes by replay; B waits on
	h.Click(cards["B"].Ref, "Deny", bottest.Ben)

	if h.Chat.LastText() != "All done." {
		t.Fatalf("last text %q", h.Chat.LastText())
	}
	for _, text := range []string{"A: started", "A: for ana", "B: started", "B: for ben", "C: started", "C: for cy"} {
		if n := countText(h.Chat, text); n != 1 {
			t.Errorf("%q was posted %d times, want once", text, n)
		}
	}
	if n := len(h.Chat.Cards()); n != 2 {
		t.Errorf("%d cards posted, want 2", n)
	}
	if n := count("C").Load(); n != 1 {
		t.Errorf("the call that finished before the restart ran %d times", n)
	}
	if n := count("A").Load(); n < 2 {
		t.Errorf("call A ran %d times: the run was not replayed", n)
	}
	results := toolMessages(model.Requests()[1])
	want := map[string]string{"A": "true", "B": "false", "C": "none"}
	if len(results) != 3 {
		t.Fatalf("tool results %q", results)
	}
	for _, r := range results {
		f := strings.Fields(r)
		if len(f) != 4 {
			t.Errorf("tool result %q", r)
			continue
		}
		name := f[0]
		for i, suffix := range []string{": started", ": for "} {
			p, ok := h.Chat.Lookup(bot.MessageRef{Address: bottest.DefaultThread, ID: f[1+i]})
			if !ok || !strings.HasPrefix(p.Text(), name+suffix) {
				t.Errorf("call %s got the ref %s of %q: another call's journal answered it", name, f[1+i], p.Text())
			}
		}
		if f[3] != want[name] {
			t.Errorf("call %s got the decision %s, want %s", name, f[3], want[name])
		}
	}
}

// A run resumed by replay holds its thread like any run: a message sent
// to the thread while the resumed run works after its choice waits until
// the run ends, then is handled with the run's answer in its history.
func TestResumedRunHoldsItsThread(t *testing.T) {
	t.Parallel()
	entered, release := make(chan struct{}), make(chan struct{})
	slow := bot.DefineTool(bot.ToolSpec[struct{}]{
		Name: "slow", Description: "works a while",
		Handler: func(ctx context.Context, _ struct{}, tc *bot.ToolContext) (any, error) {
			close(entered)
			select {
			case <-release:
				return "slow work done", nil
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		},
	})
	model := bottest.NewModel(
		bottest.Call("ask", askArgs{What: "Deploy"}),
		bottest.Call("slow", struct{}{}),
		bottest.Reply("Deployed."),
		bottest.Reply("Here is the status."),
	)
	h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{approvalTool("ask"), slow}})
	h.Send(bottest.Ana, "deploy")
	p := h.Card(0)
	h.Restart() // the run parks; the click resumes it by replay
	if err := h.Adapter.Click(p.Ref, "Approve", bottest.Ana); err != nil {
		t.Fatal(err)
	}
	select {
	case <-entered:
	case <-time.After(5 * time.Second):
		t.Fatal("the resumed run never reached the slow tool")
	}
	if _, err := h.Adapter.Send(bottest.Ben, "status?"); err != nil {
		t.Fatal(err)
	}
	// A run for the new message beside the resumed one would ask the
	// model now; give it the time to.
	time.Sleep(100 * time.Millisecond)
	if n := len(model.Requests()); n != 2 {
		t.Errorf("the model was asked %d times while the resumed run worked, want 2: the new message ran beside it", n)
	}
	close(release)
	h.Wait()

	reqs := model.Requests()
	if len(reqs) != 4 {
		t.Fatalf("%d model requests, want 4", len(reqs))
	}
	if m := reqs[2].Messages[len(reqs[2].Messages)-1]; m.Role != bot.RoleTool || m.Content != "slow work done" {
		t.Errorf("request 3 ends with %+v, want the slow tool's result: the resumed run's", m)
	}
	if got := userTexts(reqs[3]); !strings.Contains(got, "a:Deployed.") || !strings.HasSuffix(got, "u:status?") {
		t.Errorf("the new message's run saw %q; want the resumed run's answer before it", got)
	}
	if got := strings.Join(h.Chat.Texts()[1:], "|"); got != "Deployed.|Here is the status." {
		t.Errorf("posted %q after the card", got)
	}
}

// A custom handler that posts, then runs the agent whose tool waits for a
// person, is replayed whole when the person decides: its post is answered
// from the journal (the same ref, nothing posted twice), then it goes on
// live.
func TestReplayResumesTheWholeHandler(t *testing.T) {
	t.Parallel()
	model := bottest.NewModel(bottest.Call("ask", askArgs{What: "Deploy"}), bottest.Reply("Deployed."))
	h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{approvalTool("ask")}})
	var refs recorder
	handler := func(ctx context.Context, th *bot.Thread, m bot.Message) error {
		ref, err := th.Post(ctx, render.Text("On it, "+m.User.Name+"."))
		if err != nil {
			return err
		}
		refs.add(ref.ID)
		res, err := th.RunAgent(ctx, bot.RunOptions{})
		if err != nil {
			return err
		}
		_, err = th.Post(ctx, render.Text("Finished: "+res.Text))
		return err
	}
	h.Bot.OnMention(handler)
	h.Send(bottest.Ana, "deploy")
	p := h.Card(0)
	h.Restart()
	h.Bot.OnMention(handler)
	h.Click(p.Ref, "Approve", bottest.Ana)

	if got := refs.all(); len(got) != 2 || got[0] != got[1] {
		t.Errorf("the handler's post returned %q live then on replay; want the same ref twice", got)
	}
	if n := countText(h.Chat, "On it, ana."); n != 1 {
		t.Errorf("the handler's post went out %d times", n)
	}
	if n := countText(h.Chat, "Finished: Deployed."); n != 1 {
		t.Errorf("the handler's last post went out %d times; posted %q", n, h.Chat.Texts())
	}
	if n := len(model.Requests()); n != 2 {
		t.Errorf("%d model requests, want 2", n)
	}
	if got := toolResult(t, model, 1); got != `{"approved":true,"by":"ana","timed_out":false}` {
		t.Errorf("tool result %s", got)
	}
}
