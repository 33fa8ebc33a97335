// Package render holds Parley's platform-neutral widget tree: the cards,
// text and buttons a bot posts, described once and rendered natively by each
// platform's renderer (render/plaintext today; Block Kit, Discord and HTML
// renderers build on the same tree).
//
// A message is a [Node]. Plain text and markdown are nodes, and so is a
// [Card], which groups a title, body nodes and a row of actions:
//
//	card := render.Card{
//		Title: "Deploy web-42?",
//		Body: []render.Node{
//			render.Markdown("Ships **3 commits** to production."),
//			render.Fields(render.Field{Label: "Service", Value: "web"}),
//		},
//		Actions: render.Actions(
//			render.Button("Deploy", "yes").Primary(),
//			render.Button("Cancel", "no"),
//		),
//	}
//
// Interactive elements ([ButtonNode]) never carry their values to the
// platform. Whoever posts a tree gives every interactive element an opaque id
// ([IDs]); a renderer emits only those ids, so nothing a user could forge
// travels in a button, and values of any size stay on the server.
//
// The package imports nothing of Parley's: the core and every renderer
// depend on it, never the reverse.
package render
