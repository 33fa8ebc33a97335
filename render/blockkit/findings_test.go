package blockkit_test

// Regression tests for what independent validators found in 100,000
// hostile cards (discord.js's builders and a Slack limits table kept apart
// from this project), each named for the behaviour it holds.

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/parleybot/parley/render"
	"github.com/parleybot/parley/render/blockkit"
	"github.com/parleybot/parley/render/internal/chars"
)

// cellText returns the text of a table block's cells, in order.
func cellText(tb *slack.TableBlock) []string {
	var out []string
	for _, row := range tb.Rows {
		for _, c := range row {
			out = append(out, c.(*slack.TableRawTextCell).Text)
		}
	}
	return out
}

// tables returns the table blocks of msgs, in order.
func tables(msgs []blockkit.Message) []*slack.TableBlock {
	var out []*slack.TableBlock
	for _, b := range allBlocks(msgs) {
		if tb, ok := b.(*slack.TableBlock); ok {
			out = append(out, tb)
		}
	}
	return out
}

// A table block carried up to 11,900 characters of cell text; Slack
// refuses a table of more than 10,000. The rows past that continue in a
// table of the next message, under the header row again, and none is lost.
func TestTableCellTextStaysWithin10000Characters(t *testing.T) {
	t.Parallel()
	tbl := render.Table([]string{"name", "notes"})
	for i := range 60 {
		tbl.Rows = append(tbl.Rows, []string{fmt.Sprint("row ", i), strings.Repeat("word ", 60)})
	}
	msgs := renderOK(t, tbl)
	tbs := tables(msgs)
	if len(tbs) < 2 || len(msgs) != len(tbs) {
		t.Fatalf("%d table blocks in %d messages, want one table a message, at least two", len(tbs), len(msgs))
	}
	seen := 0
	for i, tb := range tbs {
		n := 0
		for _, c := range cellText(tb) {
			n += render.Len(c)
		}
		if n > render.Slack.TableText {
			t.Errorf("table %d holds %d characters of cell text, limit %d", i, n, render.Slack.TableText)
		}
		if h := cellText(tb)[0]; h != "name" {
			t.Errorf("table %d starts with %q, want the header row", i, h)
		}
		for _, row := range tb.Rows[1:] {
			if got, want := row[0].(*slack.TableRawTextCell).Text, fmt.Sprint("row ", seen); got != want {
				t.Fatalf("table %d: row %q, want %q: rows lost or out of order", i, got, want)
			}
			seen++
		}
	}
	if seen != 60 {
		t.Errorf("%d rows shown, want 60", seen)
	}
}

// A hundred rows of twenty short cells are some 64 KB of JSON, past what
// Slack takes in one message however little text they hold: the table
// continues in the next message.
func TestTableOfShortCellsStaysWithinJSONBudget(t *testing.T) {
	t.Parallel()
	tbl := render.TableNode{Headers: make([]string, 20)}
	for i := range tbl.Headers {
		tbl.Headers[i] = fmt.Sprint("h", i)
	}
	for i := range 99 {
		row := make([]string, 20)
		for j := range row {
			row[j] = fmt.Sprint(i % 10)
		}
		tbl.Rows = append(tbl.Rows, row)
	}
	msgs := renderOK(t, tbl) // Validate holds each message to the budget
	rows := 0
	for _, tb := range tables(msgs) {
		rows += len(tb.Rows) - 1
	}
	if len(msgs) < 2 || rows != 99 {
		t.Errorf("%d messages showing %d rows, want at least 2 showing 99", len(msgs), rows)
	}
}

