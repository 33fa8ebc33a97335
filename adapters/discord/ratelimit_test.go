package discord

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// limitedServer answers the first request to /channels/1/messages with a
// 429, global or per route, as Discord does, and records when each
// request came.
type limitedServer struct {
	*httptest.Server
	global bool
	after  string // retry_after, seconds

	refused atomic.Bool
	mu      sync.Mutex
	at      map[string][]time.Time
}

func newLimitedServer(t *testing.T, global bool, after string) *limitedServer {
	ls := &limitedServer{global: global, after: after, at: map[string][]time.Time{}}
	ls.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ls.mu.Lock()
		ls.at[r.URL.Path] = append(ls.at[r.URL.Path], time.Now())
		ls.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/api/v10/channels/1/messages" && ls.refused.CompareAndSwap(false, true) {
			w.Header().Set("Retry-After", "1")
			w.Header().Set("X-RateLimit-Scope", map[bool]string{true: "global", false: "user"}[ls.global])
			if ls.global {
				w.Header().Set("X-RateLimit-Global", "true")
			} else {
				w.Header().Set("X-RateLimit-Bucket", "abc")
				w.Header().Set("X-RateLimit-Remaining", "0")
				w.Header().Set("X-RateLimit-Reset-After", ls.after)
			}
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"message":"You are being rate limited.","retry_after":` + ls.after + `,"global":` + map[bool]string{true: "true", false: "false"}[ls.global] + `}`))
			return
		}
		_, _ = w.Write([]byte(`{"id":"9","channel_id":"1","content":"ok"}`))
	}))
	t.Cleanup(ls.Close)
	return ls
}

func (ls *limitedServer) times(path string) []time.Time {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return append([]time.Time(nil), ls.at["/api/v10"+path]...)
}

func limitedSession(ls *limitedServer) *discordgo.Session {
	return newSession(Config{BotToken: "a.b.c", APIURL: ls.URL + "/api/v10/", HTTPClient: http.DefaultClient, ShardCount: 1})
}

func TestA429IsRetriedAfterItsRetryAfter(t *testing.T) {
	t.Parallel()
	ls := newLimitedServer(t, false, "0.3")
	s := limitedSession(ls)
	if _, err := s.ChannelMessageSend("1", "hi"); err != nil {
		t.Fatalf("the send failed instead of waiting: %v", err)
	}
	at := ls.times("/channels/1/messages")
	if len(at) != 2 {
		t.Fatalf("%d requests, want the refused one and its retry", len(at))
	}
	if gap := at[1].Sub(at[0]); gap < 300*time.Millisecond {
		t.Errorf("retried %v after the 429, before its retry_after of 0.3 s", gap)
	}
}

func TestAGlobal429HoldsEveryOtherRoute(t *testing.T) {
	t.Parallel()
	ls := newLimitedServer(t, true, "0.4")
	s := limitedSession(ls)
	done := make(chan error, 1)
	go func() { _, err := s.ChannelMessageSend("1", "hi"); done <- err }()
	// Once the adapter has read the global 429, a call on another route
	// waits too.
	tr := s.Client.Transport.(*transport)
	for held := false; !held; {
		tr.mu.Lock()
		held = !tr.global.IsZero()
		tr.mu.Unlock()
		runtime.Gosched()
	}
	refusedAt := ls.times("/channels/1/messages")[0]
	if _, err := s.ChannelMessageSend("2", "other route"); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	other := ls.times("/channels/2/messages")
	if len(other) != 1 || other[0].Sub(refusedAt) < 350*time.Millisecond {
		t.Errorf("a call on another route went out %v after a global 429 of 0.4 s", other[0].Sub(refusedAt))
	}
}

func TestAGlobalHoldEndsWithTheCallersContext(t *testing.T) {
	t.Parallel()
	tr := newTransport("http://127.0.0.1:1/api/v10/", http.DefaultTransport)
	tr.holdAll(time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, discordgo.EndpointChannels+"1", nil)
	if _, err := tr.RoundTrip(req); err == nil {
		t.Fatal("a held request went out though its context had ended")
	}
	// Interaction callbacks are outside the global limit.
	if exemptFromGlobal("channels/1/messages") || !exemptFromGlobal("interactions/1/tok/callback") {
		t.Error("the global limit's exemptions are wrong")
	}
}
