package blockkit_test

import (
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/parleybot/parley/render/blockkit"
)

func pt(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
}
func md(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}
func n(c int) string { return strings.Repeat("x", c) }

func section(text string) *slack.SectionBlock { return slack.NewSectionBlock(md(text), nil, nil) }

func button(label, id string) *slack.ButtonBlockElement {
	return slack.NewButtonBlockElement(id, id, pt(label))
}

func actions(els ...slack.BlockElement) *slack.ActionBlock { return slack.NewActionBlock("", els...) }

func options(count int) []*slack.OptionBlockObject {
	var out []*slack.OptionBlockObject
	for i := range count {
		out = append(out, slack.NewOptionBlockObject("v"+strings.Repeat("i", i%140), pt("option"), nil))
	}
	return out
}

func static(opts ...*slack.OptionBlockObject) *slack.SelectBlockElement {
	return slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, pt("Pick"), "sel", opts...)
}

func image(url, alt string) *slack.ImageBlock { return slack.NewImageBlock(url, alt, "", nil) }

func table(rows, cols int) *slack.TableBlock {
	t := slack.NewTableBlock("")
	for range rows {
		var cells []slack.TableCell
		for range cols {
			cells = append(cells, slack.NewTableRawTextCell("c"))
		}
		t.AddRow(cells...)
	}
	return t
}

// tableOf returns a table of rows × cols cells, each holding text.
func tableOf(rows, cols int, text string) *slack.TableBlock {
	t := slack.NewTableBlock("")
	for range rows {
		var cells []slack.TableCell
		for range cols {
			cells = append(cells, slack.NewTableRawTextCell(text))
		}
		t.AddRow(cells...)
	}
	return t
}

func msg(blocks ...slack.Block) blockkit.Message {
	return blockkit.Message{Text: "fallback", Blocks: blocks}
}

func repeat(b slack.Block, count int) []slack.Block {
	out := make([]slack.Block, count)
	for i := range out {
		out[i] = b
	}
	return out
}

