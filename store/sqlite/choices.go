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

// PutActions implements [state.ActionStore].
func (s *Store) PutActions(ctx context.Context, actions []state.ActionRecord) error {
	if len(actions) == 0 {
		return nil
	}
	ids := make([]string, len(actions))
	rows := make([][]any, len(actions))
	seen := make(map[string]bool, len(actions))
	for i, a := range actions {
		if seen[a.ID] {
			return fmt.Errorf("sqlite: put actions: action id %q given twice: %w", a.ID, state.ErrConflict)
		}
		seen[a.ID] = true
		data, err := json.Marshal(a)
		if err != nil {
			return fmt.Errorf("sqlite: put actions: encoding %q: %w", a.ID, err)
		}
		ids[i] = a.ID
		rows[i] = []any{a.ID, nullTime(a.Expires), data}
	}
	return s.write(ctx, "put actions", func(tx *sql.Tx) error {
		if err := idsFree(ctx, tx, ids); err != nil {
			return err
		}
		return insertRows(ctx, tx, `INSERT INTO actions (id, expires, data) VALUES `, rows)
	})
}

// idsFree checks that none of ids is an action id already.
func idsFree(ctx context.Context, tx *sql.Tx, ids []string) error {
	var taken string
	err := tx.QueryRowContext(ctx, `SELECT id FROM actions WHERE id IN (SELECT value FROM json_each(?)) LIMIT 1`, jsonList(ids)).Scan(&taken)
	switch {
	case err == nil:
		return fmt.Errorf("action id %q is taken: %w", taken, state.ErrConflict)
	case errors.Is(err, sql.ErrNoRows):
		return nil
	default:
		return err
	}
}

// Action implements [state.ActionStore].
func (s *Store) Action(ctx context.Context, id string) (state.ActionRecord, error) {
	var (
		choice     sql.NullString
		opt        int
		data, cdat []byte
	)
	err := s.db.QueryRowContext(ctx, `
		SELECT a.choice, a.opt, a.data, c.data
		FROM actions a LEFT JOIN choices c ON c.id = a.choice
		WHERE a.id = ?`, id).Scan(&choice, &opt, &data, &cdat)
	if errors.Is(err, sql.ErrNoRows) {
		return state.ActionRecord{}, fmt.Errorf("sqlite: action id %q: %w", id, state.ErrNotFound)
	}
	if err != nil {
		return state.ActionRecord{}, fmt.Errorf("sqlite: action id %q: %w", id, err)
	}
	if !choice.Valid {
		var a state.ActionRecord
		if err := json.Unmarshal(data, &a); err != nil {
			return state.ActionRecord{}, fmt.Errorf("sqlite: action id %q: decoding: %w", id, err)
		}
		return a, nil
	}
	var c state.ChoiceRecord
	if err := json.Unmarshal(cdat, &c); err != nil {
		return state.ActionRecord{}, fmt.Errorf("sqlite: action id %q: decoding choice %q: %w", id, choice.String, err)
	}
	if opt < 0 || opt >= len(c.Options) {
		return state.ActionRecord{}, fmt.Errorf("sqlite: action id %q: choice %q has no option %d", id, c.ID, opt)
	}
	o := c.Options[opt]
	return state.ActionRecord{ID: id, Address: c.Address, Choice: c.ID, Option: opt, Label: o.Label, Value: o.Value}, nil
}

// PutChoice implements [state.ChoiceStore].
func (s *Store) PutChoice(ctx context.Context, c state.ChoiceRecord) error {
	data, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("sqlite: put choice %q: encoding: %w", c.ID, err)
	}
	ids := make([]string, len(c.Options))
	opts := make([][]any, len(c.Options))
	seen := make(map[string]bool, len(c.Options))
	for i, o := range c.Options {
		if seen[o.ID] {
			return fmt.Errorf("sqlite: put choice %q: option id %q given twice: %w", c.ID, o.ID, state.ErrConflict)
		}
		seen[o.ID] = true
		ids[i] = o.ID
		opts[i] = []any{o.ID, c.ID, i}
	}
	return s.write(ctx, fmt.Sprintf("put choice %q", c.ID), func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			INSERT INTO choices (id, run, created, deadline, state, ended, data)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			c.ID, nullString(c.Run), ms(c.Created), nullTime(c.Deadline), int(c.Outcome.State), ended(c.Outcome), data)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return fmt.Errorf("the choice id is taken: %w", state.ErrConflict)
		}
		if len(opts) == 0 {
			return nil
		}
		if err := idsFree(ctx, tx, ids); err != nil {
			return err
		}
		return insertRows(ctx, tx, `INSERT INTO actions (id, choice, opt) VALUES `, opts)
	})
}

