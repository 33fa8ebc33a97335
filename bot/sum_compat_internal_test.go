package bot

import (
	"fmt"
	"testing"

	"github.com/parleybot/parley/render"
)

// olderWhole is a content as releases before versioned sums hashed it:
// the pair of its nodes' types (no accent) and its data.
func olderWhole(content render.Node) any {
	if content == nil {
		return nil
	}
	var types []string
	render.Walk(content, func(n render.Node) { types = append(types, fmt.Sprintf("%T", n)) })
	return []any{types, content}
}

// A journal written before sums were versioned holds, for every step
// whose request carries a content — a post, an update, an ephemeral, a
// choice's card — the sum of that content as it was encoded then: a
// replay now finds it the same step, accent or none, whatever the
// content's characters.
func TestSumsOfContentWrittenBeforeVersionsStillMatch(t *testing.T) {
	accented := render.Card{Title: "Status <b> & co", Accent: render.Amber, Body: []render.Node{
		render.Text("all green <ok> & \u2028 done"),
		render.Section("see *this*", render.Button("Open", map[string]any{"k": "<v>"})),
		render.Fields(render.Field{Label: "a", Value: "b"}),
	}, Actions: render.Actions(render.Button("Approve", true).Primary(), render.Button("Deny", false).Danger())}
	plain := accented
	plain.Accent = render.Color{}
	contents := map[string]render.Node{
		"nil":           nil,
		"text":          render.Text("hello <world> & \"quotes\""),
		"markdown":      render.Markdown("**bold** <tag>"),
		"card":          plain,
		"accented card": accented,
		"table":         render.Table([]string{"h"}, []string{"<c>"}),
	}
	ref := MessageRef{Address: Address{Platform: "slack", Channel: "C1"}, ID: "1.2"}
	for name, c := range contents {
		t.Run(name, func(t *testing.T) {
			steps := []struct {
				kind         StepKind
				whole, older any
			}{
				{StepPost, contentWhole(c), olderWhole(c)},
				{StepEphemeral, contentWhole(c), olderWhole(c)},
				{StepUpdate, []any{ref, contentWhole(c)}, []any{ref, olderWhole(c)}},
				{StepChoice, []any{[]string{"Approve"}, []string{"true"}, []string{}, contentWhole(c)}, []any{[]string{"Approve"}, []string{"true"}, []string{}, olderWhole(c)}},
			}
			for _, s := range steps {
				recorded := sum(s.kind, "key", s.older)
				asked := stepSum(s.kind, "key", s.whole)
				if !sameSum(recorded, asked, s.kind, "key", s.whole) {
					t.Errorf("%s: the sum an older release wrote, %s, is not the step asked now", s.kind, recorded)
				}
				if name != "accented card" && name != "nil" && asked != sumVersion+recorded {
					// Without an accent nothing hashed changed: the new
					// sum is the old one, versioned.
					t.Errorf("%s: sum now %s, want %s%s", s.kind, asked, sumVersion, recorded)
				}
			}
		})
	}
}
