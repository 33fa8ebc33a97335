package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
	"github.com/parleybot/parley/render"
)

// olderJournalStore reads back the post steps of card as a release before
// accents were hashed wrote them: every node's type, and the tree's data.
type olderJournalStore struct {
	bot.Store
	card render.Card
}

func (s olderJournalStore) Journal(ctx context.Context, run string) ([]bot.JournalEntry, error) {
	es, err := s.Store.Journal(ctx, run)
	var types []string
	render.Walk(s.card, func(n render.Node) { types = append(types, fmt.Sprintf("%T", n)) })
	for i, e := range es {
		if e.Kind == bot.StepPost && strings.Contains(e.Key, "Status") {
			es[i].Sum = bot.JournalSum(e.Kind, e.Key, []any{types, render.Node(s.card)})
		}
	}
	return es, err
}

// A run parked by a release whose journal sums left a card's accent out
// resumes after an upgrade: the same card posted again on replay is the
// step recorded, not a divergence.
func TestRunParkedBeforeAccentsWereHashedResumes(t *testing.T) {
	t.Parallel()
	status := render.Card{Title: "Status", Accent: render.Amber, Body: []render.Node{render.Text("all green")}}
	work := bot.DefineTool(bot.ToolSpec[struct{}]{
		Name: "work", Description: "posts a status, then asks",
		Handler: func(ctx context.Context, _ struct{}, tcx *bot.ToolContext) (any, error) {
			if _, err := tcx.Thread.Post(ctx, status); err != nil {
				return nil, err
			}
			c, err := bot.AwaitChoice[bool](ctx, tcx.Thread, render.Card{Title: "Go on?", Actions: approveDeny()})
			return c.Value, err
		},
	})
	model := bottest.NewModel(bottest.Call("work", struct{}{}), bottest.Reply("Done."))
	h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{work}, Store: olderJournalStore{Store: bot.NewMemoryStore(), card: status}})
	h.Send(bottest.Ana, "go")
	p := cardTitled(t, h.Chat, "Go on?")
	h.Restart()
	h.Click(p.Ref, "Approve", bottest.Ana)
	if last := h.Chat.LastText(); last != "Done." {
		t.Errorf("last text %q; want the run resumed to its answer", last)
	}
}
