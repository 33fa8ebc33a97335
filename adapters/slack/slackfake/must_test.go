package slackfake_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/adapters/slack/slackfake"
)

// failRecorder is a testing.TB that records failures instead of stopping
// (so a helper's checks after a Fatalf are recorded too).
type failRecorder struct {
	testing.TB
	mu     sync.Mutex
	failed []string
	logs   []string
}

func (r *failRecorder) Helper() {}

func (r *failRecorder) Fatalf(format string, args ...any) {
	r.mu.Lock()
	r.failed = append(r.failed, fmt.Sprintf(format, args...))
	r.mu.Unlock()
}

func (r *failRecorder) Logf(format string, args ...any) {
	r.mu.Lock()
	r.logs = append(r.logs, fmt.Sprintf(format, args...))
	r.mu.Unlock()
}

func TestSendOKFailsUnlessTheAppAnswers200(t *testing.T) {
	t.Parallel()
	f, _ := newFake(t, slackfake.Config{})
	ev, _ := f.Mention(slackfake.Ana, "C1", "hello", "")
	ctx := context.Background()
	for _, tc := range []struct {
		status int
		fails  bool
	}{{http.StatusOK, false}, {http.StatusServiceUnavailable, true}} {
		r := &failRecorder{TB: t}
		h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(tc.status) })
		f.SendOK(ctx, r, h, ev)
		if got := len(r.failed) > 0; got != tc.fails || (got && !strings.Contains(r.failed[0], "503")) {
			t.Errorf("status %d: failures %q", tc.status, r.failed)
		}
	}
}

func TestAwaitFailsSayingWhatAndLogsTheCalls(t *testing.T) {
	t.Parallel()
	f, api := newFake(t, slackfake.Config{})
	api.PostMessage("C1") // refused (no text), and recorded all the same
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	r := &failRecorder{TB: t}
	f.Await(ctx, r, "a miracle", func() bool { return false })
	if len(r.failed) != 1 || !strings.Contains(r.failed[0], "waiting for a miracle") {
		t.Errorf("failures %q", r.failed)
	}
	if len(r.logs) == 0 || !strings.Contains(strings.Join(r.logs, "\n"), "chat.postMessage") {
		t.Errorf("the calls were not logged: %q", r.logs)
	}
	r = &failRecorder{TB: t}
	f.Await(context.Background(), r, "nothing", func() bool { return true })
	if len(r.failed) != 0 {
		t.Errorf("a condition that holds failed: %q", r.failed)
	}
}
