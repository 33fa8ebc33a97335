package discordui_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/parleybot/parley/render"
	"github.com/parleybot/parley/render/discordui"
	"github.com/parleybot/parley/render/internal/gallery"
)

// rows returns the action rows of msgs, in order.
func rows(msgs []discordui.Message) []discordgo.ActionsRow {
	var out []discordgo.ActionsRow
	for _, m := range msgs {
		for _, c := range m.Components {
			out = append(out, c.(discordgo.ActionsRow))
		}
	}
	return out
}

// embeds returns the embeds of msgs, in order.
func embeds(msgs []discordui.Message) []*discordgo.MessageEmbed {
	var out []*discordgo.MessageEmbed
	for _, m := range msgs {
		out = append(out, m.Embeds...)
	}
	return out
}

func TestRenderNothing(t *testing.T) {
	t.Parallel()
	var nilCard *render.Card
	var nilSelect *render.SelectNode
	tests := []struct {
		name string
		node render.Node
	}{
		{"nil", nil},
		{"nil card", nilCard},
		{"nil select", nilSelect},
		{"empty card", render.Card{}},
		{"empty text", render.Text("")},
		{"blank markdown", render.Markdown(" \n\n ")},
		{"buttons without ids", render.Actions(render.Button("a", 1), nil)},
		{"select without ids", render.Select("p", render.Opt("a", 1), nil)},
		{"card of nils", render.Card{Body: []render.Node{nil, nilSelect, render.Fields()}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			msgs, err := discordui.Render(tt.node, render.IDs{})
			if err != nil || len(msgs) != 0 {
				t.Errorf("Render = %d messages, %v; want none, nil", len(msgs), err)
			}
		})
	}
}

func TestRenderContent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		node render.Node
		want string
	}{
		{"text", render.Text("ok"), "ok"},
		{"text is literal", render.Text("*not bold* # x\n- item\n> q @everyone"), "\\*not bold\\* # x\n\\- item\n\\> q @\u200beveryone"},
		{"markdown", render.Markdown("**b** [l](https://x.test)"), "**b** [l](https://x.test)"},
		{"header", render.Header("Title *x*"), "## Title \\*x\\*"},
		{"context", render.Context("small _print_"), "-# small _print_"},
		{"divider", render.Divider(), "──────────"},
		{"fields", render.Fields(render.Field{Label: "A", Value: "1"}, render.Field{Label: "B_", Value: "2"}), "**A:** 1\n**B\\_:** 2"},
		{"table", render.Table([]string{"k", "v"}, []string{"a", "1"}, []string{"bb"}), "```\nk   v\n──  ─\na   1\nbb\n```"},
		{"section", render.Section("see", render.Image("javascript:x", "alt")), "see\n-# Image not shown: alt"},
		{"invalid image", render.Image("ftp://x.test/a.png", "a chart"), "-# Image not shown: a chart"},
		{"invalid UTF-8 and NUL", render.Text("a\xff\x00b"), "a\uFFFDb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			msgs := renderValid(t, tt.node, nil)
			if len(msgs) != 1 || msgs[0].Content != tt.want || len(msgs[0].Embeds) != 0 {
				t.Errorf("Render = %+v\nwant one message with content %q", msgs, tt.want)
			}
		})
	}
}

func TestRenderSplitsContent(t *testing.T) {
	t.Parallel()
	for _, n := range []render.Node{
		render.Markdown(gallery.LongMarkdown(50_000)),
		render.Text(strings.Repeat("word ", 20_000)),
		render.Text(strings.Repeat("x", 9000)), // no space to break at
	} {
		msgs := renderValid(t, n, nil)
		if len(msgs) < 3 {
			t.Errorf("%d messages, want the text over at least 3", len(msgs))
		}
	}
}

