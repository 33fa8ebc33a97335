package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
)

// Work of a kind this release does not know — queued by a newer replica
// sharing the Store, say — is ended with a log line: it never starts a
// run that would answer an empty message in someone's thread.
func TestWorkOfAnUnknownKindIsNotRun(t *testing.T) {
	t.Parallel()
	mem := bot.NewMemoryStore()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	item := bot.WorkItem{ID: "future-1", Lane: "z:future-1", Kind: bot.WorkKind("from-the-future"),
		Message: bot.Message{Address: bottest.DefaultThread}, Accepted: time.Now()}
	if _, err := mem.Accept(ctx, bot.Acceptance{Item: item}); err != nil {
		t.Fatal(err)
	}
	model := bottest.NewModel(bottest.Reply("an answer nobody asked for")).Cycle()
	h := bottest.Start(t, bot.Config{Store: mem, Model: model, SweepInterval: 10 * time.Millisecond})
	// The bot takes lanes left with work over at its start and at each
	// sweep; a probe's claim finds the lane empty once it has.
	for {
		if err := h.Bot.Idle(ctx); err != nil {
			t.Fatal(err)
		}
		c, err := mem.Claim(ctx, item.Lane, "probe", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if !c.Held() || len(c.Items) == 0 {
			break
		}
		if _, err := mem.Complete(ctx, c.Lease, bot.Completion{Release: true}); err != nil {
			t.Fatal(err)
		}
		select {
		case <-ctx.Done():
			t.Fatal("the work of an unknown kind is still queued")
		case <-time.After(20 * time.Millisecond):
		}
	}
	if n := len(model.Requests()); n != 0 {
		t.Errorf("the model was asked %d times for work of a kind the bot does not know", n)
	}
	if texts := h.Chat.Texts(); len(texts) != 0 {
		t.Errorf("the thread shows %q", texts)
	}
}
