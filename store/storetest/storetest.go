package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
)

// Exercise runs the suite against the stores open returns: a fresh, empty
// store for each subtest.
func Exercise(t *testing.T, open func(t *testing.T) bot.Store) {
	t.Helper()
	t.Run("Actions", func(t *testing.T) { actions(t, open(t)) })
	t.Run("Choices", func(t *testing.T) { choices(t, open(t)) })
	t.Run("FirstResolveWins", func(t *testing.T) { firstResolveWins(t, open(t)) })
	t.Run("Expiring", func(t *testing.T) { expiring(t, open(t)) })
	t.Run("Journal", func(t *testing.T) { journal(t, open(t)) })
	t.Run("JournalConcurrentAppend", func(t *testing.T) { journalConcurrentAppend(t, open(t)) })
}

var addr = bot.Address{Platform: "test", Channel: "C1", Thread: "T1"}

// now is a time every store can keep exactly: UTC, whole milliseconds.
var now = time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)

func actions(t *testing.T, s bot.Store) {
	ctx := context.Background()
	want := []bot.ActionRecord{
		{ID: "id-1", Address: addr, Handler: "deploy", Label: "Deploy", Value: json.RawMessage(`{"env":"prod"}`)},
		{ID: "id-2", Address: addr, Choice: "ch-1", Option: 1, Label: "No", Value: json.RawMessage(`false`)},
	}
	if err := s.PutActions(ctx, want); err != nil {
		t.Fatalf("PutActions: %v", err)
	}
	for _, w := range want {
		got, err := s.Action(ctx, w.ID)
		if err != nil {
			t.Fatalf("Action(%q): %v", w.ID, err)
		}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("Action(%q) = %+v, want %+v", w.ID, got, w)
		}
	}
	if _, err := s.Action(ctx, "unknown"); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("Action(unknown) error %v, want ErrNotFound", err)
	}
	if err := s.PutActions(ctx, nil); err != nil {
		t.Errorf("PutActions(nil): %v", err)
	}
	got, _ := s.Action(ctx, "id-1")
	got.Value[0] = 'X'
	if again, _ := s.Action(ctx, "id-1"); string(again.Value) != `{"env":"prod"}` {
		t.Errorf("a caller's change to a returned value reached the store: %s", again.Value)
	}
}

func choice(id string, deadline time.Time) bot.ChoiceRecord {
	return bot.ChoiceRecord{
		ID: id, Run: "run-1", Address: addr,
		Approvers: []string{"U_ANA"}, Labels: []string{"Yes", "No"},
		Deadline: deadline, Created: now,
	}
}

func choices(t *testing.T, s bot.Store) {
	ctx := context.Background()
	c := choice("ch-1", now.Add(time.Hour))
	if err := s.PutChoice(ctx, c); err != nil {
		t.Fatalf("PutChoice: %v", err)
	}
	got, err := s.Choice(ctx, "ch-1")
	if err != nil || !sameChoice(got, c) {
		t.Fatalf("Choice = %+v, %v; want %+v", got, err, c)
	}
	if err := s.PutChoice(ctx, c); err == nil {
		t.Error("PutChoice accepted a choice id twice")
	}
	if _, err := s.Choice(ctx, "unknown"); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("Choice(unknown) error %v, want ErrNotFound", err)
	}
	if _, _, err := s.Resolve(ctx, "unknown", bot.Outcome{State: bot.ChoiceDecided}); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("Resolve(unknown) error %v, want ErrNotFound", err)
	}
	if _, won, err := s.Resolve(ctx, "ch-1", bot.Outcome{State: bot.ChoicePending}); err != nil || won {
		t.Errorf("Resolve to pending = %v, %v; want no win", won, err)
	}

	o := bot.Outcome{State: bot.ChoiceDecided, Option: 1, User: bot.User{ID: "U_ANA", Name: "ana"}, At: now.Add(time.Minute)}
	got, won, err := s.Resolve(ctx, "ch-1", o)
	if err != nil || !won || !sameOutcome(got.Outcome, o) {
		t.Fatalf("Resolve = %+v, %v, %v; want a win with %+v", got.Outcome, won, err, o)
	}
	late := bot.Outcome{State: bot.ChoiceExpired, At: now.Add(2 * time.Hour)}
	got, won, err = s.Resolve(ctx, "ch-1", late)
	if err != nil || won || !sameOutcome(got.Outcome, o) {
		t.Errorf("a second Resolve = %+v, %v, %v; want no win and the first outcome", got.Outcome, won, err)
	}
	if got, _ := s.Choice(ctx, "ch-1"); !sameOutcome(got.Outcome, o) {
		t.Errorf("stored outcome %+v, want %+v", got.Outcome, o)
	}
}

