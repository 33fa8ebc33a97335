package discord

import "sync"

// takenKeep is how many of the messages the bot took in guild channels,
// outside threads, the adapter remembers: a MESSAGE_DELETE carries no
// author nor content, so their deletion is told from chatter's by id.
const takenKeep = 4096

// taken remembers the ids of the last takenKeep messages the bot took in
// guild channels outside threads.
type taken struct {
	mu   sync.Mutex
	set  map[string]struct{}
	ring []string
	next int
}

// add remembers id, forgetting the oldest one past takenKeep.
func (t *taken) add(id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.set == nil {
		t.set, t.ring = map[string]struct{}{}, make([]string, takenKeep)
	}
	if _, ok := t.set[id]; ok {
		return
	}
	delete(t.set, t.ring[t.next])
	t.ring[t.next] = id
	t.set[id] = struct{}{}
	t.next = (t.next + 1) % takenKeep
}

// has reports whether id is remembered.
func (t *taken) has(id string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, ok := t.set[id]
	return ok
}
