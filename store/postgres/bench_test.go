package postgres_test

// The benchmarks of issue 10: journal appends/s, decisions/s under 100
// concurrent deciders, the Store calls and writes of one agent turn that
// does not wait, restart-to-ready time with 10,000 pending choices, and
// the database's size per parked choice. Their bodies are storebench's,
// which store/sqlite runs too; what is here is PostgreSQL's: opening a
// Store in a schema, its pool, and measuring the schema. Each works in a
// schema of its own on the tests' server (see needServer), dropped when
// it ends, and is skipped when the server cannot be reached.
//
//	go test ./store/postgres -run '^$' -bench . -benchmem -benchtime 2s

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/store/postgres"
	"github.com/parleybot/parley/store/storetest/storebench"
)

// benchSchema returns the name of a schema of the benchmark's own,
// dropped when it ends. It skips the benchmark when the tests' server
// cannot be reached, or fails it under CI (see needServer).
func benchSchema(b *testing.B) string {
	b.Helper()
	needServer(b)
	raw := make([]byte, 6)
	rand.Read(raw)
	schema := "parley_bench_" + hex.EncodeToString(raw)
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`); err != nil {
			b.Errorf("dropping the benchmark's schema %s: %v", schema, err)
		}
	})
	return schema
}

// openBench opens a Store on schema for a benchmark, closed when it ends
// (before the schema is dropped: cleanups run last first).
func openBench(b *testing.B, schema string, opts postgres.Options) *postgres.Store {
	b.Helper()
	opts.Schema = schema
	s, err := postgres.Open(context.Background(), testURL(), opts)
	if err != nil {
		b.Fatalf("Open(schema %s): %v", schema, err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkJournalAppend is storebench.JournalAppend; lanes=16 runs on a
// pool of 16 connections.
func BenchmarkJournalAppend(b *testing.B) {
	storebench.JournalAppend(b, func(b *testing.B, lanes int) bot.Store {
		opts := postgres.Options{}
		if lanes > 1 {
			opts.MaxConns = int32(lanes)
		}
		return openBench(b, benchSchema(b), opts)
	})
}

// BenchmarkDecide100 is storebench.Decide100 on two pools: pool=default
// is the pool a Store has by default (4 connections, or the number of
// CPUs if more); pool=32 lets more of the 100 reach the server at once.
// The choices are seeded on a pool of 8.
func BenchmarkDecide100(b *testing.B) {
	for _, pool := range []struct {
		name  string
		conns int32
	}{{"pool=default", 0}, {"pool=32", 32}} {
		b.Run(pool.name, func(b *testing.B) {
			storebench.Decide100(b, func(b *testing.B) (bot.Store, func() bot.Store) {
				schema := benchSchema(b)
				seed := openBench(b, schema, postgres.Options{MaxConns: 8})
				return seed, func() bot.Store { return openBench(b, schema, postgres.Options{MaxConns: pool.conns}) }
			})
		})
	}
}

// BenchmarkTurn is storebench.Turn.
func BenchmarkTurn(b *testing.B) {
	s := openBench(b, benchSchema(b), postgres.Options{})
	storebench.Turn(b, s, s)
}

// BenchmarkRestartWith10kPendingChoices is
// storebench.RestartWith10kPendingChoices on a schema, seeded on a pool
// of 8 and reopened with the default Options.
func BenchmarkRestartWith10kPendingChoices(b *testing.B) {
	schema := benchSchema(b)
	storebench.RestartWith10kPendingChoices(b, func(b *testing.B) storebench.Store {
		return openBench(b, schema, postgres.Options{MaxConns: 8})
	}, func(ctx context.Context) (storebench.Store, error) {
		return postgres.Open(ctx, testURL(), postgres.Options{Schema: schema})
	})
}

// BenchmarkParkedChoiceSize is storebench.ParkedChoiceSize on a schema:
// bytes/choice is the sum of pg_total_relation_size (table, indexes,
// TOAST) over the schema's tables, less that of the schema just migrated;
// vacuumed-bytes/choice is the same after VACUUM FULL, without the dead
// rows of what was deleted or updated, whose space PostgreSQL reuses but
// does not give back. The bytes of each table are logged. Run it with
// -benchtime 1x.
func BenchmarkParkedChoiceSize(b *testing.B) {
	storebench.ParkedChoiceSize(b, func(b *testing.B) (storebench.Store, int64, func() (int64, int64)) {
		schema := benchSchema(b)
		s := openBench(b, schema, postgres.Options{})
		base := schemaSize(b, schema, false)
		return s, base, func() (int64, int64) {
			return schemaSize(b, schema, false), schemaSize(b, schema, true)
		}
	})
}

// schemaSize returns the bytes of the tables of schema, with their
// indexes and TOAST, after VACUUM FULL of each if vacuum is set; then it
// also logs the bytes of each table.
func schemaSize(b *testing.B, schema string, vacuum bool) int64 {
	b.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, testURL())
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	const tables = `SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relkind = 'r' ORDER BY 2 DESC, 1`
	rows, err := conn.Query(ctx, tables, schema)
	if err != nil {
		b.Fatal(err)
	}
	// table is a table's name and bytes, as the query lists them.
	type table struct {
		Name  string
		Bytes int64
	}
	ts, err := pgx.CollectRows(rows, pgx.RowToStructByPos[table])
	if err != nil {
		b.Fatal(err)
	}
	if !vacuum {
		var n int64
		for _, t := range ts {
			n += t.Bytes
		}
		return n
	}
	for _, t := range ts {
		if _, err := conn.Exec(ctx, `VACUUM FULL `+pgx.Identifier{schema, t.Name}.Sanitize()); err != nil {
			b.Fatalf("VACUUM FULL %s.%s: %v", schema, t.Name, err)
		}
	}
	rows, err = conn.Query(ctx, tables, schema)
	if err != nil {
		b.Fatal(err)
	}
	if ts, err = pgx.CollectRows(rows, pgx.RowToStructByPos[table]); err != nil {
		b.Fatal(err)
	}
	var n int64
	parts := make([]string, len(ts))
	for i, t := range ts {
		n += t.Bytes
		parts[i] = fmt.Sprintf("%s %d", t.Name, t.Bytes)
	}
	b.Logf("after VACUUM FULL, bytes by table (with its indexes): %s", strings.Join(parts, ", "))
	return n
}
