package render_test

import (
	"testing"

	"github.com/parleybot/parley/render"
)

func TestButtonBuilders(t *testing.T) {
	t.Parallel()
	b := render.Button("Go", 42).Primary().OnAction("deploy")
	if b.Label != "Go" || b.Value != 42 || b.Style != render.StylePrimary || b.Action != "deploy" || b.IsLink() {
		t.Errorf("button %+v", b)
	}
	if d := render.Button("Stop", nil).Danger(); d.Style.String() != "danger" {
		t.Errorf("danger style %v", d.Style)
	}
	if l := render.LinkButton("Docs", "https://example.com"); !l.IsLink() || l.Style.String() != "default" {
		t.Errorf("link button %+v", l)
	}
}

func TestWalkOrder(t *testing.T) {
	t.Parallel()
	inner := render.Actions(render.Button("a", 1))
	card := &render.Card{
		Title:   "t",
		Body:    []render.Node{render.Text("x"), inner, render.Markdown("y")},
		Actions: render.Actions(render.Button("b", 2)),
	}
	var kinds []string
	render.Walk(card, func(n render.Node) {
		switch n.(type) {
		case render.Card:
			kinds = append(kinds, "card")
		case render.TextNode:
			kinds = append(kinds, "text")
		case render.ActionsNode:
			kinds = append(kinds, "actions")
		case render.MarkdownNode:
			kinds = append(kinds, "markdown")
		}
	})
	want := []string{"card", "text", "actions", "markdown", "actions"}
	if len(kinds) != len(want) {
		t.Fatalf("walked %v, want %v", kinds, want)
	}
	for i := range want {
		if kinds[i] != want[i] {
			t.Fatalf("walked %v, want %v", kinds, want)
		}
	}
	render.Walk(nil, func(render.Node) { t.Error("visited nil") })
	render.Walk((*render.Card)(nil), func(render.Node) { t.Error("visited a nil card") })
}

func TestInteractivesSkipLinksAndNil(t *testing.T) {
	t.Parallel()
	a, b := render.Button("a", 1), render.Button("b", 2)
	card := render.Card{Body: []render.Node{render.Actions(a, nil, render.LinkButton("l", "https://x"))}, Actions: render.Actions(b)}
	got := render.Interactives(card)
	if len(got) != 2 || got[0] != a || got[1] != b {
		t.Errorf("Interactives = %v", got)
	}
	if n := len(render.Interactives(render.Text("plain"))); n != 0 {
		t.Errorf("text has %d interactives", n)
	}
}
