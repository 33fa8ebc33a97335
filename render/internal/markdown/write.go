package markdown

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/parleybot/parley/render/internal/chars"
)

// Dialect writes the markup of one platform.
type Dialect interface {
	// Span writes a run of text in style, as a link to url when url is
	// set. The text is not empty, has no line break and neither starts nor
	// ends with a space. InlineCode excludes the other styles: a dialect
	// may ignore them when it is set. Span escapes whatever its platform
	// would read as markup.
	Span(text string, style Style, url string) string
	// Heading returns the prefix of a heading's line and the style added
	// to its text.
	Heading(level int) (prefix string, style Style)
	// Bullet returns the marker of an unordered list item at depth (0 for
	// the outermost list), including the space after it.
	Bullet(depth int) string
	// Quote returns the prefix of a quoted line.
	Quote() string
	// Fence returns the lines that open and close a code block.
	Fence(lang string) (open, close string)
	// CodeLine writes one line of a code block.
	CodeLine(line string) string
	// Rule returns the line that stands for a horizontal rule.
	Rule() string
}

// Write writes blocks in dialect d, whole.
func Write(blocks []Block, d Dialect) string {
	return strings.Join(Split(blocks, d, 1<<30), "\n")
}

// Split writes blocks in dialect d as pieces no longer than limit (as
// chars.Len counts), breaking between blocks, list items and lines where
// it can and inside a line only where the line alone is too long. Each
// piece stands on its own: a code block cut in two is closed at the end of
// one piece and opened again at the start of the next, and a styled run
// cut in two is closed and reopened. Nothing is lost, save a link's target
// when its markup would take more than half of limit. Limits below 16, too
// small for a code fence, are taken as 16.
func Split(blocks []Block, d Dialect, limit int) []string {
	limit = max(limit, 16)
	w := &writer{d: d, limit: limit}
	w.blocks(blocks, "", "", 0, true)
	return w.pack()
}

// Truncate writes blocks in dialect d within limit: whole if they fit, else
// the first piece [Split] would give, followed by a line holding "…". It
// reports whether anything was cut. Limits below 18 are taken as 18.
func Truncate(blocks []Block, d Dialect, limit int) (string, bool) {
	limit = max(limit, 18)
	parts := Split(blocks, d, limit)
	if len(parts) <= 1 {
		return strings.Join(parts, ""), false
	}
	parts = Split(blocks, d, limit-2)
	return parts[0] + "\n…", true
}

// lineKind tells the packer how a line relates to code blocks.
type lineKind int

const (
	plain lineKind = iota
	codeOpen
	codeLine
	codeClose
)

type line struct {
	text string
	kind lineKind
	// open and close are the fence lines of the code block a codeLine or
	// codeOpen belongs to, prefix included.
	open, close string
}

type writer struct {
	d     Dialect
	limit int
	lines []line
}

func (w *writer) add(l line) { w.lines = append(w.lines, l) }

// blocks writes bs, the first line of the first block after first and every
// other line after rest; top separates blocks with blank lines.
func (w *writer) blocks(bs []Block, first, rest string, depth int, top bool) {
	for i, b := range bs {
		p := first
		if i > 0 {
			p = rest
			if top {
				w.add(line{text: strings.TrimRightFunc(rest, unicode.IsSpace)})
			}
		}
		w.block(b, p, rest, depth)
	}
}

// nest returns prefix extended by more, unless that would leave too little
// room for text: deeply nested quotes and lists flatten at a quarter of the
// limit.
func (w *writer) nest(prefix, more string) string {
	if chars.Len(prefix)+chars.Len(more) > w.limit/4 {
		return prefix
	}
	return prefix + more
}

func (w *writer) block(b Block, first, rest string, depth int) {
	switch b.Kind {
	case Paragraph:
		w.spans(b.Spans, 0, first, rest)
	case Heading:
		p, st := w.d.Heading(b.Level)
		w.spans(b.Spans, st, w.nest(first, p), w.nest(rest, p))
	case Rule:
		w.add(line{text: first + w.d.Rule()})
	case Quote:
		q := w.d.Quote()
		w.blocks(b.Blocks, w.nest(first, q), w.nest(rest, q), depth, true)
		if len(b.Blocks) == 0 {
			w.add(line{text: strings.TrimRightFunc(w.nest(first, q), unicode.IsSpace)})
		}
	case List:
		for i, item := range b.Items {
			p := first
			if i > 0 {
				p = rest
			}
			marker := w.d.Bullet(depth)
			if b.Ordered {
				marker = strconv.Itoa(b.Start+i) + ". "
			}
			indent := strings.Repeat(" ", chars.Len(marker))
			if len(item) == 0 {
				w.add(line{text: strings.TrimRightFunc(w.nest(p, marker), unicode.IsSpace)})
				continue
			}
			w.blocks(item, w.nest(p, marker), w.nest(rest, indent), depth+1, false)
		}
	case Code:
		w.code(b, first, rest)
	}
}

// code writes a code block between fences, or, when the limit leaves no
// room for fences, as lines of inline code.
func (w *writer) code(b Block, first, rest string) {
	text := strings.TrimSuffix(b.Text, "\n")
	open, close := w.d.Fence(b.Lang)
	open, close = first+open, rest+close
	room := w.limit - chars.Len(open) - chars.Len(close) - 2 - chars.Len(rest)
	if room < 8 {
		for i, l := range strings.Split(text, "\n") {
			p := rest
			if i == 0 {
				p = first
			}
			w.spans([]Span{{Text: l, Style: InlineCode}}, 0, p, rest)
		}
		return
	}
	w.add(line{text: open, kind: codeOpen, open: open, close: close})
	for _, l := range strings.Split(text, "\n") {
		for _, piece := range w.fit(l, room, func(s string) string { return w.d.CodeLine(s) }) {
			w.add(line{text: rest + piece, kind: codeLine, open: open, close: close})
		}
	}
	w.add(line{text: close, kind: codeClose})
}

