package state

import (
	"context"
	"sync"
)

// Notifier carries short notes between the replicas of a bot, so that a
// click decided on one wakes, at once, the run waiting for it on another,
// and a replica holding a thread hears that work is queued there. Postgres
// implements it with LISTEN/NOTIFY; bot.MemoryStore within one process.
//
// A Notifier is optional: without one, a waiting run polls the Store every
// bot.Config.PollInterval, and a replica holding a lane learns of queued
// work when it renews the lane's lease. Notes may be lost (a reconnect);
// the polling that remains as a safety net keeps correctness.
type Notifier interface {
	// Publish sends note to every subscriber, in every process.
	Publish(ctx context.Context, note string) error
	// Subscribe calls receive with each note published after it returns,
	// in order, on a goroutine of its own, until ctx ends.
	Subscribe(ctx context.Context, receive func(note string)) error
}

// NoteMailbox is one subscription of a [Notifier], for the Stores that
// implement one: the notes published for the subscriber wait in it until
// its own goroutine hands them on, in order, so that Publish never waits
// for a slow receiver and a slow receiver holds up no other. Its zero
// value is not ready; make one with [NewNoteMailbox].
type NoteMailbox struct {
	mu    sync.Mutex
	notes []string
	wake  chan struct{}
}

// NewNoteMailbox returns an empty mailbox.
func NewNoteMailbox() *NoteMailbox { return &NoteMailbox{wake: make(chan struct{}, 1)} }

// Put adds note to the mailbox and wakes its goroutine. It never blocks.
func (m *NoteMailbox) Put(note string) {
	m.mu.Lock()
	m.notes = append(m.notes, note)
	m.mu.Unlock()
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// Deliver is the subscriber's goroutine: it calls receive with each note
// put in the mailbox, in order, until ctx ends or stop (which may be nil)
// is closed. A note still waiting then is dropped, as a subscription that
// ended receives nothing more.
func (m *NoteMailbox) Deliver(ctx context.Context, stop <-chan struct{}, receive func(note string)) {
	ended := func() bool {
		select {
		case <-stop:
			return true
		default:
			return ctx.Err() != nil
		}
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-stop:
			return
		case <-m.wake:
		}
		m.mu.Lock()
		notes := m.notes
		m.notes = nil
		m.mu.Unlock()
		for _, n := range notes {
			if ended() {
				return
			}
			receive(n)
		}
	}
}
