package web

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/parleybot/parley/bot"
)

// syncedInbox checks, as the bot takes a message, that the page's log
// was synced to disk with it.
type syncedInbox struct {
	a      *Adapter
	synced int
}

func (in *syncedInbox) Message(context.Context, bot.Message) error {
	in.a.book.mu.Lock()
	defer in.a.book.mu.Unlock()
	in.synced = in.a.book.syncs
	return nil
}
func (*syncedInbox) Action(context.Context, bot.Action) error      { return nil }
func (*syncedInbox) Edited(context.Context, bot.Message) error     { return nil }
func (*syncedInbox) Deleted(context.Context, bot.MessageRef) error { return nil }

// A person's message is on disk before the bot is told of it: the page
// has shown it, and a crash must not take it back.
func TestAPersonsMessageIsSyncedBeforeTheBotTakesIt(t *testing.T) {
	t.Parallel()
	a, err := New(Config{NoListen: true, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	in := &syncedInbox{a: a}
	a.Start(t.Context(), in)
	r := httptest.NewRequest("POST", "/api/conversations/c1/messages", strings.NewReader(`{"eventId":"e1","as":"ana","text":"hi"}`))
	r.Host, r.RemoteAddr = "127.0.0.1:8080", "127.0.0.1:50000"
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set(csrfHeader, a.csrf)
	w := httptest.NewRecorder()
	a.ServeHTTP(w, r)
	if w.Code != 200 || in.synced != 1 {
		t.Errorf("answered %d; the log was synced %d times before the bot took the message; want once", w.Code, in.synced)
	}
}
