package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/parleybot/parley/state"
)

// Purge implements [state.Store], in one transaction. Deleting a choice
// deletes its options, a journal its entries and a thread its messages,
// by the schema's cascades.
func (s *Store) Purge(ctx context.Context, p state.Purge) error {
	deletes := []struct {
		query  string
		before time.Time // zero: delete nothing
	}{
		{`DELETE FROM dedupe WHERE expires <= ?`, p.Now},
		{`DELETE FROM journals WHERE keep_until <= ?`, p.Now},
		{`DELETE FROM actions WHERE choice IS NULL AND expires <= ?`, p.Now},
		{`DELETE FROM choices WHERE state <> 0 AND ended < ?`, p.ChoicesEndedBefore},
		{`DELETE FROM threads WHERE touched < ?`, p.TranscriptsIdleBefore},
	}
	if p == (state.Purge{}) {
		return nil
	}
	return s.write(ctx, "purge", func(tx *sql.Tx) error {
		for _, d := range deletes {
			if d.before.IsZero() {
				continue
			}
			if _, err := tx.ExecContext(ctx, d.query, ms(d.before)); err != nil {
				return err
			}
		}
		return nil
	})
}
