package web

import (
	"encoding/json"
	"sync"
	"time"
)

// event is one thing the page hears over its EventSource.
type event struct {
	ID   uint64
	Type string // "message", "delta", "status", "removed"
	// To limits the event to one person's pages (a private message).
	To   string
	Data []byte // JSON
}

// Event payloads besides "message" (a record).
type (
	deltaEvent struct {
		ID   string `json:"id"`
		Conv string `json:"conv"`
		Text string `json:"text"`
	}
	statusEvent struct {
		Conv string `json:"conv"`
		Text string `json:"text"`
	}
	removedEvent struct {
		ID   string `json:"id"`
		Conv string `json:"conv"`
	}
)

// subscriber is one open EventSource.
type subscriber struct {
	as string
	ch chan event
	// gone is closed when the subscriber fell too far behind and was
	// dropped; its page reconnects and reads the state afresh.
	gone chan struct{}
}

// hub hands events to every open page. Events are numbered; a page that
// reconnects with Last-Event-ID gets what it missed while the hub still
// holds it, else it reads the state afresh.
type hub struct {
	mu     sync.Mutex
	seq    uint64
	recent []event // the latest events, oldest first, at most keep
	subs   map[*subscriber]struct{}
}

// keep bounds the events held for reconnecting pages; backlog bounds
// what one slow page may have waiting.
const (
	keep    = 1024
	backlog = 256
)

// newHub returns a hub numbering its events after the present time in
// microseconds, so that every process numbers past the one before it:
// a page still open across a restart reconnects with a number the new
// process does not hold, and is told to read the state afresh. (Below
// 2^53 until the year 2255: the page's script keeps it as a number.)
func newHub() *hub {
	return &hub{seq: uint64(time.Now().UnixMicro()), subs: map[*subscriber]struct{}{}}
}

// publish numbers v's event and hands it to every page.
func (h *hub) publish(typ, to string, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		return // our own payloads always marshal
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seq++
	ev := event{ID: h.seq, Type: typ, To: to, Data: data}
	if len(h.recent) == keep {
		h.recent = append(h.recent[:0], h.recent[1:]...)
	}
	h.recent = append(h.recent, ev)
	for s := range h.subs {
		select {
		case s.ch <- ev:
		default:
			delete(h.subs, s)
			close(s.gone)
		}
	}
}

// last returns the number of the latest event.
func (h *hub) last() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.seq
}

// subscribe opens a subscription for a page signed in as as. It returns
// the events after since that the hub still holds, and whether it holds
// them all.
func (h *hub) subscribe(as string, since uint64) (*subscriber, []event, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := &subscriber{as: as, ch: make(chan event, backlog), gone: make(chan struct{})}
	h.subs[s] = struct{}{}
	// since 0 asks for what comes next only. A number past the latest,
	// or before what the hub holds, is of another process or too old:
	// the page must read the state afresh.
	complete := since == 0 || since == h.seq || since < h.seq && len(h.recent) > 0 && h.recent[0].ID <= since+1
	var missed []event
	if since > 0 && complete {
		for _, ev := range h.recent {
			if ev.ID > since {
				missed = append(missed, ev)
			}
		}
	}
	return s, missed, complete
}

func (h *hub) unsubscribe(s *subscriber) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[s]; ok {
		delete(h.subs, s)
		close(s.gone)
	}
}
