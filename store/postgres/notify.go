package postgres

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/parleybot/parley/state"
)

// How the connection that listens for notes keeps itself alive.
const (
	// listenCheck is how long the listener waits for a note before it
	// checks that its connection still answers: a connection cut without
	// a word (a firewall dropping it) is found within about this time.
	listenCheck = 30 * time.Second
	// reconnectMin and reconnectMax bound the wait between attempts to
	// listen again after the connection failed; it doubles from the
	// first to the second.
	reconnectMin = 50 * time.Millisecond
	reconnectMax = 5 * time.Second
)

// Publish implements [state.Notifier]: pg_notify on the Store's channel,
// which every process listening on the schema's channel receives, in the
// order the publishing transactions commit. A note is at most 7999
// bytes.
func (s *Store) Publish(ctx context.Context, note string) error {
	if _, err := s.pool.Exec(ctx, `SELECT pg_notify($1, $2)`, s.channel, note); err != nil {
		return s.opErr(err, "publishing a note on channel %q", s.channel)
	}
	return nil
}

// Subscribe implements [state.Notifier]. The Store listens on a connection
// of its own, not one of its pool, from the first Subscribe until Close;
// when the connection drops it connects and listens again, waiting a
// little longer after each failure (notes published meanwhile are lost,
// as a Notifier allows). Subscribe returns once the Store is listening,
// so that every note published after it returns is received; when it
// cannot listen, it returns why. Each subscription has its own goroutine
// calling receive, so that a slow subscriber holds up no other.
func (s *Store) Subscribe(ctx context.Context, receive func(note string)) error {
	sub := &subscriber{state.NewNoteMailbox()}
	if err := s.notes.add(ctx, sub); err != nil {
		return err
	}
	go func() {
		defer s.notes.remove(sub)
		sub.Deliver(ctx, s.closed, receive)
	}()
	return nil
}

// subscriber is one subscription: the notes waiting for its goroutine.
type subscriber struct{ *state.NoteMailbox }

func (sub *subscriber) push(note string) { sub.Put(note) }

// listener keeps the Store's LISTEN connection and hands each note to
// the subscribers.
type listener struct {
	s *Store

	mu       sync.Mutex
	subs     map[*subscriber]struct{}
	started  bool
	up       bool          // listening now
	attempts int           // attempts to listen that ended, well or not
	lastErr  error         // why the last attempt failed
	changed  chan struct{} // closed, and replaced, when the fields above change

	cancel context.CancelFunc
	done   chan struct{}
}

func newListener(s *Store) *listener {
	return &listener{s: s, subs: map[*subscriber]struct{}{}, changed: make(chan struct{}), done: make(chan struct{})}
}

// add registers sub, starting the listener if it is the first, and waits
// until the Store listens: at once if it does, else until an attempt to
// listen ends.
func (l *listener) add(ctx context.Context, sub *subscriber) error {
	l.mu.Lock()
	select {
	case <-l.s.closed:
		l.mu.Unlock()
		return errors.New("postgres: Subscribe on a closed Store")
	default:
	}
	l.subs[sub] = struct{}{}
	if !l.started {
		l.started = true
		lctx, cancel := context.WithCancel(context.Background())
		l.cancel = cancel
		go l.run(lctx)
	}
	since := l.attempts
	for !l.up {
		if l.attempts > since {
			err := l.lastErr
			delete(l.subs, sub)
			l.mu.Unlock()
			return fmt.Errorf("postgres: listening on channel %q: %w", l.s.channel, err)
		}
		changed := l.changed
		l.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			l.remove(sub)
			return fmt.Errorf("postgres: listening on channel %q: %w", l.s.channel, ctx.Err())
		case <-l.s.closed:
			l.remove(sub)
			return errors.New("postgres: Subscribe on a closed Store")
		}
		l.mu.Lock()
	}
	l.mu.Unlock()
	return nil
}

func (l *listener) remove(sub *subscriber) {
	l.mu.Lock()
	delete(l.subs, sub)
	l.mu.Unlock()
}

// set records the outcome of an attempt to listen, or a drop.
func (l *listener) set(up bool, err error, attempt bool) {
	l.mu.Lock()
	l.up, l.lastErr = up, err
	if attempt {
		l.attempts++
	}
	close(l.changed)
	l.changed = make(chan struct{})
	l.mu.Unlock()
}

// stop ends the listener and waits for it.
func (l *listener) stop() {
	l.mu.Lock()
	started := l.started
	l.started = true // none starts after Close
	l.mu.Unlock()
	if started && l.cancel != nil {
		l.cancel()
		<-l.done
	}
}

// run listens until ctx ends, connecting again whenever the connection
// fails.
func (l *listener) run(ctx context.Context) {
	defer close(l.done)
	wait := time.Duration(0)
	for {
		err := l.listen(ctx)
		if ctx.Err() != nil {
			return
		}
		if errors.Is(err, errWasUp) {
			wait = 0 // it worked until now: try again at once
		} else {
			wait = min(max(2*wait, reconnectMin), reconnectMax)
		}
		// Jitter, so that the replicas of a restarted server do not all
		// come back at once.
		d := wait/2 + rand.N(wait/2+1)
		select {
		case <-ctx.Done():
			return
		case <-time.After(d):
		}
	}
}

// errWasUp marks the end of a connection that listened: it dropped.
var errWasUp = errors.New("postgres: the listening connection dropped")

// listen connects, listens and hands out notes until the connection
// fails or ctx ends.
func (l *listener) listen(ctx context.Context) error {
	conn, err := pgx.ConnectConfig(ctx, l.s.connCfg.Copy())
	if err != nil {
		err = l.s.connectErr("listening for notes", err)
		l.set(false, err, true)
		return err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		conn.Close(cctx)
	}()
	listen := "LISTEN " + pgx.Identifier{l.s.channel}.Sanitize()
	if _, err := conn.Exec(ctx, listen); err != nil {
		err = l.s.opErr(err, "listening on channel %q", l.s.channel)
		l.set(false, err, true)
		return err
	}
	l.set(true, nil, true)
	for {
		wctx, cancel := context.WithTimeout(ctx, listenCheck)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			l.deliver(n.Payload)
			continue
		case ctx.Err() != nil:
			l.set(false, ctx.Err(), false)
			return ctx.Err()
		case errors.Is(err, context.DeadlineExceeded) && !conn.IsClosed():
			// Quiet for a while: check that the connection answers,
			// with a statement that is harmless to repeat.
			if _, err = conn.Exec(ctx, listen); err == nil {
				continue
			}
		}
		l.set(false, err, false)
		return errWasUp
	}
}

// deliver hands a note to every subscriber.
func (l *listener) deliver(note string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for sub := range l.subs {
		sub.push(note)
	}
}
