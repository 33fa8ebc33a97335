package markdown

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/parleybot/parley/render/internal/chars"
)

// Kind is the kind of a [Block].
type Kind int

// Block kinds.
const (
	Paragraph Kind = iota
	Heading
	List
	Quote
	Code
	Rule
)

// Block is one block of a markdown document.
type Block struct {
	Kind Kind
	// Spans is the text of a Paragraph or a Heading.
	Spans []Span
	// Level is a Heading's level, 1 to 6.
	Level int
	// Items are a List's items, each a sequence of blocks.
	Items [][]Block
	// Ordered lists number their items from Start.
	Ordered bool
	Start   int
	// Blocks are a Quote's contents.
	Blocks []Block
	// Lang and Text are a Code block's language and contents.
	Lang string
	Text string
}

// Style is a set of inline styles.
type Style uint8

// Inline styles. Code excludes the others.
const (
	Bold Style = 1 << iota
	Italic
	Strike
	InlineCode
)

// Span is a run of inline text in one style, or a line break.
type Span struct {
	Text  string
	Style Style
	// URL makes the span (part of) a link's text.
	URL string
	// Break marks a line break; Text is then empty.
	Break bool
}

var parser = goldmark.New(goldmark.WithExtensions(extension.Strikethrough)).Parser()

// MaxSource is the most markdown Parse reads: 64 KiB, several messages'
// worth on any platform. Parsing time grows with the square of nesting
// depth, so unbounded input from a model or a user could stall a renderer.
const MaxSource = 64 << 10

// Parse parses src as CommonMark with strikethrough. Raw HTML is kept as
// literal text; images become links to the image, labelled with their alt
// text. Single line breaks are kept, as chat users expect. Past
// [MaxSource], src is cut and a last paragraph says how much was left out.
func Parse(src string) []Block {
	if len(src) > MaxSource {
		end := MaxSource
		for end > 0 && !utf8.RuneStart(src[end]) {
			end--
		}
		src = src[:end] + "\n\n…and " + strconv.Itoa(chars.Len(src[end:])) + " more characters not shown"
	}
	if plainOnly(src) {
		if src == "" {
			return nil
		}
		return []Block{{Kind: Paragraph, Spans: textSpans(src, 0, "")}}
	}
	return parse(src)
}

// parse parses src with goldmark.
func parse(src string) []Block {
	source := []byte(src)
	doc := parser.Parse(text.NewReader(source))
	return blocks(doc, source)
}

// plainOnly reports whether src is one paragraph CommonMark would read as
// literal text, so that Parse can skip the parser: most texts a bot posts
// (labels, one-line answers, context lines) have no markup at all. It is
// conservative: any character that could start markup anywhere, and any
// line that could open a block (indented, numbered, blank) or end in a
// hard break, sends src to the parser.
func plainOnly(src string) bool {
	lineStart := true
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch c {
		case '\\', '`', '*', '_', '~', '[', ']', '<', '>', '#', '&', '-', '+', '=', '|', '!', '\r', '\t':
			return false
		case '\n':
			if lineStart || i > 0 && src[i-1] == ' ' {
				return false // a blank line, or a line ending in a space
			}
			lineStart = true
			continue
		}
		if lineStart && (c == ' ' || c >= '0' && c <= '9') {
			return false
		}
		lineStart = false
	}
	return !(len(src) > 0 && (src[len(src)-1] == ' ' || src[len(src)-1] == '\n'))
}

func blocks(parent ast.Node, src []byte) []Block {
	var out []Block
	for n := parent.FirstChild(); n != nil; n = n.NextSibling() {
		switch n := n.(type) {
		case *ast.Paragraph, *ast.TextBlock:
			if s := spans(n, src); len(s) > 0 {
				out = append(out, Block{Kind: Paragraph, Spans: s})
			}
		case *ast.Heading:
			out = append(out, Block{Kind: Heading, Level: n.Level, Spans: spans(n, src)})
		case *ast.ThematicBreak:
			out = append(out, Block{Kind: Rule})
		case *ast.CodeBlock:
			out = append(out, Block{Kind: Code, Text: lines(n, src)})
		case *ast.FencedCodeBlock:
			out = append(out, Block{Kind: Code, Lang: string(n.Language(src)), Text: lines(n, src)})
		case *ast.HTMLBlock:
			t := lines(n, src)
			if n.HasClosure() {
				t += string(n.ClosureLine.Value(src))
			}
			if t = strings.TrimRight(t, "\n"); t != "" {
				out = append(out, Block{Kind: Paragraph, Spans: textSpans(t, 0, "")})
			}
		case *ast.Blockquote:
			out = append(out, Block{Kind: Quote, Blocks: blocks(n, src)})
		case *ast.List:
			b := Block{Kind: List, Ordered: n.IsOrdered(), Start: n.Start}
			for it := n.FirstChild(); it != nil; it = it.NextSibling() {
				b.Items = append(b.Items, blocks(it, src))
			}
			out = append(out, b)
		default:
			out = append(out, blocks(n, src)...)
		}
	}
	return out
}

