package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/parleybot/parley/state"
)

// Accept implements [state.QueueStore]: the dedupe key, the transcript, the
// queued item and the claim of its lane are written in one transaction,
// so that either all of them are recorded or none.
func (s *Store) Accept(ctx context.Context, a state.Acceptance) (state.Claimed, error) {
	var item []byte
	if a.Item.ID != "" {
		it := a.Item
		it.Attempts, it.Begun = 0, false
		var err error
		if item, err = json.Marshal(it); err != nil {
			return state.Claimed{}, fmt.Errorf("sqlite: accept: encoding item %q: %w", a.Item.ID, err)
		}
	}
	var claimed state.Claimed
	err := s.write(ctx, "accept", func(tx *sql.Tx) error {
		now := time.Now()
		if a.Dedupe != "" {
			free, err := setDedupe(ctx, tx, a.Dedupe, a.DedupeUntil, now)
			if err != nil {
				return err
			}
			if !free {
				return fmt.Errorf("event %q: %w", a.Dedupe, state.ErrDuplicate)
			}
		}
		if a.Record != nil {
			if err := record(ctx, tx, a.Thread, []state.Message{*a.Record}, a.Keep, now); err != nil {
				return err
			}
		}
		if item == nil {
			return nil
		}
		lane := a.Item.Lane
		var seq int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO items (lane, id, data) VALUES (?, ?, ?) RETURNING seq`,
			lane, a.Item.ID, item).Scan(&seq); err != nil {
			return err
		}
		if a.Owner == "" {
			return nil
		}
		if _, live, err := liveLease(ctx, tx, lane, now); err != nil || live {
			return err
		}
		l, err := take(ctx, tx, lane, a.Owner, a.LeaseTTL, now)
		if err != nil {
			return err
		}
		if a.Begin {
			// The owner does the item at once, unless other work was
			// queued before it.
			if _, err := tx.ExecContext(ctx, `
				UPDATE items SET begun = begun + 1, began_by = ?1
				WHERE seq = ?2 AND NOT EXISTS (SELECT 1 FROM items WHERE lane = ?3 AND seq <> ?2)`,
				l.Token, seq, lane); err != nil {
				return err
			}
		}
		items, err := handOut(ctx, tx, lane, l.Token)
		if err != nil {
			return err
		}
		claimed = state.Claimed{Lease: l, Items: items}
		return nil
	})
	if err != nil {
		return state.Claimed{}, err
	}
	return claimed, nil
}

// setDedupe sets key until the given time if it is free (unset, or
// expired as of now), and reports whether it was.
func setDedupe(ctx context.Context, tx *sql.Tx, key string, until, now time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `
		INSERT INTO dedupe (key, expires) VALUES (?1, ?2)
		ON CONFLICT (key) DO UPDATE SET expires = excluded.expires WHERE dedupe.expires <= ?3`,
		key, ms(until), ms(now))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Dedupe implements [state.QueueStore].
func (s *Store) Dedupe(ctx context.Context, key string, until time.Time) (bool, error) {
	var free bool
	err := s.write(ctx, fmt.Sprintf("dedupe %q", key), func(tx *sql.Tx) error {
		var err error
		free, err = setDedupe(ctx, tx, key, until, time.Now())
		return err
	})
	return free, err
}

// liveLease returns the lease on lane and whether it is live as of now.
func liveLease(ctx context.Context, tx *sql.Tx, lane string, now time.Time) (state.Lease, bool, error) {
	l := state.Lease{Lane: lane}
	var expires int64
	err := tx.QueryRowContext(ctx, `SELECT owner, token, expires FROM lanes WHERE lane = ?`, lane).Scan(&l.Owner, &l.Token, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return state.Lease{}, false, nil
	}
	if err != nil {
		return state.Lease{}, false, err
	}
	l.Expires = fromMS(expires)
	return l, l.Owner != "" && expires > ms(now), nil
}

// take gives lane to owner for ttl from now, with a new fencing token.
func take(ctx context.Context, tx *sql.Tx, lane, owner string, ttl time.Duration, now time.Time) (state.Lease, error) {
	l := state.Lease{Lane: lane, Owner: owner, Expires: fromMS(ms(now.Add(ttl)))}
	if err := tx.QueryRowContext(ctx, `UPDATE fence SET token = token + 1 RETURNING token`).Scan(&l.Token); err != nil {
		return state.Lease{}, err
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO lanes (lane, owner, token, expires) VALUES (?1, ?2, ?3, ?4)
		ON CONFLICT (lane) DO UPDATE SET owner = ?2, token = ?3, expires = ?4`,
		lane, owner, l.Token, ms(l.Expires))
	return l, err
}

// handOut returns the items queued in lane, in the order accepted, as
// handed out with the lease whose token is given: with the attempts
// other leases made at them.
func handOut(ctx context.Context, tx *sql.Tx, lane string, token int64) ([]state.WorkItem, error) {
	rows, err := tx.QueryContext(ctx, `
		UPDATE items SET handed_to = ?1 WHERE lane = ?2
		RETURNING seq, begun, began_by, data`, token, lane)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type row struct {
		seq  int64
		item state.WorkItem
	}
	var got []row
	for rows.Next() {
		var (
			r              row
			begun, beganBy int64
			data           []byte
		)
		if err := rows.Scan(&r.seq, &begun, &beganBy, &data); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(data, &r.item); err != nil {
			return nil, fmt.Errorf("decoding a work item of lane %q: %w", lane, err)
		}
		r.item.Begun = beganBy == token
		r.item.Attempts = int(begun)
		if r.item.Begun {
			r.item.Attempts--
		}
		got = append(got, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// RETURNING gives rows in no set order.
	slices.SortFunc(got, func(a, b row) int { return cmp.Compare(a.seq, b.seq) })
	var out []state.WorkItem
	for _, r := range got {
		out = append(out, r.item)
	}
	return out, nil
}

// Claim implements [state.QueueStore].
func (s *Store) Claim(ctx context.Context, lane, owner string, ttl time.Duration) (state.Claimed, error) {
	var claimed state.Claimed
	err := s.write(ctx, fmt.Sprintf("claim lane %q", lane), func(tx *sql.Tx) error {
		now := time.Now()
		held, live, err := liveLease(ctx, tx, lane, now)
		if err != nil {
			return err
		}
		if live {
			return fmt.Errorf("the lane is held by %s until %s: %w", held.Owner, held.Expires.Format(time.RFC3339Nano), state.ErrConflict)
		}
		l, err := take(ctx, tx, lane, owner, ttl, now)
		if err != nil {
			return err
		}
		items, err := handOut(ctx, tx, lane, l.Token)
		claimed = state.Claimed{Lease: l, Items: items}
		return err
	})
	if err != nil {
		return state.Claimed{}, err
	}
	return claimed, nil
}

// held checks that l is still its lane's lease: no claim took the lane
// since, whether or not l expired.
func held(ctx context.Context, tx *sql.Tx, l state.Lease) error {
	stale := fmt.Errorf("the lease of %s on lane %q (token %d) is no longer held: %w", l.Owner, l.Lane, l.Token, state.ErrConflict)
	if l.Owner == "" {
		return stale
	}
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM lanes WHERE lane = ? AND owner = ? AND token = ?`, l.Lane, l.Owner, l.Token).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return stale
	}
	return err
}

// Begin implements [state.QueueStore].
func (s *Store) Begin(ctx context.Context, l state.Lease, ids []string) error {
	return s.write(ctx, fmt.Sprintf("begin items of lane %q", l.Lane), func(tx *sql.Tx) error {
		if err := held(ctx, tx, l); err != nil || len(ids) == 0 {
			return err
		}
		_, err := tx.ExecContext(ctx, `
			UPDATE items SET begun = begun + 1, began_by = ?1
			WHERE lane = ?2 AND began_by <> ?1 AND id IN (SELECT value FROM json_each(?3))`,
			l.Token, l.Lane, jsonList(ids))
		return err
	})
}

// Complete implements [state.QueueStore].
func (s *Store) Complete(ctx context.Context, l state.Lease, c state.Completion) (state.Claimed, error) {
	var claimed state.Claimed
	err := s.write(ctx, fmt.Sprintf("complete items of lane %q", l.Lane), func(tx *sql.Tx) error {
		now := time.Now()
		if err := held(ctx, tx, l); err != nil {
			return err
		}
		if len(c.Done) > 0 {
			if _, err := tx.ExecContext(ctx, `DELETE FROM items WHERE lane = ? AND id IN (SELECT value FROM json_each(?))`,
				l.Lane, jsonList(c.Done)); err != nil {
				return err
			}
		}
		if len(c.Unbegin) > 0 {
			if _, err := tx.ExecContext(ctx, `
				UPDATE items SET begun = begun - 1, began_by = 0
				WHERE lane = ?1 AND began_by = ?2 AND id IN (SELECT value FROM json_each(?3))`,
				l.Lane, l.Token, jsonList(c.Unbegin)); err != nil {
				return err
			}
		}
		for _, r := range c.Records {
			if err := record(ctx, tx, r.Thread, []state.Message{r.Message}, c.Keep, now); err != nil {
				return err
			}
		}
		var queued int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM items WHERE lane = ?`, l.Lane).Scan(&queued); err != nil {
			return err
		}
		if queued > 0 && !c.Release {
			l.Expires = fromMS(ms(now.Add(c.TTL)))
			if _, err := tx.ExecContext(ctx, `UPDATE lanes SET expires = ? WHERE lane = ?`, ms(l.Expires), l.Lane); err != nil {
				return err
			}
			items, err := handOut(ctx, tx, l.Lane, l.Token)
			claimed = state.Claimed{Lease: l, Items: items}
			return err
		}
		// Released: the fence keeps the token count, so the lane's row
		// can go.
		if _, err := tx.ExecContext(ctx, `DELETE FROM lanes WHERE lane = ?`, l.Lane); err != nil {
			return err
		}
		claimed = state.Claimed{Queued: queued}
		return nil
	})
	if err != nil {
		return state.Claimed{}, err
	}
	return claimed, nil
}

