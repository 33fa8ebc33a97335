package discord

import (
	"strings"
	"testing"

	"github.com/parleybot/parley/render"
)

// rolled cuts s the way a stream rolls it over, into messages.
func rolled(s string, limit int) []string {
	var out []string
	for render.Len(s) > limit {
		head, tail := cutStream(s, limit)
		out = append(out, head)
		s = tail
	}
	return append(out, s)
}

func TestStreamRolloverNeverSplitsAWord(t *testing.T) {
	t.Parallel()
	words := strings.Repeat("lorem ipsum dolor sit amet consectetur ", 200)
	parts := rolled(words, streamLimit)
	if len(parts) < 4 {
		t.Fatalf("%d characters rolled into %d messages", len(words), len(parts))
	}
	for i, p := range parts {
		if render.Len(p) > streamLimit {
			t.Errorf("message %d holds %d characters", i, render.Len(p))
		}
		if i < len(parts)-1 && !strings.HasSuffix(p, " ") {
			t.Errorf("message %d ends inside a word: …%q", i, p[len(p)-12:])
		}
	}
	if strings.Join(parts, "") != words {
		t.Error("the messages together are not the text")
	}
}

func TestStreamRolloverKeepsCodeBlocksWhole(t *testing.T) {
	t.Parallel()
	block := "```go\nfunc main() {\n\tprintln(\"hi\")\n}\n```\n"
	var b strings.Builder
	for b.Len() < 6000 {
		b.WriteString("Some prose before the code, long enough to matter.\n")
		b.WriteString(block)
	}
	for i, p := range rolled(b.String(), streamLimit) {
		if n := strings.Count(p, "```"); n%2 != 0 {
			t.Errorf("message %d splits a code block (%d fences):\n%s", i, n, p)
		}
	}
}

func TestStreamRolloverReopensACodeBlockTooLongForOneMessage(t *testing.T) {
	t.Parallel()
	long := "```python\n" + strings.Repeat("print('a line of code')\n", 200) + "```\n"
	parts := rolled(long, streamLimit)
	if len(parts) < 2 {
		t.Fatal("a 4,800-character block fit one message")
	}
	for i, p := range parts {
		if n := strings.Count(p, "```"); n != 2 {
			t.Errorf("message %d has %d fences, want the block closed and reopened: %q…", i, n, p[:40])
		}
		if i > 0 && !strings.HasPrefix(p, "```python\n") {
			t.Errorf("message %d does not reopen the block with its language: %q", i, p[:20])
		}
	}
}

func TestStreamRolloverNeverSplitsAGrapheme(t *testing.T) {
	t.Parallel()
	family := "👨‍👩‍👧‍👦"
	s := strings.Repeat(family, 800) // no space anywhere
	for i, p := range rolled(s, streamLimit) {
		if strings.Trim(p, family) != "" {
			t.Errorf("message %d cuts a family emoji apart", i)
		}
	}
}

func TestStreamPiecesRenderAsOneDiscordMessage(t *testing.T) {
	t.Parallel()
	s := strings.Repeat("*a* _b_ [c](https://example.com) ", 300)
	for i, p := range rolled(s, streamLimit) {
		m, ok := renderPiece(p)
		if !ok || render.Len(m.Content) > 2000 {
			t.Errorf("message %d renders as %d characters, or not as one message", i, render.Len(m.Content))
		}
	}
}
