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

func TestInteractivesReadingOrder(t *testing.T) {
	t.Parallel()
	side := render.Button("side", 0)
	opt1, opt2 := render.Opt("one", 1), render.Opt("two", 2)
	last := render.Button("last", 3)
	card := render.Card{
		Body: []render.Node{
			render.Section("text", side),
			render.Section("link", render.LinkButton("docs", "https://x.test")),
			render.Section("image", render.Image("https://x.test/i.png", "i")),
			render.Select("pick", opt1, nil, opt2),
			(*render.SelectNode)(nil),
		},
		Actions: render.Actions(last),
	}
	got := render.Interactives(&card)
	want := []render.Interactive{side, opt1, opt2, last}
	if len(got) != len(want) {
		t.Fatalf("Interactives = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Interactives[%d] = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestColor(t *testing.T) {
	t.Parallel()
	var zero render.Color
	if !zero.IsZero() || zero.String() != "" {
		t.Errorf("zero colour %v", zero)
	}
	black := render.RGB(0, 0, 0)
	if black.IsZero() || black.String() != "#000000" {
		t.Errorf("black %q is zero: %v", black, black.IsZero())
	}
	c, err := render.Hex("#2EB67D")
	if err != nil || c != render.Green || c.Value() != 0x2eb67d {
		t.Errorf("Hex = %v, %v", c, err)
	}
	for _, bad := range []string{"", "#fff", "#gggggg", "12345678", "#-12345"} {
		if _, err := render.Hex(bad); err == nil {
			t.Errorf("Hex(%q) accepted", bad)
		}
	}
}

func TestFallbackText(t *testing.T) {
	t.Parallel()
	card := render.Card{
		Title:    "Deploy?",
		Subtitle: "web-42",
		Body: []render.Node{
			render.Markdown("Ships **3 commits** to [prod](https://x.test)."),
			render.Fields(render.Field{Label: "By", Value: "ana"}),
			render.Image("https://x.test/i.png", "a chart"),
			render.Table([]string{"a", "b"}, []string{"1", "2"}),
			render.Divider(),
		},
		Actions: render.Actions(render.Button("Yes", 1)),
	}
	want := "Deploy?\nweb-42\nShips 3 commits to prod.\nBy: ana\na chart\na | b\n1 | 2"
	if got := render.FallbackText(card); got != want {
		t.Errorf("FallbackText =\n%q\nwant\n%q", got, want)
	}
	card.Fallback = "Approval needed"
	if got := render.FallbackText(&card); got != "Approval needed" {
		t.Errorf("FallbackText with Fallback = %q", got)
	}
	if got := render.FallbackText(nil); got != "" {
		t.Errorf("FallbackText(nil) = %q", got)
	}
}

func TestTableColumns(t *testing.T) {
	t.Parallel()
	tb := render.Table([]string{"a"}, []string{"1", "2", "3"}, nil)
	if tb.Columns() != 3 {
		t.Errorf("Columns = %d, want 3", tb.Columns())
	}
	if render.AlignRight.String() != "right" || render.Align(9).String() != "left" {
		t.Error("Align names")
	}
}
