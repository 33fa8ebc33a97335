package chars_test

import (
	"testing"

	"github.com/parleybot/parley/render/internal/chars"
)

func TestClean(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"plain é 東京 👍", "plain é 東京 👍"},
		{"keeps\ttabs\nand breaks", "keeps\ttabs\nand breaks"},
		{"a\x00b\x01c\x1bd\x7fe", "abcde"},
		{"c1\u0080\u009f", "c1"},
		{"a\r\nb\rc", "a\nb\nc"},
		{"a\vb\fc\u0085d", "a\nb\nc\nd"},
		{"bad\xff\xed\xa0\x80", "bad\ufffd\ufffd\ufffd\ufffd"},
		{"non\ufdd0\ufffe\uffff\U0001fffe\U0010ffffchar", "nonchar"},
		{"kept \u200b\ufeff\u202e\u2028\ufffd", "kept \u200b\ufeff\u202e\u2028\ufffd"},
	}
	for _, tt := range tests {
		if got := chars.Clean(tt.in); got != tt.want {
			t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if i := chars.IndexUnsendable(chars.Clean(tt.in)); i >= 0 {
			t.Errorf("Clean(%q) leaves an unsendable character at %d", tt.in, i)
		}
	}
}

func TestIndexUnsendable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want int
	}{
		{"", -1}, {"ok\n\t", -1}, {"\ufffd", -1}, {"a\x00", 1}, {"é\u0085", 2}, {"ab\xff", 2}, {"\r\n", 0}, {"\uffff", 0},
	}
	for _, tt := range tests {
		if got := chars.IndexUnsendable(tt.in); got != tt.want {
			t.Errorf("IndexUnsendable(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestBlank(t *testing.T) {
	t.Parallel()
	blank := []string{
		"", " \t\n", "\u00a0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000", "\ufeff", "\u200b\u200c\u200d\u2060",
		"\u2800", "\u3164\u115f\u1160\uffa0", "\u180e", "\ufe0f\U000e0100", "\u0301\u20dd", "\u202e\u2066", "\x00\u0085",
	}
	for _, s := range blank {
		if !chars.Blank(s) {
			t.Errorf("Blank(%q) = false, want true", s)
		}
	}
	shown := []string{"a", "\u200bx", "e\u0301", ".", "\ufffd", "\xff", "👍", "\u2800\u2801", "ㄱ"}
	for _, s := range shown {
		if chars.Blank(s) {
			t.Errorf("Blank(%q) = true, want false", s)
		}
	}
}

// FuzzClean holds Clean to its promise: valid UTF-8, nothing unsendable,
// and nothing changed in text that needed no change.
func FuzzClean(f *testing.F) {
	for _, s := range []string{"", "a\x00b", "\r\n\r", "\xff\xfe", "\u0085\v\f", "é\U0010ffff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := chars.Clean(s)
		if i := chars.IndexUnsendable(c); i >= 0 {
			t.Fatalf("Clean(%q) = %q, unsendable at %d", s, c, i)
		}
		if chars.IndexUnsendable(s) < 0 && c != s {
			t.Fatalf("Clean(%q) = %q changed clean text", s, c)
		}
		if chars.Clean(c) != c {
			t.Fatalf("Clean is not idempotent on %q", s)
		}
	})
}
