package blockkit

import (
	"encoding/json"
	"strings"

	"github.com/slack-go/slack"

	"github.com/parleybot/parley/render"
	"github.com/parleybot/parley/render/internal/markdown"
)

// untitled labels a button or option whose label is blank: Slack requires
// one.
const untitled = "(untitled)"

// jsonRoom is the part of render.Slack.BlocksJSON kept for what holds a
// message's blocks: the brackets of the array and, for a card with an
// accent colour, the attachment around them ({"color":"#rrggbb","blocks":…}).
const jsonRoom = 64

// wrapRoom is kept, when elements, fields, options or rows are packed into
// one block, for the JSON of the block around them ({"type":"actions",
// "elements":[…]} and the like).
const wrapRoom = 256

// msgJSON returns how many bytes of JSON the blocks of one message may
// take, each counted with the comma after it.
func msgJSON() int { return render.Slack.BlocksJSON - jsonRoom }

// blockJSON returns the bytes of JSON a single block may take: all of a
// message's.
func blockJSON() int { return msgJSON() - 1 }

// size returns the length of v marshalled as JSON, as slack-go sends it.
// What cannot be marshalled is as large as a whole message, so that it is
// never taken to fit, and Validate names it.
func size(v any) int {
	b, err := json.Marshal(v)
	if err != nil {
		return render.Slack.BlocksJSON + 1
	}
	return len(b)
}

// renderer turns nodes into blocks and packs them into messages.
type renderer struct {
	ids  render.IDs
	msgs [][]slack.Block

	// The message being filled.
	cur    []slack.Block
	text   int // characters of text in cur, as blockText counts them
	tables int // table blocks in cur
	bytes  int // bytes of JSON of cur's blocks, each with a comma
}

// fits reports whether blocks fit in the current message.
func (r *renderer) fits(blocks []slack.Block) bool {
	text, tables, bytes := measure(blocks)
	return r.room(len(blocks), text, tables, bytes)
}

// room reports whether the current message has room for blocks holding
// text characters of text and tables table blocks, taking bytes of JSON.
func (r *renderer) room(blocks, text, tables, bytes int) bool {
	return len(r.cur)+blocks <= render.Slack.BlocksPerMessage &&
		r.text+text <= render.Slack.TotalBlockText &&
		r.tables+tables <= render.Slack.TablesPerMessage &&
		r.bytes+bytes <= msgJSON()
}

// measure returns the text blocks hold, as blockText counts it, the
// number of table blocks among them, and the bytes of their JSON, each
// block counted with a comma.
func measure(blocks []slack.Block) (text, tables, bytes int) {
	for _, b := range blocks {
		text += blockText(b)
		if _, ok := b.(*slack.TableBlock); ok {
			tables++
		}
		bytes += size(b) + 1
	}
	return text, tables, bytes
}

// add appends blocks, which fit in an empty message, to the current
// message, or to a new one when they do not fit. Blocks added together stay
// together.
func (r *renderer) add(blocks ...slack.Block) {
	if len(blocks) == 0 {
		return
	}
	text, tables, bytes := measure(blocks)
	if !r.room(len(blocks), text, tables, bytes) {
		r.flush()
	}
	r.cur = append(r.cur, blocks...)
	r.text += text
	r.tables += tables
	r.bytes += bytes
}

// flush ends the current message.
func (r *renderer) flush() {
	if len(r.cur) > 0 {
		r.msgs = append(r.msgs, r.cur)
	}
	r.cur, r.text, r.tables, r.bytes = nil, 0, 0, 0
}

