package render

import (
	"strings"
	"unicode"

	"github.com/parleybot/parley/render/internal/chars"
)

// Ellipsis marks text that was cut short.
const Ellipsis = "…"

// Len returns the length of s as the platforms' limits count it. Slack and
// Discord both count in characters; Len counts UTF-16 code units, which is
// never fewer than code points, so text within a limit by Len is within it
// by either count. Invalid UTF-8 bytes count as one unit each.
func Len(s string) int {
	return chars.Len(s)
}

// Truncate returns s if it fits in limit, else its longest prefix that
// fits with [Ellipsis] appended. It cuts only between grapheme clusters, so
// it never splits a UTF-8 sequence, a combining mark from its base, an
// emoji sequence or a flag. A limit below 1 gives "".
func Truncate(s string, limit int) string {
	if chars.Fits(s, limit) {
		return s
	}
	if limit < 1 {
		return ""
	}
	head, _ := chars.Cut(s, limit-Len(Ellipsis), false)
	return strings.TrimRightFunc(head, unicode.IsSpace) + Ellipsis
}

// Split breaks s into pieces each no longer than limit, preferring to break
// after a line break, then after a space, and otherwise between grapheme
// clusters. Concatenated, the pieces are s. A limit below 2 is taken as 2,
// room for any code point. Only a grapheme cluster longer than limit
// itself (a letter under hundreds of combining marks) is broken, between
// code points.
func Split(s string, limit int) []string {
	limit = max(limit, 2)
	var out []string
	for !chars.Fits(s, limit) {
		head, rest := chars.Cut(s, limit, true)
		out = append(out, head)
		s = rest
	}
	if s != "" || len(out) == 0 {
		out = append(out, s)
	}
	return out
}