func TestRenderCard(t *testing.T) {
	t.Parallel()
	card := render.Card{
		Title:    "T",
		Subtitle: "sub",
		Accent:   render.Red,
		Body: []render.Node{
			render.Section("beside", render.Image("https://x.test/t.png", "thumb")),
			render.Fields(render.Field{Label: "", Value: ""}),
			render.Markdown("after fields"),
			render.Image("https://x.test/1.png", "one"),
			render.Image("https://x.test/2.png", "two"),
			render.Card{Title: "Inner", Body: []render.Node{render.Text("inner text")}, Footer: "inner foot"},
		},
		Footer: "foot",
	}
	msgs := renderValid(t, &card, nil)
	es := embeds(msgs)
	if len(msgs) != 1 || len(es) != 4 {
		t.Fatalf("%d messages, %d embeds; want 1 and 4:\n%s", len(msgs), len(es), dump(msgs))
	}
	want := []struct {
		title, desc, image, thumb string
		fields                    int
	}{
		{"T", "_sub_\nbeside", "", "https://x.test/t.png", 1},
		{"", "after fields", "https://x.test/1.png", "", 0},
		{"", "", "https://x.test/2.png", "", 0}, // a second image, a second embed
		{"", "### Inner\ninner text\n-# inner foot", "", "", 0},
	}
	for i, w := range want {
		e := es[i]
		if e.Color != 0xe01e5a {
			t.Errorf("embed %d: colour %#x, want the accent", i, e.Color)
		}
		img, thumb := "", ""
		if e.Image != nil {
			img = e.Image.URL
		}
		if e.Thumbnail != nil {
			thumb = e.Thumbnail.URL
		}
		if e.Title != w.title || e.Description != w.desc || img != w.image || thumb != w.thumb || len(e.Fields) != w.fields {
			t.Errorf("embed %d = %s\nwant %+v", i, dump(e), w)
		}
	}
	if f := es[0].Fields[0]; f.Name != "\u200b" || f.Value != "\u200b" || !f.Inline {
		t.Errorf("empty field = %+v, want zero-width spaces, inline", f)
	}
	if es[3].Footer == nil || es[3].Footer.Text != "foot" {
		t.Errorf("the last embed has footer %+v, want the card's", es[3].Footer)
	}
}

func TestRenderFieldsOverEmbeds(t *testing.T) {
	t.Parallel()
	var fs []render.Field
	for i := range 60 {
		fs = append(fs, render.Field{Label: fmt.Sprint("f", i), Value: strings.Repeat("v", 1500)})
	}
	msgs := renderValid(t, render.Card{Title: "many", Body: []render.Node{render.Fields(fs...)}}, nil)
	n := 0
	for _, e := range embeds(msgs) {
		for _, f := range e.Fields {
			if f.Name != fmt.Sprint("f", n) {
				t.Fatalf("field %d is %q: fields out of order or lost", n, f.Name)
			}
			if !strings.HasSuffix(f.Value, "…") {
				t.Errorf("field %d: a cut value should end in …", n)
			}
			n++
		}
	}
	if n != 60 {
		t.Errorf("%d fields rendered, want 60", n)
	}
	if len(msgs) < 10 {
		t.Errorf("%d messages: 60 fields of 1024 characters need at least 10 at 6000 a message", len(msgs))
	}
}

func TestRenderTableCut(t *testing.T) {
	t.Parallel()
	tbl := render.Table([]string{"n"})
	for i := range 1000 {
		tbl.Rows = append(tbl.Rows, []string{fmt.Sprint("row ", i), "ragged", "more"})
	}
	for _, n := range []render.Node{tbl, render.Card{Body: []render.Node{tbl}}} {
		msgs := renderValid(t, n, nil)
		text := msgs[0].Content
		if len(msgs[0].Embeds) > 0 {
			text = msgs[0].Embeds[0].Description
		}
		if len(msgs) != 1 || !strings.Contains(text, "row 0 ") || !strings.HasSuffix(text, " more rows") {
			t.Errorf("table rendered as\n%s\nwant one message, the first rows and a count of the rest", dump(msgs))
		}
	}
}

