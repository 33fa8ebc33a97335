package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
)

// Features says what a Store offers beyond the [bot.Store] contract, and
// how the suite reaches it. The zero Features checks the contract alone.
type Features struct {
	// Notifier, when set, returns a Notifier for the replicas sharing the
	// data of s. The suite calls it once for each replica it plays, so it
	// may return one Notifier or a new one each time (a connection of its
	// own, as another process would have), and checks that every note
	// published is received, in order, by every subscriber.
	Notifier func(t *testing.T, s bot.Store) bot.Notifier
	// Replica, when set, opens another handle on the data of s, as
	// another process sharing the Store would hold one. The suite plays
	// the replicas of a bot with separate handles, so that races between
	// processes are raced through separate connections. When nil, the
	// replicas share s itself, as bots in one process share a
	// [bot.MemoryStore].
	Replica func(t *testing.T, s bot.Store) bot.Store
}

// Exercise runs the suite against the stores open returns: a fresh, empty
// store for each subtest. Subtests run in parallel, so open is called
// concurrently; a store it returns must not share data with another.
//
// Some subtests wait for leases of 20ms to lapse, for 60ms each. A store
// may keep time by a clock other than this process's (a database
// server's): where the suite compares a time the store took from its
// clock with this process's clock (Lapsed, a lease's Expires, a dedupe
// key's time, a transcript idle), it allows the two to differ by 30
// seconds.
func Exercise(t *testing.T, open func(t *testing.T) bot.Store, f Features) {
	t.Helper()
	type test struct {
		name string
		run  func(t *testing.T, s store)
	}
	groups := []struct {
		name  string
		tests []test
	}{
		{"Actions", []test{
			{"RoundTrip", actionsRoundTrip},
			{"NotFound", actionsNotFound},
			{"DuplicateConflicts", actionsDuplicateConflicts},
			{"DuplicateInOneCallConflicts", actionsDuplicateInOneCall},
			{"Copies", actionsCopies},
		}},
		{"Choices", []test{
			{"RoundTrip", choicesRoundTrip},
			{"NotFound", choicesNotFound},
			{"OptionsAreActions", choicesOptionsAreActions},
			{"ChoiceIDConflicts", choicesIDConflicts},
			{"OptionIDConflicts", choicesOptionIDConflicts},
			{"ListedByRunOldestFirst", choicesListedByRun},
			{"SetMessage", choicesSetMessage},
			{"FirstResolveWins", choicesFirstResolveWins},
			{"ResolveToPendingResolvesNothing", choicesResolvePending},
			{"ConcurrentResolvesOneWins", choicesConcurrentResolves},
			{"Expiring", choicesExpiring},
			{"Copies", choicesCopies},
		}},
		{"Dedupe", []test{
			{"FirstThenSeen", dedupeFirstThenSeen},
			{"ExpiredKeyIsFree", dedupeExpired},
			{"ConcurrentOneFirst", dedupeConcurrent},
		}},
		{"Accept", []test{
			{"DuplicateRecordsNothing", acceptDuplicate},
			{"ExpiredDedupeKeyIsFree", acceptExpiredDedupe},
			{"Records", acceptRecords},
			{"QueuesWholeItem", acceptQueues},
			{"OwnerClaimsFreeLane", acceptOwnerClaims},
			{"HeldLaneNotClaimed", acceptHeldLane},
			{"ConcurrentSameDedupeOneAccepted", acceptConcurrentDedupe},
			{"ConcurrentClaimsOneHolds", acceptConcurrentClaims},
		}},
		{"Claim", []test{
			{"FreeLane", claimFreeLane},
			{"LiveLeaseConflicts", claimLiveLease},
			{"LapsedLeaseTaken", claimLapsedLease},
			{"TokensGrow", claimTokensGrow},
			{"AttemptsCounted", claimAttempts},
			{"SameOwnerNewLease", claimSameOwnerNewLease},
			{"UnbeginOnRelease", claimUnbegin},
			{"ExpiredUntakenLeaseStillWrites", claimExpiredUntaken},
		}},
		{"Complete", []test{
			{"RemovesDoneAndReleases", completeReleasesEmpty},
			{"HandsOutRemainingAndRenews", completeHandsOut},
			{"Release", completeRelease},
			{"RecordsTranscripts", completeRecords},
			{"StaleLeaseChangesNothing", completeStale},
		}},
		{"Renew", []test{
			{"Extends", renewExtends},
			{"CountsItemsNotHandedOut", renewCounts},
			{"StaleLeaseConflicts", renewStale},
		}},
		{"Lapsed", []test{
			{"QueuedWithoutLiveLease", lapsedLanes},
			{"Limit", lapsedLimit},
		}},
		{"Queue", []test{
			{"FIFO", queueFIFO},
			{"LanesApart", queueLanesApart},
		}},
		{"Journal", []test{
			{"AppendAndRead", journalRoundTrip},
			{"UnknownRunEmpty", journalUnknown},
			{"SeqMustContinue", journalSeq},
			{"StaleLeaseConflicts", journalStale},
			{"ReleasedLeaseConflicts", journalReleased},
			{"ConcurrentAppendsOneWins", journalConcurrent},
			{"EndDeletes", journalEndDeletes},
			{"EndKeepsUntilPurge", journalEndKeeps},
			{"Copies", journalCopies},
		}},
		{"Transcripts", []test{
			{"RecordAndRead", transcriptRoundTrip},
			{"ReplacesByID", transcriptUpsert},
			{"KeepsNewest", transcriptKeep},
			{"Limit", transcriptLimit},
			{"Unrecord", transcriptUnrecord},
			{"UnknownThreadEmpty", transcriptUnknown},
			{"Copies", transcriptCopies},
		}},
		{"Purge", []test{
			{"DedupeKeys", purgeDedupe},
			{"Actions", purgeActions},
			{"Choices", purgeChoices},
			{"Transcripts", purgeTranscripts},
			{"ZeroTimesPurgeNothingOfTheirKind", purgeZero},
		}},
		{"Notifier", []test{
			{"EverySubscriberInOrder", notifierInOrder},
			{"EndedSubscriptionReceivesNoMore", notifierEnded},
		}},
		{"Replicas", []test{
			{"RaceForLane", replicasRaceForLane},
			{"LoserJournalFenced", replicasFenced},
		}},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			if g.name == "Notifier" && f.Notifier == nil {
				t.Skip("the store has no Notifier")
			}
			for _, c := range g.tests {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					c.run(t, store{open(t), f})
				})
			}
		})
	}
}

// store is a fresh Store under test, with the Features of its kind.
type store struct {
	bot.Store
	f Features
}

// replicas returns two handles on the store's data, as two processes
// sharing it hold them.
func (s store) replicas(t *testing.T) [2]bot.Store {
	if s.f.Replica == nil {
		return [2]bot.Store{s.Store, s.Store}
	}
	return [2]bot.Store{s.Store, s.f.Replica(t, s.Store)}
}

// addr is the conversation of the suite's records.
var addr = bot.Address{Platform: "test", Workspace: "W1", Channel: "C1", Thread: "T1"}

// t0 is the time of the suite's records: UTC, whole milliseconds, as
// every store keeps times exactly.
var t0 = time.Date(2026, 11, 21, 9, 30, 0, 125_000_000, time.UTC)

// The lease durations of the suite: one that outlasts any subtest, and one
// that lapses while the subtest waits (see lapse).
const (
	long  = time.Minute
	short = 20 * time.Millisecond
)

// lapse waits until leases taken for short have lapsed.
func lapse() { time.Sleep(3 * short) }

// fromNow returns the time d from now, as every store keeps it.
func fromNow(d time.Duration) time.Time {
	return time.Now().Add(d).UTC().Truncate(time.Millisecond)
}

// canon returns v with what a store may fairly change made uniform, so
// that what it returns compares with what it was given: times in UTC
// (their location is not kept), JSON values in one spelling (a database
// may keep JSON as a value, not as text), empty slices nil. It copies what
// it changes.
func canon[T any](v T) T {
	canonValue(reflect.ValueOf(&v).Elem())
	return v
}

func canonValue(v reflect.Value) {
	switch {
	case v.Type() == reflect.TypeFor[time.Time]():
		v.Set(reflect.ValueOf(v.Interface().(time.Time).UTC()))
	case v.Type() == reflect.TypeFor[json.RawMessage]():
		var x any
		if v.Len() == 0 || bytes.Equal(bytes.TrimSpace(v.Bytes()), []byte("null")) {
			v.SetZero() // a JSON null and no value are one value: a JSON column may keep either
		} else if json.Unmarshal(v.Bytes(), &x) == nil {
			b, _ := json.Marshal(x)
			v.SetBytes(b)
		}
	case v.Kind() == reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				canonValue(v.Field(i))
			}
		}
	case v.Kind() == reflect.Slice:
		if v.Len() == 0 {
			v.SetZero()
			return
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		reflect.Copy(c, v)
		v.Set(c)
		for i := range c.Len() {
			canonValue(c.Index(i))
		}
	case v.Kind() == reflect.Pointer && !v.IsNil():
		c := reflect.New(v.Type().Elem())
		c.Elem().Set(v.Elem())
		v.Set(c)
		canonValue(c.Elem())
	}
}

// same reports whether a store returned want as got.
func same[T any](got, want T) bool { return reflect.DeepEqual(canon(got), canon(want)) }

// ---- Actions

// actionRecords returns action records with every field set.
func actionRecords() []bot.ActionRecord {
	return []bot.ActionRecord{
		{ID: "act-1", Address: addr, Handler: "deploy", Label: "Deploy", Value: json.RawMessage(`{"env":"prod","n":2}`), Expires: t0.Add(time.Hour)},
		{ID: "act-2", Address: bot.Address{Platform: "test", Channel: "D1"}, Handler: "undo", Label: "Undo", Value: json.RawMessage(`"all"`)},
		{ID: "act-3", Address: addr, Choice: "ch-x", Option: 2, Label: "Later", Value: json.RawMessage(`[1,2]`)},
	}
}

func actionsRoundTrip(t *testing.T, s store) {
	want := actionRecords()
	if err := s.PutActions(t.Context(), want); err != nil {
		t.Fatalf("PutActions: %v", err)
	}
	for _, w := range want {
		got, err := s.Action(t.Context(), w.ID)
		if err != nil {
			t.Fatalf("Action(%q): %v", w.ID, err)
		}
		if !same(got, w) {
			t.Errorf("Action(%q) = %+v, want %+v", w.ID, got, w)
		}
	}
}

func actionsNotFound(t *testing.T, s store) {
	if err := s.PutActions(t.Context(), actionRecords()); err != nil {
		t.Fatalf("PutActions: %v", err)
	}
	if _, err := s.Action(t.Context(), "act-unknown"); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("Action of an unknown id: error %v, want ErrNotFound", err)
	}
}

func actionsDuplicateConflicts(t *testing.T, s store) {
	ctx := t.Context()
	first := actionRecords()
	if err := s.PutActions(ctx, first); err != nil {
		t.Fatalf("PutActions: %v", err)
	}
	again := []bot.ActionRecord{
		{ID: "act-new", Address: addr, Handler: "other", Label: "New"},
		{ID: "act-2", Address: addr, Handler: "other", Label: "Taken"},
	}
	if err := s.PutActions(ctx, again); !errors.Is(err, bot.ErrConflict) {
		t.Fatalf("PutActions with an id taken: error %v, want ErrConflict", err)
	}
	if _, err := s.Action(ctx, "act-new"); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("PutActions failed with a conflict but put another id: Action error %v, want ErrNotFound", err)
	}
	if got, err := s.Action(ctx, "act-2"); err != nil || !same(got, first[1]) {
		t.Errorf("the id taken = %+v, %v; want it unchanged: %+v", got, err, first[1])
	}
}

func actionsDuplicateInOneCall(t *testing.T, s store) {
	ctx := t.Context()
	batch := []bot.ActionRecord{
		{ID: "act-a", Address: addr, Handler: "h", Label: "A"},
		{ID: "act-b", Address: addr, Handler: "h", Label: "B"},
		{ID: "act-a", Address: addr, Handler: "h", Label: "A again"},
	}
	if err := s.PutActions(ctx, batch); !errors.Is(err, bot.ErrConflict) {
		t.Fatalf("PutActions with one id twice: error %v, want ErrConflict", err)
	}
	for _, id := range []string{"act-a", "act-b"} {
		if _, err := s.Action(ctx, id); !errors.Is(err, bot.ErrNotFound) {
			t.Errorf("PutActions failed with a conflict but put %q: Action error %v, want ErrNotFound", id, err)
		}
	}
}

func actionsCopies(t *testing.T, s store) {
	ctx := t.Context()
	put := actionRecords()
	if err := s.PutActions(ctx, put); err != nil {
		t.Fatalf("PutActions: %v", err)
	}
	put[0].Value[2] = 'X'
	got, err := s.Action(ctx, "act-1")
	if err != nil {
		t.Fatalf("Action: %v", err)
	}
	if !same(got, actionRecords()[0]) {
		t.Fatalf("a change to the records put reached the store: %s", got.Value)
	}
	got.Value[2] = 'X'
	if again, _ := s.Action(ctx, "act-1"); !same(again, actionRecords()[0]) {
		t.Errorf("a change to a returned record reached the store: %s", again.Value)
	}
}

// ---- Choices

