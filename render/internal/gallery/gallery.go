package gallery

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/parleybot/parley/render"
)

// Entry is one message of the gallery.
type Entry struct {
	// Name names the golden files: testdata/<Name>.<ext>.
	Name string
	Node render.Node
}

// IDs gives every interactive element of n a short, stable id: "a1",
// "a2"… in reading order.
func IDs(n render.Node) render.IDs {
	ids := render.IDs{}
	for i, el := range render.Interactives(n) {
		ids[el] = "a" + strconv.Itoa(i+1)
	}
	return ids
}

// Cards returns the gallery, freshly built: callers may not share the
// returned trees.
func Cards() []Entry {
	return []Entry{
		{"weather", weather()},
		{"issue", issue()},
		{"approval", approval()},
		{"table_200_rows", bigTable()},
		{"buttons_40", buttons(40)},
		{"markdown_10k", render.Markdown(LongMarkdown(10_000))},
		{"emoji", emoji()},
		{"cjk", cjk()},
		{"rtl", rtl()},
		{"empty_card", render.Card{}},
		{"minimal_text", render.Text("ok")},
		{"minimal_card", render.Card{Title: "Done"}},
		{"selects", selects()},
		{"select_150_options", bigSelect()},
		{"long_texts", longTexts()},
		{"layout", layout()},
		{"fields_40", manyFields()},
		{"combining_marks", combining()},
		{"hostile", hostile()},
		{"markdown_syntax", render.Markdown(markdownSyntax)},
	}
}

func weather() render.Node {
	return render.Card{
		Title:    "Weather in Lisbon",
		Subtitle: "Saturday, 21 November",
		Accent:   render.Blue,
		Body: []render.Node{
			render.Section("*Sunny* with a light breeze from the **north-west**.",
				render.Image("https://example.com/icons/sun.png", "A yellow sun")),
			render.Fields(
				render.Field{Label: "Temperature", Value: "18 °C"},
				render.Field{Label: "Wind", Value: "12 km/h NW"},
				render.Field{Label: "Humidity", Value: "64%"},
				render.Field{Label: "UV index", Value: "3 (moderate)"},
			),
			render.Context("Updated 5 minutes ago · source: [IPMA](https://www.ipma.pt)"),
		},
		Actions: render.Actions(
			render.Button("Refresh", "Lisbon").OnAction("refresh"),
			render.LinkButton("10-day forecast", "https://example.com/forecast/lisbon"),
		),
		Footer: "weather-bot",
	}
}

func issue() render.Node {
	return render.Card{
		Title:  "#1234 Crash on login when the password has an emoji",
		Accent: render.Red,
		Body: []render.Node{
			render.Markdown("Steps to reproduce:\n\n1. Open the app\n2. Type `pässwörd🔑` & press **Enter**\n\n```\npanic: runtime error: index out of range [3] with length 3\n\ngoroutine 1 [running]:\nmain.login(...)\n```"),
			render.Fields(
				render.Field{Label: "Status", Value: "Open"},
				render.Field{Label: "Assignee", Value: "unassigned"},
				render.Field{Label: "Labels", Value: "bug, p1, auth"},
			),
			render.Divider(),
		},
		Actions: render.Actions(
			render.Button("Assign to me", 1234).Primary().OnAction("assign"),
			render.Button("Close", 1234).Danger().OnAction("close"),
			render.LinkButton("Open in tracker", "https://tracker.example.com/issues/1234"),
		),
		Footer: "tracker · opened by ana",
	}
}

func approval() render.Node {
	return render.Card{
		Title:  "Approve deploy?",
		Accent: render.Amber,
		Body: []render.Node{
			render.Text("web-42 → production"),
			render.Fields(
				render.Field{Label: "Commits", Value: "3"},
				render.Field{Label: "Requested by", Value: "Ana <ana@example.com>"},
			),
		},
		Actions: render.Actions(
			render.Button("Approve", map[string]any{"approved": true}).Primary(),
			render.Button("Deny", map[string]any{"approved": false}).Danger(),
		),
		Fallback: "Approval needed: deploy web-42 to production",
	}
}

func bigTable() render.Node {
	t := render.Table([]string{"#", "Service", "Region", "Latency (ms)"})
	t.Align = []render.Align{render.AlignRight, render.AlignLeft, render.AlignCenter, render.AlignRight}
	regions := []string{"eu-west", "us-east", "ap-south", "sa-east"}
	for i := range 200 {
		t.Rows = append(t.Rows, []string{
			strconv.Itoa(i + 1),
			fmt.Sprintf("service-%03d", i),
			regions[i%len(regions)],
			strconv.Itoa(20 + (i*37)%400),
		})
	}
	return render.Card{Title: "Latency by service", Body: []render.Node{t}}
}

func buttons(n int) render.Node {
	var bs []*render.ButtonNode
	for i := range n {
		b := render.Button(fmt.Sprintf("Option %d", i+1), i+1)
		switch i % 3 {
		case 1:
			b.Primary()
		case 2:
			b.Danger()
		}
		bs = append(bs, b)
	}
	return render.Card{Title: fmt.Sprintf("Pick one of %d", n), Actions: render.Actions(bs...)}
}