func (r *renderer) node(n render.Node) {
	switch n := n.(type) {
	case render.Card:
		r.card(n)
	case *render.Card:
		if n != nil {
			r.card(*n)
		}
	case render.TextNode:
		r.plainText(n.Text)
	case render.MarkdownNode:
		r.markdown(n.Text, nil)
	case render.HeaderNode:
		r.header(n.Text)
	case render.SectionNode:
		r.section(n)
	case render.FieldsNode:
		r.fields(n.Fields)
	case render.ContextNode:
		if t, _ := markdown.Truncate(markdown.Parse(clean(n.Text)), dialect{}, render.Slack.ContextText); strings.TrimSpace(t) != "" {
			r.add(slack.NewContextBlock("", mrkdwn(t)))
		}
	case render.ImageNode:
		r.image(n)
	case render.DividerNode:
		r.add(slack.NewDividerBlock())
	case render.TableNode:
		r.table(n)
	case render.ActionsNode:
		r.actions(n.Buttons)
	case *render.SelectNode:
		if n != nil {
			r.selectNode(n)
		}
	}
}

// card writes a card: its title as a header, its subtitle as context, its
// body, its actions and its footer as context. A card inside a card is
// written the same way, in place; only the outermost card's accent colours
// the messages.
func (r *renderer) card(c render.Card) {
	r.header(c.Title)
	r.contextPlain(c.Subtitle)
	for _, n := range c.Body {
		r.node(n)
	}
	r.actions(c.Actions.Buttons)
	r.contextPlain(c.Footer)
}

func (r *renderer) header(text string) {
	if t := line(text, render.Slack.HeaderText); t != "" {
		r.add(slack.NewHeaderBlock(plain(t)))
	}
}

// contextPlain writes plain text as a context block.
func (r *renderer) contextPlain(text string) {
	if t := render.Truncate(strings.TrimSpace(clean(text)), render.Slack.ContextText); t != "" {
		r.add(slack.NewContextBlock("", plain(t)))
	}
}

// plainText writes a TextNode as plain_text sections, which Slack shows
// exactly as they are.
func (r *renderer) plainText(text string) {
	for _, p := range render.Split(clean(text), render.Slack.SectionText) {
		if strings.TrimSpace(p) != "" {
			r.add(&slack.SectionBlock{Type: slack.MBTSection, Text: plain(p)})
		}
	}
}

// markdown writes markdown as mrkdwn sections, split where it is too long
// for one. The first section gets acc beside it, unless the two together
// would pass a message's JSON budget. It reports whether it wrote
// anything and whether it placed acc.
func (r *renderer) markdown(md string, acc *slack.Accessory) (wrote, placed bool) {
	for _, p := range markdown.Split(markdown.Parse(clean(md)), dialect{}, render.Slack.SectionText) {
		if strings.TrimSpace(p) == "" {
			continue
		}
		s := &slack.SectionBlock{Type: slack.MBTSection, Text: mrkdwn(p)}
		if !wrote && acc != nil {
			s.Accessory = acc
			placed = size(s) <= blockJSON()
			if !placed {
				s.Accessory = nil
			}
		}
		r.add(s)
		wrote = true
	}
	return wrote, placed
}

// section writes a section with its accessory beside its text. An
// accessory without text to stand beside is written on its own.
func (r *renderer) section(n render.SectionNode) {
	var acc *slack.Accessory
	var note slack.Block
	switch a := n.Accessory.(type) {
	case render.ImageNode:
		if u, ok := cleanURL(a.URL); ok {
			acc = slack.NewAccessory(slack.NewImageBlockElement(u, altText(a)))
		} else {
			note = imageNote(a)
		}
	case *render.ButtonNode:
		if b := r.button(a); b != nil {
			acc = slack.NewAccessory(b)
		} else if a != nil && a.IsLink() {
			note = linkNote([]string{a.Label})
		}
	}
	wrote, placed := r.markdown(n.Text, acc)
	if !wrote || acc != nil && !placed {
		// Alone, or too large to share a block with the text: on its own,
		// under the text.
		switch a := n.Accessory.(type) {
		case render.ImageNode:
			r.image(a)
		case *render.ButtonNode:
			r.actions([]*render.ButtonNode{a})
		}
		return
	}
	if note != nil {
		r.add(note)
	}
}

