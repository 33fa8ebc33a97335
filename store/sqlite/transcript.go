package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/parleybot/parley/state"
)

// Record implements [state.TranscriptStore].
func (s *Store) Record(ctx context.Context, thread string, msgs []state.Message, keep int) error {
	return s.write(ctx, fmt.Sprintf("record in thread %q", thread), func(tx *sql.Tx) error {
		return record(ctx, tx, thread, msgs, keep, time.Now())
	})
}

// record adds msgs to the transcript of thread, replacing in place those
// with an id already there, and keeps its newest keep messages.
func record(ctx context.Context, tx *sql.Tx, thread string, msgs []state.Message, keep int, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO threads (thread, touched) VALUES (?1, ?2)
		ON CONFLICT (thread) DO UPDATE SET touched = ?2`, thread, ms(now)); err != nil {
		return err
	}
	for _, m := range msgs {
		data, err := json.Marshal(m)
		if err != nil {
			return fmt.Errorf("encoding message %q: %w", m.ID, err)
		}
		// A message without an id is never the same as another: the
		// unique index on ids leaves it out.
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO messages (thread, id, data) VALUES (?1, ?2, ?3)
			ON CONFLICT (thread, id) WHERE id <> '' DO UPDATE SET data = ?3`, thread, m.ID, data); err != nil {
			return err
		}
	}
	if keep <= 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `
		DELETE FROM messages WHERE thread = ?1 AND seq < (
			SELECT seq FROM messages WHERE thread = ?1 ORDER BY seq DESC LIMIT 1 OFFSET ?2
		)`, thread, keep-1)
	return err
}

// Unrecord implements [state.TranscriptStore].
func (s *Store) Unrecord(ctx context.Context, thread, id string) error {
	return s.write(ctx, fmt.Sprintf("unrecord %q in thread %q", id, thread), func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM messages WHERE thread = ? AND id = ?`, thread, id)
		return err
	})
}

// Transcript implements [state.TranscriptStore].
func (s *Store) Transcript(ctx context.Context, thread string, limit int) ([]state.Message, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT data FROM (
			SELECT seq, data FROM messages WHERE thread = ? ORDER BY seq DESC LIMIT ?
		) ORDER BY seq`, thread, sqlLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("sqlite: transcript of thread %q: %w", thread, err)
	}
	defer rows.Close()
	var out []state.Message
	for rows.Next() {
		var (
			data []byte
			m    state.Message
		)
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("sqlite: transcript of thread %q: %w", thread, err)
		}
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("sqlite: transcript of thread %q: decoding a message: %w", thread, err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: transcript of thread %q: %w", thread, err)
	}
	return out, nil
}
