package platform

import (
	"errors"
	"sync"
	"time"
)

// ErrClosed is an Append to a Pending already closed.
var ErrClosed = errors.New("stream already closed")

// Pending is the text appended to a streamed message and not sent yet,
// and the timer of the flush that will send it: a stream gathers text
// from Append and sends it in a flush at most every so often, a flush
// taking the text, sending what it can, and putting back what it could
// not. Create it with NewPending.
type Pending struct {
	due func() // the flush the timer runs

	mu     sync.Mutex
	text   string
	timer  *time.Timer // armed while a flush is due
	closed bool
}

// NewPending returns an empty Pending whose timer calls flush.
func NewPending(flush func()) *Pending { return &Pending{due: flush} }

// Append adds delta to the text and makes a flush due within d, unless
// one is due already. After Close it fails with ErrClosed.
func (p *Pending) Append(delta string, d time.Duration) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrClosed
	}
	if delta == "" {
		return nil
	}
	p.text += delta
	p.armLocked(d)
	return nil
}

// Arm makes a flush due in d, unless one is due already or p is closed.
func (p *Pending) Arm(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.armLocked(d)
}

func (p *Pending) armLocked(d time.Duration) {
	if p.timer == nil && !p.closed {
		p.timer = time.AfterFunc(d, p.due)
	}
}

// Take begins a flush: no flush is due any more, and it returns the text
// to send. A flush other than the final one finds nothing to do once p is
// closed (ok false).
func (p *Pending) Take(final bool) (text string, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.timer = nil
	if p.closed && !final {
		return "", false
	}
	return p.text, true
}

// Requeue ends a flush that sent the first taken bytes of the text Take
// returned and could not send rest, which goes back before any text
// appended since; when text is left, another flush is due in d.
func (p *Pending) Requeue(taken int, rest string, d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.text = rest + p.text[taken:]
	if p.text != "" {
		p.armLocked(d)
	}
}

// Close stops the timer: no flush is due any more but the final one,
// which the stream makes itself.
func (p *Pending) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
}
