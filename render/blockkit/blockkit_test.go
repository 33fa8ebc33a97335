package blockkit_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/parleybot/parley/render"
	"github.com/parleybot/parley/render/blockkit"
	"github.com/parleybot/parley/render/internal/gallery"
)

// renderOK renders n with gallery ids and checks every message with
// Validate.
func renderOK(t *testing.T, n render.Node) []blockkit.Message {
	t.Helper()
	msgs, err := blockkit.Render(n, gallery.IDs(n))
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	for i, m := range msgs {
		if err := blockkit.Validate(m); err != nil {
			t.Errorf("message %d is invalid:\n%v", i, err)
		}
	}
	return msgs
}

// blocks returns a message's blocks, in the message or in its attachment.
func blocks(m blockkit.Message) []slack.Block {
	if len(m.Attachments) > 0 {
		return m.Attachments[0].Blocks.BlockSet
	}
	return m.Blocks
}

// allBlocks returns the blocks of all messages, in order.
func allBlocks(msgs []blockkit.Message) []slack.Block {
	var out []slack.Block
	for _, m := range msgs {
		out = append(out, blocks(m)...)
	}
	return out
}

func types(bs []slack.Block) string {
	var s []string
	for _, b := range bs {
		s = append(s, string(b.BlockType()))
	}
	return strings.Join(s, " ")
}

func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRenderCard(t *testing.T) {
	t.Parallel()
	msgs := renderOK(t, render.Card{
		Title:    "Deploy <web>?",
		Subtitle: "prod",
		Accent:   render.Red,
		Body:     []render.Node{render.Markdown("Ships **3** commits."), render.Divider()},
		Actions:  render.Actions(render.Button("Yes", 1).Primary(), render.Button("No", 0).Danger()),
		Footer:   "bot",
	})
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if m.Blocks != nil || len(m.Attachments) != 1 || m.Attachments[0].Color != "#e01e5a" {
		t.Fatalf("accented card: blocks %v, attachments %+v; want the blocks in one attachment coloured #e01e5a", m.Blocks, m.Attachments)
	}
	if got, want := types(blocks(m)), "header context section divider actions context"; got != want {
		t.Errorf("blocks %q, want %q", got, want)
	}
	if want := "Deploy &lt;web&gt;?\nprod\nShips 3 commits."; m.Text != want {
		t.Errorf("Text = %q, want %q", m.Text, want)
	}
	h := blocks(m)[0].(*slack.HeaderBlock)
	if h.Text.Type != slack.PlainTextType || h.Text.Text != "Deploy <web>?" {
		t.Errorf("header %+v", h.Text)
	}
	s := blocks(m)[2].(*slack.SectionBlock)
	if s.Text.Type != slack.MarkdownType || s.Text.Text != "Ships *3* commits." {
		t.Errorf("markdown section %+v", s.Text)
	}
	a := blocks(m)[4].(*slack.ActionBlock).Elements.ElementSet
	yes, no := a[0].(*slack.ButtonBlockElement), a[1].(*slack.ButtonBlockElement)
	if yes.ActionID != "a1" || yes.Value != "a1" || yes.Style != slack.StylePrimary || no.ActionID != "a2" || no.Style != slack.StyleDanger {
		t.Errorf("buttons %+v %+v", yes, no)
	}
}

func TestRenderWithoutAccent(t *testing.T) {
	t.Parallel()
	m := renderOK(t, render.Card{Title: "Plain"})[0]
	if len(m.Attachments) != 0 || types(m.Blocks) != "header" {
		t.Errorf("blocks %q, attachments %v", types(m.Blocks), m.Attachments)
	}
}

func TestRenderTextIsNeverEmpty(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   render.Node
		want string
	}{
		{"only a title", render.Card{Title: "Title"}, "Title"},
		{"blank fallback uses the title", render.Card{Title: "Title", Fallback: "  "}, "Title"},
		{"fallback", render.Card{Title: "Title", Fallback: "Short <!here>"}, "Short &lt;!here&gt;"},
		{"long fallback", render.Text(strings.Repeat("&", 5000)), strings.Repeat("&amp;", 799) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, m := range renderOK(t, tt.in) {
				if m.Text != tt.want {
					t.Errorf("Text = %.80q…, want %.80q…", m.Text, tt.want)
				}
			}
		})
	}
}

