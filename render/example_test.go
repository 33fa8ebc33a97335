package render_test

import (
	"fmt"

	"github.com/parleybot/parley/render"
)

func ExampleTruncate() {
	fmt.Println(render.Truncate("Deployment finished", 12))
	fmt.Println(render.Truncate("👩‍👩‍👧‍👦 family", 12)) // the emoji sequence is never split
	// Output:
	// Deployment…
	// 👩‍👩‍👧‍👦…
}

func ExampleFallbackText() {
	card := render.Card{
		Title: "Weather in Lisbon",
		Body: []render.Node{
			render.Markdown("**Sunny**, 18 °C"),
			render.Fields(render.Field{Label: "Wind", Value: "12 km/h"}),
		},
		Actions: render.Actions(render.Button("Refresh", "lisbon")),
	}
	fmt.Println(render.FallbackText(card))
	// Output:
	// Weather in Lisbon
	// Sunny, 18 °C
	// Wind: 12 km/h
}

func ExampleInteractives() {
	card := render.Card{
		Body: []render.Node{
			render.Select("Size", render.Opt("Small", "s"), render.Opt("Large", "l")),
		},
		Actions: render.Actions(render.Button("Cancel", nil), render.LinkButton("Help", "https://example.com")),
	}
	for i, el := range render.Interactives(card) {
		switch el := el.(type) {
		case *render.Option:
			fmt.Println(i+1, "option", el.Label)
		case *render.ButtonNode:
			fmt.Println(i+1, "button", el.Label)
		}
	}
	// Output:
	// 1 option Small
	// 2 option Large
	// 3 button Cancel
}
