package slack

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/parleybot/parley/adapters/internal/platform"
)

// Slack limits each Web API method on its own (Tier 1 to Tier 4, and
// chat.postMessage per channel), and answers a call over the limit with
// HTTP 429 and a Retry-After in seconds. The adapter honours that in two
// layers:
//
//   - limiter, under slack-go, remembers per method until when Slack
//     refused it and holds back every later call of that method until
//     then, so that concurrent callers do not hammer a method Slack just
//     refused while calls of other methods go on;
//   - slack-go's own retry (retryConfig) sends the refused call again
//     after Retry-After, a few times, before returning
//     *slack.RateLimitedError.
//
// chat.postMessage is also paced before it is sent (pacer), one message per
// Config.PostInterval per channel, so that a long answer split over
// several messages does not run into the limit in the first place.

// limiter is an http.RoundTripper that makes a call of a Web API method
// wait while Slack refuses that method.
type limiter struct {
	api  *url.URL // the Web API's base URL; other requests pass untouched
	next http.RoundTripper

	mu    sync.Mutex
	until map[string]time.Time // method → refused until
}

func newLimiter(apiURL string, next http.RoundTripper) *limiter {
	u, err := url.Parse(apiURL)
	if err != nil {
		u = &url.URL{} // withDefaults checked nothing here; no call is then held
	}
	if next == nil {
		next = http.DefaultTransport
	}
	return &limiter{api: u, next: next, until: map[string]time.Time{}}
}

// method returns the Web API method u calls ("chat.postMessage"), or
// false for a request elsewhere (a file upload to the URL Slack gave).
func (l *limiter) method(u *url.URL) (string, bool) {
	if l.api.Host == "" || !strings.EqualFold(u.Host, l.api.Host) || !strings.HasPrefix(u.Path, l.api.Path) {
		return "", false
	}
	m := strings.TrimPrefix(u.Path, l.api.Path)
	if m == "" || strings.Contains(m, "/") {
		return "", false
	}
	return m, true
}

// RoundTrip waits until Slack accepts the request's method again, sends
// it, and remembers a refusal.
func (l *limiter) RoundTrip(req *http.Request) (*http.Response, error) {
	m, ok := l.method(req.URL)
	if !ok {
		return l.next.RoundTrip(req)
	}
	if err := l.wait(req.Context(), m); err != nil {
		if req.Body != nil {
			req.Body.Close() // a RoundTripper closes the body, even on error
		}
		return nil, err
	}
	resp, err := l.next.RoundTrip(req)
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		l.refuse(m, retryAfter(resp.Header))
	}
	return resp, err
}

// wait returns once method m may be called, or with ctx's error.
func (l *limiter) wait(ctx context.Context, m string) error {
	for {
		l.mu.Lock()
		until := l.until[m]
		l.mu.Unlock()
		d := time.Until(until)
		if d <= 0 {
			return nil
		}
		if err := platform.Sleep(ctx, d); err != nil {
			return err
		}
		// Another 429 may have pushed the time further while this call
		// waited: look again.
	}
}

// refuse records that Slack refuses m for d from now.
func (l *limiter) refuse(m string, d time.Duration) {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if t := now.Add(d); t.After(l.until[m]) {
		l.until[m] = t
	}
	for k, t := range l.until {
		if t.Before(now) {
			delete(l.until, k)
		}
	}
}

// retryAfter reads Retry-After, in seconds as Slack sends it. A missing or
// unreadable one counts as one second, the least slack-go's retry waits.
func retryAfter(h http.Header) time.Duration {
	if s, err := strconv.Atoi(strings.TrimSpace(h.Get("Retry-After"))); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return time.Second
}

// defaultRetryConfig is how slack-go sends a call again after a 429: three
// times, each after the Retry-After Slack asked for (one second when it
// asked for none) and up to a quarter second more, so that callers refused
// together do not come back together.
func defaultRetryConfig() slackgo.RetryConfig {
	cfg := slackgo.RetryConfig{
		MaxRetries:         3,
		RetryAfterDuration: time.Second,
		RetryAfterJitter:   250 * time.Millisecond,
	}
	// 429 only: a connection error or a 5xx may come after Slack acted on
	// the call, and a message posted twice is worse than an error.
	cfg.Handlers = []slackgo.RetryHandler{slackgo.NewRateLimitErrorRetryHandler(cfg)}
	return cfg
}

// pacer spaces the messages posted in each channel.
type pacer struct {
	mu     sync.Mutex
	next   map[string]time.Time // channel → the earliest time of its next post
	pruned time.Time            // when next was last pruned
}

// maxPaced bounds the channels a pacer remembers; past it, channels whose
// next post is due already are forgotten.
const maxPaced = 1024

// wait reserves the next slot for a post in channel, every apart from the
// one before, and waits for it. A non-positive every does not wait.
func (p *pacer) wait(ctx context.Context, channel string, every time.Duration) error {
	if every <= 0 {
		return nil
	}
	now := time.Now()
	p.mu.Lock()
	if p.next == nil {
		p.next = map[string]time.Time{}
	}
	// An entry is needed only until its channel's next slot passes, so
	// the map holds the channels posted in the last interval; pruning it
	// at most once an interval keeps that scan off the common path even
	// when a bot posts in more than maxPaced channels an interval.
	if len(p.next) >= maxPaced && now.Sub(p.pruned) >= every {
		p.pruned = now
		for k, t := range p.next {
			if !t.After(now) {
				delete(p.next, k)
			}
		}
	}
	slot := now
	if t := p.next[channel]; t.After(now) {
		slot = t
	}
	p.next[channel] = slot.Add(every)
	p.mu.Unlock()
	return platform.Sleep(ctx, time.Until(slot))
}
