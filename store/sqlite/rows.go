package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"
)

// maxRowsPerInsert bounds the rows of one INSERT statement, so that its
// parameters stay well within SQLite's limit (32766).
const maxRowsPerInsert = 500

// insertRows inserts rows with statements that begin with prefix ("INSERT
// INTO t (a, b) VALUES "), as few as SQLite's limit on parameters allows.
// Every row has as many values as the first.
func insertRows(ctx context.Context, tx *sql.Tx, prefix string, rows [][]any) error {
	for len(rows) > 0 {
		batch := rows[:min(len(rows), maxRowsPerInsert)]
		rows = rows[len(batch):]
		tuple := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(batch[0])), ", ") + ")"
		var q strings.Builder
		q.WriteString(prefix)
		args := make([]any, 0, len(batch)*len(batch[0]))
		for i, r := range batch {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString(tuple)
			args = append(args, r...)
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// jsonList returns ids as a JSON array, for a query to read with
// json_each: one parameter, however many ids.
func jsonList(ids []string) string {
	if ids == nil {
		ids = []string{}
	}
	b, _ := json.Marshal(ids)
	return string(b)
}

// nullTime returns t as stored, or NULL for the zero time.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return ms(t)
}

// nullString returns s, or NULL for "".
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// sqlLimit returns limit as SQLite's LIMIT takes it: -1 for no limit.
func sqlLimit(limit int) int {
	if limit <= 0 {
		return -1
	}
	return limit
}
