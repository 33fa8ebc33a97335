package markdown_test

import (
	"strings"
	"testing"

	"github.com/parleybot/parley/render/internal/chars"
	"github.com/parleybot/parley/render/internal/markdown"
)

// A link whose target nearly fills the limit left room for a few
// characters of its text a line, and the writer repeated the whole target
// on every line: a 4 KB link came out as hundreds of kilobytes. Its text
// should take no more pieces than the text alone would, give or take one.
func TestLongLinkTargetDoesNotMultiply(t *testing.T) {
	t.Parallel()
	const limit = 3000
	label := strings.Repeat("word ", 200)
	for _, n := range []int{limit / 2, limit - 40, limit - 12} {
		src := "[" + label + "](https://x.test/" + strings.Repeat("p", n) + ")"
		parts := markdown.Split(markdown.Parse(src), echo{}, limit)
		total := 0
		for _, p := range parts {
			total += chars.Len(p)
		}
		if len(parts) > 2 || total > 2*(len(src)) {
			t.Errorf("a %d-character link of %d-character target: %d pieces, %d characters", len(src), n, len(parts), total)
		}
	}
}

// The text of a link cut between lines is cut between grapheme clusters,
// never inside one, however little room its target leaves.
func TestLinkCutKeepsGraphemes(t *testing.T) {
	t.Parallel()
	const limit = 3000
	family := "👩‍👩‍👧‍👦"
	src := "[" + strings.Repeat(family, 20) + "](https://x.test/" + strings.Repeat("p", limit-25) + ")"
	for _, p := range markdown.Split(markdown.Parse(src), echo{}, limit) {
		if strings.Count(p, "👩") != 2*strings.Count(p, family) {
			t.Fatalf("a family emoji was split: %q", p[:min(len(p), 60)])
		}
	}
}
