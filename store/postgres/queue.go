package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleybot/parley/state"
)

// The SQL of the queue. Every statement that writes a lane's queue, or
// writes with a lease, first locks the lane's row (and checks the fencing
// token in the same statement), so that the row serializes them: an item
// is never queued behind the back of a Complete deciding whether the lane
// is empty. Locks are taken in one order — dedupe key, lane, items,
// transcripts (threads by name) — so that operations do not deadlock.
const (
	// sqlDedupe sets a dedupe key unless it is set and not expired; a
	// row back means it was free. Concurrent calls for one key wait for
	// the first's commit and then find it set.
	sqlDedupe = `INSERT INTO {s}.dedupe AS d (key, expires) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET expires = EXCLUDED.expires WHERE d.expires <= {now}
		RETURNING true`

	// sqlClaim takes a lane that has no live lease with a new token, and
	// returns the lease; no row back means a live lease holds it. The
	// row is locked either way (ON CONFLICT DO UPDATE locks what it
	// finds), so that the statements after it see every item queued.
	sqlClaim = `INSERT INTO {s}.lanes AS l (lane, owner, token, expires) VALUES ($1, $2, nextval({seq}), {now} + $3)
		ON CONFLICT (lane) DO UPDATE SET owner = EXCLUDED.owner, token = EXCLUDED.token, expires = EXCLUDED.expires
		WHERE l.owner IS NULL OR l.expires <= {now}
		RETURNING token, expires`

	// sqlTouchLane locks a lane's row, making one if there is none, to
	// queue an item in it without claiming it.
	sqlTouchLane = `INSERT INTO {s}.lanes AS l (lane) VALUES ($1)
		ON CONFLICT (lane) DO UPDATE SET lane = EXCLUDED.lane WHERE false`

	sqlQueue = `INSERT INTO {s}.items (lane, id, data) VALUES ($1, $2, $3)`

	// sqlBeginOnly marks item $2 begun by the lease sqlClaim just took,
	// if it took one (the token is this session's currval) and the item
	// is the only one queued.
	sqlBeginOnly = `UPDATE {s}.items i SET begun = i.begun + 1, began_by = l.token
		FROM {s}.lanes l
		WHERE l.lane = $1 AND l.token = currval({seq}) AND i.lane = $1 AND i.id = $2
			AND (SELECT count(*) FROM {s}.items WHERE lane = $1) = 1`

	// sqlHandOutClaimed hands out the lane's items with the lease
	// sqlClaim just took in the same transaction, if it took one.
	sqlHandOutClaimed = `WITH h AS (
			UPDATE {s}.items i SET handed_to = l.token FROM {s}.lanes l
			WHERE l.lane = $1 AND l.token = currval({seq}) AND i.lane = $1
			RETURNING i.seq, i.data, i.begun, i.began_by, l.token)
		SELECT data, begun, began_by, token FROM h ORDER BY seq`

	// sqlHandOut hands out the lane's items with the lease (lane $1,
	// owner $2, token $3), if it is the lane's.
	sqlHandOut = `WITH h AS (
			UPDATE {s}.items i SET handed_to = l.token FROM {s}.lanes l
			WHERE l.lane = $1 AND l.owner = $2 AND l.token = $3 AND i.lane = $1
			RETURNING i.seq, i.data, i.begun, i.began_by, l.token)
		SELECT data, begun, began_by, token FROM h ORDER BY seq`

	// sqlHolder reads who holds a lane, for an error.
	sqlHolder = `SELECT owner, expires FROM {s}.lanes WHERE lane = $1`
)

// handOut reads the items a handout statement returns, with the attempts
// other leases made at them.
func handOut(rows pgx.Rows) ([]state.WorkItem, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (state.WorkItem, error) {
		var (
			data            []byte
			begun           int
			beganBy, holder int64
		)
		if err := r.Scan(&data, &begun, &beganBy, &holder); err != nil {
			return state.WorkItem{}, err
		}
		var it state.WorkItem
		if err := json.Unmarshal(data, &it); err != nil {
			return it, fmt.Errorf("a work item's record is damaged: %w", err)
		}
		it.Begun = beganBy == holder
		it.Attempts = begun
		if it.Begun {
			it.Attempts--
		}
		return it, nil
	})
}

