package gallery

import (
	"strings"

	"github.com/parleybot/parley/render"
)

// tricky are strings that have broken renderers: markup of every dialect,
// entities, long and wide graphemes, bidi controls, hostile URLs.
var tricky = []string{
	"", " ", "*", "_", "~", "`", "```", "|", ">", "<", "&", "&amp;", "<@U1>", "<!here>", "@everyone",
	"**bold**", "[t](https://x.test)", "[t](javascript:x)", "\n", "\n\n", "- item", "1. one", "> q", "# h",
	"é", "e\u0301", "👩‍👩‍👧‍👦", "🇵🇹", "東京", "مرحبا", "\u202e", "\u200b", "\x00", "\xff", "\t",
	"https://example.com/a", "javascript:alert(1)", "data:text/html,x", "http://", "ftp://x",
}

// source turns fuzz input into choices.
type source struct{ data []byte }

func (s *source) byte() byte {
	if len(s.data) == 0 {
		return 0
	}
	b := s.data[0]
	s.data = s.data[1:]
	return b
}

func (s *source) n(limit int) int { return int(s.byte()) % limit }

// str returns a string: a few pieces, each tricky or taken from the input,
// sometimes repeated into thousands of characters.
func (s *source) str() string {
	var b strings.Builder
	for range s.n(4) + 1 {
		var piece string
		if s.n(2) == 0 {
			piece = tricky[s.n(len(tricky))]
		} else {
			k := s.n(16)
			k = min(k, len(s.data))
			piece = string(s.data[:k])
			s.data = s.data[k:]
		}
		switch s.n(8) {
		case 0:
			piece = strings.Repeat(piece, 1+s.n(200))
		case 1:
			piece = strings.Repeat(piece+" ", 100*(1+s.n(60)))
		}
		b.WriteString(piece)
	}
	return b.String()
}

func (s *source) count(limit int) int {
	if s.n(6) == 0 {
		return s.n(200) // sometimes far past every platform limit
	}
	return s.n(limit)
}

// Random builds a widget tree from fuzz input. Every input gives a tree;
// the same input gives the same tree.
func Random(data []byte) render.Node {
	s := &source{data: data}
	if s.n(5) == 0 {
		return s.node(0)
	}
	c := render.Card{Title: s.str(), Subtitle: s.str(), Footer: s.str()}
	if s.n(3) == 0 {
		c.Fallback = s.str()
	}
	if s.n(2) == 0 {
		c.Accent = render.RGB(s.byte(), s.byte(), s.byte())
	}
	for range s.count(12) {
		c.Body = append(c.Body, s.node(1))
	}
	c.Actions = s.actions()
	if s.n(2) == 0 {
		return &c
	}
	return c
}

func (s *source) node(depth int) render.Node {
	switch s.n(13) {
	case 0:
		return render.Text(s.str())
	case 1:
		return render.Markdown(s.str())
	case 2:
		return render.Header(s.str())
	case 3:
		var acc render.Accessory
		switch s.n(3) {
		case 0:
			acc = render.Image(s.str(), s.str())
		case 1:
			acc = s.button()
		}
		return render.Section(s.str(), acc)
	case 4:
		var fs []render.Field
		for range s.count(12) {
			fs = append(fs, render.Field{Label: s.str(), Value: s.str()})
		}
		return render.Fields(fs...)
	case 5:
		return render.Context(s.str())
	case 6:
		return render.Image(s.str(), s.str()).WithTitle(s.str())
	case 7:
		return render.Divider()
	case 8:
		t := render.TableNode{}
		for range s.count(6) {
			t.Headers = append(t.Headers, s.str())
		}
		for range s.count(30) {
			var row []string
			for range s.count(6) {
				row = append(row, s.str())
			}
			t.Rows = append(t.Rows, row)
		}
		for range s.n(5) {
			t.Align = append(t.Align, render.Align(s.n(4)))
		}
		return t
	case 9:
		sel := &render.SelectNode{Placeholder: s.str(), Radio: s.n(2) == 0, Action: "pick"}
		for range s.count(30) {
			o := render.Opt(s.str(), s.n(100))
			if s.n(2) == 0 {
				o.Describe(s.str())
			}
			sel.Options = append(sel.Options, o)
		}
		return sel
	case 10:
		return s.actions()
	case 11:
		if depth < 2 {
			// s.n consumes a byte: take the length before slicing.
			k := s.n(len(s.data) + 1)
			return Random(s.data[:min(k, len(s.data))])
		}
		return nil
	default:
		return nil
	}
}

func (s *source) button() *render.ButtonNode {
	if s.n(4) == 0 {
		return nil
	}
	if s.n(3) == 0 {
		return render.LinkButton(s.str(), s.str())
	}
	b := render.Button(s.str(), s.n(100)).OnAction("act")
	b.Style = render.ButtonStyle(s.n(4))
	return b
}

func (s *source) actions() render.ActionsNode {
	var a render.ActionsNode
	for range s.count(8) {
		a.Buttons = append(a.Buttons, s.button())
	}
	return a
}
