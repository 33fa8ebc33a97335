package render_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rivo/uniseg"

	"github.com/parleybot/parley/render"
)

func TestLen(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"abc", 3},
		{"é", 1},        // one code point
		{"e\u0301", 2},  // base + combining mark
		{"東京", 2},       // BMP: one unit each
		{"👍", 2},        // outside the BMP: a surrogate pair
		{"👩‍👩‍👧‍👦", 11}, // 4 emoji (2 each) + 3 joiners
		{"\xff", 1},     // an invalid byte counts as one
		{"a\x00b", 3},
	}
	for _, tt := range tests {
		if got := render.Len(tt.in); got != tt.want {
			t.Errorf("Len(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestTruncate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    string
		limit int
		want  string
	}{
		{"fits", "hello", 5, "hello"},
		{"cut", "hello world", 8, "hello w…"},
		{"trailing space trimmed", "hello world", 7, "hello…"},
		{"combining mark stays with its base", strings.Repeat("e\u0301", 5), 6, "e\u0301e\u0301…"},
		{"emoji sequence whole", "ab👩‍👩‍👧‍👦cd", 12, "ab…"},
		{"flag whole", "🇵🇹🇯🇵", 6, "🇵🇹…"},
		{"surrogate pair not split", "👍👍👍", 4, "👍…"},
		{"limit 1", "hello", 1, "…"},
		{"limit 0", "hello", 0, ""},
		{"empty", "", 3, ""},
		{"cluster wider than limit", "Z" + strings.Repeat("\u0336", 20), 5, "Z\u0336\u0336\u0336…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := render.Truncate(tt.in, tt.limit)
			if got != tt.want {
				t.Errorf("Truncate(%q, %d) = %q, want %q", tt.in, tt.limit, got, tt.want)
			}
			if render.Len(got) > max(tt.limit, 0) {
				t.Errorf("Truncate(%q, %d) is %d long", tt.in, tt.limit, render.Len(got))
			}
		})
	}
}

func TestSplit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in    string
		limit int
		want  []string
	}{
		{"short", 10, []string{"short"}},
		{"", 10, []string{""}},
		{"one two three", 8, []string{"one two ", "three"}},
		{"line one\nline two", 12, []string{"line one\n", "line two"}},
		{"abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"e\u0301e\u0301e\u0301", 3, []string{"e\u0301", "e\u0301", "e\u0301"}},
	}
	for _, tt := range tests {
		got := render.Split(tt.in, tt.limit)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
			t.Errorf("Split(%q, %d) = %q, want %q", tt.in, tt.limit, got, tt.want)
		}
	}
}

// FuzzTruncateSplit holds Truncate and Split to their promises on any
// input: within the limit, valid UTF-8 kept valid, nothing lost by Split,
// and no cut inside a grapheme cluster that fits the limit.
func FuzzTruncateSplit(f *testing.F) {
	for _, s := range []string{"hello world", "e\u0301e\u0301", "👩‍👩‍👧‍👦🇵🇹", "東京 مرحبا", "\xff\xfe", "Z\u0336\u0336\u0336"} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, s string, limit int) {
		limit = limit%300 + 1
		if limit < 1 {
			limit += 300
		}
		tr := render.Truncate(s, limit)
		if render.Len(tr) > limit {
			t.Fatalf("Truncate(%q, %d) = %q, %d long", s, limit, tr, render.Len(tr))
		}
		if utf8.ValidString(s) && !utf8.ValidString(tr) {
			t.Fatalf("Truncate(%q, %d) = %q: invalid UTF-8", s, limit, tr)
		}
		parts := render.Split(s, limit)
		if strings.Join(parts, "") != s {
			t.Fatalf("Split(%q, %d) lost text: %q", s, limit, parts)
		}
		for _, p := range parts {
			if render.Len(p) > max(limit, 2) {
				t.Fatalf("Split(%q, %d): piece %q is %d long", s, limit, p, render.Len(p))
			}
		}
		// Every boundary between pieces is a grapheme boundary, unless
		// the cluster there is itself wider than the limit.
		if !utf8.ValidString(s) {
			return
		}
		clusters := map[int]int{} // byte offset of a cluster's end → its width
		g := uniseg.NewGraphemes(s)
		wide := false
		for g.Next() {
			_, end := g.Positions()
			clusters[end] = render.Len(g.Str())
			wide = wide || render.Len(g.Str()) > max(limit, 2)
		}
		off := 0
		for _, p := range parts[:len(parts)-1] {
			off += len(p)
			if _, ok := clusters[off]; !ok && !wide {
				t.Fatalf("Split(%q, %d) cut inside a grapheme cluster at byte %d: %q", s, limit, off, parts)
			}
		}
	})
}
