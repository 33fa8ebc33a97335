package blockkit

import (
	"net/url"
	"strings"

	"github.com/slack-go/slack"

	"github.com/parleybot/parley/render"
)

// plain returns a plain_text object. Emoji is off: plain text is shown as
// it is, ":tada:" included.
func plain(s string) *slack.TextBlockObject {
	return &slack.TextBlockObject{Type: slack.PlainTextType, Text: s, Emoji: new(false)}
}

// mrkdwn returns a mrkdwn text object holding s, already in mrkdwn.
func mrkdwn(s string) *slack.TextBlockObject {
	return &slack.TextBlockObject{Type: slack.MarkdownType, Text: s}
}

// line returns s on one line, its runs of white space as single spaces,
// cut to limit. A blank s gives "".
func line(s string, limit int) string {
	return render.Truncate(strings.Join(strings.Fields(s), " "), limit)
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
// most render.Slack.URL characters pass. Spaces, quotes and the
// characters mrkdwn links use (< > |) are percent-encoded.
func cleanURL(u string) (string, bool) {
	u = urlEscaper.Replace(u)
	if render.Len(u) > render.Slack.URL || !isHTTP(u) {
		return "", false
	}
	return u, true
}

// isHTTP reports whether u is an absolute http or https URL with a host.
func isHTTP(u string) bool {
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "http" || p.Scheme == "https") && p.Hostname() != ""
}

var urlEscaper = strings.NewReplacer(" ", "%20", "<", "%3C", ">", "%3E", "|", "%7C", `"`, "%22")

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
