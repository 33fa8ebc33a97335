package gallery

import (
	"strings"

	"github.com/parleybot/parley/render"
)

// tricky are strings that have broken renderers: markup of every dialect,
// entities, long and wide graphemes, bidi controls, control characters and
// invisible ones, Unicode spaces, hostile URLs.
var tricky = []string{
	"", " ", "*", "_", "~", "`", "```", "|", ">", "<", "&", "&amp;", "<@U1>", "<!here>", "@everyone",
	"**bold**", "[t](https://x.test)", "[t](javascript:x)", "\n", "\n\n", "- item", "1. one", "> q", "# h",
	"é", "e\u0301", "👩‍👩‍👧‍👦", "🇵🇹", "東京", "مرحبا", "\u202e", "\u200b", "\x00", "\xff", "\t",
	"https://example.com/a", "javascript:alert(1)", "data:text/html,x", "http://", "ftp://x",
	"\x7f", "\u0085", "\x1b[31m", "\r", "\r\n", "\xed\xa0\x80", "\uffff", "&#1;", "&#x85;", "&#0;",
	"\u3000", "\u00a0", "\u2028", "\ufeff", "\u2060", "\u200d", "\u2800", "\u3164", "\u115f", "\u0301",
	"https://ci.example\u3000[Login](https://evil.example/x)", "https://x.test/a\u2003_b_", "-\u3000", "#\u00a0h",
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

// Seed returns fuzz input from which [Random] builds one node, for seeding
// a fuzz target with a case that once broke a renderer. kind picks the
// node as Random does: 0 text, 1 markdown, 2 header, 5 context, 6 an
// image (URL, alt text, caption), 10 a row of one link button (label,
// URL). strs are the node's strings in that order (see appendStr).
func Seed(kind int, strs ...string) []byte {
	b := []byte{0, byte(kind)} // one node, not a card
	if kind == 10 {
		b = append(b, 1, 1, 1, 0) // one button, not nil, a link
	}
	for _, s := range strs {
		b = appendStr(b, s)
	}
	return b
}

// TableSeed returns fuzz input from which Random builds a table of rows
// rows of cols cells (0 < rows < 30, 0 < cols < 6), under as many
// headers, each cell cell (see appendStr).
func TableSeed(rows, cols int, cell string) []byte {
	b := []byte{0, 8, 1, byte(cols)}
	for range cols {
		b = appendStr(b, "h")
	}
	b = append(b, 1, byte(rows))
	for range rows {
		b = append(b, 1, byte(cols))
		for range cols {
			b = appendStr(b, cell)
		}
	}
	return append(b, 0) // no alignments
}

// appendStr appends what source.str reads as s: s in pieces of 15 bytes,
// at most four. A string ending in "…" stands for itself with its last
// piece (what follows its first 15, 30 or 45 bytes) repeated 200 times.
func appendStr(b []byte, s string) []byte {
	s, many := strings.CutSuffix(s, "…")
	var pieces []string
	for len(s) > 15 {
		pieces = append(pieces, s[:15])
		s = s[15:]
	}
	pieces = append(pieces, s)
	if len(pieces) > 4 {
		panic("gallery: a seed string is longer than 60 bytes")
	}
	b = append(b, byte(len(pieces)-1))
	for i, p := range pieces {
		b = append(b, 1, byte(len(p)))
		b = append(b, p...)
		if many && i == len(pieces)-1 {
			b = append(b, 0, 199) // repeated, 1+199 times
		} else {
			b = append(b, 2) // as it is
		}
	}
	return b
}
