package sqlite_test

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/store/sqlite"
)

func TestOpenRefuses(t *testing.T) {
	t.Parallel()
	garbage := bytes.Repeat([]byte("this is no database, only text; "), 256)
	for _, tc := range []struct {
		name string
		// setup makes what the test opens in dir, and returns its path.
		setup func(t *testing.T, dir string) string
		want  string // in the error, after the path
	}{
		{"garbage", func(t *testing.T, dir string) string {
			return writeFile(t, filepath.Join(dir, "garbage.db"), garbage)
		}, "not a SQLite database"},
		{"a few bytes", func(t *testing.T, dir string) string {
			return writeFile(t, filepath.Join(dir, "short.db"), []byte("parley"))
		}, "not a SQLite database"},
		{"a SQLite header over garbage", func(t *testing.T, dir string) string {
			return writeFile(t, filepath.Join(dir, "header.db"), append([]byte("SQLite format 3\x00"), garbage...))
		}, "not a SQLite database"},
		{"a directory", func(t *testing.T, dir string) string {
			return dir
		}, "is a directory"},
		{"a missing directory", func(t *testing.T, dir string) string {
			return filepath.Join(dir, "missing", "parley.db")
		}, "no such file or directory"},
		{"a file as the directory", func(t *testing.T, dir string) string {
			return filepath.Join(writeFile(t, filepath.Join(dir, "file"), nil), "parley.db")
		}, "not a directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := tc.setup(t, t.TempDir())
			before, _ := os.ReadFile(path)
			s, err := sqlite.Open(t.Context(), path, sqlite.Options{})
			if err == nil {
				s.Close()
				t.Fatalf("Open(%s) succeeded, want an error", path)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "sqlite: open "+path+": ") || !strings.Contains(msg, tc.want) {
				t.Errorf("Open(%s): error %q, want one naming the path and saying %q", path, msg, tc.want)
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(after, before) {
				t.Errorf("Open(%s) failed but changed the file", path)
			}
		})
	}
}

func writeFile(t *testing.T, path string, data []byte) string {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestOpenNotWritable(t *testing.T) {
	t.Parallel()
	if os.Geteuid() == 0 {
		t.Skip("running as root, which may write a read-only file or directory all the same")
	}
	for _, tc := range []struct {
		name string
		// setup makes what the test opens in dir, and returns its path.
		setup func(t *testing.T, dir string) string
	}{
		{"a new file in a read-only directory", func(t *testing.T, dir string) string {
			readOnly(t, dir)
			return filepath.Join(dir, "parley.db")
		}},
		{"a database in a read-only directory", func(t *testing.T, dir string) string {
			path := newDatabase(t, dir)
			readOnly(t, dir)
			return path
		}},
		{"a read-only database", func(t *testing.T, dir string) string {
			path := newDatabase(t, dir)
			readOnly(t, path)
			return path
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := tc.setup(t, t.TempDir())
			s, err := sqlite.Open(t.Context(), path, sqlite.Options{})
			if err == nil {
				s.Close()
				t.Fatalf("Open succeeded, want an error")
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "sqlite: open "+path+": ") || !strings.Contains(msg, "writable") {
				t.Errorf("Open: error %q, want one naming the path and saying it is not writable", msg)
			}
		})
	}
}

// readOnly makes the file or directory at path read-only until the test
// ends.
func readOnly(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, fi.Mode().Perm()&^0o222); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(path, fi.Mode().Perm()) })
}

