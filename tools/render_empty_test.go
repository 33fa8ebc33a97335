package tools_test

import (
	"strings"
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
	"github.com/parleybot/parley/render"
	"github.com/parleybot/parley/tools"
)

type emptyProps struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

// Props that are all empty make a card with nothing to show: the model
// is told, and nothing is posted.
func TestRenderRefusesACardOfEmptyProps(t *testing.T) {
	tool := tools.Render("show", "d", func(p emptyProps) render.Card {
		return render.Card{Title: p.Title, Body: []render.Node{render.Text(p.Body)}}
	})
	model := bottest.NewModel(bottest.Call("show", emptyProps{}), bottest.Reply("done"))
	h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{tool}})
	h.Send(bottest.Ana, "x")
	msgs := model.Requests()[1].Messages
	got := msgs[len(msgs)-1].Content
	if !strings.Contains(got, "empty") {
		t.Errorf("an empty card was shown: %s", got)
	}
	if n := len(h.Chat.Cards()); n != 0 {
		t.Errorf("%d cards posted, want none", n)
	}
}
