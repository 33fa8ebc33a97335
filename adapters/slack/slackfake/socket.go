package slackfake

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// sockets is the Socket Mode side of the fake. Everything but wg is
// guarded by Server.mu.
type sockets struct {
	tickets    map[string]bool // from apps.connections.open, used once
	conns      []*sockConn     // open, in the order they opened
	next       int             // round-robin over conns
	opened     int             // connections ever opened
	pending    []*envelope     // waiting for a connection
	byID       map[string]*envelope
	deliveries map[string]*delivery
	acks       []Ack
	wg         sync.WaitGroup // the connections' goroutines
}

func (k *sockets) init() {
	k.tickets = map[string]bool{}
	k.byID = map[string]*envelope{}
	k.deliveries = map[string]*delivery{}
}

// sockConn is one Socket Mode connection.
type sockConn struct {
	ws       *websocket.Conn
	wmu      sync.Mutex           // serialises data writes
	inflight map[string]*envelope // written, not acked; guarded by Server.mu
	done     chan struct{}
}

func (c *sockConn) write(v any) error {
	b, err := marshal(v)
	if err != nil {
		return err
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.ws.WriteMessage(websocket.TextMessage, b)
}

// envelope is one delivery attempt of an event over Socket Mode.
type envelope struct {
	id      string // envelope_id, new on each attempt
	key     string // the id of the first attempt: the delivery's id
	seq     int    // order of first sending
	ev      Event
	attempt int
	reason  string
}

func (e *envelope) json() obj {
	return obj{
		"envelope_id":              e.id,
		"type":                     e.ev.Type,
		"payload":                  e.ev.Payload,
		"accepts_response_payload": e.ev.Type == SlashCommands,
		"retry_attempt":            e.attempt,
		"retry_reason":             e.reason,
	}
}

// delivery is the fate of an event sent over Socket Mode, over its
// attempts.
type delivery struct {
	done chan struct{} // closed on the first ack
	ack  Ack
}

// Ack is an acknowledgement an app sent over Socket Mode.
type Ack struct {
	// EnvelopeID is the envelope acknowledged.
	EnvelopeID string
	// Payload is the payload the ack carried, if any.
	Payload json.RawMessage
	// Time is when the fake received it, by Config.Now.
	Time time.Time
}

// SendSocket sends ev over Socket Mode: in an envelope on one of the open
// connections, or on the next one to open. An envelope that is not acked
// before its connection closes is sent again on another connection, in a
// new envelope with retry_attempt one more and retry_reason "timeout". It
// returns the id of the first envelope, which names the delivery for
// WaitAck.
func (s *Server) SendSocket(ev Event, opts ...SendOption) string {
	var o sendOptions
	for _, opt := range opts {
		opt(&o)
	}
	s.mu.Lock()
	e := &envelope{id: s.uuidLocked(), ev: ev, attempt: o.retryNum, reason: o.retryReason}
	e.key, e.seq = e.id, s.seq
	s.sock.byID[e.id] = e
	s.sock.deliveries[e.key] = &delivery{done: make(chan struct{})}
	s.sock.pending = append(s.sock.pending, e)
	s.changedLocked()
	s.mu.Unlock()
	s.flushSockets()
	return e.key
}

// WaitAck waits until the app acknowledges the delivery id (any of its
// envelopes) and returns the ack; or ctx's error if ctx ends first.
func (s *Server) WaitAck(ctx context.Context, id string) (Ack, error) {
	s.mu.Lock()
	d := s.sock.deliveries[id]
	s.mu.Unlock()
	if d == nil {
		return Ack{}, fmt.Errorf("slackfake: no Socket Mode delivery %q", id)
	}
	select {
	case <-d.done:
		s.mu.Lock()
		defer s.mu.Unlock()
		return d.ack, nil
	case <-ctx.Done():
		return Ack{}, fmt.Errorf("slackfake: waiting for the ack of %s: %w", id, ctx.Err())
	}
}

// Acks returns every acknowledgement received over Socket Mode, in order.
func (s *Server) Acks() []Ack {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sock.acks)
}

// SocketConnections returns the number of Socket Mode connections open
// now, and the number ever opened.
func (s *Server) SocketConnections() (open, opened int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sock.conns), s.sock.opened
}

// DropSockets closes every Socket Mode connection abruptly, without a
// close frame, as a network failure does: the app must notice and
// reconnect through apps.connections.open.
func (s *Server) DropSockets() {
	s.mu.Lock()
	conns := slices.Clone(s.sock.conns)
	s.mu.Unlock()
	for _, c := range conns {
		_ = c.ws.NetConn().Close()
	}
}

// Disconnect sends every Socket Mode connection Slack's disconnect
// message with reason ("refresh_requested", "warning", …): the app should
// open a new connection and close the old one.
func (s *Server) Disconnect(reason string) {
	s.mu.Lock()
	conns := slices.Clone(s.sock.conns)
	s.mu.Unlock()
	for _, c := range conns {
		_ = c.write(obj{"type": "disconnect", "reason": reason, "debug_info": obj{"host": "applink-fake"}})
	}
}