// newDatabase makes a Store's file in dir, closed, and returns its path.
func newDatabase(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "parley.db")
	s, err := sqlite.Open(t.Context(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestOpenNewerSchema(t *testing.T) {
	t.Parallel()
	path := dbPath(t)
	s, err := sqlite.Open(t.Context(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	// A newer version of the package migrated the file further.
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	newer := sqlite.SchemaVersion + 1
	if _, err := db.Exec(`INSERT INTO schema_version (version, applied) VALUES (?, 0)`, newer); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s, err = sqlite.Open(t.Context(), path, sqlite.Options{})
	if err == nil {
		s.Close()
		t.Fatal("Open of a database of a newer schema succeeded, want an error")
	}
	msg := err.Error()
	if !errors.Is(err, sqlite.ErrNewerSchema) || !strings.HasPrefix(msg, "sqlite: open "+path+": ") {
		t.Errorf("Open of a newer schema: error %q, want one naming the path and matching ErrNewerSchema", msg)
	}
	for _, v := range []int{newer, sqlite.SchemaVersion} {
		if !strings.Contains(msg, fmt.Sprint("version ", v)) && !strings.Contains(msg, fmt.Sprint("versions up to ", v)) {
			t.Errorf("Open of a newer schema: error %q does not name version %d", msg, v)
		}
	}
}

func TestOpenSchemaVersions(t *testing.T) {
	t.Parallel()
	// Opening again applies nothing twice: the file records each version
	// once.
	path := dbPath(t)
	for range 3 {
		s, err := sqlite.Open(t.Context(), path, sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	if got, want := schemaVersions(t, path), versionsUpTo(sqlite.SchemaVersion); !slices.Equal(got, want) {
		t.Errorf("schema_version holds %v, want %v", got, want)
	}
}

// schemaVersions returns the versions the file at path records as applied.
func schemaVersions(t *testing.T, path string) []int {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT version FROM schema_version ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var vs []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	return vs
}

func versionsUpTo(n int) []int {
	var vs []int
	for v := 1; v <= n; v++ {
		vs = append(vs, v)
	}
	return vs
}

func TestOptionsChecked(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		field string
		o     sqlite.Options
	}{
		{"BusyTimeout", sqlite.Options{BusyTimeout: -time.Second}},
		{"MaxConns", sqlite.Options{MaxConns: -1}},
		{"PollInterval", sqlite.Options{PollInterval: -time.Millisecond}},
		{"NoteRetention", sqlite.Options{NoteRetention: -time.Minute}},
	} {
		path := dbPath(t)
		s, err := sqlite.Open(t.Context(), path, tc.o)
		if err == nil {
			s.Close()
			t.Errorf("Open with a negative %s succeeded, want an error", tc.field)
			continue
		}
		if !strings.Contains(err.Error(), "Options."+tc.field) {
			t.Errorf("Open with a negative %s: error %q does not name the field", tc.field, err)
		}
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("Open with a negative %s made the file: %v", tc.field, err)
		}
	}
}

func TestOpenEmptyPath(t *testing.T) {
	t.Parallel()
	if s, err := sqlite.Open(t.Context(), "", sqlite.Options{}); err == nil {
		s.Close()
		t.Error("Open of an empty path succeeded, want an error")
	}
}

// TestReopenSeesEverything checks that what a Store wrote is there for
// the Store opened on the file after it closed: the state survives a
// restart.
func TestReopenSeesEverything(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := dbPath(t)
	addr := bot.Address{Platform: "test", Workspace: "W1", Channel: "C1", Thread: "T1"}
	t0 := time.Date(2026, 11, 21, 9, 30, 0, 125_000_000, time.UTC)
	msg := bot.Message{ID: "m1", EventID: "ev-1", Address: addr, User: bot.User{ID: "U1"}, Text: "deploy?", Time: t0}
	act := bot.ActionRecord{ID: "act-1", Address: addr, Handler: "deploy", Label: "Deploy", Value: json.RawMessage(`{"env":"prod"}`)}
	choice := bot.ChoiceRecord{ID: "ch-1", Run: "run-1", Lane: "lane-1", Address: addr, Created: t0, Deadline: t0.Add(time.Hour),
		Options: []bot.OptionRecord{{ID: "ch-1/yes", Label: "Yes", Value: json.RawMessage(`true`)}}}
	outcome := bot.Outcome{State: bot.ChoiceDecided, Value: json.RawMessage(`true`), User: bot.User{ID: "U2"}, At: t0.Add(time.Minute)}
	entries := []bot.JournalEntry{{Seq: 0, Kind: bot.StepStart, Data: json.RawMessage(`{"text":"deploy?"}`)}, {Seq: 1, Kind: bot.StepChoice, Key: "ch-1"}}

	s, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutActions(ctx, []bot.ActionRecord{act}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutChoice(ctx, choice); err != nil {
		t.Fatal(err)
	}
	c, err := s.Accept(ctx, bot.Acceptance{
		Dedupe: "ev-1", DedupeUntil: time.Now().Add(time.Hour),
		Record: &msg, Thread: "th-1", Keep: 10,
		Item:  bot.WorkItem{ID: "i1", Lane: "lane-1", Kind: bot.WorkMessage, Message: msg, Accepted: t0},
		Owner: "o1", LeaseTTL: time.Hour,
	})
	if err != nil || !c.Held() {
		t.Fatalf("Accept = %+v, %v", c, err)
	}
	if err := s.AppendJournal(ctx, c.Lease, "run-1", entries); err != nil {
		t.Fatal(err)
	}
	if _, won, err := s.Resolve(ctx, "ch-1", outcome); err != nil || !won {
		t.Fatalf("Resolve = %v, %v", won, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = open(t, path)
	if got, err := s.Action(ctx, "act-1"); err != nil || got.Handler != "deploy" || string(got.Value) != `{"env":"prod"}` {
		t.Errorf("after reopening, Action = %+v, %v", got, err)
	}
	if got, err := s.Action(ctx, "ch-1/yes"); err != nil || got.Choice != "ch-1" {
		t.Errorf("after reopening, the option's Action = %+v, %v", got, err)
	}
	if got, err := s.Choice(ctx, "ch-1"); err != nil || got.Outcome.State != bot.ChoiceDecided || got.Outcome.User.ID != "U2" {
		t.Errorf("after reopening, Choice = %+v, %v; want it decided by U2", got, err)
	}
	if _, won, err := s.Resolve(ctx, "ch-1", bot.Outcome{State: bot.ChoiceExpired, At: t0}); err != nil || won {
		t.Errorf("after reopening, a second Resolve = %v, %v; want it to lose", won, err)
	}
	if _, err := s.Accept(ctx, bot.Acceptance{Dedupe: "ev-1", DedupeUntil: time.Now().Add(time.Hour)}); !errors.Is(err, bot.ErrDuplicate) {
		t.Errorf("after reopening, Accept of the event again: error %v, want ErrDuplicate", err)
	}
	if got, err := s.Transcript(ctx, "th-1", 10); err != nil || len(got) != 1 || got[0].Text != "deploy?" {
		t.Errorf("after reopening, Transcript = %+v, %v", got, err)
	}
	if got, err := s.Journal(ctx, "run-1"); err != nil || len(got) != 2 || got[1].Key != "ch-1" {
		t.Errorf("after reopening, Journal = %+v, %v", got, err)
	}
	// The lease outlived the restart: the lane is still the owner's.
	if _, err := s.Claim(ctx, "lane-1", "o2", time.Minute); !errors.Is(err, bot.ErrConflict) {
		t.Errorf("after reopening, Claim of the held lane: error %v, want ErrConflict", err)
	}
	got, err := s.Complete(ctx, c.Lease, bot.Completion{Done: []string{"i1"}})
	if err != nil || got.Held() || got.Queued != 0 {
		t.Errorf("after reopening, the holder's Complete = %+v, %v; want the lane released, empty", got, err)
	}
}

func TestCloseTwice(t *testing.T) {
	t.Parallel()
	s, err := sqlite.Open(t.Context(), dbPath(t), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close again: %v", err)
	}
	if _, err := s.Action(t.Context(), "act-1"); err == nil || errors.Is(err, bot.ErrNotFound) {
		t.Errorf("Action after Close: error %v, want the store closed", err)
	}
	if err := s.Subscribe(t.Context(), func(string) {}); err == nil {
		t.Error("Subscribe after Close succeeded, want an error")
	}
}