func TestRenderComponents(t *testing.T) {
	t.Parallel()
	var bs []*render.ButtonNode
	for i := range 12 {
		bs = append(bs, render.Button(fmt.Sprint("b", i), fmt.Sprint("secret-", i)))
	}
	bs[1].Primary()
	bs[2].Danger()
	bs = append(bs, nil, render.LinkButton("js", "javascript:alert(1)"), render.LinkButton("long", "https://x.test/"+strings.Repeat("p", 600)), render.LinkButton("ok", "https://x.test"))
	radio := render.RadioSelect(render.Opt("S", "s"), render.Opt("M", "m"), nil)
	var opts []*render.Option
	for i := range 60 {
		opts = append(opts, render.Opt(fmt.Sprint("o", i), i))
	}
	sel := render.Select("Pick", opts...)
	card := render.Card{
		Title:   "c",
		Body:    []render.Node{radio, sel, render.Section("s", render.Button("acc", "secret-acc"))},
		Actions: render.Actions(bs...),
	}
	ids := gallery.IDs(card)
	delete(ids, bs[11])
	msgs := renderValid(t, card, ids)
	b, _ := json.Marshal(msgs)
	if strings.Contains(string(b), "secret") {
		t.Errorf("a value reached the payload:\n%s", dump(msgs))
	}
	rs := rows(msgs)
	// radio, 3 selects, the section's button, then 11 buttons and a link in
	// rows of five.
	wantRows := []int{2, 1, 1, 1, 1, 5, 5, 2}
	if len(rs) != len(wantRows) {
		t.Fatalf("%d rows, want %d:\n%s", len(rs), len(wantRows), dump(msgs))
	}
	for i, r := range rs {
		if len(r.Components) != wantRows[i] {
			t.Errorf("row %d has %d components, want %d", i, len(r.Components), wantRows[i])
		}
	}
	if len(msgs) != 2 || len(msgs[0].Components) != 5 {
		t.Errorf("%d messages, the first with %d rows; want 2, the first full", len(msgs), len(msgs[0].Components))
	}
	if b := rs[0].Components[0].(discordgo.Button); b.CustomID != ids[radio.Options[0]] || b.Label != "S" {
		t.Errorf("radio button = %+v, want the option's id and label", b)
	}
	for i, want := range []struct{ ph, first string }{{"Pick (1–25)", "o0"}, {"Pick (26–50)", "o25"}, {"Pick (51–60)", "o50"}} {
		m := rs[1+i].Components[0].(discordgo.SelectMenu)
		if m.Placeholder != want.ph || m.Options[0].Label != want.first || m.CustomID != "sel:"+m.Options[0].Value || m.Options[0].Value != ids[opts[25*i]] {
			t.Errorf("menu %d = %s\nwant placeholder %q starting at %q", i, dump(m), want.ph, want.first)
		}
	}
	styles := []discordgo.ButtonStyle{discordgo.SecondaryButton, discordgo.PrimaryButton, discordgo.DangerButton}
	for i, s := range styles {
		if b := rs[5].Components[i].(discordgo.Button); b.Style != s || b.CustomID != ids[bs[i]] {
			t.Errorf("button %d = %+v, want style %d and its id", i, b, s)
		}
	}
	last := rs[7].Components
	if l := last[len(last)-1].(discordgo.Button); l.Style != discordgo.LinkButton || l.URL != "https://x.test" || l.CustomID != "" {
		t.Errorf("link button = %+v, want only the valid link", l)
	}
}

func TestRenderSectionButtonsShareRows(t *testing.T) {
	t.Parallel()
	var body []render.Node
	for i := range 7 {
		body = append(body, render.Section(fmt.Sprint("s", i), render.Button("open", i)))
	}
	card := render.Card{Title: "t", Body: body}
	rs := rows(renderValid(t, card, gallery.IDs(card)))
	if len(rs) != 2 || len(rs[0].Components) != 5 || len(rs[1].Components) != 2 {
		t.Errorf("rows %+v, want 5 and 2 buttons", rs)
	}
}

func TestRenderManyButtons(t *testing.T) {
	t.Parallel()
	var bs []*render.ButtonNode
	for i := range 10_000 {
		bs = append(bs, render.Button("b", i))
	}
	card := render.Card{Title: "t", Actions: render.Actions(bs...)}
	msgs := renderValid(t, card, gallery.IDs(card))
	if n := len(rows(msgs)); n != 2000 || len(msgs) != 400 {
		t.Errorf("%d rows over %d messages, want 2000 over 400", n, len(msgs))
	}
}

func TestRenderLongCard(t *testing.T) {
	t.Parallel()
	card := render.Card{
		Title:  strings.Repeat("t", 300),
		Body:   []render.Node{render.Markdown(gallery.LongMarkdown(100_000))},
		Footer: strings.Repeat("f", 3000),
	}
	msgs := renderValid(t, card, nil)
	es := embeds(msgs)
	if len(msgs) < 17 {
		t.Errorf("%d messages, want 100,000 characters over at least 17", len(msgs))
	}
	if !strings.HasSuffix(es[0].Title, "…") {
		t.Errorf("title %q, want it cut with …", es[0].Title)
	}
	if f := es[len(es)-1].Footer; f == nil || !strings.HasSuffix(f.Text, "…") {
		t.Errorf("the last embed's footer is %+v, want the card's, cut", f)
	}
}

