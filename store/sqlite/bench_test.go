package sqlite_test

// The benchmarks of issue 10: journal appends/s, decisions/s under 100
// concurrent deciders, the Store calls and writes of one agent turn that
// does not wait, restart-to-ready time with 10,000 pending choices, and
// the file's size per parked choice. Their bodies are storebench's, which
// store/postgres runs too; what is here is SQLite's: opening a file, and
// measuring it. Those that write commit each transaction as a user's
// Store does — synced (sync=full, the default) — and, where the sync is
// what they measure, also with Options.RelaxedSync (sync=normal).
//
//	go test ./store/sqlite -run '^$' -bench . -benchmem -benchtime 2s

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/store/sqlite"
	"github.com/parleybot/parley/store/storetest/storebench"
)

// syncModes are the commit modes the write benchmarks run in.
var syncModes = []struct {
	name    string
	relaxed bool
}{{"sync=full", false}, {"sync=normal", true}}

// openBench opens a Store on path for a benchmark, closed when it ends.
func openBench(b *testing.B, path string, opts sqlite.Options) *sqlite.Store {
	b.Helper()
	s, err := sqlite.Open(context.Background(), path, opts)
	if err != nil {
		b.Fatalf("Open: %v", err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkJournalAppend is storebench.JournalAppend in each sync mode;
// lanes=16 has a connection for each lane's writer, as for the reads of
// so many threads.
func BenchmarkJournalAppend(b *testing.B) {
	for _, mode := range syncModes {
		b.Run(mode.name, func(b *testing.B) {
			storebench.JournalAppend(b, func(b *testing.B, lanes int) bot.Store {
				opts := sqlite.Options{RelaxedSync: mode.relaxed}
				if lanes > 1 {
					opts.MaxConns = lanes
				}
				return openBench(b, filepath.Join(b.TempDir(), "parley.db"), opts)
			})
		})
	}
}

// BenchmarkDecide100 is storebench.Decide100 in each sync mode; the
// choices are seeded with sync=normal, to be quick.
func BenchmarkDecide100(b *testing.B) {
	for _, mode := range syncModes {
		b.Run(mode.name, func(b *testing.B) {
			storebench.Decide100(b, func(b *testing.B) (bot.Store, func() bot.Store) {
				path := filepath.Join(b.TempDir(), "parley.db")
				seed := openBench(b, path, sqlite.Options{RelaxedSync: true})
				return seed, func() bot.Store { return openBench(b, path, sqlite.Options{RelaxedSync: mode.relaxed}) }
			})
		})
	}
}

// BenchmarkTurn is storebench.Turn in each sync mode.
func BenchmarkTurn(b *testing.B) {
	for _, mode := range syncModes {
		b.Run(mode.name, func(b *testing.B) {
			s := openBench(b, filepath.Join(b.TempDir(), "parley.db"), sqlite.Options{RelaxedSync: mode.relaxed})
			storebench.Turn(b, s, s)
		})
	}
}

// BenchmarkRestartWith10kPendingChoices is
// storebench.RestartWith10kPendingChoices on a file, seeded with
// sync=normal and reopened with the default Options.
func BenchmarkRestartWith10kPendingChoices(b *testing.B) {
	path := filepath.Join(b.TempDir(), "parley.db")
	storebench.RestartWith10kPendingChoices(b, func(b *testing.B) storebench.Store {
		return openBench(b, path, sqlite.Options{RelaxedSync: true})
	}, func(ctx context.Context) (storebench.Store, error) {
		return sqlite.Open(ctx, path, sqlite.Options{})
	})
}

// BenchmarkParkedChoiceSize is storebench.ParkedChoiceSize on a file:
// bytes/choice is the size of the file after the last connection closed,
// which checkpoints the WAL into it, less that of a file with the schema
// alone; vacuumed-bytes/choice is the same after VACUUM, without the pages
// freed by the rows deleted, which SQLite reuses but does not give back.
// The bytes of each table and index are logged. Run it with -benchtime
// 1x.
func BenchmarkParkedChoiceSize(b *testing.B) {
	storebench.ParkedChoiceSize(b, func(b *testing.B) (storebench.Store, int64, func() (int64, int64)) {
		ctx := context.Background()
		path := filepath.Join(b.TempDir(), "parley.db")
		empty, err := sqlite.Open(ctx, path, sqlite.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if err := empty.Close(); err != nil {
			b.Fatal(err)
		}
		base := fileSize(b, path)
		s, err := sqlite.Open(ctx, path, sqlite.Options{})
		if err != nil {
			b.Fatal(err)
		}
		return s, base, func() (int64, int64) {
			if err := s.Close(); err != nil {
				b.Fatal(err)
			}
			return fileSize(b, path), vacuum(b, path)
		}
	})
}

// vacuum vacuums the file at path, logs the bytes of each of its tables
// and indexes, and returns its size.
func vacuum(b *testing.B, path string) int64 {
	b.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`VACUUM`); err != nil {
		b.Fatalf("VACUUM: %v", err)
	}
	// dbstat is there when the driver is built with it; without, the
	// breakdown is left out.
	rows, err := db.Query(`SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC`)
	if err == nil {
		var parts []string
		for rows.Next() {
			var name string
			var n int64
			if err := rows.Scan(&name, &n); err != nil {
				b.Fatal(err)
			}
			parts = append(parts, fmt.Sprintf("%s %d", name, n))
		}
		rows.Close()
		b.Logf("after VACUUM, bytes by table and index: %s", strings.Join(parts, ", "))
	}
	db.Close()
	return fileSize(b, path)
}

// fileSize returns the size of the database file at path with its WAL,
// if one is left.
func fileSize(b *testing.B, path string) int64 {
	b.Helper()
	var n int64
	for _, p := range []string{path, path + "-wal"} {
		fi, err := os.Stat(p)
		if err != nil {
			if os.IsNotExist(err) && p != path {
				continue
			}
			b.Fatal(err)
		}
		n += fi.Size()
	}
	return n
}
