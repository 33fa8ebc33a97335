package slackfake

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Headers of Slack's requests.
const (
	HeaderSignature   = "X-Slack-Signature"
	HeaderTimestamp   = "X-Slack-Request-Timestamp"
	HeaderRetryNum    = "X-Slack-Retry-Num"
	HeaderRetryReason = "X-Slack-Retry-Reason"
)

// Sign returns the headers that sign body as sent at the time at, by
// Slack's v0 scheme: X-Slack-Request-Timestamp, the Unix time, and
// X-Slack-Signature, "v0=" and the hex HMAC-SHA256, keyed with the signing
// secret, of "v0:" + timestamp + ":" + body.
func (s *Server) Sign(body []byte, at time.Time) http.Header {
	ts := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(s.cfg.SigningSecret))
	mac.Write([]byte("v0:" + ts + ":"))
	mac.Write(body)
	h := http.Header{}
	h.Set(HeaderTimestamp, ts)
	h.Set(HeaderSignature, "v0="+hex.EncodeToString(mac.Sum(nil)))
	return h
}

// SendOption changes how an event is sent.
type SendOption func(*sendOptions)

type sendOptions struct {
	retryNum    int
	retryReason string
	at          time.Time
	signature   *string
}

// Retry sends the event as Slack's retry number num, for reason
// ("http_timeout", "http_error", "timeout"…): over HTTP with the headers
// X-Slack-Retry-Num and X-Slack-Retry-Reason, over Socket Mode as the
// envelope's retry_attempt and retry_reason.
func Retry(num int, reason string) SendOption {
	return func(o *sendOptions) { o.retryNum, o.retryReason = num, reason }
}

// SignedAt signs the request as sent at t rather than now: long ago, to
// test that an app refuses a replayed request.
func SignedAt(t time.Time) SendOption {
	return func(o *sendOptions) { o.at = t }
}

// Signature sends sig as X-Slack-Signature instead of the real signature,
// to test that an app refuses a forged request; an empty sig sends none.
func Signature(sig string) SendOption {
	return func(o *sendOptions) { o.signature = &sig }
}

// Reply is an app's answer to an event sent over HTTP.
type Reply struct {
	// Status is the answer's HTTP status.
	Status int
	// Header is the answer's header.
	Header http.Header
	// Body is the answer's body.
	Body []byte
}

// ErrNoAnswer is the error of a send the app did not answer within
// Config.AckTimeout, which Slack counts as a failure.
var ErrNoAnswer = errors.New("slackfake: the app did not answer in time")

// StatusError is the error of a send the app answered with a status
// other than 2xx.
type StatusError struct {
	// Status is the HTTP status the app answered.
	Status int
	// Body is the body of its answer.
	Body []byte
}

// Error says what the app answered.
func (e *StatusError) Error() string {
	return fmt.Sprintf("slackfake: the app answered %d %s: %s", e.Status, http.StatusText(e.Status), strings.TrimSpace(string(e.Body)))
}

// request builds the signed HTTP request Slack sends for ev.
func (s *Server) request(ctx context.Context, target string, ev Event, opts []SendOption) (*http.Request, error) {
	o := sendOptions{at: s.cfg.Now()}
	for _, opt := range opts {
		opt(&o)
	}
	if ev.Body == nil {
		return nil, errors.New("slackfake: the event has no body; build it with the Server's methods")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(ev.Body))
	if err != nil {
		return nil, fmt.Errorf("slackfake: %w", err)
	}
	for k, v := range s.Sign(ev.Body, o.at) {
		req.Header[k] = v
	}
	if o.signature != nil {
		req.Header.Del(HeaderSignature)
		if *o.signature != "" {
			req.Header.Set(HeaderSignature, *o.signature)
		}
	}
	req.Header.Set("Content-Type", ev.ContentType)
	req.Header.Set("User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)")
	if o.retryNum > 0 {
		req.Header.Set(HeaderRetryNum, strconv.Itoa(o.retryNum))
		req.Header.Set(HeaderRetryReason, o.retryReason)
	}
	return req, nil
}

// eventPath is the path Slack posts ev to, one Request URL per kind.
func eventPath(ev Event) string {
	switch ev.Type {
	case Interactive:
		return "/slack/interactive"
	case SlashCommands:
		return "/slack/commands"
	}
	return "/slack/events"
}

// Send sends ev to h as Slack would over HTTP, signed now (unless opts
// say otherwise), and returns h's answer. It waits at most
// Config.AckTimeout, then returns ErrNoAnswer and cancels the request's
// context, as Slack hangs up; it returns a *StatusError for an answer
// other than 2xx. An answer to a slash command is shown as Slack shows
// it.
func (s *Server) Send(ctx context.Context, h http.Handler, ev Event, opts ...SendOption) (Reply, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	req, err := s.request(ctx, "http://app.invalid"+eventPath(ev), ev, opts)
	if err != nil {
		return Reply{}, err
	}
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.ServeHTTP(rec, req)
	}()
	timer := time.NewTimer(s.cfg.AckTimeout)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		return Reply{}, ErrNoAnswer
	case <-ctx.Done():
		return Reply{}, fmt.Errorf("slackfake: sending: %w", ctx.Err())
	}
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	return s.answered(ev, Reply{Status: res.StatusCode, Header: res.Header, Body: body})
}

// SendURL sends ev to the URL target as Slack would: an HTTP POST, signed
// now (unless opts say otherwise); otherwise as Send.
func (s *Server) SendURL(ctx context.Context, target string, ev Event, opts ...SendOption) (Reply, error) {
	req, err := s.request(ctx, target, ev, opts)
	if err != nil {
		return Reply{}, err
	}
	client := &http.Client{Timeout: s.cfg.AckTimeout}
	res, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) && ue.Timeout() && ctx.Err() == nil {
			return Reply{}, ErrNoAnswer
		}
		return Reply{}, fmt.Errorf("slackfake: sending: %w", err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, maxBody))
	return s.answered(ev, Reply{Status: res.StatusCode, Header: res.Header, Body: body})
}

// answered checks an app's answer to ev and applies an answer to a slash
// command.
func (s *Server) answered(ev Event, r Reply) (Reply, error) {
	if r.Status < 200 || r.Status > 299 {
		return r, &StatusError{Status: r.Status, Body: r.Body}
	}
	if ev.Type == SlashCommands && len(bytes.TrimSpace(r.Body)) > 0 {
		ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		s.commandAnswer(ev, r.Body, ct == "application/json")
	}
	return r, nil
}

// commandAnswer shows the app's immediate answer to a slash command: a
// JSON message, or plain text shown to the person only.
func (s *Server) commandAnswer(ev Event, body []byte, isJSON bool) {
	params := url.Values{"text": {string(body)}}
	if isJSON || bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
		params = flattenJSON(body)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if resp := s.responses[ev.response]; resp != nil {
		_ = s.respondLocked(resp, &apiRequest{params: params, time: s.cfg.Now()})
	}
}