func TestRenderNothingToShow(t *testing.T) {
	t.Parallel()
	for _, n := range []render.Node{nil, (*render.Card)(nil), render.Card{}, render.Card{Actions: render.Actions(render.Button("Go", 1))}} {
		msgs, err := blockkit.Render(n, nil)
		if err != nil || len(msgs) != 0 {
			t.Errorf("Render(%#v) = %d messages, %v; want none", n, len(msgs), err)
		}
	}
}

func TestRenderTextNodeIsPlain(t *testing.T) {
	t.Parallel()
	in := "*not bold* <@U1> & :x:\n> not a quote"
	s := blocks(renderOK(t, render.Text(in))[0])[0].(*slack.SectionBlock)
	if s.Text.Type != slack.PlainTextType || s.Text.Text != in || s.Text.Emoji == nil || *s.Text.Emoji {
		t.Errorf("text section %+v, want plain_text %q without emoji", s.Text, in)
	}
	long := renderOK(t, render.Text(strings.Repeat("word ", 1300)))
	if got := types(allBlocks(long)); got != "section section section" {
		t.Errorf("6500 characters of text: %q, want three sections", got)
	}
	if got := renderOK(t, render.Text(" \n\t ")); len(got) != 0 {
		t.Errorf("blank text gives %d messages", len(got))
	}
}

func TestRenderSplitsMessages(t *testing.T) {
	t.Parallel()
	t.Run("blocks", func(t *testing.T) {
		t.Parallel()
		c := render.Card{Title: "Many", Accent: render.Blue}
		for range 120 {
			c.Body = append(c.Body, render.Divider())
		}
		msgs := renderOK(t, c)
		if len(msgs) != 3 {
			t.Fatalf("%d messages, want 3", len(msgs))
		}
		for i, m := range msgs {
			if len(m.Attachments) != 1 || m.Attachments[0].Color != "#36c5f0" || m.Blocks != nil {
				t.Errorf("message %d does not hold its blocks in one coloured attachment", i)
			}
		}
		if n := len(allBlocks(msgs)); n != 121 {
			t.Errorf("%d blocks in all, want 121", n)
		}
	})
	t.Run("text", func(t *testing.T) {
		t.Parallel()
		var body []render.Node
		for range 10 {
			body = append(body, render.Markdown(strings.Repeat("x", 2900)))
		}
		msgs := renderOK(t, render.Card{Body: body})
		if len(msgs) != 3 {
			t.Fatalf("%d messages, want 3 (4 sections of 2900 characters fit in 12,000)", len(msgs))
		}
		for i, m := range msgs {
			if want := []int{4, 4, 2}[i]; len(m.Blocks) != want {
				t.Errorf("message %d has %d blocks, want %d", i, len(m.Blocks), want)
			}
		}
	})
	t.Run("long markdown", func(t *testing.T) {
		t.Parallel()
		msgs := renderOK(t, render.Markdown(gallery.LongMarkdown(40_000)))
		if len(msgs) < 4 {
			t.Errorf("%d messages for 40,000 characters of markdown", len(msgs))
		}
		for _, b := range allBlocks(msgs) {
			text := b.(*slack.SectionBlock).Text.Text
			if strings.Count(text, "```")%2 != 0 {
				t.Errorf("a section leaves a code block open:\n%s", text)
			}
		}
	})
}

// TestRenderEscapedTextSplitsBetweenWords checks that text escaping makes
// twice as long is still split between words, not into lines of a few
// characters.
func TestRenderEscapedTextSplitsBetweenWords(t *testing.T) {
	t.Parallel()
	words := 0
	for _, b := range allBlocks(renderOK(t, render.Markdown(strings.Repeat("<@U1> ", 1000)))) {
		for _, w := range strings.Fields(b.(*slack.SectionBlock).Text.Text) {
			if w != "&lt;@U1&gt;" {
				t.Fatalf("word %q: a mention was cut", w)
			}
			words++
		}
	}
	if words != 1000 {
		t.Errorf("%d words, want 1000", words)
	}
}

