package bot_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
)

// A bot that starts over a Store holding queued work in more threads than
// one look at the Store takes on (a process died with a burst of messages
// accepted, or a replica stopped) takes all of it up at once, not a page
// per SweepInterval: while it has room for more lanes, a full page of
// work means more may wait.
func TestStartTakesUpEveryThreadLeftQueued(t *testing.T) {
	t.Parallel()
	const threads = 250 // more than one sweep's page, fewer than MaxLanes
	s := bot.NewMemoryStore()
	ctx := context.Background()
	for i := range threads {
		addr := bot.Address{Platform: bottest.Platform, Channel: "C1", Thread: "T" + strconv.Itoa(i)}
		m := bot.Message{ID: "m" + strconv.Itoa(i), Address: addr, User: bottest.Ana, Text: "hello " + strconv.Itoa(i), Mention: true, Time: time.Now()}
		_, err := s.Accept(ctx, bot.Acceptance{
			Record: &m, Thread: addr.String(), Keep: 50,
			Item: bot.WorkItem{ID: "item" + strconv.Itoa(i), Lane: "t:" + addr.String(), Kind: bot.WorkMessage, Message: m, Accepted: m.Time},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// The sweep's own tick is far off: only the look at Start, and what it
	// does about a full page, can take the work up.
	h := bottest.Start(t, bot.Config{Model: bottest.NewModel(bottest.Reply("ok")).Cycle(), Store: s, SweepInterval: time.Hour})
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	answered := func(ps []bottest.Posted) int {
		seen := map[bot.Address]bool{}
		for _, p := range ps {
			if p.Text() == "ok" {
				seen[p.Ref.Address] = true
			}
		}
		return len(seen)
	}
	if err := h.Chat.WaitFor(wctx, func(ps []bottest.Posted) bool { return answered(ps) == threads }); err != nil {
		t.Fatalf("%d of %d threads with queued work were answered: %v", answered(h.Chat.Posts()), threads, err)
	}
}
