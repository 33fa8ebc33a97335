package blockkit

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/parleybot/parley/render"
	"github.com/parleybot/parley/render/internal/chars"
)

// Validate reports every way m breaks a limit Slack sets, joined in one
// error, or nil when Slack would accept it. Each error names where it is,
// as in "blocks[3] section: text is 3012 characters, limit 3000".
//
// It checks the limits of [render.Slack] on the blocks this package
// writes — section, header, context, actions, image, divider and table,
// held in the message or in its attachments, as pointers or values — and
// the elements inside them: buttons, images, static selects and radio
// buttons. Blocks and elements of other types count towards the number of
// blocks but are not looked into. Besides the limits Slack documents, it
// holds a message to what Slack has been seen to refuse or mangle: a table
// with more than render.Slack.TableText characters of cell text or with a
// blank cell, blocks whose JSON passes render.Slack.BlocksJSON bytes, and
// any text holding a control character or invalid UTF-8 (see
// [chars.Unsendable]).
func Validate(m Message) error {
	v := &validator{actionIDs: map[string]string{}, blockIDs: map[string]string{}}
	lim := render.Slack
	switch n := render.Len(m.Text); {
	case strings.TrimSpace(m.Text) == "":
		v.errorf("message", "text is empty")
	case n > lim.MessageText:
		v.errorf("message", "text is %d characters, limit %d", n, lim.MessageText)
	}
	v.chars("message", "text", m.Text)
	if n := len(m.Attachments); n > lim.AttachmentsPerMessage {
		v.errorf("message", "has %d attachments, limit %d", n, lim.AttachmentsPerMessage)
	}
	for i, b := range m.Blocks {
		v.block("blocks["+strconv.Itoa(i)+"]", b)
	}
	for i, a := range m.Attachments {
		for j, b := range a.Blocks.BlockSet {
			v.block("attachments["+strconv.Itoa(i)+"].blocks["+strconv.Itoa(j)+"]", b)
		}
	}
	if v.blocks > lim.BlocksPerMessage {
		v.errorf("message", "has %d blocks, limit %d", v.blocks, lim.BlocksPerMessage)
	}
	if v.tables > lim.TablesPerMessage {
		v.errorf("message", "has %d table blocks, limit %d", v.tables, lim.TablesPerMessage)
	}
	if v.text > lim.TotalBlockText {
		v.errorf("message", "blocks hold %d characters of text, limit %d", v.text, lim.TotalBlockText)
	}
	v.json(m)
	return errors.Join(v.errs...)
}

// json checks the size of m's blocks and attachments marshalled as JSON
// against render.Slack.BlocksJSON.
func (v *validator) json(m Message) {
	n := 0
	for _, part := range []any{m.Blocks, m.Attachments} {
		if part == nil {
			continue
		}
		b, err := json.Marshal(part)
		if err != nil {
			v.errorf("message", "blocks do not marshal: %v", err)
			return
		}
		n += len(b)
	}
	if n > render.Slack.BlocksJSON {
		v.errorf("message", "blocks take %d bytes of JSON, limit %d", n, render.Slack.BlocksJSON)
	}
}

// chars reports a control character or invalid UTF-8 in s, which Slack
// refuses or shows as nothing.
func (v *validator) chars(where, what, s string) {
	i := chars.IndexUnsendable(s)
	if i < 0 {
		return
	}
	if r, size := utf8.DecodeRuneInString(s[i:]); r == utf8.RuneError && size == 1 {
		v.errorf(where, "%s holds invalid UTF-8 at byte %d", what, i)
	} else {
		v.errorf(where, "%s holds the control character %U at byte %d", what, r, i)
	}
}

type validator struct {
	errs   []error
	blocks int
	tables int
	text   int // text in all blocks, as blockText counts it
	// actionIDs and blockIDs map each id met to where it was first met.
	actionIDs map[string]string
	blockIDs  map[string]string
}

func (v *validator) errorf(where, format string, args ...any) {
	v.errs = append(v.errs, fmt.Errorf("%s: "+format, append([]any{where}, args...)...))
}