// choice returns a new pending choice of run, with every field a new
// choice has set.
func choice(id, run string, created, deadline time.Time) bot.ChoiceRecord {
	c := bot.ChoiceRecord{
		ID: id, Run: run, Address: addr,
		Approvers: []string{"U1", "U2"},
		Options: []bot.OptionRecord{
			{ID: id + "/yes", Label: "Yes", Value: json.RawMessage(`{"ok":true}`)},
			{ID: id + "/no", Label: "No", Value: json.RawMessage(`{"ok":false,"why":"later"}`)},
			{ID: id + "/n", Label: "Three", Value: json.RawMessage(`3`)},
		},
		Text:     "Deploy " + id + " to prod?",
		Deadline: deadline,
		Created:  created,
	}
	if run != "" {
		c.Lane = "lane-" + run
	}
	return c
}

func putChoices(t *testing.T, s bot.Store, cs ...bot.ChoiceRecord) {
	t.Helper()
	for _, c := range cs {
		if err := s.PutChoice(t.Context(), c); err != nil {
			t.Fatalf("PutChoice(%q): %v", c.ID, err)
		}
	}
}

func choiceIDs(cs []bot.ChoiceRecord) []string {
	var ids []string
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	return ids
}

func choicesRoundTrip(t *testing.T, s store) {
	want := choice("ch-1", "run-1", t0, t0.Add(time.Hour))
	putChoices(t, s, want, choice("ch-2", "", t0, time.Time{}))
	got, err := s.Choice(t.Context(), "ch-1")
	if err != nil {
		t.Fatalf("Choice: %v", err)
	}
	if !same(got, want) {
		t.Errorf("Choice = %+v, want %+v", got, want)
	}
	want = choice("ch-2", "", t0, time.Time{})
	if got, err := s.Choice(t.Context(), "ch-2"); err != nil || !same(got, want) {
		t.Errorf("a choice outside a run, without a deadline: Choice = %+v, %v; want %+v", got, err, want)
	}
}

func choicesNotFound(t *testing.T, s store) {
	ctx := t.Context()
	putChoices(t, s, choice("ch-1", "run-1", t0, time.Time{}))
	if _, err := s.Choice(ctx, "ch-unknown"); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("Choice of an unknown id: error %v, want ErrNotFound", err)
	}
	if err := s.SetChoiceMessage(ctx, "ch-unknown", bot.MessageRef{Address: addr, ID: "m1"}); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("SetChoiceMessage of an unknown choice: error %v, want ErrNotFound", err)
	}
	if _, _, err := s.Resolve(ctx, "ch-unknown", bot.Outcome{State: bot.ChoiceDecided, At: t0}); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("Resolve of an unknown choice: error %v, want ErrNotFound", err)
	}
}

func choicesOptionsAreActions(t *testing.T, s store) {
	c := choice("ch-1", "run-1", t0, t0.Add(time.Hour))
	putChoices(t, s, c)
	for i, o := range c.Options {
		got, err := s.Action(t.Context(), o.ID)
		if err != nil {
			t.Fatalf("Action(%q) of option %d: %v", o.ID, i, err)
		}
		want := bot.ActionRecord{ID: o.ID, Address: addr, Choice: "ch-1", Option: i, Label: o.Label, Value: o.Value}
		got.Expires = time.Time{} // not the contract's business
		if !same(got, want) {
			t.Errorf("Action(%q) = %+v, want %+v", o.ID, got, want)
		}
	}
}

func choicesIDConflicts(t *testing.T, s store) {
	ctx := t.Context()
	first := choice("ch-1", "run-1", t0, time.Time{})
	putChoices(t, s, first)
	again := choice("ch-1", "run-2", t0.Add(time.Minute), time.Time{})
	for i := range again.Options {
		again.Options[i].ID = fmt.Sprintf("fresh-%d", i)
	}
	if err := s.PutChoice(ctx, again); !errors.Is(err, bot.ErrConflict) {
		t.Fatalf("PutChoice with a choice id taken: error %v, want ErrConflict", err)
	}
	if got, err := s.Choice(ctx, "ch-1"); err != nil || !same(got, first) {
		t.Errorf("the choice whose id was taken = %+v, %v; want it unchanged: %+v", got, err, first)
	}
	if _, err := s.Action(ctx, "fresh-0"); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("PutChoice failed with a conflict but put an option: Action error %v, want ErrNotFound", err)
	}
	if cs, err := s.Choices(ctx, "run-2"); err != nil || len(cs) != 0 {
		t.Errorf("PutChoice failed with a conflict but its run lists %q, %v", choiceIDs(cs), err)
	}
}

func choicesOptionIDConflicts(t *testing.T, s store) {
	ctx := t.Context()
	if err := s.PutActions(ctx, []bot.ActionRecord{{ID: "taken", Address: addr, Handler: "h"}}); err != nil {
		t.Fatalf("PutActions: %v", err)
	}
	putChoices(t, s, choice("ch-1", "run-1", t0, time.Time{}))
	for _, tc := range []struct {
		name  string
		taken string
		same  bool // the choice repeats an option id of its own
	}{
		{"an action id", "taken", false},
		{"another choice's option", "ch-1/no", false},
		{"its own other option", "", true},
	} {
		c := choice("ch-2", "run-1", t0.Add(time.Minute), t0.Add(time.Hour))
		if tc.same {
			c.Options[2].ID = c.Options[0].ID
		} else {
			c.Options[1].ID = tc.taken
		}
		if err := s.PutChoice(ctx, c); !errors.Is(err, bot.ErrConflict) {
			t.Errorf("PutChoice with an option id taken by %s: error %v, want ErrConflict", tc.name, err)
			continue
		}
		if _, err := s.Choice(ctx, "ch-2"); !errors.Is(err, bot.ErrNotFound) {
			t.Errorf("PutChoice with an option id taken by %s failed but put the choice: Choice error %v, want ErrNotFound", tc.name, err)
		}
		if _, err := s.Action(ctx, "ch-2/yes"); !errors.Is(err, bot.ErrNotFound) {
			t.Errorf("PutChoice with an option id taken by %s failed but put another option: Action error %v, want ErrNotFound", tc.name, err)
		}
		if cs, _ := s.Expiring(ctx, t0.Add(2*time.Hour), 10); len(cs) != 0 {
			t.Errorf("PutChoice with an option id taken by %s failed but its choice is expiring: %q", tc.name, choiceIDs(cs))
		}
	}
	if got, err := s.Action(ctx, "taken"); err != nil || got.Handler != "h" || got.Choice != "" {
		t.Errorf("the action id taken = %+v, %v; want it unchanged", got, err)
	}
	if got, err := s.Action(ctx, "ch-1/no"); err != nil || got.Choice != "ch-1" || got.Option != 1 {
		t.Errorf("the option id taken = %+v, %v; want it unchanged", got, err)
	}
	if cs, err := s.Choices(ctx, "run-1"); err != nil || !slices.Equal(choiceIDs(cs), []string{"ch-1"}) {
		t.Errorf("Choices(run-1) = %q, %v; want only the choice put", choiceIDs(cs), err)
	}
}

func choicesListedByRun(t *testing.T, s store) {
	ctx := t.Context()
	putChoices(t, s,
		choice("ch-b", "run-1", t0.Add(2*time.Minute), time.Time{}),
		choice("ch-other", "run-2", t0.Add(time.Minute), time.Time{}),
		choice("ch-c", "run-1", t0.Add(3*time.Minute), t0.Add(time.Hour)),
		choice("ch-a", "run-1", t0, time.Time{}),
		choice("ch-none", "", t0, time.Time{}),
	)
	if _, won, err := s.Resolve(ctx, "ch-b", bot.Outcome{State: bot.ChoiceCancelled, At: t0.Add(5 * time.Minute)}); err != nil || !won {
		t.Fatalf("Resolve = %v, %v", won, err)
	}
	got, err := s.Choices(ctx, "run-1")
	if err != nil {
		t.Fatalf("Choices: %v", err)
	}
	if want := []string{"ch-a", "ch-b", "ch-c"}; !slices.Equal(choiceIDs(got), want) {
		t.Fatalf("Choices(run-1) = %q, want %q (pending or not, oldest first)", choiceIDs(got), want)
	}
	if want := choice("ch-c", "run-1", t0.Add(3*time.Minute), t0.Add(time.Hour)); !same(got[2], want) {
		t.Errorf("Choices(run-1)[2] = %+v, want %+v", got[2], want)
	}
	if got[1].Outcome.State != bot.ChoiceCancelled {
		t.Errorf("Choices(run-1)[1] is %v, want cancelled", got[1].Outcome.State)
	}
	if got, err := s.Choices(ctx, "run-2"); err != nil || !slices.Equal(choiceIDs(got), []string{"ch-other"}) {
		t.Errorf("Choices(run-2) = %q, %v; want [ch-other]", choiceIDs(got), err)
	}
	for _, run := range []string{"", "run-unknown"} {
		if got, err := s.Choices(ctx, run); err != nil || len(got) != 0 {
			t.Errorf("Choices(%q) = %q, %v; want none", run, choiceIDs(got), err)
		}
	}
}

func choicesSetMessage(t *testing.T, s store) {
	ctx := t.Context()
	c := choice("ch-1", "run-1", t0, t0.Add(time.Hour))
	putChoices(t, s, c, choice("ch-2", "run-1", t0, time.Time{}))
	// The first card recorded stays the choice's card.
	first := bot.MessageRef{Address: addr, ID: "1700000000.000100"}
	for _, ref := range []bot.MessageRef{
		first,
		{Address: bot.Address{Platform: "test", Workspace: "W2", Channel: "C9", Thread: "T9"}, ID: "m-2"},
	} {
		if err := s.SetChoiceMessage(ctx, "ch-1", ref); err != nil {
			t.Fatalf("SetChoiceMessage: %v", err)
		}
		c.Message = first
		if got, err := s.Choice(ctx, "ch-1"); err != nil || !same(got, c) {
			t.Errorf("after SetChoiceMessage(%+v): Choice = %+v, %v; want %+v", ref, got, err, c)
		}
	}
	o := bot.Outcome{State: bot.ChoiceExpired, At: t0.Add(time.Hour)}
	got, won, err := s.Resolve(ctx, "ch-1", o)
	if err != nil || !won || got.Message != c.Message {
		t.Errorf("Resolve after SetChoiceMessage = %+v, %v, %v; want a win keeping the message %+v", got, won, err, c.Message)
	}
	if got, _ := s.Choice(ctx, "ch-2"); got.Message != (bot.MessageRef{}) {
		t.Errorf("SetChoiceMessage of ch-1 set the message of ch-2: %+v", got.Message)
	}
}

func choicesFirstResolveWins(t *testing.T, s store) {
	ctx := t.Context()
	c := choice("ch-1", "run-1", t0, t0.Add(time.Hour))
	putChoices(t, s, c)
	o := bot.Outcome{State: bot.ChoiceDecided, Option: 1, Value: c.Options[1].Value, User: bot.User{ID: "U1", Name: "ana"}, At: t0.Add(time.Minute)}
	got, won, err := s.Resolve(ctx, "ch-1", o)
	if err != nil || !won {
		t.Fatalf("Resolve = %v, %v; want a win", won, err)
	}
	c.Outcome = o
	if !same(got, c) {
		t.Errorf("Resolve returned %+v, want %+v", got, c)
	}
	for _, late := range []bot.Outcome{
		{State: bot.ChoiceExpired, At: t0.Add(time.Hour)},
		{State: bot.ChoiceDecided, Option: 0, Value: c.Options[0].Value, User: bot.User{ID: "U2", Name: "bo"}, At: t0.Add(2 * time.Minute)},
		{State: bot.ChoiceCancelled, At: t0.Add(3 * time.Minute)},
	} {
		got, won, err := s.Resolve(ctx, "ch-1", late)
		if err != nil || won || !same(got, c) {
			t.Errorf("a later Resolve(%v) = %+v, %v, %v; want no win and the first outcome %+v", late.State, got.Outcome, won, err, o)
		}
	}
	if got, err := s.Choice(ctx, "ch-1"); err != nil || !same(got, c) {
		t.Errorf("Choice = %+v, %v; want %+v", got, err, c)
	}
}

func choicesResolvePending(t *testing.T, s store) {
	ctx := t.Context()
	c := choice("ch-1", "run-1", t0, t0.Add(time.Hour))
	putChoices(t, s, c)
	got, won, err := s.Resolve(ctx, "ch-1", bot.Outcome{State: bot.ChoicePending, Option: 1, User: bot.User{ID: "U1"}, At: t0})
	if err != nil || won || !same(got, c) {
		t.Fatalf("Resolve to pending = %+v, %v, %v; want no win and the choice as it stands", got, won, err)
	}
	if cs, err := s.Expiring(ctx, t0.Add(time.Hour), 10); err != nil || !slices.Equal(choiceIDs(cs), []string{"ch-1"}) {
		t.Errorf("after a Resolve to pending, Expiring = %q, %v; want the choice still pending", choiceIDs(cs), err)
	}
	if _, won, err := s.Resolve(ctx, "ch-1", bot.Outcome{State: bot.ChoiceExpired, At: t0.Add(time.Hour)}); err != nil || !won {
		t.Errorf("a Resolve after one to pending = %v, %v; want a win", won, err)
	}
}