// fields writes label/value pairs as the fields of sections, at most
// render.Slack.SectionFields to a section, and no more than a message's
// text and JSON budgets hold.
func (r *renderer) fields(fs []render.Field) {
	var cur []*slack.TextBlockObject
	n, bytes := 0, 0
	flush := func() {
		if len(cur) > 0 {
			r.add(&slack.SectionBlock{Type: slack.MBTSection, Fields: cur})
		}
		cur, n, bytes = nil, 0, 0
	}
	for _, f := range fs {
		t := field(f)
		if t == "" {
			continue
		}
		o := mrkdwn(t)
		b := size(o) + 1
		if len(cur) == render.Slack.SectionFields || n+render.Len(t) > render.Slack.TotalBlockText || bytes+b > blockJSON()-wrapRoom {
			flush()
		}
		cur = append(cur, o)
		n += render.Len(t)
		bytes += b
	}
	flush()
}

// field returns a field as "*Label*\nValue" in mrkdwn, within
// render.Slack.FieldText; the label takes at most a quarter of it.
func field(f render.Field) string {
	label := fit(strings.Join(strings.Fields(clean(f.Label)), " "), render.Slack.FieldText/4, func(s string) string {
		if s == "" {
			return ""
		}
		return "*" + escape(s) + "*"
	})
	value := strings.TrimSpace(clean(f.Value))
	switch {
	case label == "":
		return fit(value, render.Slack.FieldText, escape)
	case value == "":
		return label
	}
	return label + "\n" + fit(value, render.Slack.FieldText-render.Len(label)-1, escape)
}

// image writes an image block, or a note in its place when Slack could
// not show its URL.
func (r *renderer) image(n render.ImageNode) {
	u, ok := cleanURL(n.URL)
	if !ok {
		r.add(imageNote(n))
		return
	}
	b := slack.NewImageBlock(u, altText(n), "", nil)
	if t := render.Truncate(strings.TrimSpace(clean(n.Title)), render.Slack.ImageTitle); t != "" {
		// A title of escapes beside a URL of them could pass the JSON
		// budget of a message: the title gives way.
		room := blockJSON() - size(b) - size(plain(""))
		if t = fitJSON(t, room); strings.TrimSpace(t) != "" {
			b.Title = plain(t)
		}
	}
	r.add(b)
}

// altText returns an image's alt text: its Alt, else its Title, else
// "image".
func altText(n render.ImageNode) string {
	for _, s := range []string{n.Alt, n.Title} {
		if t := line(s, render.Slack.ImageAltText); t != "" {
			return t
		}
	}
	return "image"
}

// imageNote stands for an image whose URL Slack would refuse. It names the
// image by its caption, which would have shown under it, else by its alt
// text.
func imageNote(n render.ImageNode) slack.Block {
	name := "image"
	for _, s := range []string{n.Title, n.Alt} {
		if t := line(s, render.Slack.ImageTitle); t != "" {
			name = t
			break
		}
	}
	return slack.NewContextBlock("", plain(line("Image not shown: "+name, render.Slack.ContextText)))
}

// linkNote stands for link buttons whose URLs Slack would refuse.
func linkNote(labels []string) slack.Block {
	for i, l := range labels {
		labels[i] = line(l, render.Slack.ButtonText)
		if labels[i] == "" {
			labels[i] = untitled
		}
	}
	return slack.NewContextBlock("", plain(line("Link not shown: "+strings.Join(labels, ", "), render.Slack.ContextText)))
}

// button returns b as a button element, or nil when it is left out: an
// action button without an id, or a link button whose URL Slack would
// refuse. An action button's action_id and value are both its id; a link
// button has neither.
func (r *renderer) button(b *render.ButtonNode) *slack.ButtonBlockElement {
	if b == nil {
		return nil
	}
	label := line(b.Label, render.Slack.ButtonText)
	if label == "" {
		label = untitled
	}
	e := &slack.ButtonBlockElement{Type: slack.METButton, Text: plain(label)}
	if b.IsLink() {
		u, ok := cleanURL(b.URL)
		if !ok {
			return nil
		}
		e.URL = u
	} else {
		id := r.ids[b]
		if id == "" {
			return nil
		}
		e.ActionID, e.Value = id, id
	}
	switch b.Style {
	case render.StylePrimary:
		e.Style = slack.StylePrimary
	case render.StyleDanger:
		e.Style = slack.StyleDanger
	}
	return e
}

