package render

// Node is one element of a message: a [Card], or a piece of one such as
// [TextNode] or [ActionsNode]. The set of node types is closed; renderers
// switch over it.
type Node interface {
	node()
}

// TextNode is text shown as is: renderers escape whatever their platform
// would read as markup.
type TextNode struct {
	Text string
}

// Text returns a node of plain text.
func Text(s string) TextNode { return TextNode{Text: s} }

// MarkdownNode is text in CommonMark-style markdown (bold, italic, code,
// links, lists). Each renderer converts it to its platform's dialect.
type MarkdownNode struct {
	Text string
}

// Markdown returns a node of markdown text.
func Markdown(s string) MarkdownNode { return MarkdownNode{Text: s} }

// Field is one label/value pair of a [FieldsNode].
type Field struct {
	Label string
	Value string
}

// FieldsNode shows label/value pairs, side by side where the platform can.
type FieldsNode struct {
	Fields []Field
}

// Fields returns a node of label/value pairs.
func Fields(fields ...Field) FieldsNode { return FieldsNode{Fields: fields} }

// ButtonStyle is the look of a button.
type ButtonStyle int

// Button styles. Platforms without a style show the default look.
const (
	StyleDefault ButtonStyle = iota
	StylePrimary
	StyleDanger
)

// String returns the style's name: "default", "primary" or "danger".
func (s ButtonStyle) String() string {
	switch s {
	case StylePrimary:
		return "primary"
	case StyleDanger:
		return "danger"
	default:
		return "default"
	}
}

// ButtonNode is a button. A button with a URL is a link button: the platform
// opens the URL and the bot hears nothing. Any other button is an action:
// when clicked, the bot receives the opaque id its poster assigned it (see
// [IDs]) and maps it back to Value on the server.
type ButtonNode struct {
	Label string
	// Value is what a click means. It never leaves the server.
	Value any
	Style ButtonStyle
	// URL makes this a link button.
	URL string
	// Action names the action handler a click is routed to (see
	// [ButtonNode.OnAction]) for a card posted outside a wait for a
	// choice. Empty inside such a wait.
	Action string
}

// Button returns an action button with the given label and value.
func Button(label string, value any) *ButtonNode {
	return &ButtonNode{Label: label, Value: value}
}

// LinkButton returns a button that opens url.
func LinkButton(label, url string) *ButtonNode {
	return &ButtonNode{Label: label, URL: url}
}

// Primary gives the button the platform's emphasised look and returns it.
func (b *ButtonNode) Primary() *ButtonNode { b.Style = StylePrimary; return b }

// Danger gives the button the platform's destructive look and returns it.
func (b *ButtonNode) Danger() *ButtonNode { b.Style = StyleDanger; return b }

// OnAction routes clicks on the button to the action handler the bot
// registered under name (bot.Bot.OnAction) and returns the button.
func (b *ButtonNode) OnAction(name string) *ButtonNode { b.Action = name; return b }

// IsLink reports whether the button opens a URL rather than acting.
func (b *ButtonNode) IsLink() bool { return b.URL != "" }

// ActionsNode is a row of buttons.
type ActionsNode struct {
	Buttons []*ButtonNode
}

// Actions returns a row of buttons.
func Actions(buttons ...*ButtonNode) ActionsNode { return ActionsNode{Buttons: buttons} }

// Card is a framed group: a title, body nodes and, at the bottom, actions.
type Card struct {
	Title   string
	Body    []Node
	Actions ActionsNode
	// Fallback is the text shown where the card cannot be, such as
	// notifications and screen readers. Empty means renderers derive it.
	Fallback string
}

func (TextNode) node()     {}
func (MarkdownNode) node() {}
func (FieldsNode) node()   {}
func (ActionsNode) node()  {}
func (Card) node()         {}
