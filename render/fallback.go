package render

import (
	"strings"

	"github.com/parleybot/parley/render/internal/markdown"
)

// FallbackText returns the text that stands for n where it cannot be shown,
// such as notifications and screen readers: a card's Fallback when set,
// else the text of n without markup — titles, text, fields as
// "label: value", image descriptions — one element per line. Buttons and
// options are left out.
func FallbackText(n Node) string {
	switch c := n.(type) {
	case Card:
		if c.Fallback != "" {
			return c.Fallback
		}
	case *Card:
		if c != nil && c.Fallback != "" {
			return c.Fallback
		}
	}
	var lines []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			lines = append(lines, s)
		}
	}
	Walk(n, func(n Node) {
		switch n := n.(type) {
		case Card:
			add(n.Title)
			add(n.Subtitle)
		case TextNode:
			add(n.Text)
		case MarkdownNode:
			add(markdown.Plain(n.Text))
		case HeaderNode:
			add(n.Text)
		case SectionNode:
			add(markdown.Plain(n.Text))
		case ContextNode:
			add(markdown.Plain(n.Text))
		case FieldsNode:
			for _, f := range n.Fields {
				add(f.Label + ": " + f.Value)
			}
		case ImageNode:
			add(n.Alt)
		case TableNode:
			add(strings.Join(n.Headers, " | "))
			for _, r := range n.Rows {
				add(strings.Join(r, " | "))
			}
		}
	})
	return strings.Join(lines, "\n")
}
