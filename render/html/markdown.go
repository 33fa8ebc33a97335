package html

import (
	"strconv"
	"strings"

	"github.com/parleybot/parley/render/internal/markdown"
)

// blocks writes parsed markdown as HTML. It walks the parse tree itself
// rather than using goldmark's HTML renderer, so that raw HTML in the
// source can only ever come out as text and every link passes safeURL.
func (w *writer) blocks(bs []markdown.Block) {
	for _, b := range bs {
		w.block(b)
	}
}

func (w *writer) block(b markdown.Block) {
	switch b.Kind {
	case markdown.Paragraph:
		w.wrap("<p>", "</p>\n", func() { w.spans(b.Spans) })
	case markdown.Heading:
		// A card's title is <h2>; headings in its text sit below it.
		h := "h" + strconv.Itoa(min(max(b.Level, 1)+2, 6))
		w.wrap("<"+h+">", "</"+h+">\n", func() { w.spans(b.Spans) })
	case markdown.List:
		w.list(b)
	case markdown.Quote:
		w.wrap("<blockquote>\n", "</blockquote>\n", func() { w.blocks(b.Blocks) })
	case markdown.Code:
		w.b.WriteString("<pre><code")
		if lang := language(b.Lang); lang != "" {
			w.b.WriteString(` class="language-` + lang + `"`)
		}
		w.b.WriteByte('>')
		w.text(strings.TrimSuffix(b.Text, "\n"))
		w.b.WriteString("</code></pre>\n")
	case markdown.Rule:
		w.b.WriteString("<hr>\n")
	}
}

// list writes a list. The parse tree does not say whether a list is
// tight, so an item whose only paragraph comes first (the usual "- text",
// maybe with a nested list) has that text directly in the <li>, as a
// tight list's would be; other items keep their paragraphs.
func (w *writer) list(b markdown.Block) {
	tag := "ul"
	open := "<ul>\n"
	if b.Ordered {
		tag = "ol"
		open = "<ol>\n"
		if b.Start != 1 {
			open = `<ol start="` + strconv.Itoa(b.Start) + `">` + "\n"
		}
	}
	w.b.WriteString(open)
	for _, item := range b.Items {
		w.b.WriteString("<li>")
		if tight(item) {
			w.spans(item[0].Spans)
			item = item[1:]
		}
		if len(item) > 0 {
			w.b.WriteByte('\n')
			w.blocks(item)
		}
		w.b.WriteString("</li>\n")
	}
	w.b.WriteString("</" + tag + ">\n")
}

// tight reports whether item's first block is its only paragraph.
func tight(item []markdown.Block) bool {
	if len(item) == 0 || item[0].Kind != markdown.Paragraph {
		return false
	}
	for _, b := range item[1:] {
		if b.Kind == markdown.Paragraph {
			return false
		}
	}
	return true
}

// spans writes inline text. A link whose URL is not http or https keeps
// its text without the link.
func (w *writer) spans(ss []markdown.Span) {
	for _, s := range ss {
		if s.Break {
			w.b.WriteString("<br>")
			continue
		}
		href, link := "", false
		if s.URL != "" {
			href, link = safeURL(s.URL)
		}
		if link {
			w.b.WriteString("<a")
			w.attr("href", href)
			w.b.WriteString(` rel="noopener noreferrer nofollow" target="_blank">`)
		}
		if s.Style&markdown.InlineCode != 0 {
			w.b.WriteString("<code>")
			w.text(s.Text)
			w.b.WriteString("</code>")
		} else {
			open, close := styleTags(s.Style)
			w.b.WriteString(open)
			w.text(s.Text)
			w.b.WriteString(close)
		}
		if link {
			w.b.WriteString("</a>")
		}
	}
}

// styleTags returns the tags that open and close a run in style st.
func styleTags(st markdown.Style) (open, close string) {
	if st&markdown.Bold != 0 {
		open, close = open+"<strong>", "</strong>"+close
	}
	if st&markdown.Italic != 0 {
		open, close = open+"<em>", "</em>"+close
	}
	if st&markdown.Strike != 0 {
		open, close = open+"<del>", "</del>"+close
	}
	return open, close
}

// language returns a code block's language as a class name, or "" when
// its info string holds anything but letters, digits and "+-_.#".
func language(lang string) string {
	if len(lang) > 64 {
		return ""
	}
	for _, c := range []byte(lang) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("+-_.#", c) >= 0
		if !ok {
			return ""
		}
	}
	return lang
}
