package chars

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// Len counts s in UTF-16 code units, the conservative measure of the
// platforms' character limits.
func Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// Fits reports whether Len(s) <= limit, reading no further into s than
// the limit.
func Fits(s string, limit int) bool {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
		if n > limit {
			return false
		}
	}
	return true
}

// Cut returns the longest prefix of s at a grapheme boundary whose length
// is at most limit, and the rest. With soft, it backs up to just after the
// last line break or space in that prefix when there is one. The prefix is
// empty only when s is or limit is too small for its first code point: a
// first cluster longer than limit is cut between code points.
func Cut(s string, limit int, soft bool) (head, rest string) {
	n, end, lastNL, lastSpace := 0, 0, -1, -1
	state := -1
	for rest := s; rest != ""; {
		var c string
		c, rest, _, state = uniseg.FirstGraphemeClusterInString(rest, state)
		w := Len(c)
		if n+w > limit {
			break
		}
		n += w
		end += len(c)
		switch {
		case strings.ContainsRune(c, '\n'):
			lastNL = end
		case strings.TrimSpace(c) == "":
			lastSpace = end
		}
	}
	if end == 0 {
		// The first cluster alone is wider than the limit.
		for end < len(s) {
			r, size := utf8.DecodeRuneInString(s[end:])
			if n+utf16.RuneLen(r) > limit {
				break
			}
			n += utf16.RuneLen(r)
			end += size
		}
		return s[:end], s[end:]
	}
	if soft {
		switch {
		case end == len(s):
		case lastNL > 0:
			end = lastNL
		case lastSpace > 0:
			end = lastSpace
		}
	}
	return s[:end], s[end:]
}

// Sanitize returns s with invalid UTF-8 and every code point bad reports
// (bad is not asked about printable ASCII)
// replaced by U+FFFD, and with "\r\n" and a lone "\r" made "\n". It
// returns s itself, without copying, when there is nothing to change.
func Sanitize(s string, bad func(rune) bool) string {
	return rewrite(s, func(r rune, invalid bool) (string, bool) {
		if invalid || bad(r) {
			return string(utf8.RuneError), true
		}
		return "", false
	})
}
