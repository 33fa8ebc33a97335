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

// PutActions implements [state.Store]: one INSERT of every id, so that an
// id taken (or repeated) fails it whole.
func (s *Store) PutActions(ctx context.Context, actions []state.ActionRecord) error {
	if len(actions) == 0 {
		return nil
	}
	ids := make([]string, len(actions))
	expires := make([]*int64, len(actions))
	data := make([]string, len(actions))
	for i, a := range actions {
		b, err := json.Marshal(a)
		if err != nil {
			return fmt.Errorf("postgres: action id %q: %w", a.ID, err)
		}
		ids[i], expires[i], data[i] = a.ID, msOrNull(a.Expires), string(b)
	}
	err := retry(ctx, func() error {
		_, err := s.pool.Exec(ctx, s.q.r(`INSERT INTO {s}.actions (id, expires, data)
			SELECT id, expires, data::json FROM unnest($1::text[], $2::bigint[], $3::text[]) AS a (id, expires, data)`),
			ids, expires, data)
		return err
	})
	if pgCode(err) == codeUniqueViolation {
		return fmt.Errorf("postgres: action ids: %s: %w", pgDetail(err), state.ErrConflict)
	}
	if err != nil {
		return s.opErr(err, "putting %d action ids", len(actions))
	}
	return nil
}

// Action implements [state.Store].
func (s *Store) Action(ctx context.Context, id string) (state.ActionRecord, error) {
	var (
		data, choice []byte
		option       *int
	)
	err := s.pool.QueryRow(ctx, s.q.r(`SELECT a.data, a.option, c.data FROM {s}.actions a
		LEFT JOIN {s}.choices c ON c.id = a.choice WHERE a.id = $1`), id).Scan(&data, &option, &choice)
	if errors.Is(err, pgx.ErrNoRows) {
		return state.ActionRecord{}, fmt.Errorf("postgres: action id %q: %w", id, state.ErrNotFound)
	}
	if err != nil {
		return state.ActionRecord{}, s.opErr(err, "reading action id %q", id)
	}
	if option == nil {
		var a state.ActionRecord
		if err := json.Unmarshal(data, &a); err != nil {
			return state.ActionRecord{}, fmt.Errorf("postgres: action id %q: %w", id, err)
		}
		return a, nil
	}
	var c state.ChoiceRecord
	if err := json.Unmarshal(choice, &c); err != nil || *option < 0 || *option >= len(c.Options) {
		return state.ActionRecord{}, fmt.Errorf("postgres: action id %q: its choice's record is damaged: %v", id, err)
	}
	o := c.Options[*option]
	return state.ActionRecord{ID: id, Address: c.Address, Choice: c.ID, Option: *option, Label: o.Label, Value: o.Value}, nil
}

// PutChoice implements [state.Store]: the choice and its options go in one
// statement, so that an id taken fails it whole.
func (s *Store) PutChoice(ctx context.Context, c state.ChoiceRecord) error {
	rec := c
	rec.Message, rec.Outcome = state.MessageRef{}, state.Outcome{}
	data, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("postgres: choice %q: %w", c.ID, err)
	}
	var message, outcome []byte
	if c.Message != (state.MessageRef{}) {
		if message, err = json.Marshal(c.Message); err != nil {
			return fmt.Errorf("postgres: choice %q: %w", c.ID, err)
		}
	}
	var ended *int64
	if c.Outcome.State != state.ChoicePending {
		if outcome, err = json.Marshal(c.Outcome); err != nil {
			return fmt.Errorf("postgres: choice %q: %w", c.ID, err)
		}
		ended = msOrNull(c.Outcome.At)
	}
	var run *string
	if c.Run != "" {
		run = &c.Run
	}
	opts := make([]string, len(c.Options))
	for i, o := range c.Options {
		opts[i] = o.ID
	}
	err = retry(ctx, func() error {
		_, err := s.pool.Exec(ctx, s.q.r(`WITH c AS (
				INSERT INTO {s}.choices (id, run, created, deadline, state, ended, data, message, outcome)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id)
			INSERT INTO {s}.actions (id, choice, option)
			SELECT o.id, (SELECT id FROM c), o.n - 1 FROM unnest($10::text[]) WITH ORDINALITY AS o (id, n)`),
			c.ID, run, ms(c.Created), msOrNull(c.Deadline), int16(c.Outcome.State), ended, data, message, outcome, opts)
		return err
	})
	if pgCode(err) == codeUniqueViolation {
		return fmt.Errorf("postgres: choice %q: %s: %w", c.ID, pgDetail(err), state.ErrConflict)
	}
	if err != nil {
		return s.opErr(err, "putting choice %q", c.ID)
	}
	return nil
}

// choiceCols are the columns a choice is read from, for scanChoice.
const choiceCols = `data, message, outcome`

