package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleybot/parley/state"
)

// AppendJournal implements [state.Store]: one INSERT that checks the lease
// (locking the lane's row against a claim until it commits) and that the
// entries continue the journal. Two appends at one position cannot both
// land: the second finds the first's rows, or collides with them on the
// primary key.
func (s *Store) AppendJournal(ctx context.Context, l state.Lease, run string, entries []state.JournalEntry) error {
	if len(entries) == 0 {
		var held bool
		err := s.pool.QueryRow(ctx, s.q.r(`SELECT EXISTS (SELECT 1 FROM {s}.lanes WHERE lane = $1 AND owner = $2 AND token = $3)`),
			l.Lane, l.Owner, l.Token).Scan(&held)
		if err != nil {
			return s.opErr(err, "appending to the journal of run %q", run)
		}
		if !held {
			return staleErr(l)
		}
		return nil
	}
	first := entries[0].Seq
	seqs := make([]int32, len(entries))
	data := make([]string, len(entries))
	for i, e := range entries {
		if e.Seq != first+i {
			return fmt.Errorf("postgres: journal of run %q: entry %d follows entry %d: %w", run, e.Seq, first+i-1, state.ErrConflict)
		}
		b, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("postgres: journal of run %q: entry %d: %w", run, e.Seq, err)
		}
		seqs[i], data[i] = int32(e.Seq), string(b)
	}
	var n int64
	err := retry(ctx, func() error {
		tag, err := s.pool.Exec(ctx, s.q.r(`WITH l AS (
				SELECT 1 FROM {s}.lanes WHERE lane = $1 AND owner = $2 AND token = $3 FOR SHARE),
			ok AS (
				SELECT 1 FROM l
				WHERE NOT EXISTS (SELECT 1 FROM {s}.journal WHERE run = $4 AND seq = $5::int)
					AND ($5::int = 0 OR EXISTS (SELECT 1 FROM {s}.journal WHERE run = $4 AND seq = $5::int - 1)))
			INSERT INTO {s}.journal (run, seq, entry)
			SELECT $4, e.seq, e.entry::json FROM unnest($6::int[], $7::text[]) AS e (seq, entry)
			WHERE EXISTS (SELECT 1 FROM ok)`), l.Lane, l.Owner, l.Token, run, first, seqs, data)
		n = tag.RowsAffected()
		return err
	})
	if pgCode(err) == codeUniqueViolation {
		return fmt.Errorf("postgres: journal of run %q: another append took entry %d: %w", run, first, state.ErrConflict)
	}
	if err != nil {
		return s.opErr(err, "appending to the journal of run %q", run)
	}
	if n == 0 {
		return s.appendConflict(ctx, l, run, first)
	}
	return nil
}

// appendConflict says why an append added nothing: the lease, or the
// position.
func (s *Store) appendConflict(ctx context.Context, l state.Lease, run string, first int) error {
	var (
		held bool
		have int
	)
	err := s.pool.QueryRow(ctx, s.q.r(`SELECT
			EXISTS (SELECT 1 FROM {s}.lanes WHERE lane = $1 AND owner = $2 AND token = $3),
			(SELECT count(*) FROM {s}.journal WHERE run = $4)`), l.Lane, l.Owner, l.Token, run).Scan(&held, &have)
	if err != nil || !held {
		return staleErr(l)
	}
	return fmt.Errorf("postgres: journal of run %q: entry %d, the journal has %d: %w", run, first, have, state.ErrConflict)
}

// Journal implements [state.Store].
func (s *Store) Journal(ctx context.Context, run string) ([]state.JournalEntry, error) {
	rows, err := s.pool.Query(ctx, s.q.r(`SELECT seq, entry FROM {s}.journal WHERE run = $1 ORDER BY seq`), run)
	if err != nil {
		return nil, s.opErr(err, "reading the journal of run %q", run)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (state.JournalEntry, error) {
		var (
			seq  int
			data []byte
			e    state.JournalEntry
		)
		if err := r.Scan(&seq, &data); err != nil {
			return e, err
		}
		if err := json.Unmarshal(data, &e); err != nil {
			return e, fmt.Errorf("entry %d is damaged: %w", seq, err)
		}
		e.Seq = seq
		return e, nil
	})
	if err != nil {
		return nil, s.opErr(err, "reading the journal of run %q", run)
	}
	return out, nil
}

// EndJournal implements [state.Store]: one statement that checks the lease
// and deletes the journal, or marks it kept until keep.
func (s *Store) EndJournal(ctx context.Context, l state.Lease, run string, keep time.Time) error {
	var held bool
	err := retry(ctx, func() error {
		return s.pool.QueryRow(ctx, s.q.r(`WITH l AS (
				SELECT 1 FROM {s}.lanes WHERE lane = $1 AND owner = $2 AND token = $3 FOR SHARE),
			d AS (
				DELETE FROM {s}.journal WHERE run = $4 AND $5::bigint IS NULL AND EXISTS (SELECT 1 FROM l)),
			dk AS (
				DELETE FROM {s}.journal_keep WHERE run = $4 AND $5::bigint IS NULL AND EXISTS (SELECT 1 FROM l)),
			k AS (
				INSERT INTO {s}.journal_keep (run, keep)
				SELECT $4, $5::bigint WHERE $5::bigint IS NOT NULL AND EXISTS (SELECT 1 FROM l)
					AND EXISTS (SELECT 1 FROM {s}.journal WHERE run = $4)
				ON CONFLICT (run) DO UPDATE SET keep = EXCLUDED.keep)
			SELECT EXISTS (SELECT 1 FROM l)`), l.Lane, l.Owner, l.Token, run, msOrNull(keep)).Scan(&held)
	})
	if err != nil {
		return s.opErr(err, "ending the journal of run %q", run)
	}
	if !held {
		return staleErr(l)
	}
	return nil
}