func TestRenderTables(t *testing.T) {
	t.Parallel()
	small := render.Table([]string{"n", "name"}, []string{"10", "x"}, []string{"7"})
	small.Align = []render.Align{render.AlignRight}
	t.Run("first table is a table block", func(t *testing.T) {
		t.Parallel()
		bs := blocks(renderOK(t, small)[0])
		tb := bs[0].(*slack.TableBlock)
		if got, want := asJSON(t, tb), `{"type":"table","rows":[[{"type":"raw_text","text":"n"},{"type":"raw_text","text":"name"}],[{"type":"raw_text","text":"10"},{"type":"raw_text","text":"x"}],[{"type":"raw_text","text":"7"},{"type":"raw_text","text":"—"}]],"column_settings":[{"align":"right","is_wrapped":false}]}`; got != want {
			t.Errorf("table block\n%s\nwant\n%s", got, want)
		}
	})
	t.Run("second table is monospace", func(t *testing.T) {
		t.Parallel()
		msgs := renderOK(t, render.Card{Body: []render.Node{small, small}})
		if len(msgs) != 1 {
			t.Fatalf("%d messages, want 1", len(msgs))
		}
		s := blocks(msgs[0])[1].(*slack.SectionBlock)
		if want := "```\n n  name\n10  x\n 7\n```"; s.Text.Text != want {
			t.Errorf("monospace table\n%s\nwant\n%s", s.Text.Text, want)
		}
	})
	t.Run("rows and columns past the limits", func(t *testing.T) {
		t.Parallel()
		wide := render.TableNode{Headers: make([]string, 25)}
		for i := range wide.Headers {
			wide.Headers[i] = fmt.Sprint("h", i)
		}
		for i := range 150 {
			wide.Rows = append(wide.Rows, []string{fmt.Sprint(i)})
		}
		// 100 rows of 20 cells take some 64 KB of JSON: the table
		// continues in a second message, under its header row again.
		msgs := renderOK(t, wide)
		if len(msgs) != 2 {
			t.Fatalf("%d messages, want 2", len(msgs))
		}
		rows := 0
		for i, m := range msgs {
			tb := blocks(m)[0].(*slack.TableBlock)
			if len(tb.Rows[0]) != 20 || tb.Rows[0][0].(*slack.TableRawTextCell).Text != "h0" {
				t.Errorf("message %d: table of %d cells a row starting %+v, want 20 under the header row", i, len(tb.Rows[0]), tb.Rows[0][0])
			}
			rows += len(tb.Rows) - 1
		}
		if rows != 99 {
			t.Errorf("%d rows under the headers, want 99", rows)
		}
		last := blocks(msgs[1])
		note := last[len(last)-1].(*slack.ContextBlock).ContextElements.Elements[0].(*slack.TextBlockObject).Text
		if note != "…and 51 more rows and 5 more columns" {
			t.Errorf("note %q", note)
		}
	})
	t.Run("monospace table cut", func(t *testing.T) {
		t.Parallel()
		big := render.Table([]string{"name", "value"})
		for i := range 100 {
			big.Rows = append(big.Rows, []string{fmt.Sprint("row-", i), strings.Repeat("v", 40)})
		}
		msgs := renderOK(t, render.Card{Body: []render.Node{small, big}})
		s := blocks(msgs[0])[1].(*slack.SectionBlock).Text.Text
		if !strings.HasPrefix(s, "```\nname") || !strings.Contains(s, "\n```\n…and ") || !strings.HasSuffix(s, " more rows") {
			t.Errorf("cut monospace table:\n%s", s)
		}
	})
	t.Run("monospace table that does not fit starts a message", func(t *testing.T) {
		t.Parallel()
		body := []render.Node{small}
		for range 4 {
			body = append(body, render.Markdown(strings.Repeat("x", 2995)))
		}
		msgs := renderOK(t, render.Card{Body: append(body, small, small)})
		if len(msgs) != 2 {
			t.Fatalf("%d messages, want 2", len(msgs))
		}
		if got, want := types(blocks(msgs[0]))+" | "+types(blocks(msgs[1])), "table section section section section | table section"; got != want {
			t.Errorf("blocks %q, want %q", got, want)
		}
	})
	t.Run("empty table", func(t *testing.T) {
		t.Parallel()
		if bs := allBlocks(renderOK(t, render.Table([]string{" ", ""}))); len(bs) != 0 {
			t.Errorf("blank table gives %q", types(bs))
		}
	})
}

