package discordui

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/parleybot/parley/render"
	"github.com/parleybot/parley/render/internal/chars"
)

// zwsp is the zero-width space: invisible, yet it keeps Discord from
// reading what it separates as one token ("@everyone", a code fence).
const zwsp = "\u200b"

// noLabel stands in for an empty button or option label: Discord rejects
// a component without one.
const noLabel = "·"

// clean makes outside text safe to measure and send (see [chars.Clean]):
// invalid UTF-8 becomes U+FFFD, carriage returns become line breaks, and
// control characters other than tab and line break (NUL above all), C1
// controls and noncharacters are dropped, since Discord shows them as
// nothing or rejects them.
func clean(s string) string { return chars.Clean(s) }

// neutralize keeps "@everyone" and "@here" from pinging a whole server.
// Adapters also send allowed_mentions; this holds even where they do not.
func neutralize(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	s = strings.ReplaceAll(s, "@everyone", "@"+zwsp+"everyone")
	return strings.ReplaceAll(s, "@here", "@"+zwsp+"here")
}

// pingFree reports whether s holds no mass mention.
func pingFree(s string) bool {
	return !strings.Contains(s, "@everyone") && !strings.Contains(s, "@here")
}

// oneLine joins the lines of s with spaces, for places that show one line.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\n\t") {
		return s
	}
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\t' }), " ")
}

// plain returns outside text for a place Discord shows without markdown
// (footers, button labels, option labels, placeholders), within limit.
func plain(s string, limit int) string {
	return render.Truncate(neutralize(clean(s)), limit)
}

// label returns a component label within limit, never blank.
func label(s string, limit int) string {
	l := plain(oneLine(s), limit)
	if chars.Blank(l) {
		return noLabel
	}
	return l
}

// fitText returns plain text escaped for a place Discord reads as markdown
// (titles, field names and values), within limit. It cuts the raw text,
// not the escaped one, so a cut never leaves a lone backslash.
func fitText(s string, limit int) string {
	s = clean(s)
	e := escape(s)
	if chars.Len(e) <= limit {
		return e
	}
	budget := limit - chars.Len(render.Ellipsis)
	for budget > 0 {
		head, _ := chars.Cut(s, budget, false)
		e = escape(strings.TrimRightFunc(head, unicode.IsSpace)) + render.Ellipsis
		if n := chars.Len(e); n <= limit {
			return e
		} else {
			budget -= max(n-limit, 1)
		}
	}
	return render.Ellipsis
}

// validURL reports whether u may be sent as a link, a link button or an
// image: http or https, with a host, no mass mention, within Discord's URL
// limit, and without invalid UTF-8 or any character that is white space
// (Unicode's, not only ASCII's), a control or otherwise invisible (see
// [chars.Invisible]): Discord ends a URL at the first such character, and
// whatever follows would be read as markdown.
func validURL(u string) bool {
	if u == "" || chars.Len(u) > render.Discord.URL || !pingFree(u) || !utf8.ValidString(u) {
		return false
	}
	if strings.IndexFunc(u, chars.Invisible) >= 0 || chars.IndexUnsendable(u) >= 0 {
		return false
	}
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		return false
	}
	return p.Scheme == "http" || p.Scheme == "https"
}

// linkTarget writes u for the target of a masked link: the characters
// Discord's link syntax would stop at are percent-encoded, which leaves the
// URL's meaning as it was.
func linkTarget(u string) string {
	if !strings.ContainsAny(u, "()<>\\'\"") {
		return u
	}
	return strings.NewReplacer("(", "%28", ")", "%29", "<", "%3C", ">", "%3E", "\\", "%5C", "'", "%27", "\"", "%22").Replace(u)
}
