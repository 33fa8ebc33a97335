package plaintext

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/parleybot/parley/render"
	"github.com/parleybot/parley/render/internal/markdown"
)

// Render returns n as plain text, one element per line. Action buttons and
// select options are numbered "[k]" from 1 in the order of
// render.Interactives(n), so that typed number k picks Interactives(n)[k-1].
// A nil node, a nil *Card and a card with nothing to show give "".
func Render(n render.Node) string {
	var r renderer
	r.node(n)
	return strings.TrimRight(r.b.String(), "\n")
}

// Fallback returns the short text that stands for n where it cannot be
// shown: a card's Fallback when set, else render.FallbackText(n), with
// control characters made harmless as in [Render].
func Fallback(n render.Node) string {
	return clean(render.FallbackText(n))
}

type renderer struct {
	b strings.Builder
	// option is the number of the last interactive element written; it
	// must advance exactly as render.Interactives walks the tree.
	option int
}

// block writes s as lines of their own; blank text writes nothing.
func (r *renderer) block(s string) {
	s = strings.TrimRightFunc(s, unicode.IsSpace)
	if strings.TrimSpace(s) == "" {
		return
	}
	r.b.WriteString(s)
	r.b.WriteByte('\n')
}

// number returns the marker of the next interactive element.
func (r *renderer) number() string {
	r.option++
	return "[" + strconv.Itoa(r.option) + "]"
}

func (r *renderer) node(n render.Node) {
	switch n := n.(type) {
	case render.TextNode:
		r.block(clean(n.Text))
	case render.MarkdownNode:
		r.block(markdownText(n.Text))
	case render.HeaderNode:
		r.header(n.Text)
	case render.SectionNode:
		r.block(markdownText(n.Text))
		r.accessory(n.Accessory)
	case render.ContextNode:
		r.block(markdownText(n.Text))
	case render.FieldsNode:
		for _, f := range n.Fields {
			r.block(field(f))
		}
	case render.ImageNode:
		r.block(image(n))
	case render.DividerNode:
		r.block(rule)
	case render.TableNode:
		r.block(table(n))
	case render.ActionsNode:
		r.actions(n)
	case *render.SelectNode:
		r.selectNode(n)
	case *render.Card:
		if n != nil {
			r.card(*n)
		}
	case render.Card:
		r.card(n)
	}
}

// card writes a card top to bottom. A card nested in a body is written the
// same way, in place, which keeps the numbering in render.Walk's order.
func (r *renderer) card(c render.Card) {
	r.block(line(c.Title))
	r.block(line(c.Subtitle))
	for _, b := range c.Body {
		r.node(b)
	}
	r.actions(c.Actions)
	r.block(line(c.Footer))
}

// rule stands for a divider.
var rule = strings.Repeat("─", 24)

// maxUnderline caps a header's underline: past a terminal's width an
// underline wraps and stops looking like one.
const maxUnderline = 80

// header writes a header's text underlined with "=", as wide as the text
// looks in a terminal.
func (r *renderer) header(text string) {
	t := line(text)
	if t == "" {
		return
	}
	w := min(max(width(t), 3), maxUnderline)
	r.block(t + "\n" + strings.Repeat("=", w))
}

func (r *renderer) accessory(a render.Accessory) {
	switch a := a.(type) {
	case *render.ButtonNode:
		if a != nil {
			r.block(r.button(a))
		}
	case render.ImageNode:
		r.block(image(a))
	}
}

// button returns a button as it appears in a row; b is not nil.
func (r *renderer) button(b *render.ButtonNode) string {
	label := line(b.Label)
	if b.IsLink() {
		return link(label, b.URL)
	}
	return r.number() + " " + label
}

func (r *renderer) actions(a render.ActionsNode) {
	var row []string
	for _, b := range a.Buttons {
		if b != nil {
			row = append(row, strings.TrimSpace(r.button(b)))
		}
	}
	r.block(strings.Join(row, "  "))
}

// selectNode writes a select's options one per line, numbered like
// buttons, under its placeholder. A radio group is written the same way.
func (r *renderer) selectNode(s *render.SelectNode) {
	if s == nil {
		return
	}
	indent := ""
	if ph := line(s.Placeholder); ph != "" {
		r.block(ph)
		indent = "  "
	}
	for _, o := range s.Options {
		if o == nil {
			continue
		}
		t := indent + r.number() + " " + line(o.Label)
		if d := line(o.Description); d != "" {
			t += " — " + d
		}
		r.block(t)
	}
}

// field returns "Label: Value", or whichever of the two is set.
func field(f render.Field) string {
	label, value := line(f.Label), strings.TrimSpace(clean(f.Value))
	switch {
	case label == "":
		return value
	case value == "":
		return label + ":"
	}
	return label + ": " + value
}

// image returns "[image: alt] <url>" and the caption under it. An image
// whose URL is not http or https shows only its description.
func image(i render.ImageNode) string {
	s := "[image]"
	if alt := line(i.Alt); alt != "" {
		s = "[image: " + alt + "]"
	}
	if u, ok := safeURL(i.URL); ok {
		s += " <" + u + ">"
	}
	if t := line(i.Title); t != "" {
		s += "\n" + t
	}
	return s
}

// link returns "label <url>", "<url>" without a label, or the label alone
// when the URL is not http or https.
func link(label, rawURL string) string {
	u, ok := safeURL(rawURL)
	switch {
	case !ok:
		return label
	case label == "" || label == u:
		return "<" + u + ">"
	}
	return label + " <" + u + ">"
}

// safeURL reports whether s is an http or https URL a terminal shows as
// one piece, and returns it cleaned.
func safeURL(s string) (string, bool) {
	s = strings.TrimSpace(s)
	lower := strings.ToLower(s[:min(len(s), 8)])
	if !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") {
		return "", false
	}
	host := s[strings.Index(s, "//")+2:]
	if host == "" || strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return "", false
	}
	return clean(s), true
}

// markdownText returns markdown src as plain text.
func markdownText(src string) string {
	return clean(markdown.Write(markdown.Parse(src), dialect{}))
}

// dialect writes markdown as plain text: styles vanish, links show their
// target after their text as link buttons do, lists and quotes keep their
// "- ", "1. " and "> " markers, and code blocks stay between ``` lines so
// that where code starts and ends is never in doubt.
type dialect struct{}

func (dialect) Span(text string, _ markdown.Style, url string) string {
	if url == "" {
		return text
	}
	return link(text, url)
}

func (dialect) Heading(int) (string, markdown.Style) { return "", 0 }
func (dialect) Bullet(int) string                    { return "- " }
func (dialect) Quote() string                        { return "> " }
func (dialect) Fence(lang string) (string, string)   { return "```" + lang, "```" }
func (dialect) CodeLine(l string) string             { return l }
func (dialect) Rule() string                         { return rule }
