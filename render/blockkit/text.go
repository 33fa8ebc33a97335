package blockkit

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/parleybot/parley/render"
	"github.com/parleybot/parley/render/internal/chars"
)

// clean drops from outside text what Slack cannot take (see
// [chars.Clean]): control characters, NUL above all, and noncharacters;
// invalid UTF-8 becomes U+FFFD. Every text this package reads from a tree
// passes through it before it is measured, and every text object once
// more on its way out (see plain and mrkdwn): markdown's numeric
// references ("&#1;") can bring a control character back.
func clean(s string) string { return chars.Clean(s) }

// plain returns a plain_text object. Emoji is off: plain text is shown as
// it is, ":tada:" included.
func plain(s string) *slack.TextBlockObject {
	return &slack.TextBlockObject{Type: slack.PlainTextType, Text: clean(s), Emoji: new(false)}
}

// mrkdwn returns a mrkdwn text object holding s, already in mrkdwn.
func mrkdwn(s string) *slack.TextBlockObject {
	return &slack.TextBlockObject{Type: slack.MarkdownType, Text: clean(s)}
}

// line returns s cleaned and on one line, its runs of white space as
// single spaces, cut to limit. A blank s gives "".
func line(s string, limit int) string {
	return render.Truncate(strings.Join(strings.Fields(clean(s)), " "), limit)
}

// jsonLen returns the length of s as a JSON string, quotes left out, as
// encoding/json writes it (and slack-go sends it), or more: < > & and
// U+2028 and U+2029 as six-byte escapes, controls escaped (counted at six
// bytes, the longest escape), invalid UTF-8 as \ufffd.
func jsonLen(s string) int {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t':
				n += 2
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				n += 6
			default:
				n++
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1, r == '\u2028', r == '\u2029':
			n += 6
		default:
			n += size
		}
		i += size
	}
	return n
}

// fitJSON returns the longest truncation of s (see [render.Truncate])
// whose JSON string takes at most limit bytes, or "".
func fitJSON(s string, limit int) string {
	if jsonLen(s) <= limit {
		return s
	}
	best, lo, hi := "", 0, render.Len(s)
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if t := render.Truncate(s, mid); jsonLen(t) <= limit {
			best, lo = t, mid
		} else {
			hi = mid
		}
	}
	return best
}

// fit returns write(s) when it is no longer than limit, else write of the
// longest truncation of s (see [render.Truncate]) that is, or "". write
// may lengthen text, as escaping does, but never shortens it; fit never
// cuts its output, so it never splits an entity.
func fit(s string, limit int, write func(string) string) string {
	out := write(s)
	if render.Len(out) <= limit {
		return out
	}
	// Truncating to lo characters fits (or lo is 0); to hi or more does
	// not, or is never tried: past limit nothing fits.
	best, lo, hi := "", 0, min(render.Len(s), limit)+1
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if out := write(render.Truncate(s, mid)); render.Len(out) <= limit {
			best, lo = out, mid
		} else {
			hi = mid
		}
	}
	return best
}

// cleanURL returns u as Slack should get it, or false when Slack would
// refuse it or it could do harm: only absolute http and https URLs of at
// most render.Slack.URL characters pass, and none holding invalid UTF-8 or
// a control character (a tab and a line break among them). Spaces (any Unicode space), invisible characters,
// quotes and the characters mrkdwn links use (< > |) are percent-encoded,
// which leaves the URL's meaning as it was.
func cleanURL(u string) (string, bool) {
	// Browsers strip a tab or line break from a URL where an encoding
	// would keep it: neither reading is safe to guess.
	if chars.IndexUnsendable(u) >= 0 || strings.IndexFunc(u, unicode.IsControl) >= 0 {
		return "", false
	}
	u = escapeURL(u)
	if render.Len(u) > render.Slack.URL || !isHTTP(u) {
		return "", false
	}
	return u, true
}

// escapeURL percent-encodes the characters of u that cleanURL lists.
func escapeURL(u string) string {
	if strings.IndexFunc(u, urlEscaped) < 0 {
		return u
	}
	var b strings.Builder
	for _, r := range u {
		if !urlEscaped(r) {
			b.WriteRune(r)
			continue
		}
		var buf [utf8.UTFMax]byte
		for _, c := range buf[:utf8.EncodeRune(buf[:], r)] {
			b.WriteByte('%')
			b.WriteByte("0123456789ABCDEF"[c>>4])
			b.WriteByte("0123456789ABCDEF"[c&15])
		}
	}
	return b.String()
}

func urlEscaped(r rune) bool {
	switch r {
	case '<', '>', '|', '"':
		return true
	}
	return unicode.IsSpace(r) || chars.Invisible(r)
}

// isHTTP reports whether u is an absolute http or https URL with a host
// and without white space, control characters or invalid UTF-8.
func isHTTP(u string) bool {
	if chars.IndexUnsendable(u) >= 0 || strings.IndexFunc(u, unicode.IsSpace) >= 0 {
		return false
	}
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "http" || p.Scheme == "https") && p.Hostname() != ""
}

// linkTarget returns url as the target of a mrkdwn link, & escaped, or
// false when it may not be one.
func linkTarget(u string) (string, bool) {
	if u == "" {
		return "", false
	}
	c, ok := cleanURL(u)
	if !ok {
		return "", false
	}
	return strings.ReplaceAll(c, "&", "&amp;"), true
}