// closeSockets closes every connection for Close; s.closed is set.
func (s *Server) closeSockets() { s.DropSockets() }

// flushSockets sends the pending envelopes over the open connections,
// in turn.
func (s *Server) flushSockets() {
	type send struct {
		c   *sockConn
		msg obj
	}
	var sends []send
	s.mu.Lock()
	if len(s.sock.conns) > 0 {
		for _, e := range s.sock.pending {
			c := s.sock.conns[s.sock.next%len(s.sock.conns)]
			s.sock.next++
			c.inflight[e.id] = e
			// Read the envelope under the lock: endSocket renames it
			// for its next attempt once its connection ends, which may
			// be while this write is under way.
			sends = append(sends, send{c, e.json()})
		}
		s.sock.pending = nil
	}
	s.mu.Unlock()
	for _, x := range sends {
		// A failed write leaves the envelope in flight on a dead
		// connection, whose end sends it again.
		_ = x.c.write(x.msg)
	}
}

// serveSocket serves a Socket Mode connection opened with a ticket from
// apps.connections.open.
func (s *Server) serveSocket(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	ticket := r.URL.Query().Get("ticket")
	ok := s.sock.tickets[ticket] && !s.closed
	delete(s.sock.tickets, ticket)
	if ok {
		s.sock.wg.Add(1)
	}
	s.mu.Unlock()
	if !ok {
		http.Error(w, "invalid or used ticket", http.StatusUnauthorized)
		return
	}
	defer s.sock.wg.Done()
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &sockConn{ws: ws, inflight: map[string]*envelope{}, done: make(chan struct{})}
	defer ws.Close()
	s.mu.Lock()
	n := len(s.sock.conns) + 1
	s.mu.Unlock()
	hello := obj{
		"type": "hello", "num_connections": n,
		"debug_info":      obj{"host": "applink-fake", "build_number": 1, "approximate_connection_time": 18060},
		"connection_info": obj{"app_id": s.cfg.AppID},
	}
	if c.write(hello) != nil {
		return
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.sock.conns = append(s.sock.conns, c)
	s.sock.opened++
	s.sock.wg.Add(1)
	s.changedLocked()
	s.mu.Unlock()
	go s.ping(c)
	s.flushSockets()
	s.readAcks(c)
	s.endSocket(c)
}

// ping pings c every Config.PingInterval, as Slack does, until it ends.
func (s *Server) ping(c *sockConn) {
	defer s.sock.wg.Done()
	t := time.NewTicker(s.cfg.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
			if c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(time.Second)) != nil {
				return
			}
		}
	}
}

// readAcks reads the app's acks from c until it fails.
func (s *Server) readAcks(c *sockConn) {
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		var a struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if json.Unmarshal(data, &a) != nil || a.EnvelopeID == "" {
			continue
		}
		s.ack(c, Ack{EnvelopeID: a.EnvelopeID, Payload: a.Payload})
	}
}

// ack records an ack received on c; the ack of a slash command's
// envelope may carry the answer to show.
func (s *Server) ack(c *sockConn, a Ack) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a.Time = s.cfg.Now()
	s.sock.acks = append(s.sock.acks, a)
	s.changedLocked()
	e := s.sock.byID[a.EnvelopeID]
	if e == nil {
		return
	}
	delete(s.sock.byID, e.id)
	delete(c.inflight, e.id)
	d := s.sock.deliveries[e.key]
	select {
	case <-d.done:
		return // a late ack of a redelivered event
	default:
	}
	d.ack = a
	close(d.done)
	if e.ev.Type == SlashCommands && len(a.Payload) > 0 && string(a.Payload) != "null" {
		if resp := s.responses[e.ev.response]; resp != nil {
			_ = s.respondLocked(resp, &apiRequest{params: flattenJSON(a.Payload), time: a.Time})
		}
	}
}

// endSocket forgets the connection c and sends again, elsewhere, what it
// left unacknowledged.
func (s *Server) endSocket(c *sockConn) {
	s.mu.Lock()
	s.sock.conns = slices.DeleteFunc(s.sock.conns, func(x *sockConn) bool { return x == c })
	var again []*envelope
	for _, e := range c.inflight {
		again = append(again, e)
	}
	slices.SortFunc(again, func(a, b *envelope) int { return a.seq - b.seq })
	for _, e := range again {
		delete(s.sock.byID, e.id)
		e.id = s.uuidLocked()
		e.attempt++
		e.reason = "timeout"
		s.sock.byID[e.id] = e
	}
	c.inflight = map[string]*envelope{}
	s.sock.pending = append(again, s.sock.pending...)
	s.changedLocked()
	s.mu.Unlock()
	close(c.done)
	s.flushSockets()
}