// fit writes text with write in pieces no longer than room, cutting the
// raw text between grapheme clusters, at a space where it can. An empty
// text gives one empty piece.
func (w *writer) fit(text string, room int, write func(string) string) []string {
	var out []string
	for {
		if chars.Fits(text, room) {
			if s := write(text); chars.Len(s) <= room {
				return append(out, s)
			}
		}
		head, tail := w.cut(text, room, write)
		out = append(out, write(head))
		text = tail
	}
}

// cut returns the longest head of text (at a space where it can) whose
// rendering by write fits in room, and the rest. The head is never empty,
// unless text is.
func (w *writer) cut(text string, room int, write func(string) string) (head, tail string) {
	budget := room
	for {
		head, tail = chars.Cut(text, budget, true)
		if n := chars.Len(write(head)); n > room && budget > 1 {
			// Shrink in proportion: escaping can double text or more,
			// and taking off only the excess would leave nothing.
			budget = max(min(budget-1, budget*room/n), 1)
			continue
		}
		if head == "" {
			head, tail = chars.Cut(text, 2, false)
			if head == "" {
				head, tail = text, ""
			}
		}
		return head, tail
	}
}

// spans writes a paragraph: its runs on lines after first (then rest),
// wrapped only where one line would pass the limit.
func (w *writer) spans(ss []Span, extra Style, first, rest string) {
	var cur strings.Builder
	cur.WriteString(first)
	n := chars.Len(first)
	written := false // the current line has text past its prefix
	flush := func() {
		w.add(line{text: strings.TrimRightFunc(cur.String(), unicode.IsSpace)})
		cur.Reset()
		cur.WriteString(rest)
		n, written = chars.Len(rest), false
	}
	for _, s := range ss {
		if s.Break {
			flush()
			continue
		}
		st, url := s.Style|extra, s.URL
		text := strings.ReplaceAll(s.Text, "\n", " ")
		// A link whose markup would take more than half a line loses its
		// target: each line of a link cut over lines repeats the target,
		// and one that left room for a few characters a line would
		// multiply the text, and cut inside its grapheme clusters.
		if url != "" && chars.Len(w.run("xx", st, url))+chars.Len(rest) > w.limit/2 {
			url = ""
		}
		write := func(t string) string { return w.run(t, st, url) }
		for text != "" {
			room := w.limit - n
			if chars.Fits(text, room) { // markup only adds: skip writing what cannot fit
				if r := write(text); chars.Len(r) <= room {
					cur.WriteString(r)
					n += chars.Len(r)
					written = true
					break
				}
			}
			if written && room < chars.Len(write("xx")) {
				flush()
				continue
			}
			head, tail := w.cut(text, room, write)
			r := write(head)
			if written && chars.Len(r) > room {
				flush()
				continue
			}
			cur.WriteString(r)
			n += chars.Len(r)
			text = tail
			flush()
		}
	}
	if written {
		flush()
	}
}

// run writes one run of text, its outer spaces outside the markup.
func (w *writer) run(text string, st Style, url string) string {
	core := strings.TrimFunc(text, unicode.IsSpace)
	if core == "" {
		return spaces(text)
	}
	i := strings.Index(text, core)
	return spaces(text[:i]) + w.d.Span(core, st, url) + spaces(text[i+len(core):])
}

// spaces returns white space as the writer may put it out itself, where no
// dialect sees it: the control characters among it (a vertical tab, a
// form feed, U+0085 NEXT LINE, which a numeric reference such as "&#x85;"
// can write) become plain spaces.
func spaces(s string) string {
	if strings.IndexFunc(s, unicode.IsControl) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// pack joins lines into pieces no longer than the limit. A code block cut
// between pieces is closed and reopened; each line reserves room for the
// closing fence of the block it is in, so that fence always fits.
func (w *writer) pack() []string {
	var (
		out   []string
		cur   []string
		n     int  // length of cur joined by newlines
		open  bool // cur ends inside a code block
		fence line // the open code block's codeOpen line
	)
	flush := func() {
		if !open {
			for len(cur) > 0 && strings.TrimSpace(cur[len(cur)-1]) == "" {
				cur = cur[:len(cur)-1]
			}
		} else if cur[len(cur)-1] == fence.open {
			cur = cur[:len(cur)-1] // nothing in the block yet: open it in the next piece
		} else {
			cur = append(cur, fence.close)
		}
		if len(cur) > 0 {
			out = append(out, strings.Join(cur, "\n"))
		}
		cur, n = nil, 0
		if open {
			cur, n = []string{fence.open}, chars.Len(fence.open)
		}
	}
	for _, l := range w.lines {
		if len(cur) == 0 && strings.TrimSpace(l.text) == "" {
			continue
		}
		reserve := 0
		if l.kind == codeOpen || l.kind == codeLine {
			reserve = 1 + chars.Len(l.close)
		}
		if chars.Len(l.text)+reserve > w.limit {
			// Lines are written to fit; this guards the limit regardless.
			l.text, _ = chars.Cut(l.text, max(w.limit-reserve, 0), false)
		}
		if len(cur) > 0 && n+1+chars.Len(l.text)+reserve > w.limit {
			flush()
		}
		if len(cur) > 0 {
			n++
		}
		cur = append(cur, l.text)
		n += chars.Len(l.text)
		switch l.kind {
		case codeOpen:
			open, fence = true, l
		case codeClose:
			open = false
		}
	}
	if len(cur) > 0 {
		flush()
	}
	return out
}