func firstResolveWins(t *testing.T, s bot.Store) {
	ctx := context.Background()
	if err := s.PutChoice(ctx, choice("ch-race", time.Time{})); err != nil {
		t.Fatal(err)
	}
	const n = 100
	var wg sync.WaitGroup
	results := make([]bot.ChoiceRecord, n)
	wins := make([]bool, n)
	for i := range n {
		wg.Go(func() {
			o := bot.Outcome{State: bot.ChoiceDecided, Option: i % 2, User: bot.User{ID: fmt.Sprintf("U%d", i)}, At: now}
			c, won, err := s.Resolve(ctx, "ch-race", o)
			if err != nil {
				t.Errorf("Resolve %d: %v", i, err)
			}
			results[i], wins[i] = c, won
		})
	}
	wg.Wait()
	winner := -1
	for i, w := range wins {
		if w {
			if winner >= 0 {
				t.Fatalf("clicks %d and %d both won", winner, i)
			}
			winner = i
		}
	}
	if winner < 0 {
		t.Fatal("no click won")
	}
	for i, c := range results {
		if c.Outcome.User.ID != fmt.Sprintf("U%d", winner) {
			t.Errorf("click %d sees %q as the decider, want U%d", i, c.Outcome.User.ID, winner)
		}
	}
}

func expiring(t *testing.T, s bot.Store) {
	ctx := context.Background()
	for _, c := range []bot.ChoiceRecord{
		choice("late", now.Add(2*time.Hour)),
		choice("soon", now.Add(time.Minute)),
		choice("sooner", now.Add(time.Second)),
		choice("never", time.Time{}),
		choice("decided", now.Add(time.Second)),
	} {
		if err := s.PutChoice(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if _, won, err := s.Resolve(ctx, "decided", bot.Outcome{State: bot.ChoiceDecided, At: now}); err != nil || !won {
		t.Fatal(won, err)
	}
	got, err := s.Expiring(ctx, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range got {
		ids = append(ids, c.ID)
	}
	if want := []string{"sooner", "soon"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("Expiring = %q, want %q (pending, with a deadline, soonest first)", ids, want)
	}
	if got, _ := s.Expiring(ctx, now.Add(time.Minute)); len(got) != 2 {
		t.Errorf("a deadline equal to t did not count as expiring: %d choices", len(got))
	}
}

func journal(t *testing.T, s bot.Store) {
	ctx := context.Background()
	if j, err := s.Journal(ctx, "run-1"); err != nil || len(j) != 0 {
		t.Fatalf("journal of an unknown run = %v, %v; want empty", j, err)
	}
	want := []bot.JournalEntry{
		{Seq: 0, Kind: "model", Key: "step 0", Data: json.RawMessage(`{"text":"hi"}`)},
		{Seq: 1, Kind: "tool", Key: "weather", Data: json.RawMessage(`"sunny"`)},
		{Seq: 2, Kind: "decision", Key: "ch-1", Data: json.RawMessage(`{"option":0}`)},
	}
	for _, e := range want {
		if err := s.Append(ctx, "run-1", e); err != nil {
			t.Fatalf("Append(%d): %v", e.Seq, err)
		}
	}
	for _, seq := range []int{0, 2, 4} {
		if err := s.Append(ctx, "run-1", bot.JournalEntry{Seq: seq, Kind: "x"}); !errors.Is(err, bot.ErrConflict) {
			t.Errorf("Append at %d of a 3-entry journal: %v, want ErrConflict", seq, err)
		}
	}
	if err := s.Append(ctx, "run-2", bot.JournalEntry{Seq: 0, Kind: "model"}); err != nil {
		t.Errorf("a second run's journal: %v", err)
	}
	got, err := s.Journal(ctx, "run-1")
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Journal = %+v, %v; want %+v", got, err, want)
	}
}

func journalConcurrentAppend(t *testing.T, s bot.Store) {
	ctx := context.Background()
	const n = 50
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			errs[i] = s.Append(ctx, "run-race", bot.JournalEntry{Seq: 0, Kind: "model", Key: fmt.Sprint(i)})
		})
	}
	wg.Wait()
	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, bot.ErrConflict):
			t.Errorf("append %d: %v, want nil or ErrConflict", i, err)
		}
	}
	if ok != 1 {
		t.Errorf("%d appends at position 0 succeeded, want exactly 1", ok)
	}
	if j, _ := s.Journal(ctx, "run-race"); len(j) != 1 {
		t.Errorf("journal has %d entries, want 1", len(j))
	}
}

func sameOutcome(a, b bot.Outcome) bool {
	return a.State == b.State && a.Option == b.Option && a.User == b.User && a.At.Equal(b.At)
}

func sameChoice(a, b bot.ChoiceRecord) bool {
	return a.ID == b.ID && a.Run == b.Run && a.Address == b.Address &&
		reflect.DeepEqual(a.Approvers, b.Approvers) && reflect.DeepEqual(a.Labels, b.Labels) &&
		a.Deadline.Equal(b.Deadline) && a.Created.Equal(b.Created) && sameOutcome(a.Outcome, b.Outcome)
}
