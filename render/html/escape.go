package html

import (
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
func clean(s string) string {
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unsafeRune(r, size) {
			break
		}
		i += size
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\r':
			if !strings.HasPrefix(s[i+size:], "\n") {
				b.WriteByte('\n')
			}
		case unsafeRune(r, size):
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// unsafeRune reports whether r, decoded from size bytes, must be replaced.
func unsafeRune(r rune, size int) bool {
	switch {
	case r == utf8.RuneError && size == 1:
		return true
	case r == '\n' || r == '\t':
		return false
	}
	return r < 0x20 || (r >= 0x7f && r < 0xa0)
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