func choicesConcurrentResolves(t *testing.T, s store) {
	c := choice("ch-race", "run-1", t0, t0.Add(time.Hour))
	putChoices(t, s, c)
	const n = 100
	h := s.replicas(t)
	var wg sync.WaitGroup
	outcomes := make([]bot.Outcome, n)
	results := make([]bot.ChoiceRecord, n)
	wins := make([]bool, n)
	errs := make([]error, n)
	for i := range n {
		o := bot.Outcome{State: bot.ChoiceDecided, Option: i % 3, Value: json.RawMessage(fmt.Sprintf(`{"by":%d}`, i)), User: bot.User{ID: fmt.Sprint("U", i)}, At: t0.Add(time.Duration(i) * time.Millisecond)}
		if i%10 == 9 {
			o = bot.Outcome{State: bot.ChoiceExpired, At: t0.Add(time.Hour)}
		}
		outcomes[i] = o
		wg.Go(func() { results[i], wins[i], errs[i] = h[i%2].Resolve(t.Context(), "ch-race", o) })
	}
	wg.Wait()
	winner := -1
	for i := range n {
		switch {
		case errs[i] != nil:
			t.Fatalf("Resolve %d: %v", i, errs[i])
		case wins[i] && winner >= 0:
			t.Fatalf("Resolves %d and %d both won", winner, i)
		case wins[i]:
			winner = i
		}
	}
	if winner < 0 {
		t.Fatal("no Resolve won")
	}
	c.Outcome = outcomes[winner]
	for i, r := range results {
		if !same(r, c) {
			t.Errorf("Resolve %d returned the outcome %+v, want the winner's %+v", i, r.Outcome, c.Outcome)
			break
		}
	}
	if got, err := s.Choice(t.Context(), "ch-race"); err != nil || !same(got, c) {
		t.Errorf("Choice = %+v, %v; want the winner's outcome %+v", got.Outcome, err, c.Outcome)
	}
}

func choicesExpiring(t *testing.T, s store) {
	ctx := t.Context()
	at := t0.Add(time.Hour)
	putChoices(t, s,
		choice("late", "run-1", t0, at.Add(time.Millisecond)),
		choice("at", "run-1", t0, at),
		choice("soon", "run-2", t0, t0.Add(time.Minute)),
		choice("soonest", "", t0, t0.Add(time.Second)),
		choice("never", "run-1", t0, time.Time{}),
		choice("decided", "run-1", t0, t0),
		choice("expired", "run-1", t0, t0),
		choice("cancelled", "run-2", t0, t0),
	)
	for id, st := range map[string]bot.ChoiceState{"decided": bot.ChoiceDecided, "expired": bot.ChoiceExpired, "cancelled": bot.ChoiceCancelled} {
		if _, won, err := s.Resolve(ctx, id, bot.Outcome{State: st, At: t0}); err != nil || !won {
			t.Fatalf("Resolve(%q) = %v, %v", id, won, err)
		}
	}
	got, err := s.Expiring(ctx, at, 10)
	if err != nil {
		t.Fatalf("Expiring: %v", err)
	}
	if want := []string{"soonest", "soon", "at"}; !slices.Equal(choiceIDs(got), want) {
		t.Fatalf("Expiring = %q, want %q (pending, deadline not after t, oldest deadline first)", choiceIDs(got), want)
	}
	if want := choice("soon", "run-2", t0, t0.Add(time.Minute)); !same(got[1], want) {
		t.Errorf("Expiring returned %+v, want %+v", got[1], want)
	}
	if got, err := s.Expiring(ctx, at, 2); err != nil || !slices.Equal(choiceIDs(got), []string{"soonest", "soon"}) {
		t.Errorf("Expiring with limit 2 = %q, %v; want [soonest soon]", choiceIDs(got), err)
	}
	if got, err := s.Expiring(ctx, t0, 10); err != nil || len(got) != 0 {
		t.Errorf("Expiring before any deadline = %q, %v; want none", choiceIDs(got), err)
	}
}

func choicesCopies(t *testing.T, s store) {
	ctx := t.Context()
	c := choice("ch-1", "run-1", t0, time.Time{})
	putChoices(t, s, c)
	c.Approvers[0], c.Options[0].Label, c.Options[0].Value[1] = "U_MALLORY", "Changed", 'X'
	want := choice("ch-1", "run-1", t0, time.Time{})
	got, err := s.Choice(ctx, "ch-1")
	if err != nil || !same(got, want) {
		t.Fatalf("a change to the choice put reached the store: %+v, %v", got, err)
	}
	got.Approvers[0], got.Options[0].Label, got.Options[0].Value[1] = "U_MALLORY", "Changed", 'X'
	if again, _ := s.Choice(ctx, "ch-1"); !same(again, want) {
		t.Errorf("a change to a returned choice reached the store: %+v", again)
	}
	list, _ := s.Choices(ctx, "run-1")
	if len(list) != 1 {
		t.Fatalf("Choices = %q, want [ch-1]", choiceIDs(list))
	}
	list[0].Approvers[0], list[0].Options[0].Value[1] = "U_MALLORY", 'X'
	if again, _ := s.Choice(ctx, "ch-1"); !same(again, want) {
		t.Errorf("a change to a choice Choices returned reached the store: %+v", again)
	}
	o := bot.Outcome{State: bot.ChoiceDecided, Value: json.RawMessage(`{"ok":true}`), User: bot.User{ID: "U1"}, At: t0}
	r, _, err := s.Resolve(ctx, "ch-1", o)
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	o.Value[1], r.Outcome.Value[1] = 'X', 'X'
	want.Outcome = bot.Outcome{State: bot.ChoiceDecided, Value: json.RawMessage(`{"ok":true}`), User: bot.User{ID: "U1"}, At: t0}
	if again, _ := s.Choice(ctx, "ch-1"); !same(again, want) {
		t.Errorf("a change to an outcome given to or returned by Resolve reached the store: %+v", again.Outcome)
	}
}

// ---- Dedupe

func dedupeFirstThenSeen(t *testing.T, s store) {
	ctx := t.Context()
	for i, want := range []bool{true, false, false} {
		if first, err := s.Dedupe(ctx, "ev-1", fromNow(time.Hour)); err != nil || first != want {
			t.Errorf("Dedupe #%d of a key = %v, %v; want %v", i+1, first, err, want)
		}
	}
	if first, err := s.Dedupe(ctx, "ev-2", fromNow(time.Hour)); err != nil || !first {
		t.Errorf("Dedupe of another key = %v, %v; want true", first, err)
	}
}

func dedupeExpired(t *testing.T, s store) {
	ctx := t.Context()
	for i, tc := range []struct {
		until time.Time
		want  bool
	}{
		{fromNow(-time.Hour), true},
		{fromNow(time.Hour), true}, // the key set before has expired
		{fromNow(time.Hour), false},
	} {
		if first, err := s.Dedupe(ctx, "ev-1", tc.until); err != nil || first != tc.want {
			t.Errorf("Dedupe #%d = %v, %v; want %v", i+1, first, err, tc.want)
		}
	}
}

func dedupeConcurrent(t *testing.T, s store) {
	const n = 50
	h := s.replicas(t)
	var wg sync.WaitGroup
	firsts := make([]bool, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { firsts[i], errs[i] = h[i%2].Dedupe(t.Context(), "ev-race", fromNow(time.Hour)) })
	}
	wg.Wait()
	count := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("Dedupe %d: %v", i, errs[i])
		}
		if firsts[i] {
			count++
		}
	}
	if count != 1 {
		t.Errorf("%d of %d concurrent Dedupes of one key found it free, want 1", count, n)
	}
}

// ---- Queue: Accept, Claim, Complete, Renew, Lapsed

// item returns a work item of lane with every field set, so that a store
// that keeps items whole is seen to.
func item(id, lane string) bot.WorkItem {
	parallel := true
	user := bot.User{ID: "U1", Name: "ana"}
	return bot.WorkItem{
		ID: id, Lane: lane, Kind: bot.WorkAction,
		Message: bot.Message{ID: "m-" + id, EventID: "ev-" + id, Address: addr, User: user, Text: "deploy *" + id + "*", Time: t0, Mention: true, Direct: true},
		Action:  &bot.ActionEvent{Name: "deploy", Label: "Deploy", Value: json.RawMessage(`{"env":"prod"}`), User: user, Message: bot.MessageRef{Address: addr, ID: "m-card"}},
		Agent:   &bot.AgentStart{Instructions: "Be brief.", Tools: []string{"weather", "deploy"}, MaxSteps: 3, Parallel: &parallel},
		Run:     "run-" + id, Choice: "ch-" + id,
		Accepted: t0.Add(time.Second),
	}
}

// accept queues items without claiming their lanes.
func accept(t *testing.T, s bot.Store, items ...bot.WorkItem) {
	t.Helper()
	for _, it := range items {
		c, err := s.Accept(t.Context(), bot.Acceptance{Item: it})
		if err != nil {
			t.Fatalf("Accept(%q): %v", it.ID, err)
		}
		if c.Held() || len(c.Items) > 0 {
			t.Fatalf("Accept(%q) without an owner claimed the lane: %+v", it.ID, c)
		}
	}
}

// claim claims lane for owner, which must succeed.
func claim(t *testing.T, s bot.Store, lane, owner string, ttl time.Duration) bot.Claimed {
	t.Helper()
	c, err := s.Claim(t.Context(), lane, owner, ttl)
	if err != nil {
		t.Fatalf("Claim(%q, %q): %v", lane, owner, err)
	}
	if !c.Held() || c.Lease.Lane != lane || c.Lease.Owner != owner {
		t.Fatalf("Claim(%q, %q) = %+v, want the lane held by %q", lane, owner, c.Lease, owner)
	}
	return c
}

func itemIDs(items []bot.WorkItem) []string {
	var ids []string
	for _, it := range items {
		ids = append(ids, it.ID)
	}
	return ids
}

func msg(id string, i int) bot.Message {
	return bot.Message{ID: id, Address: addr, User: bot.User{ID: "U1", Name: "ana"}, Text: fmt.Sprintf("message %d", i), Time: t0.Add(time.Duration(i) * time.Second)}
}

func msgIDs(msgs []bot.Message) []string {
	var ids []string
	for _, m := range msgs {
		ids = append(ids, m.ID)
	}
	return ids
}

func acceptDuplicate(t *testing.T, s store) {
	ctx := t.Context()
	a := bot.Acceptance{Dedupe: "ev-1", DedupeUntil: fromNow(time.Hour), Record: new(msg("m1", 1)), Thread: "th-1", Keep: 10, Item: item("i1", "lane-1")}
	if _, err := s.Accept(ctx, a); err != nil {
		t.Fatalf("Accept: %v", err)
	}
	dup := bot.Acceptance{Dedupe: "ev-1", DedupeUntil: fromNow(time.Hour), Record: new(msg("m2", 2)), Thread: "th-1", Keep: 10, Item: item("i2", "lane-1"), Owner: "o1", LeaseTTL: long}
	c, err := s.Accept(ctx, dup)
	if !errors.Is(err, bot.ErrDuplicate) {
		t.Fatalf("Accept of a dedupe key seen: error %v, want ErrDuplicate", err)
	}
	if c.Held() {
		t.Errorf("a duplicate Accept claimed the lane: %+v", c.Lease)
	}
	if got, err := s.Transcript(ctx, "th-1", 10); err != nil || !slices.Equal(msgIDs(got), []string{"m1"}) {
		t.Errorf("after a duplicate Accept, Transcript = %q, %v; want [m1]", msgIDs(got), err)
	}
	if got := claim(t, s, "lane-1", "o2", long); !slices.Equal(itemIDs(got.Items), []string{"i1"}) {
		t.Errorf("after a duplicate Accept, the lane holds %q, want [i1]", itemIDs(got.Items))
	}
}

func acceptExpiredDedupe(t *testing.T, s store) {
	ctx := t.Context()
	for _, id := range []string{"i1", "i2"} {
		if _, err := s.Accept(ctx, bot.Acceptance{Dedupe: "ev-1", DedupeUntil: fromNow(-time.Hour), Item: item(id, "lane-1")}); err != nil {
			t.Fatalf("Accept(%q) of an expired dedupe key: %v", id, err)
		}
	}
	if got := claim(t, s, "lane-1", "o1", long); !slices.Equal(itemIDs(got.Items), []string{"i1", "i2"}) {
		t.Errorf("the lane holds %q, want [i1 i2]", itemIDs(got.Items))
	}
}

func acceptRecords(t *testing.T, s store) {
	ctx := t.Context()
	for i := range 4 {
		c, err := s.Accept(ctx, bot.Acceptance{Record: new(msg(fmt.Sprint("m", i), i)), Thread: "th-1", Keep: 3, Owner: "o1", LeaseTTL: long})
		if err != nil {
			t.Fatalf("Accept: %v", err)
		}
		if c.Held() {
			t.Errorf("an Accept without an item claimed a lane: %+v", c.Lease)
		}
	}
	got, err := s.Transcript(ctx, "th-1", 10)
	if err != nil {
		t.Fatalf("Transcript: %v", err)
	}
	want := []bot.Message{msg("m1", 1), msg("m2", 2), msg("m3", 3)}
	if !same(got, want) {
		t.Errorf("Transcript = %+v, want the newest Keep %+v", got, want)
	}
	if lanes, err := s.Lapsed(ctx, time.Now(), 10); err != nil || len(lanes) != 0 {
		t.Errorf("an Accept without an item queued work: Lapsed = %q, %v", lanes, err)
	}
}

func acceptQueues(t *testing.T, s store) {
	want := item("i1", "lane-1")
	accept(t, s, want)
	if lanes, err := s.Lapsed(t.Context(), time.Now(), 10); err != nil || !slices.Equal(lanes, []string{"lane-1"}) {
		t.Errorf("Lapsed = %q, %v; want [lane-1]", lanes, err)
	}
	got := claim(t, s, "lane-1", "o1", long)
	if len(got.Items) != 1 || !same(got.Items[0], want) {
		t.Errorf("Claim handed out %+v, want %+v", got.Items, want)
	}
}

