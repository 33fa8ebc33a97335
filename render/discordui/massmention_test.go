package discordui_test

import (
	"strings"
	"testing"

	"github.com/parleybot/parley/render"
	"github.com/parleybot/parley/render/discordui"
)

// A mass mention straddling the point where a long run is cut into
// shorter runs (every 256 characters of plain text) must stay neutralised:
// each half alone holds no mention, but the halves are written side by
// side.
func TestMassMentionAcrossRunCut(t *testing.T) {
	t.Parallel()
	for k := 240; k < 260; k++ {
		s := strings.Repeat("a", k) + "@everyone" + strings.Repeat("b", k) + "@here"
		if got := discordui.Markdown(s); strings.Contains(got, "@everyone") || strings.Contains(got, "@here") {
			t.Errorf("Markdown of %d letters and a mention pings: …%q", k, got[max(len(got)-30, 0):])
		}
		for _, n := range []render.Node{render.Text(s), render.Markdown(s), render.Card{Title: "t", Body: []render.Node{render.Text(s)}}} {
			renderValid(t, n, nil)
		}
	}
}

// A link Discord will not get (its target is not http or https, or too
// long) shows as its bare text; that text must not join a neighbour into
// a mass mention.
func TestMassMentionAcrossDroppedLink(t *testing.T) {
	t.Parallel()
	long := "https://example.com/" + strings.Repeat("x", 600)
	for _, md := range []string{
		"@[everyone](x)",
		"[@every](javascript:alert(1))one",
		"@[here](" + long + ")",
		"**@[everyone](ftp://x)**",
	} {
		if got := discordui.Markdown(md); strings.Contains(got, "@everyone") || strings.Contains(got, "@here") {
			t.Errorf("Markdown(%q) = %q, which pings", md, got)
		}
		renderValid(t, render.Markdown(md), nil)
		renderValid(t, render.Card{Body: []render.Node{render.Markdown(md)}}, nil)
	}
}
