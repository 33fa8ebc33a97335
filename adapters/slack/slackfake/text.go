package slackfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"strings"
)

// PlainText returns the message as a person reads it in Slack, as plain
// text, one line per piece: its streamed markdown; its blocks, or its
// text where it has no blocks (Slack shows text only then); then each
// attachment's pretext, title, text, fields and blocks; then the names of
// its files. Mrkdwn markup that is not text (<https://…|label>, <@U…>,
// &amp;) reads as Slack shows it (label, @name, &); emphasis marks stay.
// Labels of buttons and options are not text: see [Msg.Options].
func (m Msg) PlainText() string {
	var parts []string
	add := func(ss ...string) {
		for _, s := range ss {
			if s = strings.TrimSpace(s); s != "" {
				parts = append(parts, s)
			}
		}
	}
	add(m.Markdown)
	if blocks := decodeArray(m.rawBlocks); len(blocks) > 0 {
		add(m.blocksText(blocks)...)
	} else {
		add(m.mrkdwn(m.Text))
	}
	for _, a := range decodeArray(m.rawAttachments) {
		add(m.mrkdwn(str(a, "pretext")), m.mrkdwn(str(a, "author_name")), m.mrkdwn(str(a, "title")), m.mrkdwn(str(a, "text")))
		for _, f := range arr(a, "fields") {
			add(m.mrkdwn(str(f, "title")), m.mrkdwn(str(f, "value")))
		}
		add(m.blocksText(arr(a, "blocks"))...)
		add(m.mrkdwn(str(a, "footer")))
	}
	for _, f := range m.Files {
		if f.Title != "" {
			add(f.Title)
		}
		if f.Name != f.Title {
			add(f.Name)
		}
	}
	return strings.Join(parts, "\n")
}

// blocksText returns the text of blocks, a piece per line of text.
func (m Msg) blocksText(blocks []map[string]any) []string {
	var out []string
	for _, b := range blocks {
		switch str(b, "type") {
		case "header", "section":
			out = append(out, m.textObject(object(b["text"])))
			for _, f := range arr(b, "fields") {
				out = append(out, m.textObject(f))
			}
		case "context":
			for _, e := range arr(b, "elements") {
				out = append(out, m.textObject(e))
			}
		case "markdown":
			out = append(out, str(b, "text"))
		case "image":
			out = append(out, m.textObject(object(b["title"])))
		case "rich_text":
			out = append(out, m.richText(arr(b, "elements")))
		case "table":
			for _, row := range arrAny(b["rows"]) {
				var cells []string
				for _, c := range arrAny(row) {
					cells = append(cells, m.tableCell(object(c)))
				}
				out = append(out, strings.Join(cells, " | "))
			}
		}
	}
	return out
}

// textObject returns the text of a composition text object: plain_text as
// it is, mrkdwn as Slack shows it.
func (m Msg) textObject(t map[string]any) string {
	switch str(t, "type") {
	case "plain_text":
		return str(t, "text")
	case "mrkdwn":
		return m.mrkdwn(str(t, "text"))
	}
	return ""
}

func (m Msg) tableCell(c map[string]any) string {
	switch str(c, "type") {
	case "raw_text":
		return str(c, "text")
	case "raw_number":
		if t := str(c, "text"); t != "" {
			return t
		}
		if v, ok := c["value"]; ok {
			return fmt.Sprint(v)
		}
	case "rich_text":
		return m.richText(arr(c, "elements"))
	}
	return ""
}

// richText returns the text of rich_text elements.
func (m Msg) richText(elems []map[string]any) string {
	var b strings.Builder
	for _, e := range elems {
		switch str(e, "type") {
		case "rich_text_section", "rich_text_quote", "rich_text_preformatted":
			if b.Len() > 0 {
				b.WriteString("\n")
			}
			b.WriteString(m.richText(arr(e, "elements")))
		case "rich_text_list":
			for _, item := range arr(e, "elements") {
				if b.Len() > 0 {
					b.WriteString("\n")
				}
				b.WriteString(m.richText([]map[string]any{item}))
			}
		case "text":
			b.WriteString(str(e, "text"))
		case "link":
			if t := str(e, "text"); t != "" {
				b.WriteString(t)
			} else {
				b.WriteString(str(e, "url"))
			}
		case "user":
			b.WriteString("@" + m.name(str(e, "user_id")))
		case "channel":
			b.WriteString("#" + str(e, "channel_id"))
		case "emoji":
			b.WriteString(":" + str(e, "name") + ":")
		case "broadcast":
			b.WriteString("@" + str(e, "range"))
		case "usergroup":
			b.WriteString("@" + str(e, "usergroup_id"))
		case "date":
			b.WriteString(str(e, "fallback"))
		}
	}
	return b.String()
}

func (m Msg) name(id string) string {
	if n := m.names[id]; n != "" {
		return n
	}
	return id
}

// mrkdwn returns mrkdwn text as Slack shows it: <…> markup resolved to
// what it shows, entities decoded, zero-width spaces dropped.
func (m Msg) mrkdwn(s string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			break
		}
		b.WriteString(s[:i])
		b.WriteString(m.markup(s[i+1 : i+j]))
		s = s[i+j+1:]
	}
	b.WriteString(s)
	return strings.ReplaceAll(html.UnescapeString(b.String()), "\u200b", "")
}