// scanChoice reads a choice from the columns choiceCols names.
func scanChoice(row pgx.Row) (state.ChoiceRecord, error) {
	var data, message, outcome []byte
	if err := row.Scan(&data, &message, &outcome); err != nil {
		return state.ChoiceRecord{}, err
	}
	return decodeChoice(data, message, outcome)
}

func decodeChoice(data, message, outcome []byte) (state.ChoiceRecord, error) {
	var c state.ChoiceRecord
	if err := json.Unmarshal(data, &c); err != nil {
		return c, fmt.Errorf("a choice's record is damaged: %w", err)
	}
	if message != nil {
		if err := json.Unmarshal(message, &c.Message); err != nil {
			return c, fmt.Errorf("choice %q: its card's record is damaged: %w", c.ID, err)
		}
	}
	if outcome != nil {
		if err := json.Unmarshal(outcome, &c.Outcome); err != nil {
			return c, fmt.Errorf("choice %q: its outcome's record is damaged: %w", c.ID, err)
		}
	}
	return c, nil
}

// Choice implements [state.Store].
func (s *Store) Choice(ctx context.Context, id string) (state.ChoiceRecord, error) {
	c, err := scanChoice(s.pool.QueryRow(ctx, s.q.r(`SELECT `+choiceCols+` FROM {s}.choices WHERE id = $1`), id))
	if errors.Is(err, pgx.ErrNoRows) {
		return c, fmt.Errorf("postgres: choice %q: %w", id, state.ErrNotFound)
	}
	if err != nil {
		return c, s.opErr(err, "reading choice %q", id)
	}
	return c, nil
}

// Choices implements [state.Store].
func (s *Store) Choices(ctx context.Context, run string) ([]state.ChoiceRecord, error) {
	if run == "" {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, s.q.r(`SELECT `+choiceCols+` FROM {s}.choices WHERE run = $1 ORDER BY created, id`), run)
	if err != nil {
		return nil, s.opErr(err, "reading the choices of run %q", run)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (state.ChoiceRecord, error) { return scanChoice(r) })
	if err != nil {
		return nil, s.opErr(err, "reading the choices of run %q", run)
	}
	return out, nil
}

// SetChoiceMessage implements [state.Store].
func (s *Store) SetChoiceMessage(ctx context.Context, id string, ref state.MessageRef) error {
	message, err := json.Marshal(ref)
	if err != nil {
		return fmt.Errorf("postgres: choice %q: %w", id, err)
	}
	var tag int64
	err = retry(ctx, func() error {
		t, err := s.pool.Exec(ctx, s.q.r(`UPDATE {s}.choices SET message = $2
			WHERE id = $1 AND (message IS NULL OR coalesce(message->>'ID', '') = '')`), id, message)
		tag = t.RowsAffected()
		return err
	})
	if err != nil {
		return s.opErr(err, "recording the card of choice %q", id)
	}
	if tag == 0 {
		// Either the card is known already, or the choice is not.
		if _, err := s.Choice(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// Resolve implements [state.Store]. First click wins: one conditional
// UPDATE ... WHERE state = pending. Of concurrent calls, the first to
// lock the row changes it; the others wait for its commit, find the row
// no longer pending and change nothing, then read the winner's outcome.
func (s *Store) Resolve(ctx context.Context, id string, o state.Outcome) (state.ChoiceRecord, bool, error) {
	if o.State != state.ChoicePending {
		outcome, err := json.Marshal(o)
		if err != nil {
			return state.ChoiceRecord{}, false, fmt.Errorf("postgres: choice %q: %w", id, err)
		}
		var c state.ChoiceRecord
		err = retry(ctx, func() error {
			c, err = scanChoice(s.pool.QueryRow(ctx, s.q.r(`UPDATE {s}.choices SET state = $2, ended = $3, outcome = $4
				WHERE id = $1 AND state = 0 RETURNING `+choiceCols), id, int16(o.State), msOrNull(o.At), outcome))
			return err
		})
		if err == nil {
			return c, true, nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return c, false, s.opErr(err, "resolving choice %q", id)
		}
	}
	c, err := s.Choice(ctx, id)
	return c, false, err
}

// Expiring implements [state.Store].
func (s *Store) Expiring(ctx context.Context, t time.Time, limit int) ([]state.ChoiceRecord, error) {
	rows, err := s.pool.Query(ctx, s.q.r(`SELECT `+choiceCols+` FROM {s}.choices
		WHERE state = 0 AND deadline <= $1 ORDER BY deadline, id LIMIT $2`), ms(t), limitArg(limit))
	if err != nil {
		return nil, s.opErr(err, "reading the choices expiring by %v", t)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (state.ChoiceRecord, error) { return scanChoice(r) })
	if err != nil {
		return nil, s.opErr(err, "reading the choices expiring by %v", t)
	}
	return out, nil
}
