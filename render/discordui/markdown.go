package discordui

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/parleybot/parley/render/internal/chars"
	"github.com/parleybot/parley/render/internal/markdown"
)

// Markdown converts CommonMark-style markdown to Discord's markdown.
func Markdown(markdown string) string {
	return write(parse(markdown), discord)
}

// dialect writes Discord's markdown. The subtext dialect writes quotes as
// subtext ("-# "): the render package's context lines are quoted in it.
type dialect struct{ subtext bool }

var (
	discord = dialect{}
	subtext = dialect{subtext: true}
)

// Span writes a run of text. Italic is written with underscores, not
// asterisks, so that it never runs into the asterisks of a bold neighbour
// ("**a**_b_", where "**a***b*" would read otherwise).
func (dialect) Span(text string, st markdown.Style, u string) string {
	// Markdown's numeric references ("&#1;") can write what clean took
	// out of the source.
	if text = clean(text); text == "" {
		return ""
	}
	var s string
	if st&markdown.InlineCode != 0 {
		s = inlineCode(text)
	} else {
		// URLs stay bare only outside styles, where no closing marker
		// follows them for Discord's link reader to swallow.
		s = escapeText(text, st == 0)
		if st&markdown.Bold != 0 {
			s = "**" + s + "**"
		}
		if st&markdown.Italic != 0 {
			s = "_" + s + "_"
		}
		if st&markdown.Strike != 0 {
			s = "~~" + s + "~~"
		}
	}
	if !linkOK(u) {
		return s
	}
	if text == u && st == 0 {
		return "<" + linkTarget(u) + ">"
	}
	return "[" + s + "](" + linkTarget(u) + ")"
}

// linkOK reports whether Span writes u as a link target.
func linkOK(u string) bool {
	return u != "" && validURL(u) && chars.Len(linkTarget(u)) <= maxURL
}

// maxURL is the longest link target written: Discord sets no limit on
// links in text, so render's URL limit for buttons serves.
const maxURL = 512

// inlineCode writes code between backticks. Code holding backticks goes
// between double backticks padded with spaces, as CommonMark and Discord
// read it; a run of two or more backticks inside is broken with zero-width
// spaces so it cannot close the span.
func inlineCode(text string) string {
	text = neutralize(clean(text))
	if !strings.Contains(text, "`") {
		return "`" + text + "`"
	}
	for strings.Contains(text, "``") {
		text = strings.ReplaceAll(text, "``", "`"+zwsp+"`")
	}
	return "`` " + text + " ``"
}

// Heading writes levels 1 to 3 as Discord's headings and deeper ones, which
// Discord lacks, as bold lines.
func (dialect) Heading(level int) (string, markdown.Style) {
	switch {
	case level <= 1:
		return "# ", 0
	case level == 2:
		return "## ", 0
	case level == 3:
		return "### ", 0
	}
	return "", markdown.Bold
}

func (dialect) Bullet(int) string { return "- " }

func (d dialect) Quote() string {
	if d.subtext {
		return "-# "
	}
	return "> "
}

// Fence opens a code block with its language, kept only when it is a
// plain word: anything else could end the fence line early.
func (dialect) Fence(lang string) (string, string) {
	ok := len(lang) <= 32
	for i := 0; ok && i < len(lang); i++ {
		c := lang[i]
		ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("+-_.#", c) >= 0
	}
	if !ok {
		lang = ""
	}
	return "```" + lang, "```"
}

// CodeLine breaks any run of three backticks, which would close the block.
func (dialect) CodeLine(line string) string {
	line = neutralize(clean(line))
	if strings.Contains(line, "```") {
		line = strings.ReplaceAll(line, "``", "`"+zwsp+"`")
	}
	return line
}

func (dialect) Rule() string { return "──────────" }

// escape writes plain text so that Discord shows it as it is: markdown
// characters get a backslash, as do list, heading and quote markers at the
// start of a line (and of the text, which the markdown writer may put at
// the start of one), and mass mentions are neutralised. Bare URLs are left
// as they are, since Discord links them before it reads any markdown
// inside; each ends where Discord ends it (see urlEnd), so that markup
// after it is escaped. Only brackets are escaped inside a URL too.
//
// White space is Unicode's throughout, not only ASCII's: a URL ends at an
// ideographic space as at a space, and a marker after a no-break space
// still counts as at the start of a line. Where Discord's reading is not
// known, this errs towards escaping: a stray backslash in a URL costs a
// broken link, markup left live can cost a phishing link.
func escape(s string) string { return escapeText(s, true) }

