package postgres

import (
	"context"

	"github.com/parleybot/parley/state"
)

// Purge implements [state.Store]. Each kind is deleted by a statement of
// its own, not in one transaction: a purge cut short leaves less
// deleted, never anything inconsistent.
//
// Dedupe keys, action ids and kept journals expire at times the bot
// gave, so they are compared with p.Now as it is. Transcripts were
// written at times of the server's clock, so TranscriptsIdleBefore is
// taken to the server's clock (see Lapsed). The options of a choice go
// with it (ON DELETE CASCADE).
func (s *Store) Purge(ctx context.Context, p state.Purge) error {
	type step struct {
		what string
		sql  string
		args []any
	}
	var steps []step
	if !p.Now.IsZero() {
		now := ms(p.Now)
		steps = append(steps,
			step{"dedupe keys", `DELETE FROM {s}.dedupe WHERE expires <= $1`, []any{now}},
			step{"action ids", `DELETE FROM {s}.actions WHERE expires <= $1`, []any{now}},
			step{"journals", `WITH k AS (DELETE FROM {s}.journal_keep WHERE keep <= $1 RETURNING run)
				DELETE FROM {s}.journal j USING k WHERE j.run = k.run`, []any{now}},
		)
	}
	if !p.ChoicesEndedBefore.IsZero() {
		steps = append(steps, step{"choices", `DELETE FROM {s}.choices
			WHERE state <> 0 AND (ended IS NULL OR ended < $1)`, []any{ms(p.ChoicesEndedBefore)}})
	}
	if !p.TranscriptsIdleBefore.IsZero() {
		// SKIP LOCKED: a thread being written is not idle, and waiting
		// for it could deadlock with a transaction writing several.
		steps = append(steps, step{"transcripts", `WITH t AS (
				DELETE FROM {s}.threads WHERE thread IN (
					SELECT thread FROM {s}.threads WHERE touched < {now} + $1 FOR UPDATE SKIP LOCKED)
				RETURNING thread)
			DELETE FROM {s}.messages m USING t WHERE m.thread = t.thread`, []any{skewArg(p.TranscriptsIdleBefore)}})
	}
	for _, st := range steps {
		err := retry(ctx, func() error {
			_, err := s.pool.Exec(ctx, s.q.r(st.sql), st.args...)
			return err
		})
		if err != nil {
			return s.opErr(err, "purging %s", st.what)
		}
	}
	return nil
}