func (v *validator) block(where string, b slack.Block) {
	v.blocks++
	b = blockPtr(b)
	if b == nil {
		v.errorf(where, "block is nil")
		return
	}
	v.text += blockText(b)
	where += " " + string(b.BlockType())
	if id := b.ID(); id != "" {
		v.length(where, "block_id", id, render.Slack.BlockID)
		if first, ok := v.blockIDs[id]; ok {
			v.errorf(where, "block_id %q is also the block_id of %s", id, first)
		} else {
			v.blockIDs[id] = where
		}
	}
	lim := render.Slack
	switch b := b.(type) {
	case *slack.SectionBlock:
		if b.Text == nil && len(b.Fields) == 0 {
			v.errorf(where, "has neither text nor fields")
		}
		if b.Text != nil {
			v.textObject(where, "text", b.Text, lim.SectionText, slack.MarkdownType, slack.PlainTextType)
		}
		if n := len(b.Fields); n > lim.SectionFields {
			v.errorf(where, "has %d fields, limit %d", n, lim.SectionFields)
		}
		for i, f := range b.Fields {
			v.textObject(where, "fields["+strconv.Itoa(i)+"]", f, lim.FieldText, slack.MarkdownType, slack.PlainTextType)
		}
		if b.Accessory != nil {
			if e := accessoryElement(b.Accessory); e != nil {
				v.element(where+": accessory", e)
			} else {
				v.errorf(where, "accessory is empty")
			}
		}
	case *slack.HeaderBlock:
		v.textObject(where, "text", b.Text, lim.HeaderText, slack.PlainTextType)
	case *slack.ContextBlock:
		els := b.ContextElements.Elements
		switch n := len(els); {
		case n == 0:
			v.errorf(where, "has no elements")
		case n > lim.ContextElements:
			v.errorf(where, "has %d elements, limit %d", n, lim.ContextElements)
		}
		for i, e := range els {
			at := "elements[" + strconv.Itoa(i) + "]"
			switch e := e.(type) {
			case *slack.TextBlockObject:
				v.textObject(where, at, e, lim.ContextText, slack.MarkdownType, slack.PlainTextType)
			case slack.TextBlockObject:
				v.textObject(where, at, &e, lim.ContextText, slack.MarkdownType, slack.PlainTextType)
			case *slack.ImageBlockElement, slack.ImageBlockElement:
				v.element(where+": "+at, e.(slack.BlockElement))
			default:
				v.errorf(where, "%s is %T, want text or image", at, e)
			}
		}
	case *slack.ActionBlock:
		var els []slack.BlockElement
		if b.Elements != nil {
			els = b.Elements.ElementSet
		}
		switch n := len(els); {
		case n == 0:
			v.errorf(where, "has no elements")
		case n > lim.ActionsElements:
			v.errorf(where, "has %d elements, limit %d", n, lim.ActionsElements)
		}
		for i, e := range els {
			v.element(where+": elements["+strconv.Itoa(i)+"]", e)
		}
	case *slack.ImageBlock:
		if b.SlackFile == nil || b.ImageURL != "" {
			v.url(where, "image_url", b.ImageURL)
		}
		v.altText(where, b.AltText)
		if b.Title != nil {
			v.textObject(where, "title", b.Title, lim.ImageTitle, slack.PlainTextType)
		}
	case *slack.TableBlock:
		v.tables++
		switch n := len(b.Rows); {
		case n == 0:
			v.errorf(where, "has no rows")
		case n > lim.TableRows:
			v.errorf(where, "has %d rows, limit %d", n, lim.TableRows)
		}
		text := 0
		for i, row := range b.Rows {
			at := "rows[" + strconv.Itoa(i) + "]"
			switch n := len(row); {
			case n == 0:
				v.errorf(where, "%s has no cells", at)
			case n > lim.TableColumns:
				v.errorf(where, "%s has %d cells, limit %d", at, n, lim.TableColumns)
			}
			for j, c := range row {
				cell := at + "[" + strconv.Itoa(j) + "]"
				var t string
				switch c := c.(type) {
				case nil:
					v.errorf(where, "%s is null", cell)
					continue
				case *slack.TableRawTextCell:
					if c == nil {
						v.errorf(where, "%s is null", cell)
						continue
					}
					t = c.Text
				case slack.TableRawTextCell:
					t = c.Text
				default:
					continue
				}
				// Slack refuses a table with an empty cell; a cell of
				// invisible characters is taken for one.
				if chars.Blank(t) {
					v.errorf(where, "%s is empty", cell)
				}
				v.chars(where, cell, t)
				text += render.Len(t)
			}
		}
		if text > lim.TableText {
			v.errorf(where, "cells hold %d characters of text, limit %d", text, lim.TableText)
		}
		if n := len(b.ColumnSettings); n > lim.TableColumns {
			v.errorf(where, "has %d column_settings, limit %d", n, lim.TableColumns)
		}
	}
}

