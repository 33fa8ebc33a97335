package plaintext_test

import (
	"fmt"
	"testing"

	"github.com/parleybot/parley/render"
	"github.com/parleybot/parley/render/plaintext"
)

func TestRender(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   render.Node
		want string
	}{
		{"text", render.Text("hello"), "hello"},
		{"markdown", render.Markdown("**hi**"), "**hi**"},
		{"nil", nil, ""},
		{"nil card pointer", (*render.Card)(nil), ""},
		{"fields", render.Fields(render.Field{Label: "A", Value: "1"}, render.Field{Label: "B", Value: "2"}), "A: 1\nB: 2"},
		{
			"card numbers buttons across rows, skipping links",
			&render.Card{
				Title: "Deploy?",
				Body: []render.Node{
					render.Text("web-42"),
					render.Actions(render.Button("Logs", 0), render.LinkButton("Docs", "https://example.com")),
				},
				Actions: render.Actions(render.Button("Yes", 1).Primary(), render.Button("No", 2).Danger()),
			},
			"Deploy?\nweb-42\n[1] Logs  Docs <https://example.com>\n[2] Yes  [3] No",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := plaintext.Render(tt.in); got != tt.want {
				t.Errorf("Render() =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestNumberingMatchesInteractives(t *testing.T) {
	t.Parallel()
	yes, no := render.Button("Yes", 1), render.Button("No", 2)
	card := render.Card{Body: []render.Node{render.Actions(yes)}, Actions: render.Actions(render.LinkButton("x", "https://x"), no)}
	got := render.Interactives(card)
	if len(got) != 2 || got[0] != yes || got[1] != no {
		t.Fatalf("Interactives = %v, want [yes no]", got)
	}
}

func TestFallback(t *testing.T) {
	t.Parallel()
	c := render.Card{Title: "T", Fallback: "short"}
	if got := plaintext.Fallback(c); got != "short" {
		t.Errorf("Fallback(card with Fallback) = %q", got)
	}
	if got := plaintext.Fallback(render.Card{Title: "T"}); got != "T" {
		t.Errorf("Fallback(card) = %q, want the rendering", got)
	}
}

func ExampleRender() {
	fmt.Println(plaintext.Render(render.Card{
		Title: "Weather in Lisbon",
		Body: []render.Node{
			render.Fields(render.Field{Label: "Now", Value: "21°C, sunny"}),
		},
		Actions: render.Actions(render.Button("Refresh", "refresh"), render.LinkButton("Forecast", "https://example.com/lisbon")),
	}))
	// Output:
	// Weather in Lisbon
	// Now: 21°C, sunny
	// [1] Refresh  Forecast <https://example.com/lisbon>
}
