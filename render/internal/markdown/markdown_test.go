package markdown_test

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/parleybot/parley/render/internal/chars"
	"github.com/parleybot/parley/render/internal/markdown"
)

// echo writes CommonMark back, enough to see the structure.
type echo struct{}

func (echo) Span(t string, st markdown.Style, url string) string {
	switch {
	case st&markdown.InlineCode != 0:
		t = "`" + strings.ReplaceAll(t, "`", "'") + "`"
	default:
		t = strings.ReplaceAll(t, "`", "\\`")
		if st&markdown.Bold != 0 {
			t = "**" + t + "**"
		}
		if st&markdown.Italic != 0 {
			t = "_" + t + "_"
		}
		if st&markdown.Strike != 0 {
			t = "~~" + t + "~~"
		}
	}
	if url != "" {
		t = "[" + t + "](" + url + ")"
	}
	return t
}
func (echo) Heading(level int) (string, markdown.Style) { return strings.Repeat("#", level) + " ", 0 }
func (echo) Bullet(int) string                          { return "- " }
func (echo) Quote() string                              { return "> " }
func (echo) Fence(lang string) (string, string)         { return "```" + lang, "```" }
func (echo) CodeLine(l string) string                   { return strings.ReplaceAll(l, "```", "`\u200b``") }
func (echo) Rule() string                               { return "---" }

func TestWrite(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"**b** _i_ ~~s~~ `c`", "**b** _i_ ~~s~~ `c`"},
		{"***both***", "_**both**_"},
		{"[a **b**](https://x.test) c", "[a b](https://x.test) c"},
		{"**[a](https://x.test)**", "[**a**](https://x.test)"},
		{"# Title\n\ntext", "# Title\n\ntext"},
		{"line one\nline two", "line one\nline two"},
		{"- a\n- b\n  - c\n\n1. x\n2. y", "- a\n- b\n  - c\n\n1. x\n2. y"},
		{"> quoted\n> more", "> quoted\n> more"},
		{"```go\nx := 1\n```", "```go\nx := 1\n```"},
		{"a\n\n---\n\nb", "a\n\n---\n\nb"},
		{"<b>raw</b> &amp; \\*esc\\*", "<b>raw</b> & *esc*"},
		{"![alt](https://i.test/a.png)", "[alt](https://i.test/a.png)"},
		{"<https://auto.test>", "[https://auto.test](https://auto.test)"},
		{"**bold** **", "**bold** **"},
	}
	for _, tt := range tests {
		got := markdown.Write(markdown.Parse(tt.in), echo{})
		if got != tt.want {
			t.Errorf("Write(%q) =\n%q\nwant\n%q", tt.in, got, tt.want)
		}
	}
}

func TestSplitKeepsPiecesWhole(t *testing.T) {
	t.Parallel()
	var src strings.Builder
	for i := range 40 {
		fmt.Fprintf(&src, "Paragraph %d has **bold words that run on** and a [link](https://example.com/%d).\n\n", i, i)
	}
	src.WriteString("```\n")
	for i := range 60 {
		fmt.Fprintf(&src, "code line %d\n", i)
	}
	src.WriteString("```\n\n")
	src.WriteString(strings.Repeat("**long bold run** ", 100))
	blocks := markdown.Parse(src.String())
	whole := markdown.Write(blocks, echo{})
	for _, limit := range []int{100, 257, 1000} {
		parts := markdown.Split(blocks, echo{}, limit)
		if len(parts) < 2 {
			t.Fatalf("limit %d: %d parts", limit, len(parts))
		}
		for i, p := range parts {
			if chars.Len(p) > limit {
				t.Errorf("limit %d: part %d is %d long", limit, i, chars.Len(p))
			}
			if strings.Count(p, "```")%2 != 0 {
				t.Errorf("limit %d: part %d has an unclosed fence:\n%s", limit, i, p)
			}
			if strings.Count(p, "**")%2 != 0 {
				t.Errorf("limit %d: part %d has an unclosed bold run:\n%s", limit, i, p)
			}
		}
		if got := strings.Count(strings.Join(parts, "\n"), "code line"); got != 60 {
			t.Errorf("limit %d: %d code lines survive, want 60", limit, got)
		}
		if got, want := strings.Count(strings.Join(parts, "\n"), "run"), strings.Count(whole, "run"); got != want {
			t.Errorf("limit %d: %d runs survive, want %d", limit, got, want)
		}
	}
}

func TestTruncate(t *testing.T) {
	t.Parallel()
	blocks := markdown.Parse(strings.Repeat("word **bold** ", 50))
	got, cut := markdown.Truncate(blocks, echo{}, 60)
	if !cut || chars.Len(got) > 60 || !strings.HasSuffix(got, "…") || strings.Count(got, "**")%2 != 0 {
		t.Errorf("Truncate = %q, %v", got, cut)
	}
	if got, cut := markdown.Truncate(markdown.Parse("short"), echo{}, 60); cut || got != "short" {
		t.Errorf("Truncate(short) = %q, %v", got, cut)
	}
}

// FuzzSplit holds Split to its promise for any markdown and limit: every
// piece within the limit, code fences balanced in every piece.
func FuzzSplit(f *testing.F) {
	f.Add("**b** _i_ `c`\n\n```go\nx\n```\n\n- a\n  - b\n> q", 20)
	f.Add(strings.Repeat("> ", 100)+"deep", 16)
	f.Add("```\n"+strings.Repeat("x", 500)+"\n```", 30)
	f.Add("[l](https://example.com/"+strings.Repeat("p", 300)+")", 40)
	f.Fuzz(func(t *testing.T, src string, limit int) {
		limit = limit % 5000
		if limit < 0 {
			limit = -limit
		}
		blocks := markdown.Parse(src)
		parts := markdown.Split(blocks, echo{}, limit)
		for i, p := range parts {
			if chars.Len(p) > max(limit, 16) {
				t.Fatalf("limit %d: part %d is %d long: %q", limit, i, chars.Len(p), p)
			}
			fences := 0
			for _, l := range strings.Split(p, "\n") {
				if strings.HasPrefix(strings.TrimLeft(l, "> -0123456789."), "```") {
					fences++
				}
			}
			if fences%2 != 0 {
				t.Fatalf("limit %d: part %d has an unbalanced fence: %q", limit, i, p)
			}
		}
		if tr, _ := markdown.Truncate(blocks, echo{}, limit); chars.Len(tr) > max(limit, 18) {
			t.Fatalf("Truncate(%d) is %d long", limit, chars.Len(tr))
		}
	})
}

func TestParseCapsItsInput(t *testing.T) {
	t.Parallel()
	src := strings.Repeat("é", markdown.MaxSource) // two bytes each: twice the cap
	got := markdown.Write(markdown.Parse(src), echo{})
	if !strings.HasSuffix(got, "…and 32768 more characters not shown") {
		t.Errorf("capped text ends %q", got[len(got)-60:])
	}
	if !utf8.ValidString(got) || len(got) > markdown.MaxSource+100 {
		t.Errorf("capped text is %d bytes, valid UTF-8: %v", len(got), utf8.ValidString(got))
	}
}
