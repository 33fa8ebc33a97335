package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/adapters/web"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
	"github.com/parleybot/parley/render"
)

type verdict struct{ Approved bool }

// approval asks ana to approve a deploy.
func approval() *bot.Tool {
	return bot.DefineTool(bot.ToolSpec[struct{}]{
		Name: "ask", Description: "asks",
		Handler: func(ctx context.Context, _ struct{}, tc *bot.ToolContext) (any, error) {
			c, err := bot.AwaitChoice[verdict](ctx, tc.Thread, render.Card{
				Title:   "Deploy?",
				Actions: render.Actions(render.Button("Approve", verdict{true}), render.Button("Deny", verdict{false})),
			}, bot.Approvers("ana"))
			if err != nil {
				return nil, err
			}
			return c.Value, nil
		},
	})
}

// startBot starts a bot over a and store, with the model's steps.
func startBot(t *testing.T, a bot.Adapter, store bot.Store, m *bottest.Model) *bot.Bot {
	t.Helper()
	b, err := bot.New(bot.Config{Model: m, Adapters: []bot.Adapter{a}, Store: store, Tools: []*bot.Tool{approval()}, Logger: bottest.Logger(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		b.Stop(ctx)
	})
	return b
}

func idle(t *testing.T, b *bot.Bot) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := b.Idle(ctx); err != nil {
		t.Fatal(err)
	}
}

// A restart — a new adapter over the same Dir, a new bot over the same
// Store — shows the same conversations, and the card's button still
// decides the choice the first bot was waiting for.
func TestRestartShowsTheSameConversationsAndTheCardStillDecides(t *testing.T) {
	t.Parallel()
	dir, store := t.TempDir(), bot.NewMemoryStore()
	ctx := context.Background()

	a1, b1 := newSite(t, web.Config{Dir: dir})
	bot1 := startBot(t, a1, store, bottest.NewModel(bottest.Call("ask", struct{}{}), bottest.Reply("not reached")))
	if _, err := b1.send(ctx, "ana", "please deploy"); err != nil {
		t.Fatal(err)
	}
	idle(t, bot1)
	before := b1.state("ana")
	if len(before.Messages) != 2 {
		t.Fatalf("before the restart the page shows %d messages; want the person's and the card", len(before.Messages))
	}
	card := before.Messages[1]
	stopCtx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	bot1.Stop(stopCtx)
	cancel()

	a2, b2 := newSite(t, web.Config{Dir: dir})
	b2.conv = b1.conv
	after := b2.state("ana")
	if len(after.Conversations) != 1 || after.Conversations[0].ID != b1.conv || after.Conversations[0].Title != "please deploy" {
		t.Errorf("after the restart the sidebar shows %+v; want the one conversation, named by its first message", after.Conversations)
	}
	if len(after.Messages) != 2 || after.Messages[1].HTML != card.HTML || after.Messages[0].Text != "please deploy" {
		t.Fatalf("after the restart the page shows %+v; want the same two messages", after.Messages)
	}

	bot2 := startBot(t, a2, store, bottest.NewModel(bottest.Reply("Deployed.")))
	if err := b2.click(ctx, card.ID, "Approve", "ana"); err != nil {
		t.Fatal(err)
	}
	idle(t, bot2)
	final := b2.state("ana").Messages
	if labels, _ := options(final[1].HTML); len(labels) != 0 || !strings.Contains(final[1].Text, "chosen by") {
		t.Errorf("the card after the click shows %q with options %q; want it closed with its outcome", final[1].Text, labels)
	}
	if last := final[len(final)-1]; last.Text != "Deployed." {
		t.Errorf("the resumed run's answer is %q; want Deployed.", last.Text)
	}
}