func acceptOwnerClaims(t *testing.T, s store) {
	ctx := t.Context()
	accept(t, s, item("i1", "lane-1"))
	c, err := s.Accept(ctx, bot.Acceptance{Item: item("i2", "lane-1"), Owner: "o1", LeaseTTL: long})
	if err != nil {
		t.Fatalf("Accept: %v", err)
	}
	if !c.Held() || c.Lease.Lane != "lane-1" || c.Lease.Owner != "o1" {
		t.Fatalf("Accept with an owner of a free lane = %+v, want the lane held by o1", c.Lease)
	}
	if !c.Lease.Expires.After(time.Now()) || c.Lease.Expires.After(time.Now().Add(2*long)) {
		t.Errorf("the lease expires at %v, want about %v from now", c.Lease.Expires, long)
	}
	if want := []bot.WorkItem{item("i1", "lane-1"), item("i2", "lane-1")}; !same(c.Items, want) {
		t.Errorf("Accept handed out %q, want [i1 i2]: %+v", itemIDs(c.Items), c.Items)
	}
	if _, err := s.Claim(ctx, "lane-1", "o2", long); !errors.Is(err, bot.ErrConflict) {
		t.Errorf("Claim of the lane Accept claimed: error %v, want ErrConflict", err)
	}
	if _, n, err := s.Renew(ctx, c.Lease, long); err != nil || n != 0 {
		t.Errorf("Renew of the lease Accept took = %d, %v; want 0 items not handed out", n, err)
	}
}

func acceptHeldLane(t *testing.T, s store) {
	ctx := t.Context()
	held := claim(t, s, "lane-1", "o1", long)
	c, err := s.Accept(ctx, bot.Acceptance{Item: item("i1", "lane-1"), Owner: "o2", LeaseTTL: long})
	if err != nil {
		t.Fatalf("Accept: %v", err)
	}
	if c.Held() || len(c.Items) > 0 {
		t.Errorf("Accept claimed a lane held by another: %+v", c)
	}
	if _, err := s.Accept(ctx, bot.Acceptance{Item: item("i2", "lane-1"), Owner: "o2", LeaseTTL: long, Begin: true}); err != nil {
		t.Fatalf("Accept with Begin: %v", err)
	}
	l, n, err := s.Renew(ctx, held.Lease, long)
	if err != nil || n != 2 {
		t.Fatalf("Renew of the holder's lease = %d, %v; want the items queued counted", n, err)
	}
	got, err := s.Complete(ctx, l, bot.Completion{TTL: long})
	if err != nil || !got.Held() || !slices.Equal(itemIDs(got.Items), []string{"i1", "i2"}) {
		t.Errorf("the holder's Complete = %+v, %v; want the items queued handed out", got, err)
	}
	for _, it := range got.Items {
		if it.Begun || it.Attempts != 0 {
			t.Errorf("an Accept that claimed nothing marked %s begun: %+v", it.ID, it)
		}
	}
}

func acceptConcurrentDedupe(t *testing.T, s store) {
	const n = 20
	h := s.replicas(t)
	var wg sync.WaitGroup
	claims := make([]bot.Claimed, n)
	errs := make([]error, n)
	for i := range n {
		a := bot.Acceptance{
			Dedupe: "ev-race", DedupeUntil: fromNow(time.Hour),
			Record: new(msg(fmt.Sprint("m", i), i)), Thread: "th-1", Keep: 100,
			Item: item(fmt.Sprint("i", i), "lane-1"), Owner: fmt.Sprint("o", i), LeaseTTL: long,
		}
		wg.Go(func() { claims[i], errs[i] = h[i%2].Accept(t.Context(), a) })
	}
	wg.Wait()
	winner := -1
	for i := range n {
		switch {
		case errs[i] == nil && winner >= 0:
			t.Fatalf("Accepts %d and %d of one dedupe key both succeeded", winner, i)
		case errs[i] == nil:
			winner = i
		case !errors.Is(errs[i], bot.ErrDuplicate):
			t.Fatalf("Accept %d: error %v, want nil or ErrDuplicate", i, errs[i])
		}
	}
	if winner < 0 {
		t.Fatal("no Accept succeeded")
	}
	c := claims[winner]
	if !c.Held() || c.Lease.Owner != fmt.Sprint("o", winner) || !slices.Equal(itemIDs(c.Items), []string{fmt.Sprint("i", winner)}) {
		t.Errorf("the Accept that succeeded = %+v, want the lane held with its item only", c)
	}
	if got, _ := s.Transcript(t.Context(), "th-1", 100); !slices.Equal(msgIDs(got), []string{fmt.Sprint("m", winner)}) {
		t.Errorf("Transcript = %q, want only the message of the Accept that succeeded", msgIDs(got))
	}
	if _, q, err := s.Renew(t.Context(), c.Lease, long); err != nil || q != 0 {
		t.Errorf("Renew = %d, %v; want no other item queued", q, err)
	}
}

func acceptConcurrentClaims(t *testing.T, s store) {
	const n = 20
	h := s.replicas(t)
	var wg sync.WaitGroup
	claims := make([]bot.Claimed, n)
	errs := make([]error, n)
	for i := range n {
		a := bot.Acceptance{Item: item(fmt.Sprint("i", i), "lane-1"), Owner: fmt.Sprint("o", i), LeaseTTL: long}
		wg.Go(func() { claims[i], errs[i] = h[i%2].Accept(t.Context(), a) })
	}
	wg.Wait()
	holder := -1
	for i := range n {
		switch {
		case errs[i] != nil:
			t.Fatalf("Accept %d: %v", i, errs[i])
		case claims[i].Held() && holder >= 0:
			t.Fatalf("Accepts %d and %d both hold the lane", holder, i)
		case claims[i].Held():
			holder = i
		case len(claims[i].Items) > 0:
			t.Errorf("Accept %d handed out items without the lane: %q", i, itemIDs(claims[i].Items))
		}
	}
	if holder < 0 {
		t.Fatal("no Accept holds the lane")
	}
	c := claims[holder]
	if !slices.Contains(itemIDs(c.Items), fmt.Sprint("i", holder)) {
		t.Errorf("the holder was handed %q, without its own item", itemIDs(c.Items))
	}
	_, q, err := s.Renew(t.Context(), c.Lease, long)
	if err != nil || q != n-len(c.Items) {
		t.Fatalf("Renew = %d, %v; want %d items not handed out", q, err, n-len(c.Items))
	}
	rest, err := s.Complete(t.Context(), c.Lease, bot.Completion{Done: itemIDs(c.Items), TTL: long})
	if err != nil {
		t.Fatalf("Complete: %v", err)
	}
	all := append(itemIDs(c.Items), itemIDs(rest.Items)...)
	slices.Sort(all)
	if len(all) != n || len(slices.Compact(all)) != n {
		t.Errorf("the lane handed out %q, want each of the %d items once", all, n)
	}
}

func claimFreeLane(t *testing.T, s store) {
	c := claim(t, s, "lane-empty", "o1", long)
	if len(c.Items) != 0 {
		t.Errorf("Claim of an empty lane handed out %q", itemIDs(c.Items))
	}
	if !c.Lease.Expires.After(time.Now()) || c.Lease.Expires.After(time.Now().Add(2*long)) {
		t.Errorf("the lease expires at %v, want about %v from now", c.Lease.Expires, long)
	}
	accept(t, s, item("i1", "lane-1"), item("i2", "lane-1"))
	c = claim(t, s, "lane-1", "o1", long)
	if want := []bot.WorkItem{item("i1", "lane-1"), item("i2", "lane-1")}; !same(c.Items, want) {
		t.Errorf("Claim handed out %+v, want %+v", c.Items, want)
	}
}

func claimLiveLease(t *testing.T, s store) {
	ctx := t.Context()
	accept(t, s, item("i1", "lane-1"))
	held := claim(t, s, "lane-1", "o1", long)
	c, err := s.Claim(ctx, "lane-1", "o2", long)
	if !errors.Is(err, bot.ErrConflict) {
		t.Fatalf("Claim of a lane held by another: %+v, error %v; want ErrConflict", c, err)
	}
	if _, q, err := s.Renew(ctx, held.Lease, long); err != nil || q != 0 {
		t.Errorf("after a refused Claim, the holder's Renew = %d, %v; want its lease kept", q, err)
	}
}

func claimLapsedLease(t *testing.T, s store) {
	ctx := t.Context()
	accept(t, s, item("i1", "lane-1"))
	old := claim(t, s, "lane-1", "o1", short)
	lapse()
	c := claim(t, s, "lane-1", "o2", long)
	if c.Lease.Token <= old.Lease.Token {
		t.Errorf("the new holder's token %d is not greater than the lapsed one's %d", c.Lease.Token, old.Lease.Token)
	}
	if !slices.Equal(itemIDs(c.Items), []string{"i1"}) {
		t.Errorf("the new holder was handed %q, want [i1]", itemIDs(c.Items))
	}
	if _, _, err := s.Renew(ctx, old.Lease, long); !errors.Is(err, bot.ErrConflict) {
		t.Errorf("Renew of the lease taken over: error %v, want ErrConflict", err)
	}
	if _, err := s.Claim(ctx, "lane-1", "o1", long); !errors.Is(err, bot.ErrConflict) {
		t.Errorf("Claim back of a lane taken over: error %v, want ErrConflict", err)
	}
}

// claimTokensGrow checks that a lane's token grows with every new holder:
// after a lease lapsed, after the lane was released with items queued or
// emptied, whoever claims it, by Claim or Accept, whatever lanes were
// claimed between.
func claimTokensGrow(t *testing.T, s store) {
	ctx := t.Context()
	last := map[string]int64{}
	took := func(how string, c bot.Claimed) {
		t.Helper()
		if !c.Held() {
			t.Fatalf("%s: the lane is not held", how)
		}
		if prev, ok := last[c.Lease.Lane]; ok && c.Lease.Token <= prev {
			t.Errorf("%s: token %d, not greater than the lane's previous %d", how, c.Lease.Token, prev)
		}
		last[c.Lease.Lane] = c.Lease.Token
	}
	a1 := claim(t, s, "lane-a", "o1", short)
	took("first claim", a1)
	took("a claim of another lane", claim(t, s, "lane-b", "o2", long))
	lapse()
	a2 := claim(t, s, "lane-a", "o2", long)
	took("a claim of a lapsed lease", a2)
	if c, err := s.Complete(ctx, a2.Lease, bot.Completion{TTL: long}); err != nil || c.Held() {
		t.Fatalf("Complete of an empty lane = %+v, %v; want it released", c, err)
	}
	a3 := claim(t, s, "lane-a", "o2", long)
	took("a claim of a lane released empty", a3)
	if _, _, err := s.Renew(ctx, a2.Lease, long); !errors.Is(err, bot.ErrConflict) {
		t.Errorf("Renew of a lease of the same owner before the lane was released and claimed again: error %v, want ErrConflict", err)
	}
	accept(t, s, item("i1", "lane-a"))
	if c, err := s.Complete(ctx, a3.Lease, bot.Completion{Release: true}); err != nil || c.Held() || c.Queued != 1 {
		t.Fatalf("Complete with Release = %+v, %v; want the lane released with 1 item queued", c, err)
	}
	a4 := claim(t, s, "lane-a", "o2", long)
	took("a claim of a lane released with items", a4)
	if c, err := s.Complete(ctx, a4.Lease, bot.Completion{Done: []string{"i1"}, TTL: long}); err != nil || c.Held() {
		t.Fatalf("Complete of the last item = %+v, %v; want the lane released", c, err)
	}
	c, err := s.Accept(ctx, bot.Acceptance{Item: item("i2", "lane-a"), Owner: "o1", LeaseTTL: long})
	if err != nil {
		t.Fatalf("Accept: %v", err)
	}
	took("an Accept's claim of a lane emptied", c)
	took("a claim of a third lane", claim(t, s, "lane-c", "o3", long))
	if _, err := s.Complete(ctx, a1.Lease, bot.Completion{Done: []string{"i2"}}); !errors.Is(err, bot.ErrConflict) {
		t.Errorf("Complete with the lane's first lease: error %v, want ErrConflict", err)
	}
}

