package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/parleybot/parley/state"
)

const (
	// sqlTouchThread marks a thread written now, locking its row: writes
	// to one transcript take turns.
	sqlTouchThread = `INSERT INTO {s}.threads (thread, touched) VALUES ($1, {now})
		ON CONFLICT (thread) DO UPDATE SET touched = EXCLUDED.touched`
	// sqlRecord adds a message at the end of a transcript, or replaces in
	// place the one with its id (an empty id matches none).
	sqlRecord = `INSERT INTO {s}.messages (thread, id, data) VALUES ($1, NULLIF($2, ''), $3)
		ON CONFLICT (thread, id) DO UPDATE SET data = EXCLUDED.data`
	// sqlKeep deletes all but the newest $2 messages of a transcript.
	sqlKeep = `DELETE FROM {s}.messages WHERE thread = $1
		AND pos <= (SELECT pos FROM {s}.messages WHERE thread = $1 ORDER BY pos DESC OFFSET $2 LIMIT 1)`
)

// recordBatch returns a function that queues, on a batch, the statements
// recording recs and keeping the newest keep messages of each thread.
// Threads go in the order of their names, so that transactions writing
// several lock them in one order; each thread's messages keep theirs.
// The statements return nothing to read.
func (s *Store) recordBatch(recs []state.ThreadRecord, keep int) (func(b *pgx.Batch), error) {
	type rec struct {
		thread, id string
		data       []byte
	}
	rs := make([]rec, len(recs))
	for i, r := range recs {
		data, err := json.Marshal(r.Message)
		if err != nil {
			return nil, fmt.Errorf("postgres: message %q of thread %q: %w", r.Message.ID, r.Thread, err)
		}
		rs[i] = rec{r.Thread, r.Message.ID, data}
	}
	slices.SortStableFunc(rs, func(a, b rec) int { return strings.Compare(a.thread, b.thread) })
	return func(b *pgx.Batch) {
		for i, r := range rs {
			if i == 0 || rs[i-1].thread != r.thread {
				b.Queue(s.q.r(sqlTouchThread), r.thread)
			}
			b.Queue(s.q.r(sqlRecord), r.thread, r.id, r.data)
			if keep > 0 {
				// After each message, as the newest keep are kept when
				// each is added.
				b.Queue(s.q.r(sqlKeep), r.thread, keep)
			}
		}
	}, nil
}

// Record implements [state.Store].
func (s *Store) Record(ctx context.Context, thread string, msgs []state.Message, keep int) error {
	recs := make([]state.ThreadRecord, len(msgs))
	for i, m := range msgs {
		recs[i] = state.ThreadRecord{Thread: thread, Message: m}
	}
	queue, err := s.recordBatch(recs, keep)
	if err != nil {
		return err
	}
	err = s.tx(ctx, func(t *txn) error {
		b := &pgx.Batch{}
		b.Queue(s.q.r(sqlTouchThread), thread) // a Record of nothing still writes the thread
		queue(b)
		return t.send(b).Close()
	})
	if err != nil {
		return s.opErr(err, "recording %d messages in thread %q", len(msgs), thread)
	}
	return nil
}

// Unrecord implements [state.Store].
func (s *Store) Unrecord(ctx context.Context, thread, id string) error {
	err := retry(ctx, func() error {
		_, err := s.pool.Exec(ctx, s.q.r(`DELETE FROM {s}.messages WHERE thread = $1
			AND (id = $2 OR ($2 = '' AND id IS NULL))`), thread, id)
		return err
	})
	if err != nil {
		return s.opErr(err, "removing message %q from thread %q", id, thread)
	}
	return nil
}

// Transcript implements [state.Store].
func (s *Store) Transcript(ctx context.Context, thread string, limit int) ([]state.Message, error) {
	rows, err := s.pool.Query(ctx, s.q.r(`SELECT data FROM (
			SELECT pos, data FROM {s}.messages WHERE thread = $1 ORDER BY pos DESC LIMIT $2) m
		ORDER BY pos`), thread, limitArg(limit))
	if err != nil {
		return nil, s.opErr(err, "reading the transcript of thread %q", thread)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (state.Message, error) {
		var data []byte
		var m state.Message
		if err := r.Scan(&data); err != nil {
			return m, err
		}
		if err := json.Unmarshal(data, &m); err != nil {
			return m, fmt.Errorf("a message's record is damaged: %w", err)
		}
		return m, nil
	})
	if err != nil {
		return nil, s.opErr(err, "reading the transcript of thread %q", thread)
	}
	return out, nil
}
