package discord

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/adapters/internal/platform"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/render"
)

// rolled cuts s the way a stream rolls it over, into messages.
func rolled(s string, limit int) []string {
	var out []string
	for render.Len(s) > limit {
		head, tail := cutStream(s, limit, 0)
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

// A message that shows a paragraph and part of the next keeps all it
// shows when the stream rolls over: the rest goes on in the next message,
// not a piece of what people already read.
func TestStreamRolloverNeverShrinksWhatShows(t *testing.T) {
	t.Parallel()
	a, f, at := fakeAdapter(t, typingEvery, time.Minute)
	ctx := context.Background()
	ts, err := a.StartStream(ctx, at, bot.StreamOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s := ts.(*stream)
	shown := strings.Repeat("first ", 250) + "\n\n" + strings.Repeat("second ", 45) // about 1,800 characters
	if err := s.Append(ctx, shown); err != nil {
		t.Fatal(err)
	}
	if err := s.flush(ctx, true); err != nil {
		t.Fatal(err)
	}
	more := strings.Repeat("third ", 40)
	if err := s.Append(ctx, more); err != nil {
		t.Fatal(err)
	}
	ref, err := s.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids := platform.SplitID(ref.ID)
	if len(ids) != 2 {
		t.Fatalf("the stream is %d messages; want 2", len(ids))
	}
	first, _ := f.Message(ids[0])
	if !strings.Contains(first.Content, strings.TrimSpace(strings.Repeat("second ", 45))) {
		t.Errorf("the first message was cut back to %d characters: it lost the text it showed", len(first.Content))
	}
	if second, _ := f.Message(ids[1]); strings.Contains(second.Content, "second") {
		t.Errorf("the second message repeats text the first showed: %.60q…", second.Content)
	}
}