// claimAttempts checks that an item counts the leases that began it and
// did not finish it: handing it out counts nothing, Begin counts once per
// lease, and the lease that began it sees it Begun.
func claimAttempts(t *testing.T, s store) {
	ctx := t.Context()
	attempts := func(how string, c bot.Claimed, want map[string]int, begun ...string) {
		t.Helper()
		got := map[string]int{}
		var mine []string
		for _, it := range c.Items {
			got[it.ID] = it.Attempts
			if it.Begun {
				mine = append(mine, it.ID)
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: handed out with attempts %v, want %v", how, got, want)
		}
		if !slices.Equal(mine, begun) {
			t.Errorf("%s: handed out Begun %v, want %v", how, mine, begun)
		}
	}
	accept(t, s, item("i1", "lane-1"), item("i2", "lane-1"))
	attempts("first claim", claim(t, s, "lane-1", "o1", short), map[string]int{"i1": 0, "i2": 0})
	lapse()
	c := claim(t, s, "lane-1", "o2", long)
	attempts("claim after a lapse, nothing begun", c, map[string]int{"i1": 0, "i2": 0})
	if err := s.Begin(ctx, c.Lease, []string{"i1"}); err != nil {
		t.Fatalf("Begin: %v", err)
	}
	if err := s.Begin(ctx, c.Lease, []string{"i1"}); err != nil {
		t.Fatalf("Begin again: %v", err)
	}
	c, err := s.Complete(ctx, c.Lease, bot.Completion{TTL: long})
	if err != nil {
		t.Fatalf("Complete: %v", err)
	}
	attempts("Complete with nothing done", c, map[string]int{"i1": 0, "i2": 0}, "i1")
	if _, err := s.Complete(ctx, c.Lease, bot.Completion{Release: true}); err != nil {
		t.Fatalf("Complete with Release: %v", err)
	}
	c = claim(t, s, "lane-1", "o3", short)
	attempts("claim after the lease that began i1 let go", c, map[string]int{"i1": 1, "i2": 0})
	if err := s.Begin(ctx, c.Lease, []string{"i1", "i2"}); err != nil {
		t.Fatalf("Begin: %v", err)
	}
	lapse2 := claimAfter(t, s, "lane-1", c.Lease)
	attempts("claim after a lapse of the lease that began both", lapse2, map[string]int{"i1": 2, "i2": 1})
	if err := s.Begin(ctx, c.Lease, []string{"i2"}); !errors.Is(err, bot.ErrConflict) {
		t.Errorf("Begin with a lease taken over: error %v, want ErrConflict", err)
	}

	// An Accept that claims a lane with nothing else queued begins its
	// item at once when asked.
	got, err := s.Accept(ctx, bot.Acceptance{Item: item("j1", "lane-2"), Owner: "o1", LeaseTTL: long, Begin: true})
	if err != nil {
		t.Fatalf("Accept: %v", err)
	}
	attempts("Accept with Begin", got, map[string]int{"j1": 0}, "j1")
	if _, err := s.Complete(ctx, got.Lease, bot.Completion{Release: true}); err != nil {
		t.Fatal(err)
	}
	got, err = s.Accept(ctx, bot.Acceptance{Item: item("j2", "lane-2"), Owner: "o2", LeaseTTL: long, Begin: true})
	if err != nil {
		t.Fatalf("Accept: %v", err)
	}
	attempts("Accept with Begin behind a queued item", got, map[string]int{"j1": 1, "j2": 0})
}

// claimSameOwnerNewLease checks that attempts are counted by lease, not
// by owner: a process that claims a lane again, after its own lease
// lapsed, sees the items it began under the old lease as cut.
func claimSameOwnerNewLease(t *testing.T, s store) {
	ctx := t.Context()
	accept(t, s, item("i1", "lane-1"))
	c := claim(t, s, "lane-1", "o1", short)
	if err := s.Begin(ctx, c.Lease, []string{"i1"}); err != nil {
		t.Fatalf("Begin: %v", err)
	}
	lapse()
	again := claim(t, s, "lane-1", "o1", long)
	if again.Lease.Token <= c.Lease.Token {
		t.Errorf("the same owner's new lease has token %d, not above %d", again.Lease.Token, c.Lease.Token)
	}
	if len(again.Items) != 1 || again.Items[0].Attempts != 1 || again.Items[0].Begun {
		t.Errorf("the same owner's new lease was handed %+v, want i1 with 1 attempt, not Begun by it", again.Items)
	}
	if err := s.Begin(ctx, c.Lease, []string{"i1"}); !errors.Is(err, bot.ErrConflict) {
		t.Errorf("Begin under the owner's old lease: error %v, want ErrConflict", err)
	}
}

// claimUnbegin checks that items a lease began and gives back unbegun on
// release are handed out afresh, while others it began count.
func claimUnbegin(t *testing.T, s store) {
	ctx := t.Context()
	accept(t, s, item("i1", "lane-1"), item("i2", "lane-1"))
	c := claim(t, s, "lane-1", "o1", long)
	if err := s.Begin(ctx, c.Lease, []string{"i1", "i2"}); err != nil {
		t.Fatalf("Begin: %v", err)
	}
	if _, err := s.Complete(ctx, c.Lease, bot.Completion{Release: true, Unbegin: []string{"i2", "unknown"}}); err != nil {
		t.Fatalf("Complete with Release and Unbegin: %v", err)
	}
	got := map[string]int{}
	for _, it := range claim(t, s, "lane-1", "o2", long).Items {
		got[it.ID] = it.Attempts
	}
	if want := map[string]int{"i1": 1, "i2": 0}; !reflect.DeepEqual(got, want) {
		t.Errorf("after a release unbeginning i2: attempts %v, want %v", got, want)
	}
}

// claimExpiredUntaken checks that a lease that expired, and that no claim
// took since, still writes: a process finishing after a slow Store call
// must record its work done rather than leave it to look cut.
func claimExpiredUntaken(t *testing.T, s store) {
	ctx := t.Context()
	accept(t, s, item("i1", "lane-1"), item("i2", "lane-1"))
	c := claim(t, s, "lane-1", "o1", short)
	lapse()
	if err := s.Begin(ctx, c.Lease, []string{"i1"}); err != nil {
		t.Errorf("Begin under an expired, untaken lease: %v", err)
	}
	if err := s.AppendJournal(ctx, c.Lease, "run-i1", []bot.JournalEntry{entry(0, "e0")}); err != nil {
		t.Errorf("AppendJournal under an expired, untaken lease: %v", err)
	}
	if err := s.EndJournal(ctx, c.Lease, "run-i1", time.Time{}); err != nil {
		t.Errorf("EndJournal under an expired, untaken lease: %v", err)
	}
	got, err := s.Complete(ctx, c.Lease, bot.Completion{Done: []string{"i1"}, TTL: short})
	if err != nil || !got.Held() || !slices.Equal(itemIDs(got.Items), []string{"i2"}) {
		t.Fatalf("Complete under an expired, untaken lease = %+v, %v; want i1 done and i2 handed out", got, err)
	}
	lapse()
	l, _, err := s.Renew(ctx, got.Lease, long)
	if err != nil {
		t.Fatalf("Renew of an expired, untaken lease: %v", err)
	}
	if c, err := s.Claim(ctx, "lane-1", "o2", long); !errors.Is(err, bot.ErrConflict) {
		t.Errorf("Claim of a lane whose expired lease was renewed = %+v, %v; want ErrConflict", c, err)
	}
	if got, err := s.Complete(ctx, l, bot.Completion{Done: []string{"i2"}}); err != nil || got.Held() {
		t.Errorf("the last Complete = %+v, %v; want the lane released", got, err)
	}
}

// claimAfter takes lane over once the lease l lapses, by another owner.
func claimAfter(t *testing.T, s store, lane string, l bot.Lease) bot.Claimed {
	t.Helper()
	for deadline := time.Now().Add(long); ; time.Sleep(short) {
		c, err := s.Claim(t.Context(), lane, "o-next", long)
		if err == nil {
			return c
		}
		if !errors.Is(err, bot.ErrConflict) || time.Now().After(deadline) {
			t.Fatalf("Claim after the lapse of %+v: %v", l, err)
		}
	}
}

func completeReleasesEmpty(t *testing.T, s store) {
	ctx := t.Context()
	accept(t, s, item("i1", "lane-1"), item("i2", "lane-1"))
	c := claim(t, s, "lane-1", "o1", long)
	got, err := s.Complete(ctx, c.Lease, bot.Completion{Done: []string{"i1", "i2", "i-unknown"}, TTL: long})
	if err != nil {
		t.Fatalf("Complete: %v", err)
	}
	if got.Held() || got.Queued != 0 || len(got.Items) != 0 {
		t.Errorf("Complete of every item = %+v, want the lane released with nothing queued", got)
	}
	if lanes, err := s.Lapsed(ctx, time.Now().Add(2*long), 10); err != nil || len(lanes) != 0 {
		t.Errorf("Lapsed = %q, %v; want none", lanes, err)
	}
	if c := claim(t, s, "lane-1", "o2", long); len(c.Items) != 0 {
		t.Errorf("items done are handed out again: %q", itemIDs(c.Items))
	}
}

func completeHandsOut(t *testing.T, s store) {
	ctx := t.Context()
	accept(t, s, item("i1", "lane-1"))
	c := claim(t, s, "lane-1", "o1", short)
	accept(t, s, item("i2", "lane-1"), item("i3", "lane-1"))
	got, err := s.Complete(ctx, c.Lease, bot.Completion{Done: []string{"i1"}, TTL: long})
	if err != nil {
		t.Fatalf("Complete: %v", err)
	}
	if !got.Held() || got.Lease.Lane != "lane-1" || got.Lease.Owner != "o1" {
		t.Fatalf("Complete with items queued = %+v, want the lane still held by o1", got.Lease)
	}
	if want := []bot.WorkItem{item("i2", "lane-1"), item("i3", "lane-1")}; !same(got.Items, want) {
		t.Errorf("Complete handed out %+v, want %+v", got.Items, want)
	}
	lapse()
	if _, err := s.Claim(ctx, "lane-1", "o2", long); !errors.Is(err, bot.ErrConflict) {
		t.Errorf("Claim after the lease Complete renewed would have lapsed: error %v, want ErrConflict", err)
	}
	if _, q, err := s.Renew(ctx, got.Lease, long); err != nil || q != 0 {
		t.Errorf("Renew of the lease Complete returned = %d, %v; want no item not handed out", q, err)
	}
}

func completeRelease(t *testing.T, s store) {
	ctx := t.Context()
	accept(t, s, item("i1", "lane-1"), item("i2", "lane-1"), item("i3", "lane-1"))
	c := claim(t, s, "lane-1", "o1", long)
	got, err := s.Complete(ctx, c.Lease, bot.Completion{Done: []string{"i1"}, Release: true, TTL: long})
	if err != nil {
		t.Fatalf("Complete: %v", err)
	}
	if got.Held() || got.Queued != 2 || len(got.Items) != 0 {
		t.Errorf("Complete with Release = %+v, want the lane released with 2 items queued", got)
	}
	if _, _, err := s.Renew(ctx, c.Lease, long); !errors.Is(err, bot.ErrConflict) {
		t.Errorf("Renew of a released lease: error %v, want ErrConflict", err)
	}
	if lanes, err := s.Lapsed(ctx, time.Now(), 10); err != nil || !slices.Equal(lanes, []string{"lane-1"}) {
		t.Errorf("Lapsed = %q, %v; want the lane released with items", lanes, err)
	}
	if c := claim(t, s, "lane-1", "o2", long); !slices.Equal(itemIDs(c.Items), []string{"i2", "i3"}) {
		t.Errorf("the next Claim was handed %q, want [i2 i3]", itemIDs(c.Items))
	}
}

func completeRecords(t *testing.T, s store) {
	ctx := t.Context()
	if err := s.Record(ctx, "th-1", []bot.Message{msg("m0", 0)}, 10); err != nil {
		t.Fatalf("Record: %v", err)
	}
	accept(t, s, item("i1", "lane-1"))
	c := claim(t, s, "lane-1", "o1", long)
	recs := []bot.ThreadRecord{
		{Thread: "th-1", Message: msg("m1", 1)},
		{Thread: "th-2", Message: msg("x1", 1)},
		{Thread: "th-1", Message: msg("m2", 2)},
		{Thread: "th-1", Message: msg("m3", 3)},
	}
	if _, err := s.Complete(ctx, c.Lease, bot.Completion{Done: []string{"i1"}, Records: recs, Keep: 3}); err != nil {
		t.Fatalf("Complete: %v", err)
	}
	if got, err := s.Transcript(ctx, "th-1", 10); err != nil || !same(got, []bot.Message{msg("m1", 1), msg("m2", 2), msg("m3", 3)}) {
		t.Errorf("Transcript(th-1) = %+v, %v; want m1..m3 (Keep 3)", got, err)
	}
	if got, err := s.Transcript(ctx, "th-2", 10); err != nil || !same(got, []bot.Message{msg("x1", 1)}) {
		t.Errorf("Transcript(th-2) = %+v, %v; want [x1]", got, err)
	}
}

func completeStale(t *testing.T, s store) {
	ctx := t.Context()
	accept(t, s, item("i1", "lane-1"), item("i2", "lane-1"))
	old := claim(t, s, "lane-1", "o1", short)
	lapse()
	cur := claim(t, s, "lane-1", "o2", long)
	for _, c := range []bot.Completion{
		{Done: []string{"i1"}, Records: []bot.ThreadRecord{{Thread: "th-1", Message: msg("m1", 1)}}, Keep: 10, TTL: long},
		{Done: []string{"i1", "i2"}, Release: true},
	} {
		got, err := s.Complete(ctx, old.Lease, c)
		if !errors.Is(err, bot.ErrConflict) {
			t.Fatalf("Complete with a lease taken over = %+v, error %v; want ErrConflict", got, err)
		}
	}
	if got, _ := s.Transcript(ctx, "th-1", 10); len(got) != 0 {
		t.Errorf("a Complete that conflicted recorded %q", msgIDs(got))
	}
	if _, q, err := s.Renew(ctx, cur.Lease, long); err != nil || q != 0 {
		t.Errorf("the holder's Renew = %d, %v; want its lease kept", q, err)
	}
	if got, err := s.Complete(ctx, cur.Lease, bot.Completion{Release: true}); err != nil || got.Queued != 2 {
		t.Errorf("the holder's Complete = %+v, %v; want both items still queued", got, err)
	}
}

func renewExtends(t *testing.T, s store) {
	ctx := t.Context()
	c := claim(t, s, "lane-1", "o1", short)
	l, q, err := s.Renew(ctx, c.Lease, long)
	if err != nil || q != 0 {
		t.Fatalf("Renew = %d, %v", q, err)
	}
	if l.Lane != "lane-1" || l.Owner != "o1" || !l.Expires.After(c.Lease.Expires) || l.Expires.After(time.Now().Add(2*long)) {
		t.Errorf("Renew of %+v = %+v, want the lease to run about %v from now", c.Lease, l, long)
	}
	lapse()
	if _, err := s.Claim(ctx, "lane-1", "o2", long); !errors.Is(err, bot.ErrConflict) {
		t.Errorf("Claim of a renewed lease: error %v, want ErrConflict", err)
	}
	if _, _, err := s.Renew(ctx, l, long); err != nil {
		t.Errorf("Renew of the lease Renew returned: %v", err)
	}
}

func renewCounts(t *testing.T, s store) {
	ctx := t.Context()
	accept(t, s, item("i1", "lane-1"), item("i2", "lane-1"))
	c := claim(t, s, "lane-1", "o1", long)
	renew := func(want int) {
		t.Helper()
		if _, q, err := s.Renew(ctx, c.Lease, long); err != nil || q != want {
			t.Errorf("Renew = %d, %v; want %d items not handed out", q, err, want)
		}
	}
	renew(0)
	accept(t, s, item("i3", "lane-1"), item("i4", "lane-1"))
	renew(2)
	c, err := s.Complete(ctx, c.Lease, bot.Completion{Done: []string{"i1"}, TTL: long})
	if err != nil || !slices.Equal(itemIDs(c.Items), []string{"i2", "i3", "i4"}) {
		t.Fatalf("Complete = %+v, %v; want i2..i4 handed out", c, err)
	}
	renew(0)
	accept(t, s, item("i5", "lane-1"), item("i-other", "lane-2"))
	renew(1)
}

func renewStale(t *testing.T, s store) {
	ctx := t.Context()
	old := claim(t, s, "lane-1", "o1", short)
	lapse()
	cur := claim(t, s, "lane-1", "o2", long)
	if l, _, err := s.Renew(ctx, old.Lease, long); !errors.Is(err, bot.ErrConflict) {
		t.Errorf("Renew of a lease taken over = %+v, error %v; want ErrConflict", l, err)
	}
	forged := cur.Lease
	forged.Owner = "o1"
	if _, _, err := s.Renew(ctx, forged, long); !errors.Is(err, bot.ErrConflict) {
		t.Errorf("Renew of the holder's token by another owner: error %v, want ErrConflict", err)
	}
	if _, err := s.Claim(ctx, "lane-1", "o1", long); !errors.Is(err, bot.ErrConflict) {
		t.Errorf("a Renew that conflicted changed the lease: Claim error %v, want ErrConflict", err)
	}
	if _, _, err := s.Renew(ctx, cur.Lease, long); err != nil {
		t.Errorf("Renew of the holder's lease: %v", err)
	}
}

func lapsedLanes(t *testing.T, s store) {
	ctx := t.Context()
	// lane-released: items, released. lane-short: items, a lease that
	// lapses in a moment. lane-live: items, a lease for long. lane-empty:
	// held, nothing queued. lane-done: its items done, released. The
	// times asked about are far enough apart for a store whose clock is
	// not quite this process's.
	accept(t, s, item("r1", "lane-released"), item("s1", "lane-short"), item("v1", "lane-live"), item("d1", "lane-done"))
	c := claim(t, s, "lane-released", "o1", long)
	if c, err := s.Complete(ctx, c.Lease, bot.Completion{Release: true}); err != nil || c.Queued != 1 {
		t.Fatalf("Complete with Release = %+v, %v", c, err)
	}
	claim(t, s, "lane-short", "o1", short)
	claim(t, s, "lane-live", "o1", long)
	claim(t, s, "lane-empty", "o1", short)
	c = claim(t, s, "lane-done", "o1", long)
	if c, err := s.Complete(ctx, c.Lease, bot.Completion{Done: []string{"d1"}}); err != nil || c.Held() {
		t.Fatalf("Complete = %+v, %v", c, err)
	}
	for _, tc := range []struct {
		in   time.Duration
		want []string
	}{
		{-long / 2, []string{"lane-released"}},
		{long / 2, []string{"lane-released", "lane-short"}},
		{2 * long, []string{"lane-live", "lane-released", "lane-short"}},
	} {
		got, err := s.Lapsed(ctx, time.Now().Add(tc.in), 10)
		slices.Sort(got)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("Lapsed as of %v from now = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func lapsedLimit(t *testing.T, s store) {
	var all []string
	for i := range 5 {
		lane := fmt.Sprint("lane-", i)
		all = append(all, lane)
		accept(t, s, item(fmt.Sprint("i", i), lane))
	}
	got, err := s.Lapsed(t.Context(), time.Now(), 3)
	if err != nil {
		t.Fatalf("Lapsed: %v", err)
	}
	slices.Sort(got)
	if len(got) != 3 || len(slices.Compact(slices.Clone(got))) != 3 || slices.ContainsFunc(got, func(l string) bool { return !slices.Contains(all, l) }) {
		t.Errorf("Lapsed with limit 3 = %q, want 3 of %q", got, all)
	}
}

func queueFIFO(t *testing.T, s store) {
	ctx := t.Context()
	const n = 60
	var want []string
	for i := range n {
		id := fmt.Sprintf("i%02d", n-i) // ids that sort against the order accepted
		want = append(want, id)
		accept(t, s, item(id, "lane-1"))
	}
	c := claim(t, s, "lane-1", "o1", long)
	if !slices.Equal(itemIDs(c.Items), want) {
		t.Fatalf("Claim handed out %q, want the order accepted %q", itemIDs(c.Items), want)
	}
	c, err := s.Complete(ctx, c.Lease, bot.Completion{Done: want[:n/2], TTL: long})
	if err != nil {
		t.Fatalf("Complete: %v", err)
	}
	for i := range 5 {
		id := fmt.Sprint("z", i)
		want = append(want, id)
		accept(t, s, item(id, "lane-1"))
	}
	c, err = s.Complete(ctx, c.Lease, bot.Completion{Done: want[n/2 : n/2+5], TTL: long})
	if err != nil {
		t.Fatalf("Complete: %v", err)
	}
	if !slices.Equal(itemIDs(c.Items), want[n/2+5:]) {
		t.Errorf("Complete handed out %q, want the order accepted %q", itemIDs(c.Items), want[n/2+5:])
	}
}

func queueLanesApart(t *testing.T, s store) {
	for i := range 6 {
		accept(t, s, item(fmt.Sprint("a", i), "lane-a"), item(fmt.Sprint("b", i), "lane-b"))
	}
	for _, lane := range []string{"lane-a", "lane-b"} {
		c := claim(t, s, lane, "o1", long)
		var want []string
		for i := range 6 {
			want = append(want, fmt.Sprint(lane[len(lane)-1:], i))
		}
		if !slices.Equal(itemIDs(c.Items), want) {
			t.Errorf("Claim(%q) handed out %q, want %q", lane, itemIDs(c.Items), want)
		}
	}
}

// ---- Journal

// entry returns a journal entry at seq with every field set.
func entry(seq int, key string) bot.JournalEntry {
	return bot.JournalEntry{Seq: seq, Scope: fmt.Sprint("tool:", seq%2), Kind: bot.StepResult, Key: key, Sum: fmt.Sprintf("%064x", seq+1), Data: json.RawMessage(fmt.Sprintf(`{"seq":%d,"text":"%s"}`, seq, key))}
}

func journalRoundTrip(t *testing.T, s store) {
	ctx := t.Context()
	l := claim(t, s, "lane-1", "o1", long).Lease
	want := []bot.JournalEntry{
		{Seq: 0, Kind: bot.StepStart, Key: "message", Sum: "s0", Data: json.RawMessage(`{"text":"hi"}`)},
		{Seq: 1, Scope: "agent:1", Kind: bot.StepModel, Key: "step 0", Sum: "s1", Data: json.RawMessage(`{"calls":[{"name":"weather"}]}`)},
		{Seq: 2, Scope: "agent:1/call:0", Kind: bot.StepResult, Key: "weather", Sum: "s2", Data: json.RawMessage(`"sunny"`)},
		{Seq: 3, Kind: bot.StepEnd, Data: json.RawMessage(`null`)},
	}
	for _, batch := range [][]bot.JournalEntry{want[:2], want[2:3], want[3:]} {
		if err := s.AppendJournal(ctx, l, "run-1", batch); err != nil {
			t.Fatalf("AppendJournal at %d: %v", batch[0].Seq, err)
		}
	}
	if err := s.AppendJournal(ctx, l, "run-2", []bot.JournalEntry{entry(0, "other")}); err != nil {
		t.Fatalf("AppendJournal of another run: %v", err)
	}
	if got, err := s.Journal(ctx, "run-1"); err != nil || !same(got, want) {
		t.Errorf("Journal = %+v, %v; want %+v", got, err, want)
	}
	if got, err := s.Journal(ctx, "run-2"); err != nil || !same(got, []bot.JournalEntry{entry(0, "other")}) {
		t.Errorf("Journal of another run = %+v, %v", got, err)
	}
}

func journalUnknown(t *testing.T, s store) {
	l := claim(t, s, "lane-1", "o1", long).Lease
	if err := s.AppendJournal(t.Context(), l, "run-1", []bot.JournalEntry{entry(0, "a")}); err != nil {
		t.Fatalf("AppendJournal: %v", err)
	}
	if got, err := s.Journal(t.Context(), "run-unknown"); err != nil || len(got) != 0 {
		t.Errorf("Journal of an unknown run = %+v, %v; want it empty", got, err)
	}
}

func journalSeq(t *testing.T, s store) {
	ctx := t.Context()
	l := claim(t, s, "lane-1", "o1", long).Lease
	if err := s.AppendJournal(ctx, l, "run-new", []bot.JournalEntry{entry(1, "gap")}); !errors.Is(err, bot.ErrConflict) {
		t.Errorf("AppendJournal at 1 of an empty journal: error %v, want ErrConflict", err)
	}
	want := []bot.JournalEntry{entry(0, "a"), entry(1, "b"), entry(2, "c")}
	if err := s.AppendJournal(ctx, l, "run-1", want); err != nil {
		t.Fatalf("AppendJournal: %v", err)
	}
	for _, batch := range [][]bot.JournalEntry{
		{entry(2, "overlap")},
		{entry(0, "overlap")},
		{entry(4, "gap")},
		{entry(3, "ok"), entry(5, "gap")},
		{entry(3, "ok"), entry(3, "twice")},
		{entry(3, "ok"), entry(4, "ok"), entry(2, "back")},
	} {
		var seqs []int
		for _, e := range batch {
			seqs = append(seqs, e.Seq)
		}
		if err := s.AppendJournal(ctx, l, "run-1", batch); !errors.Is(err, bot.ErrConflict) {
			t.Errorf("AppendJournal of %v to a journal of 3: error %v, want ErrConflict", seqs, err)
		}
	}
	if got, err := s.Journal(ctx, "run-1"); err != nil || !same(got, want) {
		t.Errorf("after appends that conflicted, Journal = %+v, %v; want %+v", got, err, want)
	}
	if got, _ := s.Journal(ctx, "run-new"); len(got) != 0 {
		t.Errorf("an append that conflicted started a journal: %+v", got)
	}
	if err := s.AppendJournal(ctx, l, "run-1", []bot.JournalEntry{entry(3, "d")}); err != nil {
		t.Errorf("AppendJournal at 3 of a journal of 3: %v", err)
	}
}

func journalStale(t *testing.T, s store) {
	ctx := t.Context()
	old := claim(t, s, "lane-1", "o1", short).Lease
	if err := s.AppendJournal(ctx, old, "run-1", []bot.JournalEntry{entry(0, "a")}); err != nil {
		t.Fatalf("AppendJournal: %v", err)
	}
	lapse()
	cur := claim(t, s, "lane-1", "o2", long).Lease
	if err := s.AppendJournal(ctx, old, "run-1", []bot.JournalEntry{entry(1, "stale")}); !errors.Is(err, bot.ErrConflict) {
		t.Errorf("AppendJournal with a lease taken over: error %v, want ErrConflict", err)
	}
	if err := s.EndJournal(ctx, old, "run-1", time.Time{}); !errors.Is(err, bot.ErrConflict) {
		t.Errorf("EndJournal with a lease taken over: error %v, want ErrConflict", err)
	}
	if err := s.AppendJournal(ctx, cur, "run-1", []bot.JournalEntry{entry(1, "b")}); err != nil {
		t.Fatalf("AppendJournal with the current lease: %v", err)
	}
	if got, err := s.Journal(ctx, "run-1"); err != nil || !same(got, []bot.JournalEntry{entry(0, "a"), entry(1, "b")}) {
		t.Errorf("Journal = %+v, %v; want the current holder's", got, err)
	}
	if err := s.EndJournal(ctx, cur, "run-1", time.Time{}); err != nil {
		t.Errorf("EndJournal with the current lease: %v", err)
	}
}

func journalReleased(t *testing.T, s store) {
	ctx := t.Context()
	l := claim(t, s, "lane-1", "o1", long).Lease
	if err := s.AppendJournal(ctx, l, "run-1", []bot.JournalEntry{entry(0, "a")}); err != nil {
		t.Fatalf("AppendJournal: %v", err)
	}
	if c, err := s.Complete(ctx, l, bot.Completion{Release: true}); err != nil || c.Held() {
		t.Fatalf("Complete = %+v, %v", c, err)
	}
	if err := s.AppendJournal(ctx, l, "run-1", []bot.JournalEntry{entry(1, "late")}); !errors.Is(err, bot.ErrConflict) {
		t.Errorf("AppendJournal with a released lease: error %v, want ErrConflict", err)
	}
	if err := s.EndJournal(ctx, l, "run-1", time.Time{}); !errors.Is(err, bot.ErrConflict) {
		t.Errorf("EndJournal with a released lease: error %v, want ErrConflict", err)
	}
	if got, _ := s.Journal(ctx, "run-1"); len(got) != 1 {
		t.Errorf("Journal has %d entries, want 1", len(got))
	}
}

func journalConcurrent(t *testing.T, s store) {
	l := claim(t, s, "lane-1", "o1", long).Lease
	const n = 50
	h := s.replicas(t)
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			errs[i] = h[i%2].AppendJournal(t.Context(), l, "run-race", []bot.JournalEntry{entry(0, fmt.Sprint("w", i)), entry(1, fmt.Sprint("w", i))})
		})
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("appends %d and %d at position 0 both succeeded", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, bot.ErrConflict):
			t.Errorf("append %d: error %v, want nil or ErrConflict", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no append succeeded")
	}
	key := fmt.Sprint("w", winner)
	if got, err := s.Journal(t.Context(), "run-race"); err != nil || !same(got, []bot.JournalEntry{entry(0, key), entry(1, key)}) {
		t.Errorf("Journal = %+v, %v; want the winner's two entries", got, err)
	}
}

func journalEndDeletes(t *testing.T, s store) {
	ctx := t.Context()
	l := claim(t, s, "lane-1", "o1", long).Lease
	for _, run := range []string{"run-1", "run-2"} {
		if err := s.AppendJournal(ctx, l, run, []bot.JournalEntry{entry(0, "a"), entry(1, "b")}); err != nil {
			t.Fatalf("AppendJournal: %v", err)
		}
	}
	if err := s.EndJournal(ctx, l, "run-1", time.Time{}); err != nil {
		t.Fatalf("EndJournal: %v", err)
	}
	if got, err := s.Journal(ctx, "run-1"); err != nil || len(got) != 0 {
		t.Errorf("Journal after EndJournal with a zero keep = %+v, %v; want it empty", got, err)
	}
	if got, _ := s.Journal(ctx, "run-2"); len(got) != 2 {
		t.Errorf("EndJournal of run-1 took entries of run-2: %d left", len(got))
	}
}

func journalEndKeeps(t *testing.T, s store) {
	ctx := t.Context()
	l := claim(t, s, "lane-1", "o1", long).Lease
	want := []bot.JournalEntry{entry(0, "a"), entry(1, "b")}
	for _, run := range []string{"run-1", "run-on"} {
		if err := s.AppendJournal(ctx, l, run, want); err != nil {
			t.Fatalf("AppendJournal: %v", err)
		}
	}
	if err := s.EndJournal(ctx, l, "run-1", t0.Add(time.Hour)); err != nil {
		t.Fatalf("EndJournal: %v", err)
	}
	if got, err := s.Journal(ctx, "run-1"); err != nil || !same(got, want) {
		t.Errorf("Journal kept = %+v, %v; want %+v", got, err, want)
	}
	if err := s.Purge(ctx, bot.Purge{Now: t0.Add(30 * time.Minute)}); err != nil {
		t.Fatalf("Purge: %v", err)
	}
	if got, _ := s.Journal(ctx, "run-1"); !same(got, want) {
		t.Errorf("Purge before the keep time deleted the journal: %+v", got)
	}
	if err := s.Purge(ctx, bot.Purge{Now: t0.Add(2 * time.Hour)}); err != nil {
		t.Fatalf("Purge: %v", err)
	}
	if got, _ := s.Journal(ctx, "run-1"); len(got) != 0 {
		t.Errorf("Purge after the keep time kept the journal: %+v", got)
	}
	if got, _ := s.Journal(ctx, "run-on"); !same(got, want) {
		t.Errorf("Purge deleted the journal of a run not ended: %+v", got)
	}
}

func journalCopies(t *testing.T, s store) {
	ctx := t.Context()
	l := claim(t, s, "lane-1", "o1", long).Lease
	put := []bot.JournalEntry{entry(0, "a")}
	if err := s.AppendJournal(ctx, l, "run-1", put); err != nil {
		t.Fatalf("AppendJournal: %v", err)
	}
	put[0].Data[2] = 'X'
	got, _ := s.Journal(ctx, "run-1")
	if !same(got, []bot.JournalEntry{entry(0, "a")}) {
		t.Fatalf("a change to the entries appended reached the store: %+v", got)
	}
	got[0].Data[2] = 'X'
	if again, _ := s.Journal(ctx, "run-1"); !same(again, []bot.JournalEntry{entry(0, "a")}) {
		t.Errorf("a change to a returned entry reached the store: %+v", again)
	}
}

// ---- Transcripts

func record(t *testing.T, s bot.Store, thread string, keep int, msgs ...bot.Message) {
	t.Helper()
	if err := s.Record(t.Context(), thread, msgs, keep); err != nil {
		t.Fatalf("Record: %v", err)
	}
}

func transcriptRoundTrip(t *testing.T, s store) {
	want := []bot.Message{msg("m1", 1), msg("m2", 2), msg("m3", 3)}
	want[1].EventID, want[1].Mention, want[1].Direct, want[1].FromSelf = "ev-2", true, true, true
	want[2].User.IsBot = true
	record(t, s, "th-1", 10, want[:2]...)
	record(t, s, "th-2", 10, msg("x1", 1))
	record(t, s, "th-1", 10, want[2])
	if got, err := s.Transcript(t.Context(), "th-1", 10); err != nil || !same(got, want) {
		t.Errorf("Transcript = %+v, %v; want %+v", got, err, want)
	}
	if got, err := s.Transcript(t.Context(), "th-2", 10); err != nil || !same(got, []bot.Message{msg("x1", 1)}) {
		t.Errorf("Transcript of another thread = %+v, %v", got, err)
	}
}

func transcriptUpsert(t *testing.T, s store) {
	record(t, s, "th-1", 10, msg("m1", 1), msg("m2", 2), msg("m3", 3))
	edited := msg("m2", 2)
	edited.Text = "edited"
	record(t, s, "th-1", 10, edited, msg("m4", 4))
	want := []bot.Message{msg("m1", 1), edited, msg("m3", 3), msg("m4", 4)}
	if got, err := s.Transcript(t.Context(), "th-1", 10); err != nil || !same(got, want) {
		t.Errorf("Transcript = %+v, %v; want %+v", got, err, want)
	}
}

func transcriptKeep(t *testing.T, s store) {
	var all []bot.Message
	for i := range 6 {
		all = append(all, msg(fmt.Sprint("m", i), i))
	}
	record(t, s, "th-1", 3, all[:5]...)
	if got, err := s.Transcript(t.Context(), "th-1", 10); err != nil || !same(got, all[2:5]) {
		t.Errorf("Transcript after Record keeping 3 = %q, %v; want %q", msgIDs(got), err, msgIDs(all[2:5]))
	}
	record(t, s, "th-1", 3, all[5])
	if got, err := s.Transcript(t.Context(), "th-1", 10); err != nil || !same(got, all[3:]) {
		t.Errorf("Transcript after another Record keeping 3 = %q, %v; want %q", msgIDs(got), err, msgIDs(all[3:]))
	}
}

func transcriptLimit(t *testing.T, s store) {
	var all []bot.Message
	for i := range 5 {
		all = append(all, msg(fmt.Sprint("m", i), i))
	}
	record(t, s, "th-1", 10, all...)
	if got, err := s.Transcript(t.Context(), "th-1", 2); err != nil || !same(got, all[3:]) {
		t.Errorf("Transcript with limit 2 = %q, %v; want the newest two oldest first, %q", msgIDs(got), err, msgIDs(all[3:]))
	}
	if got, err := s.Transcript(t.Context(), "th-1", 5); err != nil || !same(got, all) {
		t.Errorf("Transcript with limit 5 = %q, %v; want %q", msgIDs(got), err, msgIDs(all))
	}
}

func transcriptUnrecord(t *testing.T, s store) {
	ctx := t.Context()
	record(t, s, "th-1", 10, msg("m1", 1), msg("m2", 2), msg("m3", 3))
	record(t, s, "th-2", 10, msg("m2", 2))
	if err := s.Unrecord(ctx, "th-1", "m2"); err != nil {
		t.Fatalf("Unrecord: %v", err)
	}
	for _, tc := range []struct{ thread, id string }{{"th-1", "m-unknown"}, {"th-1", "m2"}, {"th-unknown", "m1"}} {
		if err := s.Unrecord(ctx, tc.thread, tc.id); err != nil {
			t.Errorf("Unrecord(%q, %q) of a message not there: %v", tc.thread, tc.id, err)
		}
	}
	if got, err := s.Transcript(ctx, "th-1", 10); err != nil || !same(got, []bot.Message{msg("m1", 1), msg("m3", 3)}) {
		t.Errorf("Transcript after Unrecord = %q, %v; want [m1 m3]", msgIDs(got), err)
	}
	if got, _ := s.Transcript(ctx, "th-2", 10); !slices.Equal(msgIDs(got), []string{"m2"}) {
		t.Errorf("Unrecord in th-1 removed from th-2: %q", msgIDs(got))
	}
}

func transcriptUnknown(t *testing.T, s store) {
	record(t, s, "th-1", 10, msg("m1", 1))
	if got, err := s.Transcript(t.Context(), "th-unknown", 10); err != nil || len(got) != 0 {
		t.Errorf("Transcript of an unknown thread = %+v, %v; want it empty", got, err)
	}
}

func transcriptCopies(t *testing.T, s store) {
	put := []bot.Message{msg("m1", 1), msg("m2", 2)}
	record(t, s, "th-1", 10, put...)
	put[0].Text = "changed"
	got, _ := s.Transcript(t.Context(), "th-1", 10)
	if !same(got, []bot.Message{msg("m1", 1), msg("m2", 2)}) {
		t.Fatalf("a change to the messages recorded reached the store: %+v", got)
	}
	got[0].Text = "changed"
	if again, _ := s.Transcript(t.Context(), "th-1", 10); !same(again, []bot.Message{msg("m1", 1), msg("m2", 2)}) {
		t.Errorf("a change to a returned transcript reached the store: %+v", again)
	}
}

// ---- Purge

func purgeDedupe(t *testing.T, s store) {
	ctx := t.Context()
	until := fromNow(time.Hour)
	for _, key := range []string{"ev-1", "ev-2"} {
		if first, err := s.Dedupe(ctx, key, until); err != nil || !first {
			t.Fatalf("Dedupe = %v, %v", first, err)
		}
	}
	if _, err := s.Accept(ctx, bot.Acceptance{Dedupe: "ev-3", DedupeUntil: until}); err != nil {
		t.Fatalf("Accept: %v", err)
	}
	if first, err := s.Dedupe(ctx, "ev-late", until.Add(2*time.Hour)); err != nil || !first {
		t.Fatalf("Dedupe = %v, %v", first, err)
	}
	if err := s.Purge(ctx, bot.Purge{Now: until.Add(-time.Minute)}); err != nil {
		t.Fatalf("Purge: %v", err)
	}
	if first, err := s.Dedupe(ctx, "ev-1", until); err != nil || first {
		t.Errorf("Purge before a key's time freed it: Dedupe = %v, %v; want false", first, err)
	}
	if err := s.Purge(ctx, bot.Purge{Now: until.Add(time.Minute)}); err != nil {
		t.Fatalf("Purge: %v", err)
	}
	for _, key := range []string{"ev-2", "ev-3"} {
		if first, err := s.Dedupe(ctx, key, until); err != nil || !first {
			t.Errorf("Purge after key %q's time kept it: Dedupe = %v, %v; want true", key, first, err)
		}
	}
	if first, err := s.Dedupe(ctx, "ev-late", until); err != nil || first {
		t.Errorf("Purge freed a key set until later: Dedupe = %v, %v; want false", first, err)
	}
}

func purgeActions(t *testing.T, s store) {
	ctx := t.Context()
	acts := []bot.ActionRecord{
		{ID: "act-old", Address: addr, Handler: "h", Expires: t0.Add(time.Hour)},
		{ID: "act-new", Address: addr, Handler: "h", Expires: t0.Add(3 * time.Hour)},
		{ID: "act-never", Address: addr, Handler: "h"},
	}
	if err := s.PutActions(ctx, acts); err != nil {
		t.Fatalf("PutActions: %v", err)
	}
	putChoices(t, s, choice("ch-1", "run-1", t0, t0.Add(time.Hour)))
	if err := s.Purge(ctx, bot.Purge{Now: t0.Add(2 * time.Hour)}); err != nil {
		t.Fatalf("Purge: %v", err)
	}
	if _, err := s.Action(ctx, "act-old"); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("Purge kept an action id expired: Action error %v, want ErrNotFound", err)
	}
	for _, id := range []string{"act-new", "act-never", "ch-1/yes"} {
		if _, err := s.Action(ctx, id); err != nil {
			t.Errorf("Purge deleted action id %q, not expired: %v", id, err)
		}
	}
}

