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

// ActionsNode is a row of buttons. Renderers wrap a long row onto several
// rows as the platform requires.
type ActionsNode struct {
	Buttons []*ButtonNode
}

// Actions returns a row of buttons.
func Actions(buttons ...*ButtonNode) ActionsNode { return ActionsNode{Buttons: buttons} }

// Card is a framed group: a title and subtitle, body nodes, a row of actions
// at the bottom and a footer line under them.
type Card struct {
	Title    string
	Subtitle string
	// Accent colours the card's edge where the platform has one (a Slack
	// attachment bar, a Discord embed colour). The zero Color means none.
	Accent  Color
	Body    []Node
	Actions ActionsNode
	// Footer is a small line at the bottom: a source, a time, an id.
	Footer string
	// Fallback is the text shown where the card cannot be, such as
	// notifications and screen readers. Empty means renderers derive it
	// from the card's text.
	Fallback string
}

// HeaderNode is a large, bold line that opens a section of a message.
type HeaderNode struct {
	Text string
}

// Header returns a header line.
func Header(text string) HeaderNode { return HeaderNode{Text: text} }

// SectionNode is a block of markdown text with, optionally, an image or a
// button beside it.
type SectionNode struct {
	// Text is markdown, as in [MarkdownNode].
	Text string
	// Accessory is shown beside the text: an [ImageNode] or a *[ButtonNode].
	// Platforms without side-by-side layout show it under the text.
	Accessory Accessory
}

// Section returns a section of markdown text with an optional accessory.
func Section(text string, accessory Accessory) SectionNode {
	return SectionNode{Text: text, Accessory: accessory}
}

// Accessory is what a [SectionNode] can show beside its text: an
// [ImageNode] or a *[ButtonNode].
type Accessory interface {
	accessory()
}

// ContextNode is a small, muted line of markdown: a source, a timestamp, a
// hint.
type ContextNode struct {
	Text string
}

// Context returns a small, muted line of markdown.
func Context(text string) ContextNode { return ContextNode{Text: text} }

// ImageNode is an image shown from a URL. Alt describes it for screen
// readers and for platforms that show text instead; Title is an optional
// caption.
type ImageNode struct {
	URL   string
	Alt   string
	Title string
}

// Image returns an image node.
func Image(url, alt string) ImageNode { return ImageNode{URL: url, Alt: alt} }

// WithTitle returns the image with a caption.
func (i ImageNode) WithTitle(title string) ImageNode { i.Title = title; return i }

// DividerNode is a horizontal rule between parts of a message.
type DividerNode struct{}

// Divider returns a horizontal rule.
func Divider() DividerNode { return DividerNode{} }

// Align is the horizontal alignment of a table column.
type Align int

// Column alignments.
const (
	AlignLeft Align = iota
	AlignCenter
	AlignRight
)

// String returns "left", "center" or "right".
func (a Align) String() string {
	switch a {
	case AlignCenter:
		return "center"
	case AlignRight:
		return "right"
	default:
		return "left"
	}
}

// TableNode is a grid of text cells under a row of headers. Rows shorter
// than the headers are padded with empty cells; cells past the last header
// are shown under an empty header.
type TableNode struct {
	Headers []string
	Rows    [][]string
	// Align holds the alignment of each column; missing entries are left.
	Align []Align
}

// Table returns a table with the given headers and rows.
func Table(headers []string, rows ...[]string) TableNode {
	return TableNode{Headers: headers, Rows: rows}
}

// Columns returns the number of columns: the widest of the headers and
// the rows.
func (t TableNode) Columns() int {
	n := len(t.Headers)
	for _, r := range t.Rows {
		n = max(n, len(r))
	}
	return n
}

// Option is one choice of a [SelectNode]. Like a button's, its Value
// stays on the server: the platform sees only the option's opaque id.
type Option struct {
	Label string
	Value any
	// Description is a short line under the label, where the platform
	// shows one.
	Description string
}

// Opt returns an option with the given label and value.
func Opt(label string, value any) *Option { return &Option{Label: label, Value: value} }

// Describe sets the option's description and returns it.
func (o *Option) Describe(text string) *Option { o.Description = text; return o }

// SelectNode lets a person pick one of several options: a drop-down menu,
// or a group of radio buttons when Radio is set. Platforms without radio
// buttons show a menu or a row of buttons instead.
type SelectNode struct {
	Placeholder string
	Options     []*Option
	Radio       bool
	// Action names the action handler a pick is routed to, as
	// [ButtonNode.Action] does for a button.
	Action string
}

// Select returns a drop-down menu of options.
func Select(placeholder string, options ...*Option) *SelectNode {
	return &SelectNode{Placeholder: placeholder, Options: options}
}

// RadioSelect returns a group of radio buttons.
func RadioSelect(options ...*Option) *SelectNode {
	return &SelectNode{Options: options, Radio: true}
}

// OnAction routes picks to the action handler the bot registered under
// name and returns the select.
func (s *SelectNode) OnAction(name string) *SelectNode { s.Action = name; return s }

func (TextNode) node()     {}
func (MarkdownNode) node() {}
func (FieldsNode) node()   {}
func (ActionsNode) node()  {}
func (Card) node()         {}
func (HeaderNode) node()   {}
func (SectionNode) node()  {}
func (ContextNode) node()  {}
func (ImageNode) node()    {}
func (DividerNode) node()  {}
func (TableNode) node()    {}
func (*SelectNode) node()  {}

func (ImageNode) accessory()   {}
func (*ButtonNode) accessory() {}