// element checks an interactive or image element, where names it.
func (v *validator) element(where string, e slack.BlockElement) {
	lim := render.Slack
	switch e := elementPtr(e).(type) {
	case nil:
		v.errorf(where, "element is nil")
	case *slack.ButtonBlockElement:
		where += " button"
		v.textObject(where, "text", e.Text, lim.ButtonText, slack.PlainTextType)
		v.actionID(where, e.ActionID)
		v.length(where, "value", e.Value, lim.ButtonValue)
		if e.URL != "" {
			v.url(where, "url", e.URL)
		}
		if e.Style != slack.StyleDefault && e.Style != slack.StylePrimary && e.Style != slack.StyleDanger {
			v.errorf(where, "style is %q, want primary or danger", e.Style)
		}
	case *slack.ImageBlockElement:
		where += " image"
		if e.SlackFile == nil || e.ImageURL != nil {
			u := ""
			if e.ImageURL != nil {
				u = *e.ImageURL
			}
			v.url(where, "image_url", u)
		}
		v.altText(where, e.AltText)
	case *slack.SelectBlockElement:
		where += " " + e.Type
		v.actionID(where, e.ActionID)
		if e.Placeholder != nil {
			v.textObject(where, "placeholder", e.Placeholder, lim.Placeholder, slack.PlainTextType)
		}
		if e.Type == slack.OptTypeStatic && len(e.OptionGroups) == 0 {
			v.options(where, e.Options, lim.SelectOptions, slack.PlainTextType)
		}
	case *slack.RadioButtonsBlockElement:
		where += " radio_buttons"
		v.actionID(where, e.ActionID)
		v.options(where, e.Options, lim.RadioOptions, slack.PlainTextType, slack.MarkdownType)
	}
}

// options checks the options of a select or radio group, whose texts may
// be of the given types.
func (v *validator) options(where string, opts []*slack.OptionBlockObject, limit int, types ...string) {
	lim := render.Slack
	switch n := len(opts); {
	case n == 0:
		v.errorf(where, "has no options")
	case n > limit:
		v.errorf(where, "has %d options, limit %d", n, limit)
	}
	for i, o := range opts {
		at := "options[" + strconv.Itoa(i) + "]"
		if o == nil {
			v.errorf(where, "%s is nil", at)
			continue
		}
		v.textObject(where, at+" text", o.Text, lim.OptionText, types...)
		v.length(where, at+" value", o.Value, lim.OptionValue)
		if o.Value == "" {
			v.errorf(where, "%s value is empty", at)
		}
		if o.Description != nil {
			v.textObject(where, at+" description", o.Description, lim.OptionDescription, types...)
		}
	}
}

// textObject checks that t is present, of one of types, not blank and at
// most limit long.
func (v *validator) textObject(where, what string, t *slack.TextBlockObject, limit int, types ...string) {
	if t == nil {
		v.errorf(where, "%s is missing", what)
		return
	}
	ok := false
	for _, typ := range types {
		ok = ok || t.Type == typ
	}
	if !ok {
		v.errorf(where, "%s is of type %q, want %s", what, t.Type, strings.Join(types, " or "))
	}
	if t.Type == slack.MarkdownType && t.Emoji != nil {
		v.errorf(where, "%s sets emoji, which mrkdwn text may not", what)
	}
	if strings.TrimSpace(t.Text) == "" {
		v.errorf(where, "%s is empty", what)
	}
	v.length(where, what, t.Text, limit)
	v.chars(where, what, t.Text)
}

func (v *validator) length(where, what, s string, limit int) {
	if n := render.Len(s); n > limit {
		v.errorf(where, "%s is %d characters, limit %d", what, n, limit)
	}
}

func (v *validator) altText(where, alt string) {
	if strings.TrimSpace(alt) == "" {
		v.errorf(where, "alt_text is empty")
	}
	v.length(where, "alt_text", alt, render.Slack.ImageAltText)
	v.chars(where, "alt_text", alt)
}

// actionID checks an action_id's length and that no other element of the
// message has it.
func (v *validator) actionID(where, id string) {
	if id == "" {
		return
	}
	v.length(where, "action_id", id, render.Slack.ActionID)
	if first, ok := v.actionIDs[id]; ok {
		v.errorf(where, "action_id %q is also the action_id of %s", id, first)
		return
	}
	v.actionIDs[id] = where
}

// url checks a URL Slack will open or fetch: present, absolute http or
// https, without white space, control characters or invalid UTF-8, at
// most render.Slack.URL long.
func (v *validator) url(where, what, u string) {
	if u == "" {
		v.errorf(where, "%s is missing", what)
		return
	}
	v.length(where, what, u, render.Slack.URL)
	if !isHTTP(u) {
		v.errorf(where, "%s is not an absolute http or https URL without spaces or control characters", what)
	}
}