// encodeItem returns a work item as it is queued: without what a handout
// sets.
func encodeItem(it state.WorkItem) ([]byte, error) {
	it.Attempts, it.Begun = 0, false
	return json.Marshal(it)
}

// Accept implements [state.Store], in one transaction: the dedupe key
// first, on its own (a duplicate then touches nothing else and rolls
// back), then in one round trip the lane's row (claimed or locked), the
// item, the handout and the transcript.
func (s *Store) Accept(ctx context.Context, a state.Acceptance) (state.Claimed, error) {
	var data []byte
	if a.Item.ID != "" {
		var err error
		if data, err = encodeItem(a.Item); err != nil {
			return state.Claimed{}, fmt.Errorf("postgres: work item %q: %w", a.Item.ID, err)
		}
	}
	var recs []state.ThreadRecord
	if a.Record != nil {
		recs = []state.ThreadRecord{{Thread: a.Thread, Message: *a.Record}}
	}
	recordSQL, err := s.recordBatch(recs, a.Keep)
	if err != nil {
		return state.Claimed{}, err
	}
	var out state.Claimed
	err = s.tx(ctx, func(t *txn) error {
		out = state.Claimed{}
		if a.Dedupe != "" {
			b := &pgx.Batch{}
			b.Queue(s.q.r(sqlDedupe), a.Dedupe, ms(a.DedupeUntil))
			br := t.send(b)
			var free bool
			err := br.QueryRow().Scan(&free)
			br.Close()
			if errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("postgres: event %q: %w", a.Dedupe, state.ErrDuplicate)
			}
			if err != nil {
				return err
			}
		}
		b := &pgx.Batch{}
		claim := a.Item.ID != "" && a.Owner != ""
		if a.Item.ID != "" {
			if claim {
				b.Queue(s.q.r(sqlClaim), a.Item.Lane, a.Owner, a.LeaseTTL.Milliseconds())
			} else {
				b.Queue(s.q.r(sqlTouchLane), a.Item.Lane)
			}
			b.Queue(s.q.r(sqlQueue), a.Item.Lane, a.Item.ID, data)
			if claim && a.Begin {
				b.Queue(s.q.r(sqlBeginOnly), a.Item.Lane, a.Item.ID)
			}
			if claim {
				b.Queue(s.q.r(sqlHandOutClaimed), a.Item.Lane)
			}
		}
		recordSQL(b)
		if b.Len() == 0 {
			return nil
		}
		br := t.send(b)
		defer br.Close()
		if a.Item.ID != "" {
			if claim {
				var token, expires int64
				switch err := br.QueryRow().Scan(&token, &expires); {
				case err == nil:
					out.Lease = state.Lease{Lane: a.Item.Lane, Owner: a.Owner, Token: token, Expires: fromMS(expires)}
				case !errors.Is(err, pgx.ErrNoRows):
					return err
				}
			} else if _, err := br.Exec(); err != nil {
				return err
			}
			if _, err := br.Exec(); err != nil {
				return err
			}
			if claim && a.Begin {
				if _, err := br.Exec(); err != nil {
					return err
				}
			}
			if claim {
				rows, err := br.Query()
				if err != nil {
					return err
				}
				if out.Items, err = handOut(rows); err != nil {
					return err
				}
			}
		}
		return br.Close()
	})
	if errors.Is(err, state.ErrDuplicate) {
		return state.Claimed{}, err
	}
	if err != nil {
		return state.Claimed{}, s.opErr(err, "accepting work item %q in lane %q", a.Item.ID, a.Item.Lane)
	}
	return out, nil
}

