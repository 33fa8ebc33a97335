package html

import (
	"github.com/parleybot/parley/render/internal/chars"
	"html"
	"net/url"
	"strings"
	"unicode/utf8"
)

// esc returns s cleaned and escaped for text and for a double-quoted
// attribute alike: html.EscapeString escapes <, >, &, ' and ".
func esc(s string) string { return html.EscapeString(clean(s)) }

// clean replaces what may not appear in an HTML document with U+FFFD:
// invalid UTF-8, NUL and the other control characters but line breaks and
// tabs. "\r\n" and a lone "\r" become "\n".
func clean(s string) string { return chars.Sanitize(s, control) }

// control reports whether r is a control character other than a line
// break or a tab.
func control(r rune) bool {
	return r != '\n' && r != '\t' && (r < 0x20 || r >= 0x7f && r < 0xa0)
}

// safeURL returns s, its scheme in lower case, when it is an absolute http
// or https URL with a host and without spaces or control characters, which
// a browser would strip or read differently from the check made here.
// Anything else (javascript:, data:, relative and malformed URLs) is
// refused.
func safeURL(s string) (string, bool) {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return "", false
	}
	scheme = strings.ToLower(scheme)
	if scheme != "http" && scheme != "https" {
		return "", false
	}
	if !utf8.ValidString(rest) || strings.IndexFunc(rest, func(r rune) bool { return r <= ' ' || (r >= 0x7f && r < 0xa0) }) >= 0 {
		return "", false
	}
	s = scheme + "://" + rest
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "", false
	}
	return s, true
}
