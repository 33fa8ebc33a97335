package html_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleybot/parley/render"
	"github.com/parleybot/parley/render/html"
	"github.com/parleybot/parley/render/internal/gallery"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// idSet returns the ids of a map, which alone may appear in the output.
func idSet(ids render.IDs) map[string]bool {
	m := map[string]bool{}
	for _, id := range ids {
		m[id] = true
	}
	return m
}

func TestGolden(t *testing.T) {
	t.Parallel()
	for _, e := range gallery.Cards() {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			ids := gallery.IDs(e.Node)
			got := string(html.Render(e.Node, ids))
			if err := checkHTML(got, idSet(ids)); err != nil {
				t.Errorf("unsafe output: %v", err)
			}
			path := filepath.Join("testdata", e.Name+".html")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to write it)", err)
			}
			if got != string(want) {
				t.Errorf("Render(%s) differs from %s; run go test -update and review the diff\ngot:\n%s", e.Name, path, got)
			}
		})
	}
}

func TestHostileTextIsEscaped(t *testing.T) {
	t.Parallel()
	for _, e := range gallery.Cards() {
		if e.Name != "hostile" {
			continue
		}
		got := string(html.Render(e.Node, gallery.IDs(e.Node)))
		for _, want := range []string{
			"&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;@U123&gt;",
			"&lt;b onclick=x&gt;raw&lt;/b&gt;",
			"&lt;i&gt;ok&lt;/i&gt;",
			`<span class="parley-image-alt"><small>bad image</small></span>`,
			`href="https://example.com/?a=1&amp;b=&lt;2&gt;"`,
		} {
			if !strings.Contains(got, want) {
				t.Errorf("output lacks %q", want)
			}
		}
		for _, bad := range []string{"javascript:", "data:", "onclick="} {
			if i := strings.Index(got, bad); i >= 0 && strings.Contains(got[max(i-8, 0):i], `="`) {
				t.Errorf("%q starts an attribute value", bad)
			}
		}
		return
	}
	t.Fatal("no hostile entry in the gallery")
}