func purgeChoices(t *testing.T, s store) {
	ctx := t.Context()
	putChoices(t, s,
		choice("ch-old", "run-1", t0, time.Time{}),
		choice("ch-old-cancelled", "run-1", t0.Add(time.Second), time.Time{}),
		choice("ch-recent", "run-1", t0.Add(2*time.Second), time.Time{}),
		choice("ch-pending", "run-1", t0.Add(3*time.Second), t0),
	)
	for id, o := range map[string]bot.Outcome{
		"ch-old":           {State: bot.ChoiceDecided, Value: json.RawMessage(`{"ok":true}`), User: bot.User{ID: "U1"}, At: t0.Add(time.Minute)},
		"ch-old-cancelled": {State: bot.ChoiceCancelled, At: t0.Add(time.Minute)},
		"ch-recent":        {State: bot.ChoiceExpired, At: t0.Add(2 * time.Hour)},
	} {
		if _, won, err := s.Resolve(ctx, id, o); err != nil || !won {
			t.Fatalf("Resolve(%q) = %v, %v", id, won, err)
		}
	}
	if err := s.Purge(ctx, bot.Purge{ChoicesEndedBefore: t0.Add(time.Hour)}); err != nil {
		t.Fatalf("Purge: %v", err)
	}
	for _, id := range []string{"ch-old", "ch-old-cancelled"} {
		if _, err := s.Choice(ctx, id); !errors.Is(err, bot.ErrNotFound) {
			t.Errorf("Purge kept choice %q, ended before: Choice error %v, want ErrNotFound", id, err)
		}
		if _, err := s.Action(ctx, id+"/no"); !errors.Is(err, bot.ErrNotFound) {
			t.Errorf("Purge kept an option of choice %q: Action error %v, want ErrNotFound", id, err)
		}
	}
	for _, id := range []string{"ch-recent", "ch-pending"} {
		if _, err := s.Choice(ctx, id); err != nil {
			t.Errorf("Purge deleted choice %q: %v", id, err)
		}
		if _, err := s.Action(ctx, id+"/no"); err != nil {
			t.Errorf("Purge deleted an option of choice %q: %v", id, err)
		}
	}
	if got, err := s.Choices(ctx, "run-1"); err != nil || !slices.Equal(choiceIDs(got), []string{"ch-recent", "ch-pending"}) {
		t.Errorf("after Purge, Choices = %q, %v; want [ch-recent ch-pending]", choiceIDs(got), err)
	}
	if got, err := s.Expiring(ctx, t0, 10); err != nil || !slices.Equal(choiceIDs(got), []string{"ch-pending"}) {
		t.Errorf("after Purge, Expiring = %q, %v; want [ch-pending]", choiceIDs(got), err)
	}
}

