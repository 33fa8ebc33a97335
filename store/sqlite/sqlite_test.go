package sqlite_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/store/sqlite"
	"github.com/parleybot/parley/store/storetest"
)

func TestMain(m *testing.M) {
	// The tests of several processes run this binary again as the other
	// process (see process_test.go).
	if role := os.Getenv(childRole); role != "" {
		os.Exit(runChild(role))
	}
	os.Exit(m.Run())
}

// fastPoll is the PollInterval of the tests' stores, so that notes of
// other processes arrive soon.
const fastPoll = 10 * time.Millisecond

// open opens a Store on path, closed when the test ends.
func open(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), path, sqlite.Options{PollInterval: fastPoll})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// dbPath returns the path of a new database file in a directory of the
// test's own.
func dbPath(t *testing.T) string { return filepath.Join(t.TempDir(), "parley.db") }

func TestStore(t *testing.T) {
	t.Parallel()
	// Every replica, and every Notifier the suite asks for, is a Store of
	// its own on the file: its own connections, as another process would
	// hold.
	again := func(t *testing.T, s bot.Store) *sqlite.Store { return open(t, s.(*sqlite.Store).Path()) }
	storetest.Exercise(t, func(t *testing.T) bot.Store {
		return open(t, dbPath(t))
	}, storetest.Features{
		Replica:  func(t *testing.T, s bot.Store) bot.Store { return again(t, s) },
		Notifier: func(t *testing.T, s bot.Store) bot.Notifier { return again(t, s) },
	})
}
