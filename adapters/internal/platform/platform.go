package platform

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// ErrTooLarge is a request body over the cap ReadCapped was given.
var ErrTooLarge = errors.New("request body too large")

// ReadCapped reads r's body, failing with ErrTooLarge without reading
// further once it passes limit bytes.
func ReadCapped(r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, ErrTooLarge
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > limit {
		return nil, ErrTooLarge
	}
	return body, nil
}

// Sleep waits for d, or returns ctx's error if it ends first.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// FromEnv sets each empty setting to its environment variable, read with
// env, without surrounding white space. vars maps the variable's name to
// the setting.
func FromEnv(env func(string) string, vars map[string]*string) {
	for key, v := range vars {
		if *v == "" {
			*v = strings.TrimSpace(env(key))
		}
	}
}

// groupSep separates the message ids of a group in a MessageRef's ID.
const groupSep = ","

// JoinID returns the MessageRef ID of a group of messages: their ids, in
// order, comma separated. A platform message id has no comma.
func JoinID(ids []string) string { return strings.Join(ids, groupSep) }

// SplitID returns the ids of every message a MessageRef ID names, in
// order; the id of one message gives one.
func SplitID(id string) []string {
	var out []string
	for s := range strings.SplitSeq(id, groupSep) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Changes wakes the waiters of a fake whenever its state changes. The
// zero value is ready; the fake calls Changed, under the mutex that
// guards its state, on each change.
type Changes struct {
	ch chan struct{} // closed and replaced on every change
}

// Changed wakes every WaitFor. The fake's mutex is held.
func (c *Changes) Changed() {
	if c.ch != nil {
		close(c.ch)
	}
	c.ch = make(chan struct{})
}

// WaitFor calls cond until it returns true, each time the fake changes,
// and returns nil then; or ctx's error when ctx ends first. mu is the
// fake's mutex, not held by the caller; cond may take it.
func (c *Changes) WaitFor(ctx context.Context, mu sync.Locker, cond func() bool) error {
	for {
		mu.Lock()
		if c.ch == nil {
			c.ch = make(chan struct{})
		}
		ch := c.ch
		mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