func TestRender(t *testing.T) {
	t.Parallel()
	act := render.Button("Go", "secret-value").Primary()
	orphan := render.Button("Orphan", 2).Danger()
	one, two, none := render.Opt("One", 1).Describe("first"), render.Opt("Two", 2), render.Opt("None", 3)
	ids := render.IDs{act: "x1", one: "o1", two: "o2"}
	tests := []struct {
		name string
		in   render.Node
		want string
	}{
		{"nil", nil, ""},
		{"nil card", (*render.Card)(nil), ""},
		{"nil select", (*render.SelectNode)(nil), ""},
		{"empty card", render.Card{}, ""},
		{"text", render.Text("a <b>\nc & \"d\" \x00"), "<p class=\"parley-text\">a &lt;b&gt;<br>c &amp; &#34;d&#34; \uFFFD</p>\n"},
		{"blank text", render.Text(" \n "), ""},
		{"header", render.Header("Hi"), "<h3 class=\"parley-header\">Hi</h3>\n"},
		{"divider", render.Divider(), "<hr class=\"parley-divider\">\n"},
		{"markdown", render.Markdown("**b** _i_ ~~s~~ `c`"), "<div class=\"parley-markdown\">\n<p><strong>b</strong> <em>i</em> <del>s</del> <code>c</code></p>\n</div>\n"},
		{"markdown heading sits under the card title", render.Markdown("# a\n###### b"), "<div class=\"parley-markdown\">\n<h3>a</h3>\n<h6>b</h6>\n</div>\n"},
		{"markdown unsafe link", render.Markdown("[x](javascript:alert(1)) [y](data:text/html,z) [z](//evil.test)"), "<div class=\"parley-markdown\">\n<p>x y z</p>\n</div>\n"},
		{"markdown raw html", render.Markdown("<script>alert(1)</script>"), "<div class=\"parley-markdown\">\n<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n</div>\n"},
		{"code language", render.Markdown("```c++\nx\n```\n```\" onmouseover=x\ny\n```"), "<div class=\"parley-markdown\">\n<pre><code class=\"language-c++\">x</code></pre>\n<pre><code>y</code></pre>\n</div>\n"},
		{"ordered list start", render.Markdown("7. a\n8. b"), "<div class=\"parley-markdown\">\n<ol start=\"7\">\n<li>a</li>\n<li>b</li>\n</ol>\n</div>\n"},
		{"context", render.Context("by *ana*"), "<p class=\"parley-context\"><small>by <em>ana</em></small></p>\n"},
		{"context with a list", render.Context("- a"), "<div class=\"parley-context\">\n<ul>\n<li>a</li>\n</ul>\n</div>\n"},
		{"fields", render.Fields(render.Field{Label: "<a>", Value: "1\n2"}, render.Field{}), "<dl class=\"parley-fields\">\n<div class=\"parley-field\"><dt>&lt;a&gt;</dt><dd>1<br>2</dd></div>\n</dl>\n"},
		{"image", render.Image("https://x.test/a.png?a=1&b=2", "a \"cat\"").WithTitle("Cat"), "<figure class=\"parley-image\"><img src=\"https://x.test/a.png?a=1&amp;b=2\" alt=\"a &#34;cat&#34;\" title=\"Cat\" loading=\"lazy\"><figcaption>Cat</figcaption></figure>\n"},
		{"image scheme lowered", render.Image("HTTPS://x.test/a.png", ""), "<figure class=\"parley-image\"><img src=\"https://x.test/a.png\" alt=\"\" loading=\"lazy\"></figure>\n"},
		{"unsafe image", render.Image("javascript:alert(1)", "bad"), "<p class=\"parley-image\"><span class=\"parley-image-alt\"><small>bad</small></span></p>\n"},
		{"unsafe image without alt", render.Image("data:image/png;base64,AA", ""), ""},
		{"image with space", render.Image("https://x.test/a b.png", "alt"), "<p class=\"parley-image\"><span class=\"parley-image-alt\"><small>alt</small></span></p>\n"},
		{
			"buttons",
			render.Actions(act, orphan, nil, render.LinkButton("Docs", "https://x.test/d"), render.LinkButton("Bad", "javascript:x")),
			`<div class="parley-actions">` +
				`<button type="button" class="parley-button parley-primary" data-action="x1">Go</button>` +
				`<button type="button" class="parley-button parley-danger" disabled>Orphan</button>` +
				`<a class="parley-button parley-default parley-link" href="https://x.test/d" rel="noopener noreferrer nofollow" target="_blank">Docs</a>` +
				`<button type="button" class="parley-button parley-default parley-link" disabled>Bad</button></div>` + "\n",
		},
		{"section with nil button", render.Section("t", (*render.ButtonNode)(nil)), "<div class=\"parley-section\">\n<div class=\"parley-section-text\">\n<p>t</p>\n</div>\n</div>\n"},
		{
			"select",
			render.Select("Pick <one>", nil, none, one, two),
			"<select class=\"parley-select\" data-select aria-label=\"Pick &lt;one&gt;\">\n" +
				"<option value=\"\" disabled selected>Pick &lt;one&gt;</option>\n" +
				"<option value=\"o1\" title=\"first\">One</option>\n" +
				"<option value=\"o2\">Two</option>\n</select>\n",
		},
		{
			// Without a placeholder the browser would show the first
			// choice as chosen, and picking it would fire no change.
			"select without a placeholder offers every choice",
			render.Select("", none, one, two),
			"<select class=\"parley-select\" data-select>\n" +
				"<option value=\"\" disabled selected>Choose…</option>\n" +
				"<option value=\"o1\" title=\"first\">One</option>\n" +
				"<option value=\"o2\">Two</option>\n</select>\n",
		},
		{
			"radio named after its first option with an id",
			&render.SelectNode{Options: []*render.Option{none, one, two}, Radio: true},
			"<fieldset class=\"parley-radio\" data-select>\n" +
				"<label title=\"first\"><input type=\"radio\" name=\"o1\" value=\"o1\"> One</label>\n" +
				"<label><input type=\"radio\" name=\"o1\" value=\"o2\"> Two</label>\n</fieldset>\n",
		},
		{"select without ids", render.Select("p", none), ""},
		{
			"ragged table",
			render.TableNode{Headers: []string{"a"}, Rows: [][]string{{"1", "2"}, nil}, Align: []render.Align{render.AlignRight, render.Align(9)}},
			"<table class=\"parley-table\">\n<thead>\n<tr><th style=\"text-align:right\">a</th><th></th></tr>\n</thead>\n" +
				"<tbody>\n<tr><td style=\"text-align:right\">1</td><td>2</td></tr>\n<tr><td style=\"text-align:right\"></td><td></td></tr>\n</tbody>\n</table>\n",
		},
		{"empty table", render.TableNode{}, ""},
		{
			"card",
			render.Card{Title: "T", Subtitle: "S", Accent: render.RGB(1, 2, 3), Footer: "F", Fallback: "fb \"x\"",
				Body: []render.Node{render.Card{Title: "Inner"}}},
			"<article class=\"parley-card\" style=\"--parley-accent:#010203\" aria-label=\"fb &#34;x&#34;\">\n" +
				"<header class=\"parley-card-header\"><h2 class=\"parley-title\">T</h2><p class=\"parley-subtitle\">S</p></header>\n" +
				"<div class=\"parley-body\">\n<article class=\"parley-card\">\n<header class=\"parley-card-header\"><h3 class=\"parley-title\">Inner</h3></header>\n</article>\n</div>\n" +
				"<footer class=\"parley-footer\"><small>F</small></footer>\n</article>\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := string(html.Render(tt.in, ids))
			if got != tt.want {
				t.Errorf("Render() =\n%q\nwant\n%q", got, tt.want)
			}
			if err := checkHTML(got, idSet(ids)); err != nil {
				t.Errorf("unsafe output: %v", err)
			}
			if strings.Contains(got, "secret-value") {
				t.Errorf("a button's value reached the page")
			}
		})
	}
}