// lines returns the raw lines of a code or HTML block.
func lines(n ast.Node, src []byte) string {
	var b strings.Builder
	l := n.Lines()
	for i := range l.Len() {
		seg := l.At(i)
		b.Write(seg.Value(src))
	}
	return b.String()
}

// spans flattens the inline children of n into runs, merging neighbours of
// the same style and link.
func spans(n ast.Node, src []byte) []Span {
	var out []Span
	var walk func(n ast.Node, st Style, url string)
	walk = func(n ast.Node, st Style, url string) {
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			switch c := c.(type) {
			case *ast.Text:
				v := c.Segment.Value(src)
				if !c.IsRaw() {
					v = util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(v)))
				}
				out = appendSpan(out, Span{Text: string(v), Style: st, URL: url})
				if c.SoftLineBreak() || c.HardLineBreak() {
					out = append(out, Span{Break: true})
				}
			case *ast.String:
				out = appendSpan(out, Span{Text: string(c.Value), Style: st, URL: url})
			case *ast.CodeSpan:
				var b strings.Builder
				for t := c.FirstChild(); t != nil; t = t.NextSibling() {
					if t, ok := t.(*ast.Text); ok {
						b.Write(t.Segment.Value(src))
					}
				}
				out = appendSpan(out, Span{Text: b.String(), Style: InlineCode, URL: url})
			case *ast.Emphasis:
				if c.Level >= 2 {
					walk(c, st|Bold, url)
				} else {
					walk(c, st|Italic, url)
				}
			case *east.Strikethrough:
				walk(c, st|Strike, url)
			case *ast.Link:
				walk(c, st, string(c.Destination))
			case *ast.Image:
				walk(c, st, string(c.Destination))
			case *ast.AutoLink:
				u := string(c.URL(src))
				out = appendSpan(out, Span{Text: string(c.Label(src)), Style: st, URL: u})
			case *ast.RawHTML:
				var b strings.Builder
				for i := range c.Segments.Len() {
					seg := c.Segments.At(i)
					b.Write(seg.Value(src))
				}
				out = append(out, textSpans(b.String(), st, url)...)
			default:
				walk(c, st, url)
			}
		}
	}
	walk(n, 0, "")
	out = mergeLinks(Merge(out))
	for len(out) > 0 && out[len(out)-1].Break {
		out = out[:len(out)-1]
	}
	return out
}

// textSpans turns literal text into spans, its line breaks into breaks.
func textSpans(t string, st Style, url string) []Span {
	var out []Span
	for i, line := range strings.Split(t, "\n") {
		if i > 0 {
			out = append(out, Span{Break: true})
		}
		out = appendSpan(out, Span{Text: line, Style: st, URL: url})
	}
	return Merge(out)
}

func appendSpan(out []Span, s Span) []Span {
	if s.Text == "" && !s.Break {
		return out
	}
	return append(out, s)
}

// Merge joins neighbouring spans of the same style and link, in one pass:
// unmatched markers can leave thousands of adjacent text nodes, and a
// dialect that drops links it will not write leaves runs alike. It reuses
// ss's array.
func Merge(ss []Span) []Span {
	out := ss[:0]
	for i := 0; i < len(ss); {
		j := i + 1
		for j < len(ss) && !ss[i].Break && !ss[j].Break && ss[j].Style == ss[i].Style && ss[j].URL == ss[i].URL {
			j++
		}
		s := ss[i]
		if j > i+1 {
			var b strings.Builder
			for _, t := range ss[i:j] {
				b.WriteString(t.Text)
			}
			s.Text = b.String()
		}
		out = append(out, s)
		i = j
	}
	return out
}

// PlainText returns the text of spans without any markup.
func PlainText(spans []Span) string {
	var b strings.Builder
	for _, s := range spans {
		if s.Break {
			b.WriteByte('\n')
			continue
		}
		b.WriteString(s.Text)
	}
	return b.String()
}

// mergeLinks makes each link one span: chat platforms cannot style part of
// a link's text, so the link keeps only the styles all its parts share.
func mergeLinks(ss []Span) []Span {
	out := ss[:0]
	for i := 0; i < len(ss); {
		s := ss[i]
		j := i + 1
		if s.URL != "" && !s.Break {
			var b strings.Builder
			b.WriteString(s.Text)
			for j < len(ss) && !ss[j].Break && ss[j].URL == s.URL {
				b.WriteString(ss[j].Text)
				s.Style &= ss[j].Style
				j++
			}
			s.Text = b.String()
		}
		out = append(out, s)
		i = j
	}
	return out
}