// LongMarkdown returns about size bytes of varied markdown.
func LongMarkdown(size int) string {
	var b strings.Builder
	for i := 0; b.Len() < size; i++ {
		switch i % 6 {
		case 0:
			fmt.Fprintf(&b, "## Part %d\n\n", i/6+1)
		case 1:
			fmt.Fprintf(&b, "Paragraph %d mixes **bold**, _italic_, ~~struck~~ and `code`, links like [the docs](https://example.com/docs/%d), and characters to escape: 1 < 2 & 3 > 2.\n\n", i, i)
		case 2:
			b.WriteString("- first item\n- second item with **bold**\n  - nested item\n- third item\n\n")
		case 3:
			b.WriteString("> A quoted line\n> and another one.\n\n")
		case 4:
			fmt.Fprintf(&b, "```go\nfunc f%d() int {\n\treturn %d // a < b && c > d\n}\n```\n\n", i, i)
		case 5:
			b.WriteString("1. one\n2. two\n3. three\n\n")
		}
	}
	return b.String()
}

func emoji() render.Node {
	return render.Card{
		Title:    "🚀 Launch 🎉 👩🏽‍💻👨‍👩‍👧‍👦 🇵🇹🇯🇵",
		Subtitle: "❤️‍🔥 status",
		Body: []render.Node{
			render.Markdown(strings.Repeat("👍🏿 **ok** 🏳️‍🌈 ", 30)),
			render.Fields(render.Field{Label: "🌡️ Temp", Value: "🔥🔥🔥"}, render.Field{Label: "🧪", Value: "✅"}),
		},
		Actions: render.Actions(
			render.Button(strings.Repeat("👩‍👩‍👧‍👦", 30), "family").OnAction("pick"),
			render.Button("✅ Yes", true).Primary().OnAction("pick"),
		),
		Footer: "🤖",
	}
}

func cjk() render.Node {
	para := "東京の天気は晴れです。明日は雨が降るでしょう。今日は良い一日でした。请确认部署到生产环境。한국어 텍스트도 있습니다。"
	return render.Card{
		Title: "天気予報と部署确认 — " + strings.Repeat("東京", 100),
		Body: []render.Node{
			render.Header(strings.Repeat("見出し", 60)),
			render.Markdown(strings.Repeat(para, 60)),
			render.Fields(render.Field{Label: "地域", Value: "東京都"}, render.Field{Label: "状态", Value: "待确认"}),
		},
		Actions: render.Actions(render.Button("確認する", "ok").Primary().OnAction("confirm"), render.Button(strings.Repeat("取消", 50), "no").OnAction("confirm")),
	}
}

func rtl() render.Node {
	return render.Card{
		Title:    "مرحبا بالعالم — שלום עולם",
		Subtitle: "نص من اليمين إلى اليسار mixed with English",
		Body: []render.Node{
			render.Markdown(strings.Repeat("هذا **نص عربي** مع رابط [مثال](https://example.com) و־עברית. ", 40)),
			render.Text("\u202eeulav desrever\u202c and \u200fmarks\u200e"),
			render.Fields(render.Field{Label: "الحالة", Value: "مفتوح"}, render.Field{Label: "מצב", Value: "פתוח"}),
		},
		Actions: render.Actions(render.Button("موافق", 1).Primary().OnAction("ok"), render.Button("ביטול", 0).OnAction("ok")),
	}
}

func selects() render.Node {
	var opts []*render.Option
	for i := range 30 {
		opts = append(opts, render.Opt(fmt.Sprintf("Region %d", i+1), i).Describe(fmt.Sprintf("Data centre number %d", i+1)))
	}
	return render.Card{
		Title: "Where to deploy?",
		Body: []render.Node{
			render.Select("Choose a region", opts...).OnAction("region"),
			render.RadioSelect(render.Opt("Small", "s"), render.Opt("Medium", "m").Describe("2 vCPU"), render.Opt("Large", "l").Describe("8 vCPU")).OnAction("size"),
		},
	}
}

func bigSelect() render.Node {
	var opts []*render.Option
	for i := range 150 {
		opts = append(opts, render.Opt(fmt.Sprintf("user-%03d", i), i))
	}
	return render.Card{Title: "Assign to", Body: []render.Node{render.Select("Pick a person", opts...).OnAction("assign")}}
}

func longTexts() render.Node {
	long := strings.Repeat("All work and no play makes Jack a dull boy. ", 120)
	return render.Card{
		Title:    strings.Repeat("A very long title ", 40),
		Subtitle: strings.Repeat("subtitle ", 300),
		Body: []render.Node{
			render.Header(strings.Repeat("Header ", 60)),
			render.Text(long),
			render.Fields(render.Field{Label: strings.Repeat("label ", 60), Value: long}),
			render.Context(long),
			render.Image("https://example.com/"+strings.Repeat("p", 3100)+".png", strings.Repeat("alt ", 600)),
			render.Select(strings.Repeat("placeholder ", 30), render.Opt(strings.Repeat("option ", 30), 1).Describe(strings.Repeat("description ", 30))).OnAction("pick"),
		},
		Actions: render.Actions(
			render.Button(strings.Repeat("Label ", 30), strings.Repeat("v", 5000)).OnAction("go"),
			render.LinkButton("Too long a link", "https://example.com/"+strings.Repeat("q", 3100)),
		),
		Footer:   strings.Repeat("footer ", 400),
		Fallback: long,
	}
}