func TestRenderIDErrors(t *testing.T) {
	t.Parallel()
	b1, b2 := render.Button("a", 1), render.Button("b", 2)
	o1, o2 := render.Opt("x", 1), render.Opt("y", 2)
	tests := []struct {
		name string
		node render.Node
		ids  render.IDs
		ok   bool
	}{
		{"button id at the limit", render.Actions(b1), render.IDs{b1: strings.Repeat("i", 100)}, true},
		{"button id too long", render.Actions(b1), render.IDs{b1: strings.Repeat("i", 101)}, false},
		{"option id at the limit", render.Select("p", o1), render.IDs{o1: strings.Repeat("i", 96)}, true},
		{"option id too long for the menu's custom_id", render.Select("p", o1), render.IDs{o1: strings.Repeat("i", 97)}, false},
		{"two buttons, one id", render.Actions(b1, b2), render.IDs{b1: "same", b2: "same"}, false},
		{"a button and a menu, one id", render.Card{Body: []render.Node{render.Select("p", o1)}, Actions: render.Actions(b1)}, render.IDs{o1: "x", b1: "sel:x"}, false},
		{"two options, one id", render.Select("p", o1, o2), render.IDs{o1: "same", o2: "same"}, false},
		{"radio buttons, one id", render.RadioSelect(o1, o2), render.IDs{o1: "same", o2: "same"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			msgs, err := discordui.Render(tt.node, tt.ids)
			if tt.ok && err != nil {
				t.Errorf("Render: %v, want no error", err)
			}
			if !tt.ok && (err == nil || msgs != nil) {
				t.Errorf("Render = %d messages, %v; want an error and no messages", len(msgs), err)
			}
		})
	}
}

func TestRenderEmptyIDIsNoID(t *testing.T) {
	t.Parallel()
	b1, b2 := render.Button("a", 1), render.Button("b", 2)
	msgs, err := discordui.Render(render.Actions(b1, b2), render.IDs{b1: "", b2: "id-b"})
	if err != nil || len(msgs) != 1 {
		t.Fatalf("Render = %d messages, %v", len(msgs), err)
	}
	row := msgs[0].Components[0].(discordgo.ActionsRow)
	if len(row.Components) != 1 || row.Components[0].(discordgo.Button).CustomID != "id-b" {
		t.Errorf("row %+v, want only the button with an id", row)
	}
}

func TestRenderOddInput(t *testing.T) {
	t.Parallel()
	huge := strings.Repeat("\x00\xff*_`|@here e\u0301 👩‍👩‍👧‍👦 ", 20_000)
	// A full stop before a long run of spaces once took the grapheme
	// cutter minutes: Unicode's sentence rules look ahead over the run.
	stop := "." + strings.Repeat(" ", 200_000) + "x"
	tbl := render.TableNode{Rows: [][]string{{}, {"a"}, {"", "", huge}}, Align: []render.Align{render.AlignCenter, 7}}
	nodes := []render.Node{
		render.Text(huge),
		render.Card{Title: huge, Subtitle: huge, Footer: huge, Body: []render.Node{
			render.Context(huge), render.Header(huge), tbl, render.Fields(render.Field{Label: huge, Value: huge}),
			render.Image(huge, huge), render.Section(huge, (*render.ButtonNode)(nil)),
			render.Select(huge, render.Opt(huge, 1).Describe(huge)),
		}, Actions: render.Actions(render.Button(huge, 1), render.LinkButton(huge, huge))},
		tbl,
		render.TableNode{Headers: []string{"", ""}},
		render.Markdown("**" + stop + "** `" + stop + "`\n\n```\n" + stop + "\n```"),
		render.Card{Title: stop, Subtitle: stop, Footer: stop, Body: []render.Node{
			render.Text(stop), render.Fields(render.Field{Label: stop, Value: stop}), render.Table([]string{stop}, []string{stop}),
		}, Actions: render.Actions(render.Button(stop, 1))},
	}
	for _, n := range nodes {
		renderValid(t, n, gallery.IDs(n))
	}
}

func dump(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}
