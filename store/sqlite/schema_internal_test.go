package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestApplyMigrations checks the migration runner with migrations of its
// own: each is applied once, in order, in the transaction it is given; a
// failing one changes nothing; a database further on is refused.
func TestApplyMigrations(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	apply := func(list ...string) error {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := applyMigrations(ctx, tx, list); err != nil {
			tx.Rollback()
			return err
		}
		return tx.Commit()
	}
	// Each fails if applied twice.
	v1 := `CREATE TABLE a (x)`
	v2 := `CREATE TABLE b (y); INSERT INTO b (y) VALUES (1)`
	for _, list := range [][]string{{v1}, {v1, v2}, {v1, v2}} {
		if err := apply(list...); err != nil {
			t.Fatalf("applying %d migrations: %v", len(list), err)
		}
	}
	if got := versions(ctx, t, db); !slices.Equal(got, []int{1, 2}) {
		t.Errorf("schema_version holds %v, want [1 2]", got)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM b`).Scan(&n); err != nil || n != 1 {
		t.Errorf("the second migration's rows: %d, %v; want it applied once", n, err)
	}

	err = apply(v1, v2, `CREATE TABLE c (z); SELECT no_such_function()`)
	if err == nil || !strings.Contains(err.Error(), "version 3") {
		t.Errorf("a failing migration: error %v, want one naming version 3", err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM c`).Scan(&n); err == nil {
		t.Error("a failing migration left its table")
	}
	if got := versions(ctx, t, db); !slices.Equal(got, []int{1, 2}) {
		t.Errorf("after a failing migration, schema_version holds %v, want [1 2]", got)
	}

	err = apply(v1)
	if !errors.Is(err, ErrNewerSchema) || !strings.Contains(err.Error(), "version 2") || !strings.Contains(err.Error(), "up to 1") {
		t.Errorf("code knowing 1 version on a database at 2: error %v, want ErrNewerSchema naming both", err)
	}
}

func versions(ctx context.Context, t *testing.T, db *sql.DB) []int {
	t.Helper()
	rows, err := db.QueryContext(ctx, `SELECT version FROM schema_version ORDER BY version`)
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