func layout() render.Node {
	return render.Card{
		Title: "Release 2.4",
		Body: []render.Node{
			render.Header("What's new"),
			render.Section("Faster *cold starts* and a new `--dry-run` flag.", render.Button("Changelog", "cl").OnAction("changelog")),
			render.Divider(),
			render.Section("See the docs for the details.", render.LinkButton("Docs", "https://example.com/docs")),
			render.Image("https://example.com/chart.png", "Cold start times, before and after").WithTitle("Cold starts"),
			render.Table([]string{"Metric", "Before", "After"}, []string{"p50", "420 ms", "180 ms"}, []string{"p99", "1.9 s", "640 ms"}),
			render.Context("Released by the platform team"),
		},
	}
}

func manyFields() render.Node {
	var fs []render.Field
	for i := range 40 {
		fs = append(fs, render.Field{Label: fmt.Sprintf("Field %d", i+1), Value: fmt.Sprintf("value %d", i+1)})
	}
	return render.Card{Title: "Inventory", Body: []render.Node{render.Fields(fs...)}}
}

func combining() render.Node {
	decomposed := strings.Repeat("e\u0301", 2000) // é as e + combining acute
	zalgo := "Z" + strings.Repeat("\u0336\u0337", 200) + "algo"
	return render.Card{
		Title: strings.Repeat("n\u0303", 200),
		Body: []render.Node{
			render.Text(decomposed),
			render.Text(zalgo),
			render.Header(strings.Repeat("a\u0308", 200)),
		},
		Actions: render.Actions(render.Button(strings.Repeat("o\u0308", 100), 1).OnAction("x")),
	}
}

func hostile() render.Node {
	return render.Card{
		Title: "<script>alert(1)</script> & <@U123> <!channel>",
		Body: []render.Node{
			render.Text("*not bold* _not italic_ <https://evil.example|click> @everyone ```x```"),
			render.Markdown("[click](javascript:alert(1)) [data](data:text/html,hi) ![img](javascript:x) <b onclick=x>raw</b> [ok](https://example.com/?a=1&b=<2>)"),
			render.Image("javascript:alert(1)", "bad image"),
			render.Section("text", render.Image("data:image/png;base64,AAAA", "inline image")),
			render.Fields(render.Field{Label: "<b>", Value: "&amp; ` | ~ > quote"}),
		},
		Actions: render.Actions(
			render.LinkButton("Bad link", "javascript:alert(1)"),
			render.Button("<i>ok</i>", "x").OnAction("x"),
		),
		Footer: "`code` **bold** <!here>",
	}
}

const markdownSyntax = `# Heading one
## Heading two

Plain, **bold**, *italic*, _also italic_, ~~strike~~, ` + "`inline code`" + `, ***bold italic***.

A [link](https://example.com/path?x=1&y=2) and an autolink <https://example.org>.

- bullet one
- bullet **two**
  - nested *three*
    1. deep ordered

3. starts at three
4. four

> quoted **bold**
> second line

` + "```python\nprint(\"a < b & c > d\")  # `backticks`\n```" + `

---

Line one
Line two (soft break) & a hard break:  
after it.`

// Fifty returns a card of fifty elements of every kind, the benchmarks'
// workload.
func Fifty() render.Node {
	c := render.Card{Title: "Fifty elements", Subtitle: "a benchmark card", Accent: render.Green, Footer: "bench"}
	for i := range 10 {
		c.Body = append(c.Body,
			render.Markdown(fmt.Sprintf("Item %d has **bold**, _italic_, `code` and a [link](https://example.com/%d) & more.", i, i)),
			render.Fields(render.Field{Label: "Owner", Value: "ana"}, render.Field{Label: "State", Value: "open"}),
			render.Section(fmt.Sprintf("Section %d", i), render.Button("Open", i).OnAction("open")),
			render.Context(fmt.Sprintf("updated %d minutes ago", i)),
		)
	}
	c.Body = append(c.Body,
		render.Divider(),
		render.Table([]string{"a", "b"}, []string{"1", "2"}, []string{"3", "4"}),
		render.Select("Pick", render.Opt("one", 1), render.Opt("two", 2)).OnAction("pick"),
		render.Image("https://example.com/i.png", "an image"),
		render.Header("The end"),
		render.Text("Plain text & more"),
		render.Markdown("- a\n- b"),
		render.Divider(),
	)
	c.Actions = render.Actions(render.Button("Yes", true).Primary(), render.Button("No", false).Danger())
	return c
}
