package discordfake

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Headers of Discord's signed interaction requests.
const (
	HeaderSignature = "X-Signature-Ed25519"
	HeaderTimestamp = "X-Signature-Timestamp"
)

// Sign returns the headers that sign body as sent at the time at, as
// Discord signs the interactions it posts: X-Signature-Timestamp, the
// Unix time in seconds, and X-Signature-Ed25519, the hex Ed25519
// signature of timestamp + body with the application's key.
func (s *Server) Sign(body []byte, at time.Time) http.Header {
	ts := strconv.FormatInt(at.Unix(), 10)
	sig := ed25519.Sign(s.cfg.PrivateKey, append([]byte(ts), body...))
	h := http.Header{}
	h.Set(HeaderTimestamp, ts)
	h.Set(HeaderSignature, hex.EncodeToString(sig))
	return h
}

// SendOption changes how PostInteraction sends an interaction.
type SendOption func(*sendOptions)

type sendOptions struct {
	at        time.Time
	signature *string
	body      []byte
}

// SignedAt signs the request as sent at t rather than now: long ago, to
// test that an application refuses a replayed request.
func SignedAt(t time.Time) SendOption { return func(o *sendOptions) { o.at = t } }

// Signature sends sig as X-Signature-Ed25519 instead of the real
// signature, to test that an application refuses a forged request; an
// empty sig sends none.
func Signature(sig string) SendOption { return func(o *sendOptions) { o.signature = &sig } }

// Body sends body instead of the interaction's own, signed as the
// interaction's was: a tampered request.
func Body(body []byte) SendOption { return func(o *sendOptions) { o.body = body } }

// Reply is an application's answer to an interaction posted over HTTP.
type Reply struct {
	// Status, Header and Body are the HTTP answer's.
	Status int
	Header http.Header
	Body   []byte
	// Applied is set when the fake took the answer's body as the
	// interaction's response ({"type": 4, "data": …}, PONG for a PING),
	// as Discord does with a 200 answered within the deadline.
	Applied bool
}

// PostInteraction posts an interaction (built by Click, Select,
// SlashCommand or Ping) to an application's Interactions Endpoint URL,
// signed as Discord signs it, and returns the answer. An answer 200 with
// an interaction response as its JSON body, within
// Config.InteractionDeadline, is the interaction's response, as on
// Discord: a message it sends is posted, a PONG accepted. The error is
// for a request that got no answer; a 401 is an answer.
func (s *Server) PostInteraction(ctx context.Context, url string, ev Event, opts ...SendOption) (*Reply, error) {
	if ev.Type != "INTERACTION_CREATE" || ev.Data == nil {
		return nil, errors.New("discordfake: PostInteraction needs an interaction built by the Server (Click, Select, SlashCommand, Ping)")
	}
	o := sendOptions{at: s.cfg.Now()}
	for _, opt := range opts {
		opt(&o)
	}
	signed := ev.Data
	body := signed
	if o.body != nil {
		body = o.body
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("discordfake: %w", err)
	}
	for k, v := range s.Sign(signed, o.at) {
		req.Header[k] = v
	}
	if o.signature != nil {
		req.Header.Del(HeaderSignature)
		if *o.signature != "" {
			req.Header.Set(HeaderSignature, *o.signature)
		}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Discord-Interactions/1.0 (+https://discord.com)")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("discordfake: posting the interaction: %w", err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, fmt.Errorf("discordfake: reading the answer: %w", err)
	}
	r := &Reply{Status: resp.StatusCode, Header: resp.Header, Body: answer}
	if resp.StatusCode != http.StatusOK {
		return r, nil
	}
	var b callbackBody
	if json.Unmarshal(answer, &b) != nil || b.Type == 0 {
		return r, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ia := s.interactions[ev.ID]
	if ia == nil || ia.response != 0 || s.cfg.Now().Sub(ia.created) > s.cfg.InteractionDeadline {
		return r, nil
	}
	if s.respondLocked(ia, b, nil) == nil {
		r.Applied = true
	}
	return r, nil
}