func purgeTranscripts(t *testing.T, s store) {
	ctx := t.Context()
	record(t, s, "th-1", 10, msg("m1", 1))
	if _, err := s.Accept(ctx, bot.Acceptance{Record: new(msg("m2", 2)), Thread: "th-2", Keep: 10}); err != nil {
		t.Fatalf("Accept: %v", err)
	}
	if err := s.Purge(ctx, bot.Purge{TranscriptsIdleBefore: time.Now().Add(-time.Hour)}); err != nil {
		t.Fatalf("Purge: %v", err)
	}
	for _, th := range []string{"th-1", "th-2"} {
		if got, _ := s.Transcript(ctx, th, 10); len(got) != 1 {
			t.Errorf("Purge deleted the transcript of %s, written since: %+v", th, got)
		}
	}
	if err := s.Purge(ctx, bot.Purge{TranscriptsIdleBefore: time.Now().Add(time.Hour)}); err != nil {
		t.Fatalf("Purge: %v", err)
	}
	for _, th := range []string{"th-1", "th-2"} {
		if got, _ := s.Transcript(ctx, th, 10); len(got) != 0 {
			t.Errorf("Purge kept the transcript of %s, idle: %+v", th, got)
		}
	}
}

func purgeZero(t *testing.T, s store) {
	ctx := t.Context()
	now := fromNow(0)
	if first, err := s.Dedupe(ctx, "ev-1", now.Add(time.Hour)); err != nil || !first {
		t.Fatalf("Dedupe = %v, %v", first, err)
	}
	if err := s.PutActions(ctx, []bot.ActionRecord{{ID: "act-1", Address: addr, Handler: "h", Expires: now.Add(-time.Hour)}}); err != nil {
		t.Fatalf("PutActions: %v", err)
	}
	l := claim(t, s, "lane-1", "o1", long).Lease
	if err := s.AppendJournal(ctx, l, "run-1", []bot.JournalEntry{entry(0, "a")}); err != nil {
		t.Fatalf("AppendJournal: %v", err)
	}
	if err := s.EndJournal(ctx, l, "run-1", now.Add(-time.Hour)); err != nil {
		t.Fatalf("EndJournal: %v", err)
	}
	putChoices(t, s, choice("ch-1", "run-1", now.Add(-2*time.Hour), time.Time{}))
	if _, won, err := s.Resolve(ctx, "ch-1", bot.Outcome{State: bot.ChoiceCancelled, At: now.Add(-time.Hour)}); err != nil || !won {
		t.Fatalf("Resolve = %v, %v", won, err)
	}
	record(t, s, "th-1", 10, msg("m1", 1))

	// kept reports which of the records set up above are still there.
	kept := func() map[string]bool {
		first, _ := s.Dedupe(ctx, "ev-1", now.Add(time.Hour))
		_, actErr := s.Action(ctx, "act-1")
		j, _ := s.Journal(ctx, "run-1")
		_, chErr := s.Choice(ctx, "ch-1")
		tr, _ := s.Transcript(ctx, "th-1", 10)
		return map[string]bool{"dedupe": !first, "action": actErr == nil, "journal": len(j) > 0, "choice": chErr == nil, "transcript": len(tr) > 0}
	}
	for _, tc := range []struct {
		p    bot.Purge
		want map[string]bool
	}{
		{bot.Purge{}, map[string]bool{"dedupe": true, "action": true, "journal": true, "choice": true, "transcript": true}},
		{bot.Purge{Now: now.Add(2 * time.Hour)}, map[string]bool{"dedupe": false, "action": false, "journal": false, "choice": true, "transcript": true}},
		{bot.Purge{ChoicesEndedBefore: now}, map[string]bool{"choice": false, "transcript": true}},
		{bot.Purge{TranscriptsIdleBefore: now.Add(time.Hour)}, map[string]bool{"transcript": false}},
	} {
		if err := s.Purge(ctx, tc.p); err != nil {
			t.Fatalf("Purge: %v", err)
		}
		got := kept()
		for what, want := range tc.want {
			if got[what] != want {
				t.Errorf("after Purge%+v, the %s is kept: %v, want %v", tc.p, what, got[what], want)
			}
		}
	}
}

