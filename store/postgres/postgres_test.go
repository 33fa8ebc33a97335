package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/store/postgres"
	"github.com/parleybot/parley/store/storetest"
)

// defaultTestURL is the server of the tests when PARLEY_TEST_POSTGRES_URL
// is not set.
const defaultTestURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// testURL returns the URL of the tests' server.
func testURL() string {
	if u := os.Getenv("PARLEY_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return defaultTestURL
}

var reach struct {
	once sync.Once
	err  error
}

// needServer skips the test when the tests' server cannot be reached —
// or fails it under CI, where the server must be there.
func needServer(t testing.TB) {
	t.Helper()
	reach.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, testURL())
		if err != nil {
			reach.err = err
			return
		}
		reach.err = conn.Ping(ctx)
		conn.Close(ctx)
	})
	if reach.err == nil {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("no PostgreSQL server for the tests (CI is set, so they must run; set PARLEY_TEST_POSTGRES_URL): %v", reach.err)
	}
	t.Skipf("no PostgreSQL server for the tests; set PARLEY_TEST_POSTGRES_URL (default %s): %v", defaultTestURL, reach.err)
}

// newSchema returns the name of a schema of the test's own, dropped when
// the test ends (after the Stores on it close: cleanups run last first).
func newSchema(t *testing.T) string {
	t.Helper()
	needServer(t)
	b := make([]byte, 6)
	rand.Read(b)
	schema := "parley_test_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`); err != nil {
			t.Errorf("dropping the test's schema %s: %v", schema, err)
		}
	})
	return schema
}

// exec runs sql on a connection of its own to the tests' server.
func exec(ctx context.Context, sql string, args ...any) error {
	conn, err := pgx.Connect(ctx, testURL())
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql, args...)
	return err
}

// openStore opens a Store on schema, closed when the test ends.
func openStore(t *testing.T, schema string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), testURL(), postgres.Options{Schema: schema, MaxConns: 4})
	if err != nil {
		t.Fatalf("Open(schema %s): %v", schema, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// schemas maps the Stores the suite opens to their schemas, so that a
// replica opens the same one.
var schemas sync.Map // *postgres.Store → string

func TestStoretest(t *testing.T) {
	needServer(t)
	storetest.Exercise(t, func(t *testing.T) bot.Store {
		schema := newSchema(t)
		s := openStore(t, schema)
		schemas.Store(s, schema)
		return s
	}, storetest.Features{
		// The replicas of a bot are Stores of their own, with pools of
		// their own, on the same schema: as other processes hold them.
		Replica: func(t *testing.T, s bot.Store) bot.Store {
			schema, _ := schemas.Load(s)
			return openStore(t, schema.(string))
		},
		Notifier: func(_ *testing.T, s bot.Store) bot.Notifier { return s.(*postgres.Store) },
	})
}