// blockText returns the characters of text b holds, the measure of
// render.Slack.TotalBlockText: every text object, field, option, alt text
// and table cell in it.
func blockText(b slack.Block) int {
	n := 0
	switch b := blockPtr(b).(type) {
	case *slack.SectionBlock:
		n += objText(b.Text)
		for _, f := range b.Fields {
			n += objText(f)
		}
		if b.Accessory != nil {
			n += elementText(accessoryElement(b.Accessory))
		}
	case *slack.HeaderBlock:
		n += objText(b.Text)
	case *slack.ContextBlock:
		for _, e := range b.ContextElements.Elements {
			switch e := e.(type) {
			case *slack.TextBlockObject:
				n += objText(e)
			case slack.TextBlockObject:
				n += objText(&e)
			case slack.BlockElement:
				n += elementText(e)
			}
		}
	case *slack.ActionBlock:
		if b.Elements != nil {
			for _, e := range b.Elements.ElementSet {
				n += elementText(e)
			}
		}
	case *slack.ImageBlock:
		n += render.Len(b.AltText) + objText(b.Title)
	case *slack.TableBlock:
		for _, row := range b.Rows {
			for _, c := range row {
				switch c := c.(type) {
				case *slack.TableRawTextCell:
					n += render.Len(c.Text)
				case slack.TableRawTextCell:
					n += render.Len(c.Text)
				}
			}
		}
	}
	return n
}

// elementText returns the characters of text an element holds.
func elementText(e slack.BlockElement) int {
	n := 0
	switch e := elementPtr(e).(type) {
	case *slack.ButtonBlockElement:
		n += objText(e.Text)
	case *slack.ImageBlockElement:
		n += render.Len(e.AltText)
	case *slack.SelectBlockElement:
		n += objText(e.Placeholder) + optionsText(e.Options)
		for _, g := range e.OptionGroups {
			if g != nil {
				n += objText(g.Label) + optionsText(g.Options)
			}
		}
	case *slack.RadioButtonsBlockElement:
		n += optionsText(e.Options)
	}
	return n
}

func optionsText(opts []*slack.OptionBlockObject) int {
	n := 0
	for _, o := range opts {
		if o != nil {
			n += objText(o.Text) + objText(o.Description)
		}
	}
	return n
}

func objText(t *slack.TextBlockObject) int {
	if t == nil {
		return 0
	}
	return render.Len(t.Text)
}

// blockPtr returns a block of the types checked here as a pointer, and nil
// for a nil block.
func blockPtr(b slack.Block) slack.Block {
	switch b := b.(type) {
	case slack.SectionBlock:
		return &b
	case slack.HeaderBlock:
		return &b
	case slack.ContextBlock:
		return &b
	case slack.ActionBlock:
		return &b
	case slack.ImageBlock:
		return &b
	case slack.DividerBlock:
		return &b
	case slack.TableBlock:
		return &b
	case *slack.SectionBlock:
		if b == nil {
			return nil
		}
	case *slack.HeaderBlock:
		if b == nil {
			return nil
		}
	case *slack.ContextBlock:
		if b == nil {
			return nil
		}
	case *slack.ActionBlock:
		if b == nil {
			return nil
		}
	case *slack.ImageBlock:
		if b == nil {
			return nil
		}
	case *slack.DividerBlock:
		if b == nil {
			return nil
		}
	case *slack.TableBlock:
		if b == nil {
			return nil
		}
	}
	return b
}

// elementPtr does for elements what blockPtr does for blocks.
func elementPtr(e slack.BlockElement) slack.BlockElement {
	switch e := e.(type) {
	case slack.ButtonBlockElement:
		return &e
	case slack.ImageBlockElement:
		return &e
	case slack.SelectBlockElement:
		return &e
	case slack.RadioButtonsBlockElement:
		return &e
	case *slack.ButtonBlockElement:
		if e == nil {
			return nil
		}
	case *slack.ImageBlockElement:
		if e == nil {
			return nil
		}
	case *slack.SelectBlockElement:
		if e == nil {
			return nil
		}
	case *slack.RadioButtonsBlockElement:
		if e == nil {
			return nil
		}
	}
	return e
}

// accessoryElement returns the element an accessory holds, or nil.
func accessoryElement(a *slack.Accessory) slack.BlockElement {
	switch {
	case a.ImageElement != nil:
		return a.ImageElement
	case a.ButtonElement != nil:
		return a.ButtonElement
	case a.SelectElement != nil:
		return a.SelectElement
	case a.RadioButtonsElement != nil:
		return a.RadioButtonsElement
	case a.OverflowElement != nil:
		return a.OverflowElement
	case a.DatePickerElement != nil:
		return a.DatePickerElement
	case a.TimePickerElement != nil:
		return a.TimePickerElement
	case a.MultiSelectElement != nil:
		return a.MultiSelectElement
	case a.CheckboxGroupsBlockElement != nil:
		return a.CheckboxGroupsBlockElement
	case a.PlainTextInputElement != nil:
		return a.PlainTextInputElement
	case a.RichTextInputElement != nil:
		return a.RichTextInputElement
	case a.WorkflowButtonElement != nil:
		return a.WorkflowButtonElement
	case a.UnknownElement != nil:
		return a.UnknownElement
	}
	return nil
}