// ---- Notifier

// notes collects the notes a subscriber receives that carry its prefix,
// so that notes of other tests sharing a channel are ignored.
type notes struct {
	prefix string
	// hold, when set, keeps each call of receive busy until it is closed.
	hold chan struct{}
	mu   sync.Mutex
	got  []string
}

func (n *notes) receive(note string) {
	if !strings.HasPrefix(note, n.prefix) {
		return
	}
	n.mu.Lock()
	n.got = append(n.got, note)
	n.mu.Unlock()
	if n.hold != nil {
		<-n.hold
	}
}

// wait returns the notes received once there are at least count, or after
// a few seconds.
func (n *notes) wait(count int) []string {
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		n.mu.Lock()
		got := slices.Clone(n.got)
		n.mu.Unlock()
		if len(got) >= count || time.Now().After(deadline) {
			return got
		}
	}
}

func notifierInOrder(t *testing.T, s store) {
	prefix := fmt.Sprintf("storetest %p ", t)
	pub := s.f.Notifier(t, s.Store)
	subs := []*notes{{prefix: prefix}, {prefix: prefix}}
	for _, sub := range subs {
		if err := s.f.Notifier(t, s.Store).Subscribe(t.Context(), sub.receive); err != nil {
			t.Fatalf("Subscribe: %v", err)
		}
	}
	var want []string
	for i := range 20 {
		note := fmt.Sprint(prefix, "lane:run-1 lane-", i)
		want = append(want, note)
		if err := pub.Publish(t.Context(), note); err != nil {
			t.Fatalf("Publish: %v", err)
		}
	}
	for i, sub := range subs {
		if got := sub.wait(len(want)); !slices.Equal(got, want) {
			t.Errorf("subscriber %d received %q, want %q", i, got, want)
		}
	}
}

func notifierEnded(t *testing.T, s store) {
	prefix := fmt.Sprintf("storetest %p ", t)
	pub := s.f.Notifier(t, s.Store)
	// Several subscriptions end at once, each while its receive is busy
	// with a note, and notes are published before receive returns: a
	// subscriber that delivers them after all is caught whichever way
	// its goroutine happens to be scheduled.
	ctx, cancel := context.WithCancel(t.Context())
	hold := make(chan struct{})
	var ended []*notes
	for range 8 {
		n := &notes{prefix: prefix, hold: hold}
		if err := s.f.Notifier(t, s.Store).Subscribe(ctx, n.receive); err != nil {
			t.Fatalf("Subscribe: %v", err)
		}
		ended = append(ended, n)
	}
	live := &notes{prefix: prefix}
	if err := s.f.Notifier(t, s.Store).Subscribe(t.Context(), live.receive); err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	if err := pub.Publish(t.Context(), prefix+"before"); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	for _, n := range ended {
		if got := n.wait(1); !slices.Equal(got, []string{prefix + "before"}) {
			close(hold)
			t.Fatalf("before its context ended, a subscriber received %q", got)
		}
	}
	cancel()
	for _, note := range []string{"after-1", "after-2"} {
		if err := pub.Publish(t.Context(), prefix+note); err != nil {
			t.Fatalf("Publish: %v", err)
		}
	}
	if got := live.wait(3); len(got) != 3 {
		t.Fatalf("a live subscriber received %q, want 3 notes", got)
	}
	close(hold)
	time.Sleep(20 * time.Millisecond)
	for i, n := range ended {
		if got := n.wait(1); len(got) != 1 {
			t.Errorf("subscriber %d, whose context ended, received %q after it ended", i, got[1:])
		}
	}
}

// ---- Replicas

func replicasRaceForLane(t *testing.T, s store) {
	h := s.replicas(t)
	const lanes = 20
	for i := range lanes {
		accept(t, s, item(fmt.Sprint("i", i), fmt.Sprint("lane-", i)))
	}
	var wg sync.WaitGroup
	claims := make([][2]bot.Claimed, lanes)
	errs := make([][2]error, lanes)
	for i := range lanes {
		for r := range 2 {
			wg.Go(func() {
				claims[i][r], errs[i][r] = h[r].Claim(t.Context(), fmt.Sprint("lane-", i), fmt.Sprint("replica-", r), long)
			})
		}
	}
	wg.Wait()
	for i := range lanes {
		won := 0
		for r := range 2 {
			switch err := errs[i][r]; {
			case err == nil && claims[i][r].Held():
				won++
				if !slices.Equal(itemIDs(claims[i][r].Items), []string{fmt.Sprint("i", i)}) {
					t.Errorf("lane-%d: the winner was handed %q", i, itemIDs(claims[i][r].Items))
				}
			case !errors.Is(err, bot.ErrConflict):
				t.Errorf("lane-%d: replica %d's Claim = %+v, error %v; want the lane or ErrConflict", i, r, claims[i][r], err)
			}
		}
		if won != 1 {
			t.Errorf("lane-%d: %d replicas hold it, want 1", i, won)
		}
	}
}

func replicasFenced(t *testing.T, s store) {
	ctx := t.Context()
	h := s.replicas(t)
	accept(t, h[0], item("i1", "lane-1"))
	a := claim(t, h[0], "lane-1", "replica-a", short).Lease
	if err := h[0].Begin(ctx, a, []string{"i1"}); err != nil {
		t.Fatalf("Begin: %v", err)
	}
	if err := h[0].AppendJournal(ctx, a, "run-i1", []bot.JournalEntry{entry(0, "a0"), entry(1, "a1")}); err != nil {
		t.Fatalf("AppendJournal: %v", err)
	}
	lapse() // replica a stalls: a pause, a partition
	bc := claim(t, h[1], "lane-1", "replica-b", long)
	if len(bc.Items) != 1 || bc.Items[0].Attempts != 1 {
		t.Fatalf("replica b was handed %+v, want i1 with 1 attempt", bc.Items)
	}
	b := bc.Lease
	j, err := h[1].Journal(ctx, "run-i1")
	if err != nil || len(j) != 2 {
		t.Fatalf("replica b reads the journal: %+v, %v; want 2 entries", j, err)
	}
	// Both replicas now write at once: only b's writes land.
	var wg sync.WaitGroup
	var errA, errB error
	wg.Go(func() { errA = h[0].AppendJournal(ctx, a, "run-i1", []bot.JournalEntry{entry(2, "a2")}) })
	wg.Go(func() { errB = h[1].AppendJournal(ctx, b, "run-i1", []bot.JournalEntry{entry(2, "b2")}) })
	wg.Wait()
	if !errors.Is(errA, bot.ErrConflict) || errB != nil {
		t.Fatalf("appends of the replica that lost the lane and of the one holding it: errors %v and %v; want ErrConflict and nil", errA, errB)
	}
	if _, _, err := h[0].Renew(ctx, a, long); !errors.Is(err, bot.ErrConflict) {
		t.Errorf("the lapsed replica's Renew: error %v, want ErrConflict", err)
	}
	if _, err := h[0].Complete(ctx, a, bot.Completion{Done: []string{"i1"}}); !errors.Is(err, bot.ErrConflict) {
		t.Errorf("the lapsed replica's Complete: error %v, want ErrConflict", err)
	}
	if err := h[0].EndJournal(ctx, a, "run-i1", time.Time{}); !errors.Is(err, bot.ErrConflict) {
		t.Errorf("the lapsed replica's EndJournal: error %v, want ErrConflict", err)
	}
	want := []bot.JournalEntry{entry(0, "a0"), entry(1, "a1"), entry(2, "b2")}
	if got, err := h[0].Journal(ctx, "run-i1"); err != nil || !same(got, want) {
		t.Errorf("Journal = %+v, %v; want %+v", got, err, want)
	}
	if c, err := h[1].Complete(ctx, b, bot.Completion{Done: []string{"i1"}}); err != nil || c.Held() || c.Queued != 0 {
		t.Errorf("the holder's Complete = %+v, %v; want the lane released, empty", c, err)
	}
}
