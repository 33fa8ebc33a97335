package blockkit_test

import (
	"strings"
	"testing"

	"github.com/parleybot/parley/render"
)

// A markdown link whose target is just short of a section's 3000
// characters was written once per few characters of its text, each time
// with its whole target: a 4 KB link became some fifty messages.
func TestLongLinkTargetStaysSmall(t *testing.T) {
	t.Parallel()
	target := "https://example.com/" + strings.Repeat("a", 2960)
	md := "[" + strings.Repeat("word ", 200) + "](" + target + ")"
	msgs := renderOK(t, render.Markdown(md))
	if n := len(allBlocks(msgs)); len(msgs) != 1 || n > 2 {
		t.Errorf("a %d-character link renders as %d messages of %d blocks", len(md), len(msgs), n)
	}
}
