// Package render holds Parley's platform-neutral widget tree: the cards,
// text and controls a bot posts, described once and rendered natively by
// each platform's renderer — render/blockkit (Slack Block Kit),
// render/discordui (Discord embeds and components), render/html (the web
// playground) and render/plaintext (terminals, logs, fallback text).
//
// A message is a [Node]. The vocabulary:
//
//   - [Card]: title, subtitle, accent [Color], body nodes, a row of
//     actions, a footer and fallback text;
//   - [TextNode] (shown literally) and [MarkdownNode] (bold, italic,
//     strike, code, code blocks, links, lists, quotes);
//   - [HeaderNode], [SectionNode] (markdown with an image or a button
//     beside it), [ContextNode] (a small muted line), [FieldsNode]
//     (label/value pairs), [ImageNode], [DividerNode], [TableNode]
//     (headers, rows, column alignment);
//   - [ActionsNode] of [ButtonNode]s (primary, danger or default; or a
//     link), and [SelectNode] (a menu or radio buttons of [Option]s).
//
// For example:
//
//	card := render.Card{
//		Title:  "Deploy web-42?",
//		Accent: render.Amber,
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
// Interactive elements (action buttons and select options, see
// [Interactive]) never carry their values to the platform. Whoever posts a
// tree gives each of them an opaque id ([IDs]); renderers emit only those
// ids, so nothing a user could forge travels in a button, and values of
// any size stay on the server.
//
// Every renderer keeps within its platform's limits, which this package
// holds as data ([Slack], [Discord]): text is cut with [Truncate] or
// [Split], which count as the platforms do ([Len]) and cut only between
// grapheme clusters; content is split over several blocks, embeds or
// messages where the platform allows; and what must be cut is said
// visibly. Every card yields fallback text ([FallbackText]) for
// notifications and screen readers.
//
// The package imports nothing of Parley's outside render: the core and
// every renderer depend on it, never the reverse.
package render
