package markdown

import (
	"reflect"
	"testing"
)

// FuzzPlainOnly holds Parse's fast path to the parser: wherever it is
// taken, goldmark reads the same.
func FuzzPlainOnly(f *testing.F) {
	for _, s := range []string{"", "plain", "two\nlines", "Section 3. ok", "a 1. b", "é 東京 👍", "trailing ", "x\n\ny", "tab\there", "a.b, c; d: e? (f) 'g' \"h\" % $ @ ^ { } / ,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !plainOnly(s) {
			return
		}
		fast := Parse(s)
		slow := parse(s)
		if len(fast) == 0 && len(slow) == 0 {
			return
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("Parse(%q):\nfast %+v\nslow %+v", s, fast, slow)
		}
	})
}