// Claim implements [state.Store]: the lane's row is taken (and locked) and
// its items handed out, in one transaction and one round trip.
func (s *Store) Claim(ctx context.Context, lane, owner string, ttl time.Duration) (state.Claimed, error) {
	var out state.Claimed
	err := s.tx(ctx, func(t *txn) error {
		out = state.Claimed{}
		b := &pgx.Batch{}
		b.Queue(s.q.r(sqlClaim), lane, owner, ttl.Milliseconds())
		b.Queue(s.q.r(sqlHandOutClaimed), lane)
		br := t.send(b)
		defer br.Close()
		var token, expires int64
		if err := br.QueryRow().Scan(&token, &expires); err != nil {
			return err
		}
		out.Lease = state.Lease{Lane: lane, Owner: owner, Token: token, Expires: fromMS(expires)}
		rows, err := br.Query()
		if err != nil {
			return err
		}
		if out.Items, err = handOut(rows); err != nil {
			return err
		}
		return br.Close()
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return state.Claimed{}, fmt.Errorf("postgres: lane %q is held%s: %w", lane, s.holder(ctx, lane), state.ErrConflict)
	}
	if err != nil {
		return state.Claimed{}, s.opErr(err, "claiming lane %q", lane)
	}
	return out, nil
}

// holder describes who holds lane, for an error, or "" if that cannot be
// read.
func (s *Store) holder(ctx context.Context, lane string) string {
	var (
		owner   *string
		expires *int64
	)
	if err := s.pool.QueryRow(ctx, s.q.r(sqlHolder), lane).Scan(&owner, &expires); err != nil || owner == nil {
		return ""
	}
	return fmt.Sprintf(" by %s until %v", *owner, fromMSOrNull(expires).Format(time.RFC3339Nano))
}

// staleErr is the error of a write with a lease that is no longer its
// lane's.
func staleErr(l state.Lease) error {
	return fmt.Errorf("postgres: lease of %s on lane %q (token %d) is no longer held: %w", l.Owner, l.Lane, l.Token, state.ErrConflict)
}

// Begin implements [state.Store]: one statement that checks the lease
// (locking the lane's row against a claim until it commits) and marks
// the items.
func (s *Store) Begin(ctx context.Context, l state.Lease, ids []string) error {
	var held bool
	err := retry(ctx, func() error {
		return s.pool.QueryRow(ctx, s.q.r(`WITH l AS (
				SELECT token FROM {s}.lanes WHERE lane = $1 AND owner = $2 AND token = $3 FOR SHARE),
			u AS (
				UPDATE {s}.items SET begun = begun + 1, began_by = $3
				WHERE lane = $1 AND id = ANY ($4) AND began_by <> $3 AND EXISTS (SELECT 1 FROM l))
			SELECT EXISTS (SELECT 1 FROM l)`), l.Lane, l.Owner, l.Token, strs(ids)).Scan(&held)
	})
	if err != nil {
		return s.opErr(err, "beginning items of lane %q", l.Lane)
	}
	if !held {
		return staleErr(l)
	}
	return nil
}

// Complete implements [state.Store], in one transaction and one round trip:
// the first statement checks the lease, locking the lane's row, and
// removes the items done; the next, seeing every item queued since,
// renews the lease or releases the lane; then the handout, the lane's
// row deleted if it is free and empty, and the transcripts. Every
// statement checks the lease again, and a stale lease rolls it all back.
func (s *Store) Complete(ctx context.Context, l state.Lease, c state.Completion) (state.Claimed, error) {
	recordSQL, err := s.recordBatch(c.Records, c.Keep)
	if err != nil {
		return state.Claimed{}, err
	}
	var out state.Claimed
	err = s.tx(ctx, func(t *txn) error {
		out = state.Claimed{}
		b := &pgx.Batch{}
		b.Queue(s.q.r(`WITH l AS (
				SELECT lane FROM {s}.lanes WHERE lane = $1 AND owner = $2 AND token = $3 FOR UPDATE),
			d AS (
				DELETE FROM {s}.items WHERE lane = $1 AND id = ANY ($4) AND EXISTS (SELECT 1 FROM l)),
			u AS (
				UPDATE {s}.items SET begun = begun - 1, began_by = 0
				WHERE lane = $1 AND began_by = $3 AND id = ANY ($5) AND NOT id = ANY ($4) AND EXISTS (SELECT 1 FROM l))
			SELECT EXISTS (SELECT 1 FROM l)`), l.Lane, l.Owner, l.Token, strs(c.Done), strs(c.Unbegin))
		b.Queue(s.q.r(`UPDATE {s}.lanes l SET
				owner = CASE WHEN q.n > 0 AND NOT $4 THEN l.owner END,
				expires = CASE WHEN q.n > 0 AND NOT $4 THEN {now} + $5 END
			FROM (SELECT count(*) AS n FROM {s}.items WHERE lane = $1) q
			WHERE l.lane = $1 AND l.owner = $2 AND l.token = $3
			RETURNING l.owner IS NOT NULL, l.expires, q.n`), l.Lane, l.Owner, l.Token, c.Release, c.TTL.Milliseconds())
		b.Queue(s.q.r(sqlHandOut), l.Lane, l.Owner, l.Token)
		b.Queue(s.q.r(`DELETE FROM {s}.lanes WHERE lane = $1 AND owner IS NULL AND token = $2
			AND NOT EXISTS (SELECT 1 FROM {s}.items WHERE lane = $1)`), l.Lane, l.Token)
		recordSQL(b)
		br := t.send(b)
		defer br.Close()
		var held bool
		if err := br.QueryRow().Scan(&held); err != nil {
			return err
		}
		if !held {
			return staleErr(l)
		}
		var (
			kept    bool
			expires *int64
			queued  int
		)
		if err := br.QueryRow().Scan(&kept, &expires, &queued); err != nil {
			return err
		}
		rows, err := br.Query()
		if err != nil {
			return err
		}
		items, err := handOut(rows)
		if err != nil {
			return err
		}
		if kept {
			out.Lease = state.Lease{Lane: l.Lane, Owner: l.Owner, Token: l.Token, Expires: fromMSOrNull(expires)}
			out.Items = items
		} else {
			out.Queued = queued
		}
		return br.Close()
	})
	if errors.Is(err, state.ErrConflict) {
		return state.Claimed{}, err
	}
	if err != nil {
		return state.Claimed{}, s.opErr(err, "completing items of lane %q", l.Lane)
	}
	return out, nil
}

// Renew implements [state.Store]: one UPDATE whose WHERE is the fencing
// check.
func (s *Store) Renew(ctx context.Context, l state.Lease, ttl time.Duration) (state.Lease, int, error) {
	var (
		expires int64
		fresh   int
	)
	err := retry(ctx, func() error {
		return s.pool.QueryRow(ctx, s.q.r(`UPDATE {s}.lanes SET expires = {now} + $4
			WHERE lane = $1 AND owner = $2 AND token = $3
			RETURNING expires, (SELECT count(*) FROM {s}.items WHERE lane = $1 AND handed_to <> $3)`),
			l.Lane, l.Owner, l.Token, ttl.Milliseconds()).Scan(&expires, &fresh)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return state.Lease{}, 0, staleErr(l)
	}
	if err != nil {
		return state.Lease{}, 0, s.opErr(err, "renewing the lease on lane %q", l.Lane)
	}
	l.Expires = fromMS(expires)
	return l, fresh, nil
}

// Lapsed implements [state.Store]. Leases expire by the server's clock, so
// now is taken to the server's clock: as far from the server's now as it
// is from this process's.
func (s *Store) Lapsed(ctx context.Context, now time.Time, limit int) ([]string, error) {
	rows, err := s.pool.Query(ctx, s.q.r(`SELECT l.lane FROM {s}.lanes l
		WHERE (l.owner IS NULL OR l.expires <= {now} + $1)
			AND EXISTS (SELECT 1 FROM {s}.items i WHERE i.lane = l.lane)
		ORDER BY l.lane LIMIT $2`), skewArg(now), limitArg(limit))
	if err != nil {
		return nil, s.opErr(err, "reading lapsed lanes")
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, s.opErr(err, "reading lapsed lanes")
	}
	return out, nil
}

// Dedupe implements [state.Store]: one upsert that sets the key only if it
// is free.
func (s *Store) Dedupe(ctx context.Context, key string, until time.Time) (bool, error) {
	var free bool
	err := retry(ctx, func() error {
		return s.pool.QueryRow(ctx, s.q.r(sqlDedupe), key, ms(until)).Scan(&free)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, s.opErr(err, "setting dedupe key %q", key)
	}
	return free, nil
}