// markup returns what Slack shows for the inside of a <…> token.
func (m Msg) markup(tok string) string {
	target, label, hasLabel := strings.Cut(tok, "|")
	switch {
	case strings.HasPrefix(target, "@"):
		if hasLabel {
			return "@" + label
		}
		return "@" + m.name(target[1:])
	case strings.HasPrefix(target, "#"):
		if hasLabel {
			return "#" + label
		}
		return "#" + target[1:]
	case strings.HasPrefix(target, "!"):
		if hasLabel {
			return label
		}
		name, _, _ := strings.Cut(target[1:], "^")
		return "@" + name
	case hasLabel:
		return label
	}
	return target
}

// Control is an interactive element of a message a person can click: a
// button, or one option of a select, radio group, overflow menu or
// checkbox group.
type Control struct {
	// Label is the button's text or the option's.
	Label string
	// Type is the element's type: "button", "static_select",
	// "radio_buttons", "overflow", "checkboxes", …
	Type string
	// ActionID and BlockID identify the element, as a click reports
	// them.
	ActionID, BlockID string
	// Value is the button's value, or the option's.
	Value string
	// URL is a link button's URL.
	URL string
	// Attachment is the index plus one of the attachment holding the
	// element; 0 for an element of the message's own blocks.
	Attachment int

	element, option map[string]any
}

// Options returns the labels of the buttons and options a person can
// click in the message, in reading order.
func (m Msg) Options() []string {
	var out []string
	for _, c := range m.Controls() {
		out = append(out, c.Label)
	}
	return out
}

// Controls returns the buttons and options a person can click in the
// message, in reading order: the message's blocks, then each
// attachment's.
func (m Msg) Controls() []Control {
	out := controls(decodeArray(m.rawBlocks), 0)
	for i, a := range decodeArray(m.rawAttachments) {
		out = append(out, controls(arr(a, "blocks"), i+1)...)
	}
	return out
}

func controls(blocks []map[string]any, attachment int) []Control {
	var out []Control
	for _, b := range blocks {
		var elems []map[string]any
		switch str(b, "type") {
		case "actions":
			elems = arr(b, "elements")
		case "section":
			if a := object(b["accessory"]); a != nil {
				elems = []map[string]any{a}
			}
		}
		for _, e := range elems {
			if str(e, "type") == "" {
				continue
			}
			c := Control{Type: str(e, "type"), ActionID: str(e, "action_id"), BlockID: str(b, "block_id"), Attachment: attachment, element: e}
			if c.Type == "button" {
				c.Label, c.Value, c.URL = str(object(e["text"]), "text"), str(e, "value"), str(e, "url")
				out = append(out, c)
				continue
			}
			opts := arr(e, "options")
			for _, g := range arr(e, "option_groups") {
				opts = append(opts, arr(g, "options")...)
			}
			for _, o := range opts {
				oc := c
				oc.Label, oc.Value, oc.option = str(object(o["text"]), "text"), str(o, "value"), o
				out = append(out, oc)
			}
		}
	}
	return out
}

// normalizeBlocks returns a JSON array of blocks as Slack keeps it: each
// block without a block_id, and each interactive element without an
// action_id, gets one from next. It returns the array unchanged when it
// is empty, and an error when it is not an array of objects.
func normalizeBlocks(raw []byte, next func(prefix string) string) (json.RawMessage, error) {
	var blocks []map[string]any
	if err := decodeUseNumber(raw, &blocks); err != nil {
		return nil, err
	}
	for _, b := range blocks {
		if b == nil || str(b, "type") == "" {
			return nil, fmt.Errorf("a block has no type")
		}
		if str(b, "block_id") == "" {
			b["block_id"] = next("b")
		}
		elems := arr(b, "elements")
		if a := object(b["accessory"]); a != nil {
			elems = append(elems, a)
		}
		if t := str(b, "type"); t == "actions" || t == "section" {
			for _, e := range elems {
				if str(e, "type") == "" {
					return nil, fmt.Errorf("an element of block %v has no type", b["block_id"])
				}
				if str(e, "action_id") == "" && str(e, "type") != "image" {
					e["action_id"] = next("a")
				}
			}
		}
	}
	return marshal(blocks)
}

// normalizeAttachments normalises the blocks of each attachment, as
// normalizeBlocks does.
func normalizeAttachments(raw []byte, next func(prefix string) string) (json.RawMessage, error) {
	var atts []map[string]any
	if err := decodeUseNumber(raw, &atts); err != nil {
		return nil, err
	}
	for i, a := range atts {
		if a == nil {
			return nil, fmt.Errorf("attachment %d is null", i)
		}
		if a["id"] == nil {
			a["id"] = i + 1
		}
		if bs, ok := a["blocks"]; ok {
			raw, err := marshal(bs)
			if err != nil {
				return nil, err
			}
			norm, err := normalizeBlocks(raw, next)
			if err != nil {
				return nil, err
			}
			a["blocks"] = norm
		}
	}
	return marshal(atts)
}

func decodeUseNumber(raw []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	return d.Decode(v)
}

// decodeArray decodes a JSON array of objects, nil if raw is none.
func decodeArray(raw json.RawMessage) []map[string]any {
	var out []map[string]any
	if len(raw) > 0 {
		_ = decodeUseNumber(raw, &out)
	}
	return out
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func object(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func arrAny(v any) []any {
	a, _ := v.([]any)
	return a
}

func arr(m map[string]any, k string) []map[string]any {
	var out []map[string]any
	for _, v := range arrAny(m[k]) {
		if o := object(v); o != nil {
			out = append(out, o)
		}
	}
	return out
}