// TestValidateAcceptsValidMessages gives Validate one message of every
// block and element at its limits, as pointers and as values, in blocks
// and in an attachment.
func TestValidateAcceptsValidMessages(t *testing.T) {
	t.Parallel()
	img := image("https://x.test/i.png", n(2000))
	img.Title = pt(n(2000))
	fields := []*slack.TextBlockObject{md(n(1000)), pt("b")}
	for range 8 {
		fields = append(fields, md("f"))
	}
	radio := slack.NewRadioButtonsBlockElement("radio", options(10)...)
	radio.Options[0].Description = md("*may be mrkdwn*")
	sel := static(options(100)...)
	sel.Options[0].Text, sel.Options[0].Value, sel.Options[0].Description = pt(n(75)), n(150), pt(n(75))
	sel.Placeholder = pt(n(150))
	link := button(n(75), "")
	link.URL = "https://x.test/" + n(2985)
	var many []slack.BlockElement
	for i := range 23 {
		many = append(many, button("b", "id"+strings.Repeat("x", i)))
	}
	var ctx []slack.MixedElement
	for range 9 {
		ctx = append(ctx, pt("c"))
	}
	ctx = append(ctx, slack.NewImageBlockElement("https://x.test/c.png", "c"))
	withID := slack.NewDividerBlock()
	withID.BlockID = n(255)
	full := []slack.Block{
		slack.NewHeaderBlock(pt(n(150))),
		section(n(3000)),
		slack.NewSectionBlock(nil, fields, nil),
		slack.NewSectionBlock(md("beside"), nil, slack.NewAccessory(slack.NewImageBlockElement("https://x.test/a.png", "a"))),
		slack.NewSectionBlock(pt("plain"), nil, slack.NewAccessory(button("Go", n(255)))),
		slack.NewContextBlock("", ctx...),
		actions(append(many, sel, radio)...),
		actions(link, button("v", "value")),
		img,
		withID,
		table(2, 20),
		*section("a value, not a pointer"),
	}
	for i := len(full); i < 50; i++ {
		full = append(full, slack.NewDividerBlock())
	}
	valid := []struct {
		name string
		m    blockkit.Message
	}{
		{"text only", blockkit.Message{Text: n(4000)}},
		{"every block", blockkit.Message{Text: "t", Blocks: full[:len(full)-1]}},
		{"in an attachment", blockkit.Message{Text: "t", Attachments: []slack.Attachment{{Color: "#ff0000", Blocks: slack.Blocks{BlockSet: full[:len(full)-2]}}}}},
		{"12,000 characters", msg(section(n(3000)), section(n(3000)), section(n(3000)), section(n(3000)))},
		{"100 rows", msg(table(100, 5))},
		{"20 cells a row", msg(table(50, 20))},
		{"10,000 characters of cells", msg(tableOf(4, 5, n(500)))},
		{"36,000 bytes of JSON", msg(section(strings.Repeat("<", 2980)), section(strings.Repeat("<", 2980)), section(n(73)))},
		{"line breaks and tabs", msg(section("a\tb\nc"))},
		{"values", msg(*slack.NewHeaderBlock(pt("h")), *actions(*button("b", "id")), slack.TableBlock{Type: slack.MBTTable, Rows: [][]slack.TableCell{{slack.TableRawTextCell{Type: slack.TableCellRawText, Text: "v"}}}})},
	}
	for _, tt := range valid {
		if err := blockkit.Validate(tt.m); err != nil {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
}

func TestValidateCatchesEveryViolation(t *testing.T) {
	t.Parallel()
	with := func(f func(*slack.ButtonBlockElement)) *slack.ActionBlock {
		b := button("ok", "id")
		f(b)
		return actions(b)
	}
	selWith := func(f func(*slack.SelectBlockElement)) *slack.ActionBlock {
		s := static(options(2)...)
		f(s)
		return actions(s)
	}
	imgWith := func(f func(*slack.ImageBlock)) *slack.ImageBlock {
		i := image("https://x.test/i.png", "alt")
		f(i)
		return i
	}
	idBlock := func(id string) *slack.DividerBlock {
		d := slack.NewDividerBlock()
		d.BlockID = id
		return d
	}
	emoji := md("x")
	emoji.Emoji = new(true)
	tests := []struct {
		name string
		m    blockkit.Message
		want string
	}{
		// The message.
		{"text empty", blockkit.Message{Blocks: []slack.Block{section("x")}}, "message: text is empty"},
		{"text too long", blockkit.Message{Text: n(4001)}, "message: text is 4001 characters, limit 4000"},
		{"two attachments", blockkit.Message{Text: "t", Attachments: []slack.Attachment{{}, {}}}, "message: has 2 attachments, limit 1"},
		{"51 blocks", msg(repeat(slack.NewDividerBlock(), 51)...), "message: has 51 blocks, limit 50"},
		{"51 blocks across blocks and attachment", blockkit.Message{Text: "t", Blocks: repeat(slack.NewDividerBlock(), 26), Attachments: []slack.Attachment{{Blocks: slack.Blocks{BlockSet: repeat(slack.NewDividerBlock(), 25)}}}}, "message: has 51 blocks, limit 50"},
		{"two tables", msg(table(1, 1), table(1, 1)), "message: has 2 table blocks, limit 1"},
		{"too much text", msg(section(n(3000)), section(n(3000)), section(n(3000)), section(n(3000)), slack.NewHeaderBlock(pt("x"))), "message: blocks hold 12001 characters of text, limit 12000"},
		{"36,001 bytes of JSON", msg(section(strings.Repeat("<", 2980)), section(strings.Repeat("<", 2980)), section(n(74))), "message: blocks take 36001 bytes of JSON, limit 36000"},
		{"36,001 bytes of JSON in an attachment", blockkit.Message{Text: "t", Attachments: []slack.Attachment{{Blocks: slack.Blocks{BlockSet: []slack.Block{section(strings.Repeat("<", 2980)), section(strings.Repeat("<", 2980)), section(n(61))}}}}}, "message: blocks take 36001 bytes of JSON, limit 36000"},
		{"control character in text", msg(section("a\x00b")), "blocks[0] section: text holds the control character U+0000 at byte 1"},
		{"C1 control character", msg(slack.NewHeaderBlock(pt("a\u0085"))), "blocks[0] header: text holds the control character U+0085 at byte 1"},
		{"carriage return", msg(section("a\r\nb")), "blocks[0] section: text holds the control character U+000D"},
		{"DEL", msg(slack.NewContextBlock("", md("\x7f"))), "blocks[0] context: elements[0] holds the control character U+007F"},
		{"invalid UTF-8", msg(section("ok\xff")), "blocks[0] section: text holds invalid UTF-8 at byte 2"},
		{"control character in fallback text", blockkit.Message{Text: "bell\a"}, "message: text holds the control character U+0007"},
		{"control character in alt text", msg(image("https://x.test/i.png", "a\x1b[31m")), "blocks[0] image: alt_text holds the control character U+001B"},
		{"control character in an option", msg(selWith(func(s *slack.SelectBlockElement) { s.Options[1].Text = pt("\x00") })), "options[1] text holds the control character U+0000"},
		{"nil block", msg(nil), "blocks[0]: block is nil"},
		{"block_id too long", msg(idBlock(n(256))), "blocks[0] divider: block_id is 256 characters, limit 255"},
		{"block_id twice", msg(idBlock("b"), idBlock("b")), `blocks[1] divider: block_id "b" is also the block_id of blocks[0] divider`},
		// Sections.
		{"section text too long", msg(slack.NewDividerBlock(), slack.NewDividerBlock(), slack.NewDividerBlock(), section(n(3012))), "blocks[3] section: text is 3012 characters, limit 3000"},
		{"section value too long", msg(*section(n(3001))), "blocks[0] section: text is 3001 characters, limit 3000"},
		{"section in attachment too long", blockkit.Message{Text: "t", Attachments: []slack.Attachment{{Blocks: slack.Blocks{BlockSet: []slack.Block{section(n(3001))}}}}}, "attachments[0].blocks[0] section: text is 3001 characters, limit 3000"},
		{"section text blank", msg(section(" \n")), "blocks[0] section: text is empty"},
		{"section without text or fields", msg(slack.NewSectionBlock(nil, nil, nil)), "blocks[0] section: has neither text nor fields"},
		{"section text of bad type", msg(slack.NewSectionBlock(&slack.TextBlockObject{Type: "markdown", Text: "x"}, nil, nil)), `blocks[0] section: text is of type "markdown", want mrkdwn or plain_text`},
		{"mrkdwn with emoji", msg(slack.NewSectionBlock(emoji, nil, nil)), "blocks[0] section: text sets emoji"},
		{"11 fields", msg(slack.NewSectionBlock(nil, []*slack.TextBlockObject{md("1"), md("2"), md("3"), md("4"), md("5"), md("6"), md("7"), md("8"), md("9"), md("10"), md("11")}, nil)), "blocks[0] section: has 11 fields, limit 10"},
		{"field too long", msg(slack.NewSectionBlock(nil, []*slack.TextBlockObject{md("a"), md(n(2001))}, nil)), "blocks[0] section: fields[1] is 2001 characters, limit 2000"},
		{"field empty", msg(slack.NewSectionBlock(nil, []*slack.TextBlockObject{md("")}, nil)), "blocks[0] section: fields[0] is empty"},
		{"empty accessory", msg(slack.NewSectionBlock(md("x"), nil, &slack.Accessory{})), "blocks[0] section: accessory is empty"},
		{"accessory image alt empty", msg(slack.NewSectionBlock(md("x"), nil, slack.NewAccessory(slack.NewImageBlockElement("https://x.test/a.png", "")))), "blocks[0] section: accessory image: alt_text is empty"},
		{"accessory button too long", msg(slack.NewSectionBlock(md("x"), nil, slack.NewAccessory(button(n(76), "a")))), "blocks[0] section: accessory button: text is 76 characters, limit 75"},
		// Headers.
		{"header too long", msg(slack.NewHeaderBlock(pt(n(151)))), "blocks[0] header: text is 151 characters, limit 150"},
		{"header mrkdwn", msg(slack.NewHeaderBlock(md("x"))), `blocks[0] header: text is of type "mrkdwn", want plain_text`},
		{"header empty", msg(slack.NewHeaderBlock(pt(""))), "blocks[0] header: text is empty"},
		{"header missing", msg(slack.NewHeaderBlock(nil)), "blocks[0] header: text is missing"},
		// Buttons.
		{"button text too long", msg(actions(button(n(76), "a"))), "blocks[0] actions: elements[0] button: text is 76 characters, limit 75"},
		{"button text empty", msg(actions(button("", "a"))), "blocks[0] actions: elements[0] button: text is empty"},
		{"button text mrkdwn", msg(with(func(b *slack.ButtonBlockElement) { b.Text = md("x") })), `elements[0] button: text is of type "mrkdwn", want plain_text`},
		{"action_id too long", msg(with(func(b *slack.ButtonBlockElement) { b.ActionID = n(256) })), "elements[0] button: action_id is 256 characters, limit 255"},
		{"action_id twice", msg(actions(button("a", "same")), actions(button("b", "same"))), `blocks[1] actions: elements[0] button: action_id "same" is also the action_id of blocks[0] actions: elements[0] button`},
		{"action_id twice across blocks and attachment", blockkit.Message{Text: "t", Blocks: []slack.Block{actions(button("a", "same"))}, Attachments: []slack.Attachment{{Blocks: slack.Blocks{BlockSet: []slack.Block{actions(button("b", "same"))}}}}}, `action_id "same" is also`},
		{"value too long", msg(with(func(b *slack.ButtonBlockElement) { b.Value = n(2001) })), "elements[0] button: value is 2001 characters, limit 2000"},
		{"url too long", msg(with(func(b *slack.ButtonBlockElement) { b.URL = "https://x.test/" + n(2986) })), "elements[0] button: url is 3001 characters, limit 3000"},
		{"url not http", msg(with(func(b *slack.ButtonBlockElement) { b.URL = "javascript:alert(1)" })), "elements[0] button: url is not an absolute http or https URL"},
		{"url without host", msg(with(func(b *slack.ButtonBlockElement) { b.URL = "https://:80/" })), "elements[0] button: url is not an absolute http or https URL"},
		{"url with a space", msg(with(func(b *slack.ButtonBlockElement) { b.URL = "https://x.test/a b" })), "elements[0] button: url is not an absolute http or https URL without spaces"},
		{"url with an ideographic space", msg(with(func(b *slack.ButtonBlockElement) { b.URL = "https://x.test/a\u3000b" })), "elements[0] button: url is not an absolute http or https URL without spaces"},
		{"url with a C1 control", msg(image("https://x.test/\u0085", "alt")), "blocks[0] image: image_url is not an absolute http or https URL"},
		{"bad style", msg(with(func(b *slack.ButtonBlockElement) { b.Style = "loud" })), `elements[0] button: style is "loud"`},
		// Actions.
		{"26 elements", msg(actions(func() []slack.BlockElement {
			var els []slack.BlockElement
			for i := range 26 {
				els = append(els, button("b", n(i+1)))
			}
			return els
		}()...)), "blocks[0] actions: has 26 elements, limit 25"},
		{"no elements", msg(actions()), "blocks[0] actions: has no elements"},
		// Context.
		{"11 context elements", msg(slack.NewContextBlock("", pt("1"), pt("2"), pt("3"), pt("4"), pt("5"), pt("6"), pt("7"), pt("8"), pt("9"), pt("10"), pt("11"))), "blocks[0] context: has 11 elements, limit 10"},
		{"no context elements", msg(slack.NewContextBlock("")), "blocks[0] context: has no elements"},
		{"context text too long", msg(slack.NewContextBlock("", md(n(3001)))), "blocks[0] context: elements[0] is 3001 characters, limit 3000"},
		{"context image without alt", msg(slack.NewContextBlock("", slack.NewImageBlockElement("https://x.test/c.png", ""))), "blocks[0] context: elements[0] image: alt_text is empty"},
		// Images.
		{"image url too long", msg(image("https://x.test/"+n(2986), "alt")), "blocks[0] image: image_url is 3001 characters, limit 3000"},
		{"image url missing", msg(image("", "alt")), "blocks[0] image: image_url is missing"},
		{"image url not http", msg(image("data:image/png;base64,AAAA", "alt")), "blocks[0] image: image_url is not an absolute http or https URL"},
		{"alt text too long", msg(image("https://x.test/i.png", n(2001))), "blocks[0] image: alt_text is 2001 characters, limit 2000"},
		{"alt text empty", msg(image("https://x.test/i.png", "")), "blocks[0] image: alt_text is empty"},
		{"image title too long", msg(imgWith(func(i *slack.ImageBlock) { i.Title = pt(n(2001)) })), "blocks[0] image: title is 2001 characters, limit 2000"},
		{"image title mrkdwn", msg(imgWith(func(i *slack.ImageBlock) { i.Title = md("t") })), `blocks[0] image: title is of type "mrkdwn", want plain_text`},
		// Selects.
		{"no options", msg(actions(static())), "elements[0] static_select: has no options"},
		{"101 options", msg(actions(static(options(101)...))), "elements[0] static_select: has 101 options, limit 100"},
		{"option text too long", msg(selWith(func(s *slack.SelectBlockElement) { s.Options[1].Text = pt(n(76)) })), "elements[0] static_select: options[1] text is 76 characters, limit 75"},
		{"option text mrkdwn", msg(selWith(func(s *slack.SelectBlockElement) { s.Options[0].Text = md("x") })), `elements[0] static_select: options[0] text is of type "mrkdwn", want plain_text`},
		{"option value too long", msg(selWith(func(s *slack.SelectBlockElement) { s.Options[0].Value = n(151) })), "elements[0] static_select: options[0] value is 151 characters, limit 150"},
		{"option value empty", msg(selWith(func(s *slack.SelectBlockElement) { s.Options[0].Value = "" })), "elements[0] static_select: options[0] value is empty"},
		{"option description too long", msg(selWith(func(s *slack.SelectBlockElement) { s.Options[0].Description = pt(n(76)) })), "elements[0] static_select: options[0] description is 76 characters, limit 75"},
		{"placeholder too long", msg(selWith(func(s *slack.SelectBlockElement) { s.Placeholder = pt(n(151)) })), "elements[0] static_select: placeholder is 151 characters, limit 150"},
		{"placeholder mrkdwn", msg(selWith(func(s *slack.SelectBlockElement) { s.Placeholder = md("p") })), `elements[0] static_select: placeholder is of type "mrkdwn", want plain_text`},
		{"select action_id too long", msg(selWith(func(s *slack.SelectBlockElement) { s.ActionID = n(256) })), "elements[0] static_select: action_id is 256 characters, limit 255"},
		{"11 radio options", msg(actions(slack.NewRadioButtonsBlockElement("r", options(11)...))), "elements[0] radio_buttons: has 11 options, limit 10"},
		// Tables.
		{"101 rows", msg(table(101, 1)), "blocks[0] table: has 101 rows, limit 100"},
		{"21 cells", msg(table(2, 21)), "blocks[0] table: rows[0] has 21 cells, limit 20"},
		{"no rows", msg(table(0, 0)), "blocks[0] table: has no rows"},
		{"empty cell", msg(&slack.TableBlock{Type: slack.MBTTable, Rows: [][]slack.TableCell{{slack.NewTableRawTextCell("")}}}), "blocks[0] table: rows[0][0] is empty"},
		{"null cell", msg(&slack.TableBlock{Type: slack.MBTTable, Rows: [][]slack.TableCell{{nil}}}), "blocks[0] table: rows[0][0] is null"},
		{"invisible cell", msg(&slack.TableBlock{Type: slack.MBTTable, Rows: [][]slack.TableCell{{slack.NewTableRawTextCell("a"), slack.NewTableRawTextCell("\u200b\ufeff")}}}), "blocks[0] table: rows[0][1] is empty"},
		{"10,001 characters of cells", msg(func() *slack.TableBlock {
			t := tableOf(2, 5, n(1000))
			t.Rows[1][4] = slack.NewTableRawTextCell(n(1001))
			return t
		}()), "blocks[0] table: cells hold 10001 characters of text, limit 10000"},
		{"control character in a cell", msg(&slack.TableBlock{Type: slack.MBTTable, Rows: [][]slack.TableCell{{slack.NewTableRawTextCell("a\x00")}}}), "blocks[0] table: rows[0][0] holds the control character U+0000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := blockkit.Validate(tt.m)
			if err == nil {
				t.Fatalf("Validate accepted the message; want an error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate =\n%v\nwant an error containing %q", err, tt.want)
			}
		})
	}
}

func TestValidateReportsEveryError(t *testing.T) {
	t.Parallel()
	err := blockkit.Validate(blockkit.Message{Blocks: []slack.Block{slack.NewHeaderBlock(pt(n(151))), section("")}})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"message: text is empty", "blocks[0] header: text is 151", "blocks[1] section: text is empty"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%v\nlacks %q", err, want)
		}
	}
}
