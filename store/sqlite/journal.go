package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/parleybot/parley/state"
)

// AppendJournal implements [state.JournalStore]. The lease check, the
// journal's length and the new entries are read and written in one
// transaction, under the file's write lock: two writers never both
// extend one journal.
func (s *Store) AppendJournal(ctx context.Context, l state.Lease, run string, entries []state.JournalEntry) error {
	rows := make([][]any, len(entries))
	for i, e := range entries {
		data, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("sqlite: append to the journal of run %q: encoding entry %d: %w", run, e.Seq, err)
		}
		rows[i] = []any{run, e.Seq, data}
	}
	return s.write(ctx, fmt.Sprintf("append to the journal of run %q", run), func(tx *sql.Tx) error {
		if err := held(ctx, tx, l); err != nil {
			return err
		}
		var n int
		err := tx.QueryRowContext(ctx, `SELECT length FROM journals WHERE run = ?`, run).Scan(&n)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		for i, e := range entries {
			if e.Seq != n+i {
				return fmt.Errorf("entry %d where the journal has %d: %w", e.Seq, n+i, state.ErrConflict)
			}
		}
		if len(entries) == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO journals (run, length) VALUES (?1, ?2)
			ON CONFLICT (run) DO UPDATE SET length = ?2`, run, n+len(entries)); err != nil {
			return err
		}
		return insertRows(ctx, tx, `INSERT INTO journal_entries (run, seq, data) VALUES `, rows)
	})
}

// Journal implements [state.JournalStore].
func (s *Store) Journal(ctx context.Context, run string) ([]state.JournalEntry, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT data FROM journal_entries WHERE run = ? ORDER BY seq`, run)
	if err != nil {
		return nil, fmt.Errorf("sqlite: journal of run %q: %w", run, err)
	}
	defer rows.Close()
	var out []state.JournalEntry
	for rows.Next() {
		var (
			data []byte
			e    state.JournalEntry
		)
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("sqlite: journal of run %q: %w", run, err)
		}
		if err := json.Unmarshal(data, &e); err != nil {
			return nil, fmt.Errorf("sqlite: journal of run %q: decoding an entry: %w", run, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: journal of run %q: %w", run, err)
	}
	return out, nil
}

// EndJournal implements [state.JournalStore].
func (s *Store) EndJournal(ctx context.Context, l state.Lease, run string, keep time.Time) error {
	return s.write(ctx, fmt.Sprintf("end the journal of run %q", run), func(tx *sql.Tx) error {
		if err := held(ctx, tx, l); err != nil {
			return err
		}
		var err error
		if keep.IsZero() {
			_, err = tx.ExecContext(ctx, `DELETE FROM journals WHERE run = ?`, run) // and its entries
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE journals SET keep_until = ? WHERE run = ?`, ms(keep), run)
		}
		return err
	})
}
