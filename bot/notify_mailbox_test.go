package bot_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
)

func TestNoteMailboxDeliversInOrderUntilStopped(t *testing.T) {
	t.Parallel()
	m := bot.NewNoteMailbox()
	stop := make(chan struct{})
	got := make(chan string, 1000)
	done := make(chan struct{})
	go func() {
		defer close(done)
		m.Deliver(context.Background(), stop, func(n string) { got <- n })
	}()
	for i := range 1000 {
		m.Put(strconv.Itoa(i)) // never blocks, however slow the receiver
	}
	for i := range 1000 {
		select {
		case n := <-got:
			if n != strconv.Itoa(i) {
				t.Fatalf("note %d is %q", i, n)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("note %d never came", i)
		}
	}
	close(stop)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Deliver did not return when stopped")
	}
}
