package platform_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/adapters/internal/platform"
)

func ExampleSplitID() {
	id := platform.JoinID([]string{"1700.1", "1700.2"})
	fmt.Println(id, platform.SplitID(id), platform.SplitID("1700.3"))
	// Output: 1700.1,1700.2 [1700.1 1700.2] [1700.3]
}

func TestReadCappedRefusesABodyOverTheCap(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		body string
		err  error
	}{{"12345", nil}, {"123456", platform.ErrTooLarge}} {
		r := httptest.NewRequest("POST", "/", strings.NewReader(tc.body))
		r.ContentLength = -1 // unknown: the cap is met while reading
		got, err := platform.ReadCapped(r, 5)
		if !errors.Is(err, tc.err) || (err == nil && string(got) != tc.body) {
			t.Errorf("ReadCapped(%q, 5) = %q, %v; want error %v", tc.body, got, err, tc.err)
		}
	}
}

func TestPendingRequeuesWhatAFlushDidNotSend(t *testing.T) {
	t.Parallel()
	flushed := make(chan struct{}, 8)
	p := platform.NewPending(func() { flushed <- struct{}{} })
	if err := p.Append("hello world", time.Millisecond); err != nil {
		t.Fatal(err)
	}
	<-flushed // the timer made a flush due
	text, ok := p.Take(false)
	if !ok || text != "hello world" {
		t.Fatalf("Take = %q, %v", text, ok)
	}
	_ = p.Append("!", time.Millisecond)                        // appended while the flush runs
	p.Requeue(len("hello world"), "[world]", time.Millisecond) // "world" not sent, and to be sent as "[world]"
	<-flushed                                                  // text is left: another flush is due
	if text, _ := p.Take(false); text != "[world]!" {
		t.Errorf("after the flush the text is %q; want what it did not send, then what came since", text)
	}
	p.Close()
	if _, ok := p.Take(false); ok {
		t.Error("a flush other than the final one after Close has work")
	}
	if text, ok := p.Take(true); !ok || text != "[world]!" {
		t.Errorf("the final flush takes %q, %v", text, ok)
	}
	if err := p.Append("more", time.Millisecond); !errors.Is(err, platform.ErrClosed) {
		t.Errorf("Append after Close: %v", err)
	}
}

func TestChangesWakesWaitFor(t *testing.T) {
	t.Parallel()
	var (
		mu sync.Mutex
		c  platform.Changes
		n  int
	)
	go func() {
		for range 3 {
			mu.Lock()
			n++
			c.Changed()
			mu.Unlock()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := c.WaitFor(ctx, &mu, func() bool { mu.Lock(); defer mu.Unlock(); return n == 3 })
	if err != nil {
		t.Fatal(err)
	}
	if got := platform.SplitID(" a, ,b "); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("SplitID = %q", got)
	}
}
