package postgres_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleybot/parley/store/postgres"
)

// inbox collects the notes a subscription receives.
type inbox struct {
	mu  sync.Mutex
	got []string
}

func (in *inbox) receive(note string) {
	in.mu.Lock()
	in.got = append(in.got, note)
	in.mu.Unlock()
}

// await returns the notes received once one of them is note, or all of
// them after a few seconds.
func (in *inbox) await(note string) []string {
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(2 * time.Millisecond) {
		in.mu.Lock()
		got := slices.Clone(in.got)
		in.mu.Unlock()
		if slices.Contains(got, note) || time.Now().After(deadline) {
			return got
		}
	}
}

func subscribe(t *testing.T, s *postgres.Store) *inbox {
	t.Helper()
	in := &inbox{}
	if err := s.Subscribe(t.Context(), in.receive); err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	return in
}

func publish(t *testing.T, s *postgres.Store, note string) {
	t.Helper()
	if err := s.Publish(t.Context(), note); err != nil {
		t.Fatalf("Publish(%q): %v", note, err)
	}
}

// TestNotesCrossStoresOfOneSchemaOnly checks that notes reach every Store
// on the schema, as other processes hold them, and no Store on another.
func TestNotesCrossStoresOfOneSchemaOnly(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	a, b := openStore(t, schema), openStore(t, schema)
	other := openStore(t, newSchema(t))
	if a.Channel() != b.Channel() || a.Channel() == other.Channel() {
		t.Fatalf("channels %q, %q (same schema) and %q (another)", a.Channel(), b.Channel(), other.Channel())
	}
	inB, inOther := subscribe(t, b), subscribe(t, other)
	publish(t, a, "from a")
	if got := inB.await("from a"); !slices.Equal(got, []string{"from a"}) {
		t.Errorf("a Store on the schema received %q, want [from a]", got)
	}
	// The server hands a listener its notes in the order they were
	// published; once the other schema's Store has a note published
	// after a's, it would have had a's before it.
	publish(t, other, "marker")
	if got := inOther.await("marker"); !slices.Equal(got, []string{"marker"}) {
		t.Errorf("a Store on another schema received %q, want only its own [marker]", got)
	}
}

// listenerPID returns the server process of the Store's listening
// connection, other than not, once it is listening.
func listenerPID(t *testing.T, conn *pgx.Conn, s *postgres.Store, not int32) int32 {
	t.Helper()
	listen := "LISTEN " + pgx.Identifier{s.Channel()}.Sanitize()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		var pids []int32
		rows, err := conn.Query(t.Context(), `SELECT pid FROM pg_stat_activity
			WHERE datname = current_database() AND state = 'idle' AND query = $1 AND pid <> $2`, listen, not)
		if err == nil {
			pids, err = pgx.CollectRows(rows, pgx.RowTo[int32])
		}
		if err != nil {
			t.Fatalf("looking for the listening connection: %v", err)
		}
		if len(pids) == 1 {
			return pids[0]
		}
		if len(pids) > 1 || time.Now().After(deadline) {
			t.Fatalf("%d connections listen on %s, want 1", len(pids), s.Channel())
		}
	}
}

// TestNotesSurviveTheListenerKilled kills the server process of the
// Store's listening connection; once the Store listens again, a note
// published arrives.
func TestNotesSurviveTheListenerKilled(t *testing.T) {
	t.Parallel()
	s := openStore(t, newSchema(t))
	in := subscribe(t, s)
	publish(t, s, "before")
	if got := in.await("before"); !slices.Equal(got, []string{"before"}) {
		t.Fatalf("received %q, want [before]", got)
	}
	admin := connect(t)
	for round := range 2 { // twice: the connection made again is looked after too
		pid := listenerPID(t, admin, s, 0)
		var killed bool
		if err := admin.QueryRow(t.Context(), `SELECT pg_terminate_backend($1)`, pid).Scan(&killed); err != nil || !killed {
			t.Fatalf("pg_terminate_backend(%d) = %v, %v", pid, killed, err)
		}
		listenerPID(t, admin, s, pid)
		note := []string{"after-1", "after-2"}[round]
		publish(t, s, note)
		if got := in.await(note); !slices.Contains(got, note) {
			t.Fatalf("after the listening connection was killed, received %q, want %q too", got, note)
		}
	}
	if got := in.await("after-2"); !slices.Equal(got, []string{"before", "after-1", "after-2"}) {
		t.Errorf("received %q, want each note once, in order", got)
	}
}

func TestSubscribeAfterCloseFails(t *testing.T) {
	t.Parallel()
	s := openStore(t, newSchema(t))
	s.Close()
	if err := s.Subscribe(t.Context(), func(string) {}); err == nil {
		t.Error("Subscribe on a closed Store succeeded")
	}
}