// actions writes buttons as actions blocks, with a note for link buttons
// left out.
func (r *renderer) actions(bs []*render.ButtonNode) {
	var els []slack.BlockElement
	var lost []string
	for _, b := range bs {
		if e := r.button(b); e != nil {
			els = append(els, e)
		} else if b != nil && b.IsLink() {
			lost = append(lost, b.Label)
		}
	}
	r.elements(els)
	if len(lost) > 0 {
		r.add(linkNote(lost))
	}
}

// elements writes interactive elements as actions blocks of at most
// render.Slack.ActionsElements each, and no more than a message's text
// and JSON budgets hold.
func (r *renderer) elements(els []slack.BlockElement) {
	var cur []slack.BlockElement
	n, bytes := 0, 0
	for _, e := range els {
		t, b := elementText(e), size(e)+1
		if len(cur) == render.Slack.ActionsElements || (len(cur) > 0 && (n+t > render.Slack.TotalBlockText || bytes+b > blockJSON()-wrapRoom)) {
			r.add(slack.NewActionBlock("", cur...))
			cur, n, bytes = nil, 0, 0
		}
		cur = append(cur, e)
		n += t
		bytes += b
	}
	if len(cur) > 0 {
		r.add(slack.NewActionBlock("", cur...))
	}
}

// selectNode writes a select as radio buttons when it asks for them and
// has few enough options, else as static selects of at most
// render.Slack.SelectOptions options each. Options without an id are left
// out.
func (r *renderer) selectNode(s *render.SelectNode) {
	var opts []*slack.OptionBlockObject
	for _, o := range s.Options {
		if o == nil || r.ids[o] == "" {
			continue
		}
		label := line(o.Label, render.Slack.OptionText)
		if label == "" {
			label = untitled
		}
		opt := slack.NewOptionBlockObject(r.ids[o], plain(label), nil)
		if d := line(o.Description, render.Slack.OptionDescription); d != "" {
			opt.Description = plain(d)
		}
		opts = append(opts, opt)
	}
	if len(opts) == 0 {
		return
	}
	if s.Radio && len(opts) <= render.Slack.RadioOptions {
		r.elements([]slack.BlockElement{slack.NewRadioButtonsBlockElement(selectPrefix+opts[0].Value, opts...)})
		return
	}
	var placeholder *slack.TextBlockObject
	if p := line(s.Placeholder, render.Slack.Placeholder); p != "" {
		placeholder = plain(p)
	}
	newSelect := func(opts []*slack.OptionBlockObject) slack.BlockElement {
		return slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, placeholder, selectPrefix+opts[0].Value, opts...)
	}
	// Each select holds no more options than a message's text and JSON
	// budgets hold: a hundred options of escapes pass the JSON budget
	// several times over.
	var els []slack.BlockElement
	// base is what a select takes besides its options, with room for the
	// actions block around it.
	base := func(first *slack.OptionBlockObject) int {
		return size(placeholder) + jsonLen(selectPrefix+first.Value) + 2*wrapRoom
	}
	start, n, bytes := 0, objText(placeholder), base(opts[0])
	for i, o := range opts {
		t, b := objText(o.Text)+objText(o.Description), size(o)+1
		if i > start && (i-start == render.Slack.SelectOptions || n+t > render.Slack.TotalBlockText || bytes+b > blockJSON()) {
			els = append(els, newSelect(opts[start:i]))
			start, n, bytes = i, objText(placeholder), base(o)
		}
		n += t
		bytes += b
	}
	r.elements(append(els, newSelect(opts[start:])))
}
