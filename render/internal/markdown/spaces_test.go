package markdown_test

import (
	"strings"
	"testing"
	"unicode"

	"github.com/parleybot/parley/render/internal/markdown"
)

// White space outside a styled run is written by the writer itself, not
// by the dialect, which cleans what it writes: a numeric reference to a
// control character that is also white space (U+0085, a vertical tab)
// must not come out raw.
func TestWriterWritesNoControlSpace(t *testing.T) {
	t.Parallel()
	for _, src := range []string{"&#x85;", "&#x85;&#x85;", "**&#x85;x&#11;**", "a&#12;**b**&#x85; c", "&#11;"} {
		got := markdown.Write(markdown.Parse(src), echo{})
		if i := strings.IndexFunc(got, func(r rune) bool { return unicode.IsControl(r) && r != '\n' }); i >= 0 {
			t.Errorf("Write(%q) = %q: a control character at %d", src, got, i)
		}
	}
}