func TestRenderActions(t *testing.T) {
	t.Parallel()
	var bs []*render.ButtonNode
	for i := range 40 {
		bs = append(bs, render.Button(fmt.Sprint("Option ", i), i))
	}
	bs = append(bs,
		render.Button(strings.Repeat("long ", 30), 0),
		render.Button(" ", 0),
		render.LinkButton("Docs", "https://example.com/a b"),
		render.LinkButton("Evil", "javascript:alert(1)"),
		render.LinkButton("Odd host", "https://a<b/"),
		render.LinkButton("No host", "https://:80/"),
		nil,
	)
	msgs := renderOK(t, render.Actions(bs...))
	got := allBlocks(msgs)
	if types(got) != "actions actions context" {
		t.Fatalf("blocks %q", types(got))
	}
	first := got[0].(*slack.ActionBlock).Elements.ElementSet
	second := got[1].(*slack.ActionBlock).Elements.ElementSet
	if len(first) != 25 || len(second) != 18 {
		t.Errorf("actions of %d and %d elements, want 25 and 18", len(first), len(second))
	}
	long := second[15].(*slack.ButtonBlockElement)
	blank := second[16].(*slack.ButtonBlockElement)
	link := second[17].(*slack.ButtonBlockElement)
	if render.Len(long.Text.Text) != 75 || !strings.HasSuffix(long.Text.Text, "…") || blank.Text.Text != "(untitled)" {
		t.Errorf("labels %q and %q", long.Text.Text, blank.Text.Text)
	}
	if link.URL != "https://example.com/a%20b" || link.ActionID != "" || link.Value != "" {
		t.Errorf("link button %+v", link)
	}
	note := got[2].(*slack.ContextBlock).ContextElements.Elements[0].(*slack.TextBlockObject).Text
	if note != "Link not shown: Evil, Odd host, No host" {
		t.Errorf("note %q", note)
	}
}

func TestRenderLeavesOutElementsWithoutIDs(t *testing.T) {
	t.Parallel()
	keep, drop := render.Button("Keep", 1), render.Button("Drop", 2)
	o1, o2 := render.Opt("one", 1), render.Opt("two", 2)
	card := render.Card{
		Body:    []render.Node{render.Select("Pick", o1, o2), render.Section("text", drop)},
		Actions: render.Actions(keep, drop),
	}
	msgs, err := blockkit.Render(card, render.IDs{keep: "k", o2: "o2"})
	if err != nil {
		t.Fatal(err)
	}
	j := asJSON(t, msgs)
	for _, s := range []string{`"action_id":"k"`, `"value":"o2"`, `"action_id":"sel:o2"`} {
		if !strings.Contains(j, s) {
			t.Errorf("missing %s in %s", s, j)
		}
	}
	for _, s := range []string{"Drop", `"one"`, "accessory"} {
		if strings.Contains(j, s) {
			t.Errorf("%s should be left out: %s", s, j)
		}
	}
}

