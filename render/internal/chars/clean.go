package chars

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Unsendable reports whether r is a character no chat platform should be
// sent in text: a C0 control other than line break and tab, DEL, a C1
// control, a surrogate code point, or a noncharacter. Slack passes some of
// them through, rejects others, and shows none; NUL has ended payloads
// early in more than one JSON reader.
func Unsendable(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r < 0x20, r >= 0x7f && r < 0xa0:
		return true
	case r >= 0xd800 && r <= 0xdfff:
		return true
	case r >= 0xfdd0 && r <= 0xfdef, r&0xfffe == 0xfffe:
		return true // noncharacters, U+FFFE and U+FFFF of every plane among them
	}
	return false
}

// Clean returns s as platforms can take it: invalid UTF-8 becomes U+FFFD
// (so that a reader sees that something was there), "\r\n", a lone "\r"
// and the other controls that break a line (vertical tab, form feed,
// U+0085 NEXT LINE) become "\n", and every other character [Unsendable]
// reports is dropped. Breaks are kept as breaks, not dropped, so that the
// words on either side stay apart: "https://a.test\x85[x](…)" must not
// become one URL glued to a link. It returns s itself, without copying,
// when there is nothing to change.
func Clean(s string) string {
	return rewrite(s, func(r rune, invalid bool) (string, bool) {
		switch {
		case invalid:
			return string(utf8.RuneError), true
		case r == '\v', r == '\f', r == '\u0085':
			return "\n", true
		case Unsendable(r):
			return "", true
		}
		return "", false
	})
}

// rewrite returns s with "\r\n" and a lone "\r" made "\n" and every
// other character fix changes replaced with what it returns; fix gets
// each byte of invalid UTF-8 as utf8.RuneError with invalid set, and is
// never asked about printable ASCII, which no fix may change. It returns
// s itself, without copying, when there is nothing to change.
func rewrite(s string, fix func(r rune, invalid bool) (string, bool)) string {
	i := 0
	for i < len(s) {
		if c := s[i]; c < utf8.RuneSelf && c >= 0x20 && c < 0x7f {
			i++ // printable ASCII, the common case, changes under no fix
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == '\r' {
			break
		}
		if _, changed := fix(r, r == utf8.RuneError && size == 1); changed {
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
		if r == '\r' {
			if !strings.HasPrefix(s[i+size:], "\n") {
				b.WriteByte('\n')
			}
		} else if to, changed := fix(r, r == utf8.RuneError && size == 1); changed {
			b.WriteString(to)
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// IndexUnsendable returns the index in s of the first byte of invalid
// UTF-8 or of a character [Unsendable] reports ("\r" among them), or -1
// when there is none: s is then as [Clean] leaves text.
func IndexUnsendable(s string) int {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return i
			}
		}
		if Unsendable(r) {
			return i
		}
	}
	return -1
}

// Invisible reports whether r shows as nothing on its own: white space
// (every Unicode White_Space character, not only ASCII's), a default
// ignorable code point such as U+200B ZERO WIDTH SPACE, U+2060 WORD
// JOINER, U+FEFF or a variation selector, a format character, a control
// character, the Hangul fillers, or U+2800 BRAILLE PATTERN BLANK. Chat
// clients trim such characters, or draw them as blank space.
func Invisible(r rune) bool {
	switch r {
	case '\u2800', '\u3164', '\uffa0', '\u115f', '\u1160', '\u180e', '\ufeff':
		return true
	}
	return unicode.IsSpace(r) ||
		unicode.In(r, unicode.Cc, unicode.Cf, unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector)
}

// Blank reports whether s shows nothing: every character in it is
// [Invisible] or a combining mark, which has nothing to combine with when
// nothing visible stands before it. Invalid UTF-8 is not blank: it shows
// as U+FFFD.
func Blank(s string) bool {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return false
			}
		}
		if !Invisible(r) && !unicode.In(r, unicode.Mn, unicode.Me) {
			return false
		}
	}
	return true
}
