package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/parleybot/parley/adapters/internal/platform"
)

// Discord limits each route on its own (a bucket per route and major
// parameter: channel, guild, webhook) and the bot as a whole (the global
// limit, 50 requests a second), and answers a request over a limit with
// HTTP 429, a JSON body {"message", "retry_after", "global"} and
// X-RateLimit-* headers. The adapter honours both in two layers:
//
//   - discordgo's rate limiter, under every REST helper, keeps a bucket
//     per route: it reads X-RateLimit-Remaining and Reset-After, holds
//     back a request whose bucket is spent, and on a 429 sleeps
//     retry_after and sends the request again;
//   - transport, below discordgo, adds what it lacks: a global 429
//     (X-RateLimit-Global, or "global": true) holds every later request
//     until its retry_after — discordgo holds only the refused one — and a
//     held request gives up when its context ends. Interaction callbacks
//     and webhook follow-ups are outside the global limit, as Discord
//     documents, and are never held by it.
//
// transport also sends discordgo's requests to Config.APIURL, so that an
// adapter talks to a fake without changing discordgo's process-wide
// Endpoint variables.

// transport is the adapter's http.RoundTripper under discordgo.
type transport struct {
	base string // Config.APIURL
	next http.RoundTripper

	mu     sync.Mutex
	global time.Time // every held request waits until then
}

func newTransport(base string, next http.RoundTripper) *transport {
	if next == nil {
		next = http.DefaultTransport
	}
	return &transport{base: base, next: next}
}

// RoundTrip sends req to the configured API, after any global hold.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	route, ok := strings.CutPrefix(req.URL.String(), discordgo.EndpointAPI)
	if !ok {
		route, ok = strings.CutPrefix(req.URL.String(), t.base)
	}
	if ok && t.base != discordgo.EndpointAPI {
		r := req.Clone(req.Context())
		u, err := r.URL.Parse(t.base + route)
		if err != nil {
			closeBody(req)
			return nil, err
		}
		r.URL, r.Host = u, u.Host
		req = r
	}
	held := ok && !exemptFromGlobal(route)
	if held {
		if err := t.wait(req.Context()); err != nil {
			closeBody(req)
			return nil, err
		}
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusTooManyRequests {
		return resp, err
	}
	if d, global := t.readLimit(resp); global {
		t.holdAll(d)
	}
	return resp, nil
}

// exemptFromGlobal reports whether a route is outside the global limit:
// interaction callbacks and the interaction webhooks.
func exemptFromGlobal(route string) bool {
	return strings.HasPrefix(route, "interactions/") || strings.HasPrefix(route, "webhooks/")
}

// readLimit reads a 429: how long to wait, and whether the limit is the
// global one. The body is read and put back for discordgo.
func (t *transport) readLimit(resp *http.Response) (time.Duration, bool) {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	var b struct {
		RetryAfter float64 `json:"retry_after"`
		Global     bool    `json:"global"`
	}
	_ = json.Unmarshal(body, &b)
	global := b.Global || strings.EqualFold(resp.Header.Get("X-RateLimit-Global"), "true") ||
		strings.EqualFold(resp.Header.Get("X-RateLimit-Scope"), "global")
	d := time.Duration(b.RetryAfter * float64(time.Second))
	if d <= 0 {
		if s, err := strconv.ParseFloat(resp.Header.Get("Retry-After"), 64); err == nil {
			d = time.Duration(s * float64(time.Second))
		}
	}
	if d <= 0 {
		d = time.Second
	}
	return d, global
}

// holdAll holds every request subject to the global limit for d.
func (t *transport) holdAll(d time.Duration) {
	until := time.Now().Add(d)
	t.mu.Lock()
	if until.After(t.global) {
		t.global = until
	}
	t.mu.Unlock()
}

// wait returns once no global hold is on, or with ctx's error.
func (t *transport) wait(ctx context.Context) error {
	for {
		t.mu.Lock()
		d := time.Until(t.global)
		t.mu.Unlock()
		if d <= 0 {
			return nil
		}
		if err := platform.Sleep(ctx, d); err != nil {
			return err
		}
	}
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}