func TestRenderSelects(t *testing.T) {
	t.Parallel()
	opts := func(n int) []*render.Option {
		var out []*render.Option
		for i := range n {
			out = append(out, render.Opt(fmt.Sprint("option ", i), i).Describe(strings.Repeat("d", 100)))
		}
		return out
	}
	t.Run("more than 100 options", func(t *testing.T) {
		t.Parallel()
		sel := render.Select(strings.Repeat("p", 200), opts(150)...)
		var els []slack.BlockElement
		for _, b := range allBlocks(renderOK(t, sel)) {
			els = append(els, b.(*slack.ActionBlock).Elements.ElementSet...)
		}
		if len(els) != 2 {
			t.Fatalf("%d selects, want 2", len(els))
		}
		a, b := els[0].(*slack.SelectBlockElement), els[1].(*slack.SelectBlockElement)
		if a.Type != slack.OptTypeStatic || a.ActionID != "sel:a1" || len(a.Options) != 100 || b.ActionID != "sel:a101" || len(b.Options) != 50 {
			t.Errorf("selects %s (%d options), %s (%d options)", a.ActionID, len(a.Options), b.ActionID, len(b.Options))
		}
		if o := a.Options[0]; o.Value != "a1" || o.Text.Text != "option 0" || render.Len(o.Description.Text) != 75 || render.Len(a.Placeholder.Text) != 150 {
			t.Errorf("option %+v, placeholder %q", o, a.Placeholder.Text)
		}
	})
	t.Run("radio", func(t *testing.T) {
		t.Parallel()
		el := allBlocks(renderOK(t, render.RadioSelect(opts(10)...)))[0].(*slack.ActionBlock).Elements.ElementSet[0]
		if r, ok := el.(*slack.RadioButtonsBlockElement); !ok || r.ActionID != "sel:a1" || len(r.Options) != 10 {
			t.Errorf("10 radio options give %+v, want radio_buttons", el)
		}
		el = allBlocks(renderOK(t, render.RadioSelect(opts(11)...)))[0].(*slack.ActionBlock).Elements.ElementSet[0]
		if s, ok := el.(*slack.SelectBlockElement); !ok || s.Type != slack.OptTypeStatic {
			t.Errorf("11 radio options give %+v, want a static_select", el)
		}
	})
}

func TestRenderFields(t *testing.T) {
	t.Parallel()
	var fs []render.Field
	for i := range 25 {
		fs = append(fs, render.Field{Label: fmt.Sprint("L*", i), Value: strings.Repeat("<v>", 1000)})
	}
	fs = append(fs, render.Field{}, render.Field{Value: "only value"})
	bs := allBlocks(renderOK(t, render.Fields(fs...)))
	var n int
	for _, b := range bs {
		s := b.(*slack.SectionBlock)
		if s.Text != nil || len(s.Fields) > 10 {
			t.Errorf("fields section with text %v and %d fields", s.Text, len(s.Fields))
		}
		n += len(s.Fields)
	}
	if n != 26 {
		t.Errorf("%d fields, want 26", n)
	}
	first := bs[0].(*slack.SectionBlock).Fields[0].Text
	if !strings.HasPrefix(first, "*L*0*\n&lt;v&gt;") || !strings.HasSuffix(first, "…") || render.Len(first) > 2000 {
		t.Errorf("field %.60q… of %d characters", first, render.Len(first))
	}
}

func TestRenderImagesAndSections(t *testing.T) {
	t.Parallel()
	msgs := renderOK(t, render.Card{Body: []render.Node{
		render.Image("https://x.test/a.png", "").WithTitle("Chart"),
		render.Image("https://x.test/b.png", ""),
		render.Image("data:image/png;base64,AAAA", "secret diagram"),
		render.Section("beside a button", render.Button("Go", 1)),
		render.Section("", render.Image("https://x.test/c.png", "alone")),
		render.Section("", render.Button("Alone", 2)),
		render.Section(strings.Repeat("long ", 1000), render.LinkButton("Docs", "https://x.test/docs")),
	}})
	bs := allBlocks(msgs)
	if got, want := types(bs), "image image context section image actions section section"; got != want {
		t.Fatalf("blocks %q, want %q", got, want)
	}
	if a, b := bs[0].(*slack.ImageBlock), bs[1].(*slack.ImageBlock); a.AltText != "Chart" || a.Title.Text != "Chart" || b.AltText != "image" || b.Title != nil {
		t.Errorf("images %+v %+v", a, b)
	}
	if note := asJSON(t, bs[2]); !strings.Contains(note, "Image not shown: secret diagram") {
		t.Errorf("note %s", note)
	}
	if s := bs[3].(*slack.SectionBlock); s.Accessory == nil || s.Accessory.ButtonElement.ActionID != "a1" {
		t.Errorf("section accessory %+v", s.Accessory)
	}
	if s, t2 := bs[6].(*slack.SectionBlock), bs[7].(*slack.SectionBlock); s.Accessory == nil || s.Accessory.ButtonElement.URL != "https://x.test/docs" || t2.Accessory != nil {
		t.Errorf("a long section keeps its accessory on its first part only")
	}
}

