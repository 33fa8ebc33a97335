package postgres_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/store/postgres"
)

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestOpenErrorsNameWhereNotThePassword(t *testing.T) {
	t.Parallel()
	const password = "s3cret-pw"
	addr := closedPort(t)
	for _, tc := range []struct {
		name, url string
		want      []string // in the error
	}{
		{"unreachable server", "postgres://parley:" + password + "@" + addr + "/app?sslmode=disable&connect_timeout=5",
			[]string{"postgres: ", "cannot connect", addr, `database "app"`, `user "parley"`}},
		{"key=value string", "host=127.0.0.1 port=" + addr[strings.LastIndex(addr, ":")+1:] + " user=parley password=" + password + " dbname=app sslmode=disable",
			[]string{"cannot connect", addr}},
		{"malformed URL", "postgres://parley:" + password + "@127.0.0.1:notaport/app",
			[]string{"postgres: ", "connection URL"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			s, err := postgres.Open(ctx, tc.url, postgres.Options{})
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Open error %q does not say %q", err, w)
				}
			}
			if strings.Contains(err.Error(), password) {
				t.Errorf("Open error %q shows the password", err)
			}
		})
	}
}

func TestOpenRefusesBadSchemaName(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"1abc", "a-b", `a"b`, "a b", strings.Repeat("x", 64)} {
		s, err := postgres.Open(t.Context(), "postgres://nobody@127.0.0.1:1/x", postgres.Options{Schema: name})
		if err == nil {
			s.Close()
			t.Errorf("Open with schema %q succeeded", name)
		} else if !strings.Contains(err.Error(), "schema name") {
			t.Errorf("Open with schema %q: error %q does not name the schema", name, err)
		}
	}
}

// schemaVersion reads the version recorded in schema.
func schemaVersion(t *testing.T, schema string) int {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), testURL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	var v, rows int
	err = conn.QueryRow(t.Context(), `SELECT max(version), count(*) FROM `+pgx.Identifier{schema, "schema_version"}.Sanitize()).Scan(&v, &rows)
	if err != nil {
		t.Fatalf("reading the schema version: %v", err)
	}
	if rows != 1 {
		t.Errorf("schema_version has %d rows, want 1", rows)
	}
	return v
}

func TestOpenConcurrentlyMigratesOnce(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	const n = 8
	var wg sync.WaitGroup
	stores := make([]*postgres.Store, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			stores[i], errs[i] = postgres.Open(t.Context(), testURL(), postgres.Options{Schema: schema, MaxConns: 2})
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Errorf("Open %d of %d at once: %v", i, n, errs[i])
			continue
		}
		t.Cleanup(func() { stores[i].Close() })
	}
	if t.Failed() {
		return
	}
	if v := schemaVersion(t, schema); v < 1 {
		t.Errorf("schema version %d after Open, want at least 1", v)
	}
	// Each works on the one schema.
	if err := stores[0].PutActions(t.Context(), []bot.ActionRecord{{ID: "a1", Handler: "h"}}); err != nil {
		t.Fatal(err)
	}
	if a, err := stores[n-1].Action(t.Context(), "a1"); err != nil || a.Handler != "h" {
		t.Errorf("another Store's Action = %+v, %v", a, err)
	}
}

func TestOpenCreatesTablesInAnEmptySchema(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	if err := exec(t.Context(), `CREATE SCHEMA `+pgx.Identifier{schema}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	s := openStore(t, schema)
	if err := s.Record(t.Context(), "th", []bot.Message{{ID: "m1", Text: "hi"}}, 10); err != nil {
		t.Fatalf("Record in a schema that existed empty: %v", err)
	}
}

func TestOpenRefusesANewerSchema(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	s := openStore(t, schema)
	s.Close()
	have := schemaVersion(t, schema)
	newer := have + 1
	if err := exec(t.Context(), `UPDATE `+pgx.Identifier{schema, "schema_version"}.Sanitize()+` SET version = $1`, newer); err != nil {
		t.Fatal(err)
	}
	s, err := postgres.Open(t.Context(), testURL(), postgres.Options{Schema: schema})
	if err == nil {
		s.Close()
		t.Fatal("Open of a schema at a newer version succeeded")
	}
	for _, w := range []string{schema, fmt.Sprint("version ", newer), fmt.Sprint("up to ", have)} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("Open error %q does not say %q", err, w)
		}
	}
	if v := schemaVersion(t, schema); v != newer {
		t.Errorf("the refused schema's version is now %d, want it left at %d", v, newer)
	}
}

