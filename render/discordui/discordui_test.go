package discordui_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/parleybot/parley/render"
	"github.com/parleybot/parley/render/discordui"
	"github.com/parleybot/parley/render/internal/gallery"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// renderValid renders n with ids and fails the test unless every message
// passes Validate and no mass mention is left.
func renderValid(t testing.TB, n render.Node, ids render.IDs) []discordui.Message {
	t.Helper()
	msgs, err := discordui.Render(n, ids)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	for i, m := range msgs {
		if err := discordui.Validate(m); err != nil {
			t.Errorf("message %d: %v", i, err)
		}
		if s := pinging(m); s != "" {
			t.Errorf("message %d: mass mention in %q", i, s)
		}
	}
	return msgs
}

// pinging returns the first text of m that holds @everyone or @here.
func pinging(m discordui.Message) string {
	texts := []string{m.Content}
	for _, e := range m.Embeds {
		texts = append(texts, e.Title, e.Description)
		for _, f := range e.Fields {
			texts = append(texts, f.Name, f.Value)
		}
		if e.Footer != nil {
			texts = append(texts, e.Footer.Text)
		}
	}
	for _, c := range m.Components {
		for _, c := range c.(discordgo.ActionsRow).Components {
			switch c := c.(type) {
			case discordgo.Button:
				texts = append(texts, c.Label, c.URL)
			case discordgo.SelectMenu:
				texts = append(texts, c.Placeholder)
				for _, o := range c.Options {
					texts = append(texts, o.Label, o.Description)
				}
			}
		}
	}
	for _, s := range texts {
		if strings.Contains(s, "@everyone") || strings.Contains(s, "@here") {
			return s
		}
	}
	return ""
}

func TestGolden(t *testing.T) {
	t.Parallel()
	for _, e := range gallery.Cards() {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			msgs := renderValid(t, e.Node, gallery.IDs(e.Node))
			got := marshal(t, msgs)
			path := filepath.Join("testdata", e.Name+".json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to write it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("rendering differs from %s (run go test -update to accept):\n%s", path, got)
			}
			again, err := discordui.Render(e.Node, gallery.IDs(e.Node))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(marshal(t, again), got) {
				t.Error("a second rendering differs from the first")
			}
		})
	}
}

// marshal writes msgs as indented JSON, leaving <, > and & as they are
// so that the golden files read as Discord's text does.
func marshal(t *testing.T, msgs []discordui.Message) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(msgs); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func BenchmarkRender50(b *testing.B) {
	n := gallery.Fifty()
	ids := gallery.IDs(n)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := discordui.Render(n, ids); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzRender(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("hello world"))
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
	f.Add([]byte("\x05\x09\x08\x03\x00\x01\xff\xfe @everyone **x** [t](javascript:x)"))
	f.Add(bytes.Repeat([]byte{9, 1, 200, 7, 3, 0, 4}, 40))
	// One seed for each finding of the independent validators.
	for _, seed := range [][]byte{
		gallery.TableSeed(5, 5, "0123456789abcde…"),                                // over 10,000 characters of cells
		gallery.TableSeed(29, 5, "<…"),                                             // JSON of escapes
		gallery.Seed(10, "Amp", "https://x.test/&…"),                               // a link of escapes
		gallery.Seed(0, "a\x00b\x1b[31m\x7f\u0085\uffff\xed\xa0\x80"),              // control characters
		gallery.Seed(1, "&#0;&#1;&#x1b;&#x85;&#13; **&#x85;**"),                    // control characters by reference
		gallery.Seed(0, "\ufeff"),                                                  // blank in Discord's eyes
		gallery.Seed(0, "\u200b\u2060\u2800\u3164\u115f\u0301"),                    // blank in Discord's eyes
		gallery.Seed(0, "https://ci.example\u3000[Login](https://evil.example/x)"), // a URL ended by a Unicode space
		gallery.Seed(0, "\u3000# not a heading\n-\u00a0not a list"),                // markers after Unicode spaces
		gallery.Seed(10, "Evil", "javascript:alert(1)"),                            // a link button Discord refuses
		gallery.Seed(10, "Spaced", "https://x.test/a b"),                           // a link button Discord refuses
		gallery.Seed(6, "javascript:x", "alt", "Caption"),                          // an image with an unusable URL
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tree := gallery.Random(data)
		renderValid(t, tree, gallery.IDs(tree))
	})
}