// Text Block Kit counts as little (& < > are one character each, a link
// target is not text at all) can take six bytes of JSON a character: a
// message is split by its JSON, not only by its text, and every part of
// the tree is still there.
func TestMessagesStayWithinJSONBudget(t *testing.T) {
	t.Parallel()
	var fields []render.Field
	for i := range 10 {
		fields = append(fields, render.Field{Label: fmt.Sprint("f", i), Value: strings.Repeat("<", 1100)})
	}
	var buttons []*render.ButtonNode
	for i := range 25 {
		buttons = append(buttons, render.LinkButton(fmt.Sprint("link ", i), "https://x.test/?"+strings.Repeat("&", 2900)))
	}
	var opts []*render.Option
	for i := range 100 {
		opts = append(opts, render.Opt(fmt.Sprint(i, strings.Repeat("<", 70)), i).Describe(strings.Repeat(">", 75)))
	}
	// U+2028 is one character and six bytes of JSON.
	wide := "x" + strings.Repeat("\u2028", 2990) + "y"
	card := render.Card{
		Title: "budget",
		Body: []render.Node{
			render.Fields(fields...),
			render.Actions(buttons...),
			render.Select("pick", opts...),
			render.Section(wide, render.LinkButton("beside", "https://x.test/?"+strings.Repeat("&", 2984))),
			render.Image("https://x.test/?"+strings.Repeat("&", 2980), strings.Repeat("<", 2000)).WithTitle(strings.Repeat(">", 2000)),
		},
	}
	msgs := renderOK(t, card)
	for i, m := range msgs {
		b, err := json.Marshal(m.Blocks)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > render.Slack.BlocksJSON {
			t.Errorf("message %d: %d bytes of blocks JSON, limit %d", i, len(b), render.Slack.BlocksJSON)
		}
	}
	var nFields, nLinks, nOptions int
	var beside, image *slack.ImageBlock
	for _, b := range allBlocks(msgs) {
		switch b := b.(type) {
		case *slack.SectionBlock:
			nFields += len(b.Fields)
			if b.Accessory != nil {
				nLinks++
			}
		case *slack.ActionBlock:
			for _, e := range b.Elements.ElementSet {
				switch e := e.(type) {
				case *slack.ButtonBlockElement:
					nLinks++
				case *slack.SelectBlockElement:
					nOptions += len(e.Options)
				}
			}
		case *slack.ImageBlock:
			beside, image = image, b
		}
	}
	if nFields != 10 || nLinks != 26 || nOptions != 100 {
		t.Errorf("%d fields, %d link buttons, %d options; want 10, 26 (the section's among them) and 100", nFields, nLinks, nOptions)
	}
	if beside != nil || image == nil || image.Title == nil || !strings.HasSuffix(image.Title.Text, "…") {
		t.Errorf("image %+v: want one image block, its title cut to fit the budget", image)
	}
}

// NUL and other control characters reached Block Kit text unfiltered.
// No text of a rendering holds a control character, DEL, a C1 control, a
// noncharacter or invalid UTF-8 (which becomes U+FFFD), wherever in the
// tree it came from — markdown's numeric references included.
func TestControlCharactersNeverReachSlack(t *testing.T) {
	t.Parallel()
	bad := "a\x00b\x01\x1b[31m\x7f\u0080\u0085\u009f\ufdd0\uffff\U0001fffe\r\n\xff\xed\xa0\x80z"
	md := bad + " &#0; &#1; &#x1b; &#x7f; &#x85; &#13;"
	card := render.Card{
		Title:    bad,
		Subtitle: bad,
		Body: []render.Node{
			render.Text(bad),
			render.Markdown(md),
			render.Markdown("**" + md + "** `" + bad + "`\n\n```\n" + bad + "\n```"),
			render.Header(bad),
			render.Section(md, render.Button(bad, 1)),
			render.Context(md),
			render.Fields(render.Field{Label: bad, Value: bad}),
			render.Image("https://x.test/i.png", bad).WithTitle(bad),
			render.Image("javascript:x", bad),
			render.Table([]string{bad, "\x00"}, []string{bad, "\x00\x01"}),
			render.Table([]string{bad}, []string{bad}), // the second table: monospace
			render.Select(bad, render.Opt(bad, 1).Describe(bad)),
			render.RadioSelect(render.Opt(bad, 1)),
			render.Actions(render.LinkButton(bad, "https://x.test/\x00")),
		},
		Actions: render.Actions(render.Button(bad, 2)),
		Footer:  bad,
	}
	for _, n := range []render.Node{card, render.Card{Title: "t", Fallback: bad}, render.Markdown(md)} {
		msgs := renderOK(t, n) // Validate checks every text
		raw, err := json.Marshal(msgs)
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
		walkStrings(v, func(s string) {
			if i := chars.IndexUnsendable(s); i >= 0 {
				t.Errorf("%q holds %q", s, s[i:min(i+4, len(s))])
			}
		})
	}
}

