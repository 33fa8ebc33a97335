package sqlite_test

import (
	"database/sql"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/store/sqlite"
)

// received collects the notes a subscriber receives.
type received struct {
	mu  sync.Mutex
	got []string
}

func (r *received) receive(note string) {
	r.mu.Lock()
	r.got = append(r.got, note)
	r.mu.Unlock()
}

// until returns the notes received once the last is want, or after a
// few seconds.
func (r *received) until(want string) []string {
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		r.mu.Lock()
		got := slices.Clone(r.got)
		r.mu.Unlock()
		if len(got) > 0 && got[len(got)-1] == want || time.Now().After(deadline) {
			return got
		}
	}
}

// insertNote writes a note into the file at path as another process's
// Store would.
func insertNote(t *testing.T, path, note string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`INSERT INTO notes (origin, at, note) VALUES (?, ?, ?)`, 42, time.Now().UnixMilli(), note); err != nil {
		t.Fatal(err)
	}
}

// TestNotesOnceEach checks that a subscriber receives each note once:
// those of this process at once and never again when its poller reads
// them in the file, and those of another process when it polls, but none
// published before it subscribed.
func TestNotesOnceEach(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := dbPath(t)
	a, b := open(t, path), open(t, path)
	insertNote(t, path, "before")
	var onA, onB received
	if err := a.Subscribe(ctx, onA.receive); err != nil {
		t.Fatal(err)
	}
	if err := b.Subscribe(ctx, onB.receive); err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct {
		s    *sqlite.Store
		note string
	}{{a, "a1"}, {b, "b1"}, {a, "a2"}} {
		if err := p.s.Publish(ctx, p.note); err != nil {
			t.Fatal(err)
		}
	}
	// The note of the other process is the last in the file: once a
	// poller brought it, it read every note before it too.
	insertNote(t, path, "other")
	want := []string{"a1", "b1", "a2", "other"}
	for name, r := range map[string]*received{"a": &onA, "b": &onB} {
		if got := r.until("other"); !slices.Equal(got, want) {
			t.Errorf("the subscriber on %s received %q, want %q", name, got, want)
		}
	}
}

func TestNotesPruned(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := dbPath(t)
	s, err := sqlite.Open(ctx, path, sqlite.Options{NoteRetention: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for _, note := range []string{"n1", "n2", "n3"} {
		if err := s.Publish(ctx, note); err != nil {
			t.Fatal(err)
		}
		time.Sleep(3 * time.Millisecond) // the note outlives its retention
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var notes []string
	rows, err := db.Query(`SELECT note FROM notes ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		rows.Scan(&n)
		notes = append(notes, n)
	}
	if !slices.Equal(notes, []string{"n3"}) {
		t.Errorf("after notes outlived their retention, the file holds %q, want only the last published", notes)
	}
}
