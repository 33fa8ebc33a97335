package plaintext

import (
	"strconv"
	"strings"

	"github.com/parleybot/parley/render"
)

// Render returns n as plain text.
func Render(n render.Node) string {
	r := renderer{}
	r.node(n)
	return strings.TrimRight(r.b.String(), "\n")
}

// Fallback returns the short text that stands for n where it cannot be
// shown: a card's Fallback when set, else the whole rendering.
func Fallback(n render.Node) string {
	switch c := n.(type) {
	case render.Card:
		if c.Fallback != "" {
			return c.Fallback
		}
	case *render.Card:
		if c != nil && c.Fallback != "" {
			return c.Fallback
		}
	}
	return Render(n)
}

type renderer struct {
	b      strings.Builder
	option int // number of the last action button written
}

// block writes s as a paragraph of its own.
func (r *renderer) block(s string) {
	if s == "" {
		return
	}
	r.b.WriteString(s)
	r.b.WriteByte('\n')
}

func (r *renderer) node(n render.Node) {
	switch n := n.(type) {
	case render.TextNode:
		r.block(n.Text)
	case render.MarkdownNode:
		r.block(n.Text)
	case render.FieldsNode:
		for _, f := range n.Fields {
			r.block(f.Label + ": " + f.Value)
		}
	case render.ActionsNode:
		r.actions(n)
	case *render.Card:
		if n != nil {
			r.node(*n)
		}
	case render.Card:
		r.block(n.Title)
		for _, b := range n.Body {
			r.node(b)
		}
		r.actions(n.Actions)
	}
}

func (r *renderer) actions(a render.ActionsNode) {
	var line []string
	for _, b := range a.Buttons {
		switch {
		case b == nil:
		case b.IsLink():
			line = append(line, b.Label+" <"+b.URL+">")
		default:
			r.option++
			line = append(line, "["+strconv.Itoa(r.option)+"] "+b.Label)
		}
	}
	r.block(strings.Join(line, "  "))
}