// escapeText is escape, leaving URLs bare only when urls is set.
func escapeText(s string, urls bool) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	lineStart := true
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if lineStart && r != '\n' {
			if space(r) {
				// Indentation, which Discord may read past to a marker.
				b.WriteString(s[i : i+size])
				i += size
				continue
			}
			lineStart = false
			switch {
			case marker(s[i:]):
				b.WriteByte('\\')
				b.WriteByte(s[i]) // every marker is ASCII
				i++
				continue
			case r >= '0' && r <= '9':
				j := i
				for j < len(s) && s[j] >= '0' && s[j] <= '9' {
					j++
				}
				if j < len(s) && (s[j] == '.' || s[j] == ')') {
					b.WriteString(s[i:j])
					b.WriteByte('\\')
					b.WriteByte(s[j])
					i = j + 1
					continue
				}
			}
		}
		if urls && r == 'h' && (i == 0 || !isWord(s[i-1])) {
			if j := urlEnd(s, i); j > i {
				// Brackets stay escaped even here: a masked link needs a
				// bare "[", and were Discord to end the URL before this
				// code does, a backslash in a link beats a live one.
				u := s[i:j]
				if strings.ContainsAny(u, "[]") {
					u = strings.NewReplacer("[", `\[`, "]", `\]`).Replace(u)
				}
				b.WriteString(u)
				i = j
				continue
			}
		}
		switch r {
		case '\\', '*', '_', '~', '`', '|', '[', ']', '<':
			b.WriteByte('\\')
		case '\n':
			lineStart = true
		}
		b.WriteString(s[i : i+size])
		i += size
	}
	return neutralize(b.String())
}

// space reports whether Discord may take r for white space: JavaScript's
// \s, which is Unicode's White_Space and U+FEFF.
func space(r rune) bool { return unicode.IsSpace(r) || r == '\ufeff' }

// urlEnd returns the end of the bare URL Discord reads at s[i:], or i when
// no URL starts there. Discord's URL runs from "http://" or "https://" to
// the first white space (see space) or "<", and gives back the
// punctuation it ends with (. , : ; " ' ) ]). Here it also ends at any
// character that is not graphic, such as U+200B or a bidi control, and
// at invalid UTF-8: ending early only escapes what Discord might have
// taken into the URL, where ending late would leave live markup after it.
func urlEnd(s string, i int) int {
	if !strings.HasPrefix(s[i:], "https://") && !strings.HasPrefix(s[i:], "http://") {
		return i
	}
	j := i
	for j < len(s) {
		r, size := utf8.DecodeRuneInString(s[j:])
		if r == '<' || space(r) || !unicode.IsGraphic(r) || r == utf8.RuneError && size == 1 {
			break
		}
		j += size
	}
	for j > i && strings.IndexByte(".,:;\"')]", s[j-1]) >= 0 {
		j--
	}
	return j
}

// marker reports whether s starts with what Discord reads at the start of
// a line as a list item ("- "), subtext ("-# "), heading ("## ") or quote
// ("> ", ">>> "), the space after it any white space.
func marker(s string) bool {
	spaceAt := func(i int) bool {
		if i >= len(s) {
			return true
		}
		r, _ := utf8.DecodeRuneInString(s[i:])
		return space(r)
	}
	switch s[0] {
	case '-', '+':
		return spaceAt(1) || s[1] == '#'
	case '>':
		return spaceAt(1) || s[1] == '>'
	case '#':
		i := strings.IndexFunc(s, func(r rune) bool { return r != '#' })
		return i < 0 || spaceAt(i)
	}
	return false
}