func TestRenderIDErrors(t *testing.T) {
	t.Parallel()
	b1, b2 := render.Button("a", 1), render.Button("b", 2)
	o1, o2 := render.Opt("x", 1), render.Opt("y", 2)
	card := render.Card{Body: []render.Node{render.Select("", o1, o2)}, Actions: render.Actions(b1, b2)}
	tests := []struct {
		name string
		ids  render.IDs
		want string // "" for no error
	}{
		{"at the limits", render.IDs{b1: strings.Repeat("b", 255), o1: strings.Repeat("o", 150)}, ""},
		{"action_id too long", render.IDs{b1: strings.Repeat("b", 256)}, "button id"},
		{"option value too long", render.IDs{o1: strings.Repeat("o", 151)}, "option id"},
		{"two buttons", render.IDs{b1: "x", b2: "x"}, "more than one element"},
		{"button and option", render.IDs{b1: "x", o2: "x"}, "more than one element"},
		{"button named like a select", render.IDs{b1: "sel:x", o1: "x"}, "action_id of the select"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			msgs, err := blockkit.Render(card, tt.ids)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Render: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Render error %v, want one containing %q", err, tt.want)
			case tt.want != "" && msgs != nil:
				t.Errorf("Render returned messages with its error")
			}
		})
	}
	t.Run("one element twice", func(t *testing.T) {
		t.Parallel()
		twice := render.Card{Body: []render.Node{render.Actions(b1)}, Actions: render.Actions(b1)}
		if _, err := blockkit.Render(twice, gallery.IDs(twice)); err == nil {
			t.Error("a button met twice renders, making two equal action_ids")
		}
	})
}

func TestRenderNeverSendsValues(t *testing.T) {
	t.Parallel()
	secret := "s3cr3t-value"
	card := render.Card{
		Body:    []render.Node{render.Select("", render.Opt("x", secret)), render.Section("t", render.Button("b", secret))},
		Actions: render.Actions(render.Button("Go", map[string]string{"k": secret})),
	}
	if j := asJSON(t, renderOK(t, card)); strings.Contains(j, secret) {
		t.Errorf("a value reached the payload: %s", j)
	}
}

// FuzzRender renders random trees: every rendering must be messages
// Validate accepts, and must marshal.
func FuzzRender(f *testing.F) {
	for _, seed := range []string{"", "\x00", "card", "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a", strings.Repeat("\x08\xff", 40), strings.Repeat("\x09\x05\x00", 30)} {
		f.Add([]byte(seed))
	}
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
		msgs, err := blockkit.Render(tree, gallery.IDs(tree))
		if err != nil {
			t.Fatalf("Render: %v", err)
		}
		for i, m := range msgs {
			if err := blockkit.Validate(m); err != nil {
				t.Fatalf("message %d of %d is invalid:\n%v", i, len(msgs), err)
			}
			if _, err := json.Marshal(m); err != nil {
				t.Fatalf("message %d: %v", i, err)
			}
		}
	})
}

func BenchmarkRender50(b *testing.B) {
	card := gallery.Fifty()
	ids := gallery.IDs(card)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := blockkit.Render(card, ids); err != nil {
			b.Fatal(err)
		}
	}
}