// Renew implements [state.QueueStore].
func (s *Store) Renew(ctx context.Context, l state.Lease, ttl time.Duration) (state.Lease, int, error) {
	fresh := 0
	err := s.write(ctx, fmt.Sprintf("renew the lease on lane %q", l.Lane), func(tx *sql.Tx) error {
		if err := held(ctx, tx, l); err != nil {
			return err
		}
		l.Expires = fromMS(ms(time.Now().Add(ttl)))
		if _, err := tx.ExecContext(ctx, `UPDATE lanes SET expires = ? WHERE lane = ?`, ms(l.Expires), l.Lane); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT count(*) FROM items WHERE lane = ? AND handed_to <> ?`, l.Lane, l.Token).Scan(&fresh)
	})
	if err != nil {
		return state.Lease{}, 0, err
	}
	return l, fresh, nil
}

// Lapsed implements [state.QueueStore]. Leases expire by this process's
// clock, which is the machine's: every process sharing the file keeps
// the same time.
func (s *Store) Lapsed(ctx context.Context, now time.Time, limit int) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT DISTINCT i.lane FROM items i
		WHERE NOT EXISTS (SELECT 1 FROM lanes l WHERE l.lane = i.lane AND l.expires > ?)
		ORDER BY i.lane LIMIT ?`, ms(now), sqlLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("sqlite: lapsed lanes: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var lane string
		if err := rows.Scan(&lane); err != nil {
			return nil, fmt.Errorf("sqlite: lapsed lanes: %w", err)
		}
		out = append(out, lane)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: lapsed lanes: %w", err)
	}
	return out, nil
}
