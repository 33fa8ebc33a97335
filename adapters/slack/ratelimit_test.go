package slack

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/render"
)

// tooMany answers 429 with Retry-After: 1.
func tooMany(w http.ResponseWriter) {
	w.Header().Set("Retry-After", "1")
	w.WriteHeader(http.StatusTooManyRequests)
}

func TestA429IsRetriedAfterRetryAfterAndHoldsBackItsMethodOnly(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	a := f.adapter(nil)
	ctx := ctxT(t)
	refused := make(chan time.Time, 1)
	f.on("chat.postMessage", func(n int, w http.ResponseWriter, _ url.Values) bool {
		if n == 1 {
			refused <- time.Now()
			tooMany(w)
			return true
		}
		return false
	})

	var wg sync.WaitGroup
	var firstRef bot.MessageRef
	var firstErr error
	wg.Go(func() {
		firstRef, firstErr = a.Post(ctx, thread, bot.Outgoing{Content: render.Text("first")})
	})
	at := <-refused
	// Wait until the adapter has read the 429: a call of the same method
	// is held from then on.
	f.waitFor("the refusal to be recorded", func() bool {
		a.out.limits.mu.Lock()
		defer a.out.limits.mu.Unlock()
		return !a.out.limits.until["chat.postMessage"].IsZero()
	})
	other := bot.Address{Platform: Platform, Channel: "C2"}
	var secondErr error
	wg.Go(func() {
		_, secondErr = a.Post(ctx, other, bot.Outgoing{Content: render.Text("second")})
	})
	if err := a.React(ctx, bot.MessageRef{Address: thread, ID: "1.1"}, "eyes"); err != nil {
		t.Fatalf("React while chat.postMessage is refused: %v", err)
	}
	wg.Wait()
	if firstErr != nil || secondErr != nil {
		t.Fatalf("Post after a 429: %v, %v; want both to succeed", firstErr, secondErr)
	}

	posts := f.callsTo("chat.postMessage")
	if len(posts) != 3 {
		t.Fatalf("chat.postMessage called %d times; want 3 (the refused call, its retry, the second post)", len(posts))
	}
	for _, p := range posts[1:] {
		if d := p.At.Sub(at); d < time.Second {
			t.Errorf("chat.postMessage to %s came %v after the 429; want at least the Retry-After, 1s", p.Form.Get("channel"), d)
		}
	}
	react := f.callsTo("reactions.add")
	if len(react) != 1 || react[0].At.Sub(at) >= time.Second {
		t.Errorf("reactions.add came %v after chat.postMessage's 429; want it not held back", react[0].At.Sub(at))
	}
	if m, ok := f.msg(firstRef.ID); !ok || m.Channel != "C1" {
		t.Errorf("the retried post returned %+v; want the message posted in C1", firstRef)
	}
}

func TestARateLimitOutlastingTheRetriesIsReturned(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	a := f.adapter(nil)
	f.on("reactions.add", func(_ int, w http.ResponseWriter, _ url.Values) bool {
		tooMany(w)
		return true
	})
	err := a.React(ctxT(t), bot.MessageRef{Address: thread, ID: "1.1"}, "eyes")
	var rl *slackgo.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != time.Second {
		t.Fatalf("React refused every time: %v; want an error wrapping *slack.RateLimitedError with RetryAfter 1s", err)
	}
	if !strings.HasPrefix(err.Error(), "slack: reactions.add") {
		t.Errorf("error %q; want it to start with the package and the method", err)
	}
	if n := len(f.callsTo("reactions.add")); n != 4 {
		t.Errorf("reactions.add called %d times; want 4 (the call and three retries)", n)
	}
}

func TestPostsArePacedPerChannel(t *testing.T) {
	t.Parallel()
	const every = 300 * time.Millisecond
	f := newFake(t)
	a := f.adapter(func(c *Config) { c.PostInterval = every })
	ctx := ctxT(t)
	if _, err := a.Post(ctx, thread, bot.Outgoing{Content: render.Text("one")}); err != nil {
		t.Fatalf("Post: %v", err)
	}
	var wg sync.WaitGroup
	for _, to := range []bot.Address{thread, {Platform: Platform, Channel: "C2"}} {
		wg.Go(func() {
			if _, err := a.Post(ctx, to, bot.Outgoing{Content: render.Text("two")}); err != nil {
				t.Errorf("Post to %s: %v", to.Channel, err)
			}
		})
	}
	wg.Wait()
	var c1, c2 []time.Time
	for _, p := range f.callsTo("chat.postMessage") {
		if p.Form.Get("channel") == "C1" {
			c1 = append(c1, p.At)
		} else {
			c2 = append(c2, p.At)
		}
	}
	if len(c1) != 2 || len(c2) != 1 {
		t.Fatalf("posted %d in C1 and %d in C2; want 2 and 1", len(c1), len(c2))
	}
	// The pacer spaces the calls as they leave; their arrival here may
	// bring them a little closer.
	if d := c1[1].Sub(c1[0]); d < every*9/10 {
		t.Errorf("two posts in C1 came %v apart; want about %v", d, every)
	}
	if !c2[0].Before(c1[1]) {
		t.Error("the post in C2 waited for C1's pace; want it sent at once")
	}
}

func TestPacingGivesUpWithTheContext(t *testing.T) {
	t.Parallel()
	var p pacer
	ctx := ctxT(t)
	if err := p.wait(ctx, "C1", time.Hour); err != nil {
		t.Fatalf("first wait: %v", err)
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if err := p.wait(short, "C1", time.Hour); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("second wait within the hour: %v; want the context's deadline", err)
	}
	if err := p.wait(ctx, "C2", time.Hour); err != nil {
		t.Errorf("a wait in another channel: %v; want none", err)
	}
	if err := p.wait(short, "C3", -1); err != nil {
		t.Errorf("a wait with pacing off: %v; want none", err)
	}
}

func TestLimiterTellsWebAPIMethodsFromOtherURLs(t *testing.T) {
	t.Parallel()
	l := newLimiter("https://slack.example/api/", nil)
	tests := []struct {
		url    string
		method string
		ok     bool
	}{
		{"https://slack.example/api/chat.postMessage", "chat.postMessage", true},
		{"https://SLACK.example/api/users.info?user=U1", "users.info", true},
		{"https://slack.example/upload/v1/abc", "", false},
		{"https://files.slack.example/api/chat.postMessage", "", false},
		{"https://slack.example/api/", "", false},
		{"https://slack.example/api/a/b", "", false},
	}
	for _, tt := range tests {
		u, _ := url.Parse(tt.url)
		if m, ok := l.method(u); m != tt.method || ok != tt.ok {
			t.Errorf("method(%s) = %q, %v; want %q, %v", tt.url, m, ok, tt.method, tt.ok)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		header string
		want   time.Duration
	}{
		{"3", 3 * time.Second},
		{" 1 ", time.Second},
		{"", time.Second},
		{"0", time.Second},
		{"soon", time.Second},
	}
	for _, tt := range tests {
		h := http.Header{}
		h.Set("Retry-After", tt.header)
		if got := retryAfter(h); got != tt.want {
			t.Errorf("retryAfter(%q) = %v; want %v", tt.header, got, tt.want)
		}
	}
}