// TestReopenSeesWhatWasWritten writes through one Store, closes it, and
// reads through a Store opened afresh, as a restarted process would.
func TestReopenSeesWhatWasWritten(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	schema := newSchema(t)
	s := openStore(t, schema)
	addr := bot.Address{Platform: "test", Channel: "C1", Thread: "T1"}
	choice := bot.ChoiceRecord{
		ID: "ch-1", Run: "run-1", Lane: "lane-1", Address: addr, Created: time.UnixMilli(1_700_000_000_123).UTC(),
		Options: []bot.OptionRecord{{ID: "ch-1/yes", Label: "Yes", Value: json.RawMessage(`true`)}},
	}
	if err := s.PutChoice(ctx, choice); err != nil {
		t.Fatal(err)
	}
	c, err := s.Accept(ctx, bot.Acceptance{
		Dedupe: "ev-1", DedupeUntil: time.Now().Add(time.Hour),
		Record: &bot.Message{ID: "m1", Address: addr, Text: "deploy, with a NUL: \x00"}, Thread: "th-1", Keep: 10,
		Item: bot.WorkItem{ID: "i1", Lane: "lane-1", Kind: bot.WorkMessage}, Owner: "o1", LeaseTTL: time.Minute,
	})
	if err != nil || !c.Held() {
		t.Fatalf("Accept = %+v, %v", c, err)
	}
	if err := s.AppendJournal(ctx, c.Lease, "run-1", []bot.JournalEntry{{Seq: 0, Kind: bot.StepStart, Data: json.RawMessage(`{"n":1}`)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Complete(ctx, c.Lease, bot.Completion{Release: true}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := s.Choice(ctx, "ch-1"); err == nil {
		t.Error("Choice on a closed Store succeeded")
	}

	r := openStore(t, schema)
	if got, err := r.Choice(ctx, "ch-1"); err != nil || got.ID != "ch-1" || len(got.Options) != 1 {
		t.Errorf("reopened: Choice = %+v, %v", got, err)
	}
	if a, err := r.Action(ctx, "ch-1/yes"); err != nil || a.Choice != "ch-1" {
		t.Errorf("reopened: Action of the option = %+v, %v", a, err)
	}
	if _, err := r.Accept(ctx, bot.Acceptance{Dedupe: "ev-1", DedupeUntil: time.Now().Add(time.Hour)}); !errors.Is(err, bot.ErrDuplicate) {
		t.Errorf("reopened: Accept of the event seen: error %v, want ErrDuplicate", err)
	}
	if msgs, err := r.Transcript(ctx, "th-1", 10); err != nil || len(msgs) != 1 || msgs[0].Text != "deploy, with a NUL: \x00" {
		t.Errorf("reopened: Transcript = %+v, %v", msgs, err)
	}
	if j, err := r.Journal(ctx, "run-1"); err != nil || len(j) != 1 || j[0].Kind != bot.StepStart {
		t.Errorf("reopened: Journal = %+v, %v", j, err)
	}
	got, err := r.Claim(ctx, "lane-1", "o2", time.Minute)
	if err != nil || !slices.Equal(itemIDs(got.Items), []string{"i1"}) || got.Lease.Token <= c.Lease.Token {
		t.Errorf("reopened: Claim = %+v, %v; want i1 queued, with a token above %d", got, err, c.Lease.Token)
	}
}

func itemIDs(items []bot.WorkItem) []string {
	var ids []string
	for _, it := range items {
		ids = append(ids, it.ID)
	}
	return ids
}
