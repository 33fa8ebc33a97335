package blockkit

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/parleybot/parley/render/internal/markdown"
)

// zwsp is U+200B ZERO WIDTH SPACE: invisible, and enough to keep Slack from
// reading the character beside it as markup.
const zwsp = "\u200b"

// Mrkdwn converts markdown to Slack's mrkdwn: **b** → *b*, _i_ → _i_,
// ~~s~~ → ~s~, [t](u) → <u|t> for http and https targets (the bare text
// otherwise), headings → bold lines, lists → "• " and "1. " lines, quotes →
// "> " lines, rules → a line of "─". See the package documentation for how
// literal markup characters are kept literal.
func Mrkdwn(md string) string {
	return markdown.Write(markdown.Parse(md), dialect{})
}

// dialect writes Slack's mrkdwn for package markdown.
type dialect struct{}

func (dialect) Span(text string, st markdown.Style, url string) string {
	var s string
	target, link := linkTarget(url)
	switch {
	case link:
		// A link's text cannot be code; "|" would end the target early.
		s = "<" + target + "|" + strings.ReplaceAll(escape(text), "|", "\u2223") + ">"
	case st&markdown.InlineCode != 0:
		// Nothing escapes a backtick inside code: it becomes the look-alike
		// U+02CB.
		return "`" + escapeEntities(strings.ReplaceAll(text, "`", "\u02cb")) + "`"
	default:
		s = escape(text)
	}
	if st&markdown.Strike != 0 {
		s = "~" + s + "~"
	}
	if st&markdown.Italic != 0 {
		s = "_" + s + "_"
	}
	if st&markdown.Bold != 0 {
		s = "*" + s + "*"
	}
	return s
}

func (dialect) Heading(int) (string, markdown.Style) { return "", markdown.Bold }

var bullets = [...]string{"• ", "◦ ", "▪ "}

func (dialect) Bullet(depth int) string { return bullets[depth%len(bullets)] }

func (dialect) Quote() string { return "> " }

// Fence drops the language: Slack shows no highlighting and would print it.
func (dialect) Fence(string) (string, string) { return "```", "```" }

// CodeLine escapes & < > and keeps backticks from ever forming a closing
// fence by putting a zero-width space between any two of them.
func (dialect) CodeLine(line string) string {
	line = escapeEntities(line)
	if !strings.Contains(line, "``") {
		return line
	}
	var b strings.Builder
	for i := range len(line) {
		b.WriteByte(line[i])
		if line[i] == '`' && i+1 < len(line) && line[i+1] == '`' {
			b.WriteString(zwsp)
		}
	}
	return b.String()
}

func (dialect) Rule() string { return "──────────" }

// escape writes plain text as mrkdwn that Slack shows as it is: & < > as
// entities, a > that opens a line after a zero-width space so it does not
// quote, and each * _ ~ ` between zero-width spaces so it cannot open or
// close a style — unless it sits inside a word (letters or digits on both
// sides), where Slack never reads markup. The text is taken to start a
// line. Control characters are dropped (see clean): markdown's numeric
// references can write them.
func escape(s string) string {
	s = quiet(clean(s))
	if !strings.ContainsAny(s, "&<>*_~`") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	prev := '\n'
	for i, r := range s {
		size := utf8.RuneLen(r)
		if r == utf8.RuneError {
			_, size = utf8.DecodeRuneInString(s[i:])
		}
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			if prev == '\n' {
				b.WriteString(zwsp)
			}
			b.WriteString("&gt;")
		case '*', '_', '~', '`':
			next, _ := utf8.DecodeRuneInString(s[i+size:])
			if inWord(prev) && inWord(next) {
				b.WriteRune(r)
			} else {
				b.WriteString(zwsp)
				b.WriteRune(r)
				b.WriteString(zwsp)
			}
		default:
			b.WriteString(s[i : i+size])
		}
		prev = r
	}
	return b.String()
}

func inWord(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// escapeEntities escapes & < > only, all Slack asks of code and of a
// message's text, and keeps mass mentions quiet. Like escape, it drops
// what Slack cannot take (see clean).
func escapeEntities(s string) string {
	s = quiet(clean(s))
	if !strings.ContainsAny(s, "&<>") {
		return s
	}
	return entityEscaper.Replace(s)
}

// quiet keeps "@channel", "@here" and "@everyone" from notifying anyone:
// Slack may parse them in mrkdwn that is not verbatim, and a bot's text
// often repeats what users or a model wrote.
func quiet(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	return mentionQuieter.Replace(s)
}

var mentionQuieter = strings.NewReplacer("@channel", "@"+zwsp+"channel", "@here", "@"+zwsp+"here", "@everyone", "@"+zwsp+"everyone")

var entityEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
