package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/parleybot/parley/state"
)

// newOrigin returns a random id for the notes of one hub: of one process,
// for one file.
func newOrigin() int64 { return rand.Int64() }

// Publish implements [state.Notifier]. The subscribers of this process, on
// every Store open on the file, receive note at once; it is also written
// to the file, where the subscribers of other processes find it when they
// next poll (see [Options.PollInterval]).
func (s *Store) Publish(ctx context.Context, note string) error {
	s.hub.deliver(note)
	return s.write(ctx, "publish a note", func(tx *sql.Tx) error {
		now := time.Now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO notes (origin, at, note) VALUES (?, ?, ?)`,
			s.hub.origin, ms(now), note); err != nil {
			return err
		}
		// Old notes go now and then; hub.lastPrune is guarded by the turn
		// to write, which this holds.
		if now.Sub(s.hub.lastPrune) < s.opts.NoteRetention/4 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM notes WHERE at < ?`, ms(now.Add(-s.opts.NoteRetention))); err != nil {
			return err
		}
		s.hub.lastPrune = now
		return nil
	})
}

// deliver hands note to every subscriber in this process.
func (h *hub) deliver(note string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for sub := range h.subs {
		sub.push(note)
	}
}

// subscription is one call of Subscribe: the notes waiting for its
// receive function, which its own goroutine calls in turn.
type subscription struct {
	// start is the id of the last note in the file when it began: the
	// poller brings it only those after.
	start int64
	*state.NoteMailbox
}

func (sub *subscription) push(note string) { sub.Put(note) }

// Subscribe implements [state.Notifier]. receive is called with each note
// published after Subscribe returns, in order, on a goroutine of its own,
// until ctx ends or the Store is closed: at once for a note published in
// this process, within about [Options.PollInterval] for one published by
// another process sharing the file. Each note reaches each subscription
// once.
func (s *Store) Subscribe(ctx context.Context, receive func(note string)) error {
	var last int64
	if err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM notes`).Scan(&last); err != nil {
		return fmt.Errorf("sqlite: subscribe: %w", err)
	}
	sub := &subscription{NoteMailbox: state.NewNoteMailbox()}
	h := s.hub
	h.mu.Lock()
	select {
	case <-s.done:
		h.mu.Unlock()
		return fmt.Errorf("sqlite: subscribe: the store %s is closed", s.path)
	default:
	}
	if !s.polling {
		s.polling, s.cursor = true, last
		s.wg.Go(s.poll)
	}
	// Notes up to the poller's cursor were read before this subscription
	// was made, and so published before it: they are not its to receive.
	sub.start = max(last, s.cursor)
	h.subs[sub] = struct{}{}
	s.subs[sub] = struct{}{}
	h.mu.Unlock()

	go func() {
		defer func() {
			h.mu.Lock()
			delete(h.subs, sub)
			delete(s.subs, sub)
			h.mu.Unlock()
		}()
		sub.Deliver(ctx, s.done, receive)
	}()
	return nil
}

// maxNotesPerPoll bounds the notes one poll reads; more wait for the next.
const maxNotesPerPoll = 1000

// poll brings the Store's subscribers the notes other processes publish,
// reading the notes table every PollInterval, until the Store closes or
// has no subscriber left.
func (s *Store) poll() {
	t := time.NewTicker(s.opts.PollInterval)
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
		}
		h := s.hub
		h.mu.Lock()
		if len(s.subs) == 0 {
			s.polling = false
			h.mu.Unlock()
			return
		}
		cursor := s.cursor
		h.mu.Unlock()
		notes, err := s.readNotes(cursor)
		if err != nil {
			continue // the file is busy, or closing: try again next time
		}
		h.mu.Lock()
		for _, n := range notes {
			if n.origin != h.origin {
				for sub := range s.subs {
					if n.id > sub.start {
						sub.push(n.note)
					}
				}
			}
			s.cursor = n.id
		}
		h.mu.Unlock()
	}
}

type note struct {
	id, origin int64
	note       string
}

// readNotes returns the notes in the file after the one whose id is
// given, in the order published.
func (s *Store) readNotes(after int64) ([]note, error) {
	ctx, cancel := context.WithTimeout(context.Background(), s.opts.BusyTimeout)
	defer cancel()
	rows, err := s.db.QueryContext(ctx, `SELECT id, origin, note FROM notes WHERE id > ? ORDER BY id LIMIT ?`, after, maxNotesPerPoll)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []note
	for rows.Next() {
		var n note
		if err := rows.Scan(&n.id, &n.origin, &n.note); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