func isWord(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// parse parses outside markdown, cleaned first. Markdown that shows
// nothing (see blank) parses as no blocks.
func parse(src string) []markdown.Block {
	bs := markdown.Parse(clean(src))
	if blank(bs) {
		return nil
	}
	return chunk(unlink(bs))
}

// blank reports whether bs show nothing but markup around blank text (see
// chars.Blank): "**\u200b**", a quote or a list of zero-width spaces. A
// rule shows.
func blank(bs []markdown.Block) bool {
	for _, b := range bs {
		switch {
		case b.Kind == markdown.Rule,
			!chars.Blank(b.Text),
			!chars.Blank(markdown.PlainText(b.Spans)),
			!blank(b.Blocks):
			return false
		}
		for _, it := range b.Items {
			if !blank(it) {
				return false
			}
		}
	}
	return true
}

// unlink drops the targets Span would not write and joins the runs this
// leaves alike, so that a link shown as bare text is escaped together with
// its neighbours: "@" and a link labelled "everyone" written apart would
// each be harmless, and side by side ping a whole server.
func unlink(bs []markdown.Block) []markdown.Block {
	for i := range bs {
		b := &bs[i]
		b.Blocks = unlink(b.Blocks)
		for j := range b.Items {
			b.Items[j] = unlink(b.Items[j])
		}
		ss := b.Spans
		for j := range ss {
			if ss[j].URL != "" && !linkOK(ss[j].URL) {
				ss[j].URL = ""
			}
		}
		b.Spans = markdown.Merge(ss)
	}
	return bs
}

// The markdown writer cuts a run that passes the end of a line with
// chars.Cut, whose cost grows with the square of the run's length on
// some text (see cut): runs are kept short before it sees them. Plain runs
// are cut at maxPlain characters, seamlessly, since neighbouring plain
// runs join on one line; styled runs, links and code at maxStyled, at a
// space where there is one, else with a zero-width space between the
// halves so their markers do not run together ("**a****b**"). Code lines
// are wrapped at maxStyled, as the writer would wrap them at the limit.
const (
	maxPlain  = 256
	maxStyled = 1024
)

// chunk cuts the long runs and code lines of bs (see maxPlain).
func chunk(bs []markdown.Block) []markdown.Block {
	for i := range bs {
		b := &bs[i]
		b.Blocks = chunk(b.Blocks)
		for j := range b.Items {
			b.Items[j] = chunk(b.Items[j])
		}
		if b.Kind == markdown.Code && len(b.Text) > maxStyled {
			b.Text = wrapCode(b.Text)
		}
		long := false
		for _, sp := range b.Spans {
			long = long || len(sp.Text) > maxPlain
		}
		if !long {
			continue
		}
		var out []markdown.Span
		for _, sp := range b.Spans {
			limit := maxStyled
			if sp.Style == 0 && sp.URL == "" {
				limit = maxPlain
			}
			if len(sp.Text) <= limit {
				out = append(out, sp)
				continue
			}
			// Neutralised before the cut: "@every" and "one" would each
			// pass Span's check and be written side by side.
			for t := neutralize(sp.Text); t != ""; {
				head, rest := chars.Cut(t, limit, true)
				out = append(out, markdown.Span{Text: head, Style: sp.Style, URL: sp.URL})
				if rest != "" && limit == maxStyled && strings.TrimSpace(head[len(head)-1:]) != "" {
					out = append(out, markdown.Span{Text: zwsp})
				}
				t = rest
			}
		}
		b.Spans = out
	}
	return bs
}

// wrapCode breaks the lines of code longer than maxStyled.
func wrapCode(text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if chars.Len(l) <= maxStyled {
			continue
		}
		var parts []string
		for l != "" {
			var head string
			head, l = chars.Cut(l, maxStyled, false)
			parts = append(parts, head)
		}
		lines[i] = strings.Join(parts, "\n")
	}
	return strings.Join(lines, "\n")
}

// write writes blocks whole.
func write(bs []markdown.Block, d dialect) string {
	return strings.Join(split(bs, d, 1<<30), "\n")
}

// split writes blocks in pieces of at most limit characters. Subtext
// pieces lose the bare "-#" lines the writer puts between quoted
// paragraphs: Discord would show them as text.
func split(bs []markdown.Block, d dialect, limit int) []string {
	if len(bs) == 0 {
		return nil
	}
	pieces := markdown.Split(bs, d, limit)
	if !d.subtext {
		return pieces
	}
	out := pieces[:0]
	for _, p := range pieces {
		if strings.Contains(p, "\n-#\n") || strings.HasSuffix(p, "\n-#") || strings.HasPrefix(p, "-#\n") {
			lines := strings.Split(p, "\n")
			kept := lines[:0]
			for _, l := range lines {
				if l != "-#" {
					kept = append(kept, l)
				}
			}
			p = strings.Join(kept, "\n")
		}
		if strings.TrimSpace(p) != "" && p != "-#" {
			out = append(out, p)
		}
	}
	return out
}

// textBlocks makes plain text a paragraph of runs in style st, one line of
// the text to a line of the paragraph. Text that shows nothing (see
// chars.Blank) makes none.
func textBlocks(s string, st markdown.Style) []markdown.Block {
	s = clean(s)
	if chars.Blank(s) {
		return nil
	}
	var spans []markdown.Span
	for i, line := range strings.Split(s, "\n") {
		if i > 0 {
			spans = append(spans, markdown.Span{Break: true})
		}
		if line != "" {
			spans = append(spans, markdown.Span{Text: line, Style: st})
		}
	}
	return chunk([]markdown.Block{{Kind: markdown.Paragraph, Spans: spans}})
}

// small wraps blocks as a subtext quote: small, muted lines.
func small(bs []markdown.Block) []markdown.Block {
	if len(bs) == 0 {
		return nil
	}
	return []markdown.Block{{Kind: markdown.Quote, Blocks: bs}}
}
