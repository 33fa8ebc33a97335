package bot_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
)

// historyCounter counts the calls to the platform's history.
type historyCounter struct {
	*bottest.Adapter
	calls atomic.Int32
}

func (h *historyCounter) Messages(ctx context.Context, in bot.Address, limit int) ([]bot.Message, error) {
	h.calls.Add(1)
	return h.Adapter.Messages(ctx, in, limit)
}

// A reply in a thread the bot is not in must not cost a call to the
// platform's history (Slack allows one a minute to many apps): the bot
// tells from its own transcript that the thread is not its.
func TestUnaddressedReplyIsNotAHistoryCall(t *testing.T) {
	t.Parallel()
	a := &historyCounter{Adapter: bottest.NewAdapter()}
	model := bottest.NewModel(bottest.Reply("hello"))
	b, err := bot.New(bot.Config{Store: bot.NewMemoryStore(), Model: model, Adapters: []bot.Adapter{a}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		m := bot.Message{Address: bot.Address{Channel: "C1", Thread: "t" + string(rune('0'+i))}, User: bot.User{ID: "U1"}, Text: "chatter"}
		if _, err := a.Deliver(m); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Idle(ctx); err != nil {
		t.Fatal(err)
	}
	if n := a.calls.Load(); n != 0 {
		t.Fatalf("%d history calls for replies in threads the bot is not in", n)
	}
	if p := a.Posts(); len(p) != 0 || len(model.Requests()) != 0 {
		t.Fatalf("the bot answered chatter: %d posts, %d model calls", len(p), len(model.Requests()))
	}
}