// ended returns the time a choice with outcome o ended, or NULL while it
// is pending.
func ended(o state.Outcome) any {
	if o.State == state.ChoicePending {
		return nil
	}
	return ms(o.At)
}

// Choice implements [state.ChoiceStore].
func (s *Store) Choice(ctx context.Context, id string) (state.ChoiceRecord, error) {
	c, err := readChoice(ctx, s.db, id)
	if err != nil {
		return state.ChoiceRecord{}, fmt.Errorf("sqlite: choice %q: %w", id, err)
	}
	return c, nil
}

// querier is what reads need of a *sql.DB or a *sql.Tx.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// readChoice reads a choice through q, or fails with state.ErrNotFound.
func readChoice(ctx context.Context, q querier, id string) (state.ChoiceRecord, error) {
	var data []byte
	err := q.QueryRowContext(ctx, `SELECT data FROM choices WHERE id = ?`, id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return state.ChoiceRecord{}, state.ErrNotFound
	}
	if err != nil {
		return state.ChoiceRecord{}, err
	}
	return decodeChoice(data)
}

func decodeChoice(data []byte) (state.ChoiceRecord, error) {
	var c state.ChoiceRecord
	if err := json.Unmarshal(data, &c); err != nil {
		return state.ChoiceRecord{}, fmt.Errorf("decoding the choice: %w", err)
	}
	return c, nil
}

// Choices implements [state.ChoiceStore].
func (s *Store) Choices(ctx context.Context, run string) ([]state.ChoiceRecord, error) {
	if run == "" {
		return nil, nil
	}
	cs, err := queryChoices(ctx, s.db, `SELECT data FROM choices WHERE run = ? ORDER BY created, id`, run)
	if err != nil {
		return nil, fmt.Errorf("sqlite: choices of run %q: %w", run, err)
	}
	return cs, nil
}

// queryChoices returns the choices whose data query selects.
func queryChoices(ctx context.Context, q querier, query string, args ...any) ([]state.ChoiceRecord, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []state.ChoiceRecord
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		c, err := decodeChoice(data)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// SetChoiceMessage implements [state.ChoiceStore].
func (s *Store) SetChoiceMessage(ctx context.Context, id string, ref state.MessageRef) error {
	return s.write(ctx, fmt.Sprintf("set the message of choice %q", id), func(tx *sql.Tx) error {
		c, err := readChoice(ctx, tx, id)
		if err != nil || c.Message.ID != "" {
			return err
		}
		c.Message = ref
		data, err := json.Marshal(c)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE choices SET data = ? WHERE id = ?`, data, id)
		return err
	})
}

// Resolve implements [state.ChoiceStore]. The write transaction makes it
// first-click-wins: it holds the file's write lock from its read of the
// choice to its update, so of concurrent calls, in any process, only the
// first finds the choice pending.
func (s *Store) Resolve(ctx context.Context, id string, o state.Outcome) (state.ChoiceRecord, bool, error) {
	// A choice already ended, or an outcome that ends nothing, needs no
	// write: the late clicks of a crowd wait for no lock.
	c, err := s.Choice(ctx, id)
	if err != nil || c.Outcome.State != state.ChoicePending || o.State == state.ChoicePending {
		return c, false, err
	}
	won := false
	err = s.write(ctx, fmt.Sprintf("resolve choice %q", id), func(tx *sql.Tx) error {
		c, err = readChoice(ctx, tx, id)
		if err != nil || c.Outcome.State != state.ChoicePending {
			return err
		}
		c.Outcome = o
		data, err := json.Marshal(c)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE choices SET state = ?, ended = ?, data = ? WHERE id = ?`,
			int(o.State), ms(o.At), data, id); err != nil {
			return err
		}
		won = true
		// What is returned is a copy, as it is read back: not the caller's
		// outcome value.
		c, err = decodeChoice(data)
		return err
	})
	if err != nil {
		return state.ChoiceRecord{}, false, err
	}
	return c, won, nil
}

// Expiring implements [state.ChoiceStore].
func (s *Store) Expiring(ctx context.Context, t time.Time, limit int) ([]state.ChoiceRecord, error) {
	cs, err := queryChoices(ctx, s.db, `
		SELECT data FROM choices
		WHERE state = 0 AND deadline IS NOT NULL AND deadline <= ?
		ORDER BY deadline, id LIMIT ?`, ms(t), sqlLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("sqlite: expiring choices: %w", err)
	}
	return cs, nil
}