// TestCheckHTML makes sure the safety check can fail.
func TestCheckHTML(t *testing.T) {
	t.Parallel()
	ids := map[string]bool{"a1": true}
	for _, bad := range []string{
		`<script>x</script>`,
		`<p onclick="x">y</p>`,
		`<a href="javascript:x">y</a>`,
		`<img src="data:image/png,x">`,
		`<a href=https://x>y</a>`,
		`<p>a & b</p>`,
		`<p>a > b</p>`,
		`<p><div>x</div></p>`,
		`<a href="https://x"><button>y</button></a>`,
		`<p>x`,
		`<button data-action="a2">x</button>`,
		`<p style="color:red">x</p>`,
		`<li>x</li>`,
	} {
		if err := checkHTML(bad, ids); err == nil {
			t.Errorf("checkHTML(%q) passed", bad)
		}
	}
	if err := checkHTML(`<p class="x">a &amp; b<br><button type="button" data-action="a1">go</button></p>`, ids); err != nil {
		t.Errorf("checkHTML of a good fragment: %v", err)
	}
}

func TestLinear(t *testing.T) {
	t.Parallel()
	var buttons []*render.ButtonNode
	for i := range 10_000 {
		buttons = append(buttons, render.Button("b", i))
	}
	huge := strings.Repeat("<x>\x00\xff&", 1<<18)
	tree := render.Card{
		Title:   huge,
		Body:    []render.Node{render.Text(huge), render.Fields(render.Field{Label: huge, Value: huge})},
		Actions: render.Actions(buttons...),
	}
	ids := gallery.IDs(tree)
	got := string(html.Render(tree, ids))
	if err := checkHTML(got, idSet(ids)); err != nil {
		t.Fatalf("unsafe output: %v", err)
	}
	if n := strings.Count(got, "data-action="); n != 10_000 {
		t.Errorf("%d buttons with ids, want 10000", n)
	}
}

func FuzzRender(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\x01\x02\x03 <script> **x** [a](javascript:b)"))
	f.Add([]byte("\x09\x09\x09\x09\x09\x09\x09\x09\x09\x09\x09\x09\x09"))
	f.Add([]byte("\x00\x08\x03\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d table | select"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tree := gallery.Random(data)
		ids := gallery.IDs(tree)
		if len(data)%2 == 1 {
			// Leave some elements without an id, as a poster may.
			for i, el := range render.Interactives(tree) {
				if i%3 == 1 {
					delete(ids, el)
				}
			}
		}
		out := string(html.Render(tree, ids))
		if err := checkHTML(out, idSet(ids)); err != nil {
			t.Fatalf("unsafe output: %v\n%s", err, out)
		}
		if again := string(html.Render(tree, ids)); again != out {
			t.Fatalf("two renderings differ")
		}
	})
}

func BenchmarkRender50(b *testing.B) {
	n := gallery.Fifty()
	ids := gallery.IDs(n)
	b.ReportAllocs()
	for b.Loop() {
		html.Render(n, ids)
	}
}

func ExampleRender() {
	yes := render.Button("Deploy", "web-42").Primary()
	card := render.Card{
		Title:   "Deploy <web-42>?",
		Accent:  render.Green,
		Body:    []render.Node{render.Markdown("Ships **3 commits**; see [the diff](https://example.com/diff).")},
		Actions: render.Actions(yes, render.LinkButton("Logs", "javascript:alert(1)")),
	}
	fmt.Print(html.Render(card, render.IDs{yes: "a1"}))
	// Output:
	// <article class="parley-card" style="--parley-accent:#2eb67d">
	// <header class="parley-card-header"><h2 class="parley-title">Deploy &lt;web-42&gt;?</h2></header>
	// <div class="parley-body">
	// <div class="parley-markdown">
	// <p>Ships <strong>3 commits</strong>; see <a href="https://example.com/diff" rel="noopener noreferrer nofollow" target="_blank">the diff</a>.</p>
	// </div>
	// </div>
	// <div class="parley-actions"><button type="button" class="parley-button parley-primary" data-action="a1">Deploy</button><button type="button" class="parley-button parley-default parley-link" disabled>Logs</button></div>
	// </article>
}
