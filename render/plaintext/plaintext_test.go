package plaintext_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/parleybot/parley/render"
	"github.com/parleybot/parley/render/internal/gallery"
	"github.com/parleybot/parley/render/plaintext"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestRender(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   render.Node
		want string
	}{
		{"text", render.Text("hello"), "hello"},
		{"text keeps markup", render.Text("**hi** <b>"), "**hi** <b>"},
		{"markdown loses markup", render.Markdown("**hi** _there_ `x` ~~y~~"), "hi there x y"},
		{"markdown link", render.Markdown("see [docs](https://x.test/d) or <https://x.test>"), "see docs <https://x.test/d> or <https://x.test>"},
		{"markdown unsafe link keeps its text", render.Markdown("[click](javascript:alert(1))"), "click"},
		{"markdown blocks", render.Markdown("# T\n\n- a\n- b\n\n3. c\n\n> q\n\n```go\nx := 1\n```"), "T\n\n- a\n- b\n\n3. c\n\n> q\n\n```go\nx := 1\n```"},
		{"nil", nil, ""},
		{"nil card pointer", (*render.Card)(nil), ""},
		{"nil select", (*render.SelectNode)(nil), ""},
		{"empty card", render.Card{}, ""},
		{"fields", render.Fields(render.Field{Label: "A", Value: "1"}, render.Field{Label: "B", Value: "2"}, render.Field{Value: "3"}, render.Field{}), "A: 1\nB: 2\n3"},
		{"header", render.Header("Hi"), "Hi\n==="},
		{"wide header", render.Header("東京"), "東京\n===="},
		{"divider", render.Divider(), strings.Repeat("─", 24)},
		{"context", render.Context("by *ana*"), "by ana"},
		{"image", render.Image("https://x.test/a.png", "a cat").WithTitle("Cat"), "[image: a cat] <https://x.test/a.png>\nCat"},
		{"unsafe image", render.Image("data:image/png;base64,AA", "a cat"), "[image: a cat]"},
		{"section with button", render.Section("Do it?", render.Button("Go", 1)), "Do it?\n[1] Go"},
		{"section with image", render.Section("Look", render.Image("https://x.test/a.png", "")), "Look\n[image] <https://x.test/a.png>"},
		{"section with nil button", render.Section("Only text", (*render.ButtonNode)(nil)), "Only text"},
		{"unsafe link button", render.Actions(render.LinkButton("Bad", "javascript:x"), render.LinkButton("", "https://x.test")), "Bad  <https://x.test>"},
		{
			"select",
			render.Select("Pick", render.Opt("One", 1).Describe("the first"), nil, render.Opt("Two", 2)),
			"Pick\n  [1] One — the first\n  [2] Two",
		},
		{"radio", render.RadioSelect(render.Opt("S", 1), render.Opt("L", 2)), "[1] S\n[2] L"},
		{
			"table aligns by display width",
			render.TableNode{
				Headers: []string{"name", "n", "mid"},
				Rows:    [][]string{{"東京", "1", "x"}, {"a", "200", "abcde", "extra"}},
				Align:   []render.Align{render.AlignLeft, render.AlignRight, render.AlignCenter},
			},
			"name    n   mid\n────  ───  ─────  ─────\n東京    1    x\na     200  abcde  extra",
		},
		{"control characters", render.Text("a\x1b[31mred\x00\rb\r\nc\xff"), "a\uFFFD[31mred\uFFFD\nb\nc\uFFFD"},
		{"one-line labels", render.Actions(render.Button("two\nlines", 1)), "[1] two lines"},
		{
			"card numbers buttons across rows, skipping links",
			&render.Card{
				Title: "Deploy?",
				Body: []render.Node{
					render.Text("web-42"),
					render.Actions(render.Button("Logs", 0), render.LinkButton("Docs", "https://example.com")),
				},
				Actions: render.Actions(render.Button("Yes", 1).Primary(), render.Button("No", 2).Danger()),
			},
			"Deploy?\nweb-42\n[1] Logs  Docs <https://example.com>\n[2] Yes  [3] No",
		},
		{
			"nested card in place",
			render.Card{
				Title:    "Outer",
				Subtitle: "sub",
				Body: []render.Node{
					render.Card{Title: "Inner", Body: []render.Node{render.Text("body")}, Actions: render.Actions(render.Button("A", 1)), Footer: "inner foot"},
					render.Select("", render.Opt("B", 2)),
				},
				Actions: render.Actions(render.Button("C", 3)),
				Footer:  "outer foot",
			},
			"Outer\nsub\nInner\nbody\n[1] A\ninner foot\n[2] B\n[3] C\nouter foot",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := plaintext.Render(tt.in); got != tt.want {
				t.Errorf("Render() =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

// markers finds the "[k]" numbers of a rendering.
var markers = regexp.MustCompile(`\[[0-9]+\]`)

// checkNumbering checks that the markers "[1]" … "[n]" appear in order,
// n being the number of interactive elements, and, when no text of the
// tree holds a "[" that could fake one, that they are the only markers.
func checkNumbering(t *testing.T, tree render.Node, out string) {
	t.Helper()
	els := render.Interactives(tree)
	pos := 0
	for k := range els {
		m := "[" + strconv.Itoa(k+1) + "]"
		i := strings.Index(out[pos:], m)
		if i < 0 {
			t.Fatalf("marker %s missing or out of order (%d interactive elements) in\n%s", m, len(els), out)
		}
		pos += i + len(m)
	}
	if strings.Contains(strings.Join(texts(tree), "\n"), "[") {
		return
	}
	got := markers.FindAllString(out, -1)
	if len(got) != len(els) {
		t.Fatalf("%d markers for %d interactive elements in\n%s", len(got), len(els), out)
	}
	for k, m := range got {
		if want := "[" + strconv.Itoa(k+1) + "]"; m != want {
			t.Fatalf("marker %d is %s, want %s", k+1, m, want)
		}
	}
}

// texts returns every string of a tree that a rendering may show.
func texts(n render.Node) []string {
	var out []string
	render.Walk(n, func(n render.Node) {
		switch n := n.(type) {
		case render.Card:
			out = append(out, n.Title, n.Subtitle, n.Footer)
		case render.TextNode:
			out = append(out, n.Text)
		case render.MarkdownNode:
			out = append(out, n.Text)
		case render.HeaderNode:
			out = append(out, n.Text)
		case render.ContextNode:
			out = append(out, n.Text)
		case render.SectionNode:
			out = append(out, n.Text)
			switch a := n.Accessory.(type) {
			case render.ImageNode:
				out = append(out, a.URL, a.Alt, a.Title)
			case *render.ButtonNode:
				if a != nil {
					out = append(out, a.Label, a.URL)
				}
			}
		case render.FieldsNode:
			for _, f := range n.Fields {
				out = append(out, f.Label, f.Value)
			}
		case render.ImageNode:
			out = append(out, n.URL, n.Alt, n.Title)
		case render.TableNode:
			out = append(out, n.Headers...)
			for _, r := range n.Rows {
				out = append(out, r...)
			}
		case render.ActionsNode:
			for _, b := range n.Buttons {
				if b != nil {
					out = append(out, b.Label, b.URL)
				}
			}
		case *render.SelectNode:
			out = append(out, n.Placeholder)
			for _, o := range n.Options {
				if o != nil {
					out = append(out, o.Label, o.Description)
				}
			}
		}
	})
	return out
}

// checkPrintable checks that out holds nothing a terminal would obey.
func checkPrintable(t *testing.T, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("invalid UTF-8 in %q", out)
	}
	for _, r := range out {
		if r != '\n' && r != '\t' && (r < 0x20 || (r >= 0x7f && r < 0xa0)) {
			t.Fatalf("control character %U in %q", r, out)
		}
	}
}

func TestGolden(t *testing.T) {
	t.Parallel()
	for _, e := range gallery.Cards() {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			got := plaintext.Render(e.Node)
			checkNumbering(t, e.Node, got)
			checkPrintable(t, got)
			path := filepath.Join("testdata", e.Name+".txt")
			if *update {
				if err := os.WriteFile(path, []byte(got+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to write it)", err)
			}
			if got+"\n" != string(want) {
				t.Errorf("Render(%s) differs from %s; run go test -update and review the diff\ngot:\n%s", e.Name, path, got)
			}
		})
	}
}

func TestNumberingMatchesInteractives(t *testing.T) {
	t.Parallel()
	yes, no := render.Button("Yes", 1), render.Button("No", 2)
	pick := render.Opt("Pick", 3)
	side := render.Button("Side", 4)
	card := render.Card{
		Body: []render.Node{
			render.Actions(yes),
			render.Section("s", side),
			render.Select("menu", pick),
		},
		Actions: render.Actions(render.LinkButton("x", "https://x.test"), no),
	}
	got := render.Interactives(card)
	want := []render.Interactive{yes, side, pick, no}
	if len(got) != len(want) {
		t.Fatalf("Interactives = %v, want %v", got, want)
	}
	out := plaintext.Render(card)
	labels := []string{"Yes", "Side", "Pick", "No"}
	for k := range want {
		if got[k] != want[k] {
			t.Errorf("Interactives[%d] = %v, want %v", k, got[k], want[k])
		}
		if m := fmt.Sprintf("[%d] %s", k+1, labels[k]); !strings.Contains(out, m) {
			t.Errorf("rendering lacks %q:\n%s", m, out)
		}
	}
	checkNumbering(t, card, out)
}

func TestFallback(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   render.Node
		want string
	}{
		{"card fallback", render.Card{Title: "T", Fallback: "short"}, "short"},
		{"card pointer fallback", &render.Card{Title: "T", Fallback: "short"}, "short"},
		{"derived", render.Card{Title: "T", Body: []render.Node{render.Markdown("**b**"), render.Actions(render.Button("x", 1))}}, "T\nb"},
		{"control characters", render.Text("a\x1bb"), "a\uFFFDb"},
		{"nil", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := plaintext.Fallback(tt.in); got != tt.want {
				t.Errorf("Fallback() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestHostileInput(t *testing.T) {
	t.Parallel()
	var buttons []*render.ButtonNode
	for i := range 10_000 {
		buttons = append(buttons, render.Button("b", i))
	}
	huge := strings.Repeat("x\x00\xff**", 1<<18)
	tree := render.Card{
		Title: huge,
		Body: []render.Node{
			render.Text(huge),
			// Kept to 64 KB: markdown.Parse merges unmatched "**" runs
			// in quadratic time, a cost of the core parser.
			render.Markdown(huge[:1<<16]),
			render.TableNode{Rows: [][]string{{"a"}, nil, {"b", "c", "d"}}},
			render.Section("", nil),
		},
		Actions: render.Actions(buttons...),
	}
	out := plaintext.Render(tree)
	checkNumbering(t, tree, out)
	checkPrintable(t, out)
	if !strings.Contains(out, "[10000] b") {
		t.Errorf("the last of 10,000 buttons is missing")
	}
}

func FuzzRender(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\x01\x02\x03 hello [1] **x**"))
	f.Add([]byte("\x09\x09\x09\x09\x09\x09\x09\x09\x09\x09\x09\x09\x09"))
	f.Add([]byte("\x00\x08\x03\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d table | select"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tree := gallery.Random(data)
		out := plaintext.Render(tree)
		checkNumbering(t, tree, out)
		checkPrintable(t, out)
		checkPrintable(t, plaintext.Fallback(tree))
		if again := plaintext.Render(tree); again != out {
			t.Fatalf("two renderings differ")
		}
	})
}

func BenchmarkRender50(b *testing.B) {
	n := gallery.Fifty()
	b.ReportAllocs()
	for b.Loop() {
		plaintext.Render(n)
	}
}

func ExampleRender() {
	fmt.Println(plaintext.Render(render.Card{
		Title: "Weather in Lisbon",
		Body: []render.Node{
			render.Markdown("*Sunny*, see [the forecast](https://example.com/lisbon)."),
			render.Fields(render.Field{Label: "Now", Value: "21°C, sunny"}),
			render.Select("Another city?", render.Opt("Porto", "porto"), render.Opt("Faro", "faro").Describe("in the south")),
		},
		Actions: render.Actions(render.Button("Refresh", "refresh"), render.LinkButton("Forecast", "https://example.com/lisbon")),
	}))
	// Output:
	// Weather in Lisbon
	// Sunny, see the forecast <https://example.com/lisbon>.
	// Now: 21°C, sunny
	// Another city?
	//   [1] Porto
	//   [2] Faro — in the south
	// [3] Refresh  Forecast <https://example.com/lisbon>
}

func ExampleFallback() {
	fmt.Println(plaintext.Fallback(render.Card{
		Title:    "Approve deploy?",
		Actions:  render.Actions(render.Button("Approve", true)),
		Fallback: "Approval needed: deploy web-42",
	}))
	// Output:
	// Approval needed: deploy web-42
}

func TestBidiOverridesAreReplaced(t *testing.T) {
	t.Parallel()
	got := plaintext.Render(render.Text("a\u202eb\u2066c\u200fd"))
	if got != "a\ufffdb\ufffdc\u200fd" {
		t.Errorf("Render = %q: bidi overrides and isolates must not reach a terminal; marks may", got)
	}
}
