package discord

import "sync"

// Discord sends a shard's events in order, and discordgo reads them in
// order, but it runs each handler in a goroutine of its own unless
// Session.SyncEvents is set: two messages of one channel could then reach
// the Inbox out of order. The adapter sets SyncEvents, so its handlers see
// the events in the order Discord sent them, and hands each event to the
// lane of its channel: a goroutine per busy channel that handles that
// channel's events one after another. A slow Store call holds up its own
// channel only — not the gateway's reading (and heartbeats), nor the other
// channels.

// lanes runs functions one after another per key, and keys concurrently.
type lanes struct {
	mu sync.Mutex
	m  map[string]*lane
}

// lane is the queue of one key; a goroutine drains it while it is in
// lanes.m.
type lane struct{ q []func() }

// do runs fn after every function given before for key, in a goroutine of
// key's own; it does not wait.
func (l *lanes) do(key string, fn func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if ln, ok := l.m[key]; ok {
		ln.q = append(ln.q, fn)
		return
	}
	if l.m == nil {
		l.m = map[string]*lane{}
	}
	ln := &lane{q: []func(){fn}}
	l.m[key] = ln
	go l.drain(key, ln)
}

// drain runs the functions of ln until it is empty, then forgets it.
func (l *lanes) drain(key string, ln *lane) {
	for {
		l.mu.Lock()
		if len(ln.q) == 0 {
			delete(l.m, key)
			l.mu.Unlock()
			return
		}
		fn := ln.q[0]
		ln.q[0] = nil
		ln.q = ln.q[1:]
		l.mu.Unlock()
		fn()
	}
}