// walkStrings calls f with every string in a decoded JSON value.
func walkStrings(v any, f func(string)) {
	switch v := v.(type) {
	case string:
		f(v)
	case []any:
		for _, e := range v {
			walkStrings(e, f)
		}
	case map[string]any:
		for _, e := range v {
			walkStrings(e, f)
		}
	}
}

// An image with a URL Slack cannot take leaves a note that keeps its
// caption, which would have shown under it, and else names it by its alt
// text.
func TestImageNotShownKeepsCaption(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		img  render.ImageNode
		want string
	}{
		{"caption", render.Image("javascript:alert(1)", "a diagram").WithTitle("Figure 1: the flow"), "Image not shown: Figure 1: the flow"},
		{"alt only", render.Image("data:image/png;base64,AAAA", "a diagram"), "Image not shown: a diagram"},
		{"neither", render.Image("ftp://x.test/a.png", " "), "Image not shown: image"},
		{"control characters", render.Image("https://x.test/\x00.png", "alt").WithTitle("cap\x00tion"), "Image not shown: caption"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, n := range []render.Node{tt.img, render.Section("beside", tt.img), render.Card{Title: "c", Body: []render.Node{tt.img}}} {
				if j := asJSON(t, renderOK(t, n)); !strings.Contains(j, `"`+tt.want+`"`) {
					t.Errorf("%T renders as %s\nwant a note %q", n, j, tt.want)
				}
			}
		})
	}
}

// A section's text and its accessory that would take more than a
// message's JSON together are written one under the other.
func TestLargeAccessoryStandsUnderItsSection(t *testing.T) {
	t.Parallel()
	// U+2028 is one character and six bytes of JSON, & in a URL six bytes.
	text := "x" + strings.Repeat("\u2028", 2990) + "y"
	msgs := renderOK(t, render.Section(text, render.LinkButton("Open", "https://x.test/?"+strings.Repeat("&", 2984))))
	if got := types(allBlocks(msgs)); got != "section actions" {
		t.Errorf("blocks %q, want the section, then the button on its own", got)
	}
}

// Slack gets a link button's URL with every kind of white space and every
// invisible character percent-encoded, not only the ASCII space; a URL
// holding a control character, a tab or a line break is refused, with a
// note.
func TestURLWhiteSpaceIsEncoded(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"https://x.test/a b", "https://x.test/a%20b"},
		{"https://x.test/a\u3000b", "https://x.test/a%E3%80%80b"},
		{"https://x.test/a\u00a0b\u200b", "https://x.test/a%C2%A0b%E2%80%8B"},
		{"https://x.test/\ufeff", "https://x.test/%EF%BB%BF"},
		{"https://x.test/a\nb", ""},
		{"https://x.test/a\tb", ""},
		{"https://x.test/\u0085", ""},
		{"https://x.test/\x00", ""},
	}
	for _, tt := range tests {
		j := asJSON(t, renderOK(t, render.Actions(render.LinkButton("Go", tt.in))))
		switch {
		case tt.want == "" && !strings.Contains(j, "Link not shown: Go"):
			t.Errorf("%q renders as %s, want a note", tt.in, j)
		case tt.want != "" && !strings.Contains(j, `"url":"`+tt.want+`"`):
			t.Errorf("%q renders as %s, want url %q", tt.in, j, tt.want)
		}
	}
}
