package discordui

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/parleybot/parley/render"
	"github.com/parleybot/parley/render/internal/chars"
	"github.com/parleybot/parley/render/internal/markdown"
)

// Message is one Discord message: the fields of a message send or edit.
type Message struct {
	Content    string
	Embeds     []*discordgo.MessageEmbed
	Components []discordgo.MessageComponent
}

// SelectPrefix starts the custom_id of every select menu Render writes,
// followed by the id of the menu's first option. An adapter routing a
// component interaction reads the picked option's id from the values, not
// from the custom_id; the prefix keeps a menu's custom_id apart from the
// buttons', which are bare ids.
const SelectPrefix = "sel:"

// Render renders n as one or more Discord messages, in order. ids gives
// every interactive element its opaque id; elements without one are left
// out. It fails only when an id is one Discord would reject.
//
// A card becomes embeds: its title, body and footer fill one embed and,
// when they do not fit (a description past 4096 characters, more than 25
// fields, a second image, text after fields or an image), continue in
// further embeds of the card's colour; when a message's ten embeds or 6000
// characters are used, the card continues in the next message. Buttons,
// selects and section buttons become action rows on the message that holds
// the text before them; past five rows they continue in the next message.
// Any other node renders into message content (2000 characters a message,
// split over as many messages as needed), its buttons and selects into
// action rows and its image into an embed.
//
// A tree with nothing to show — nil, an empty card, blank text, buttons
// none of which has an id — renders as no messages.
//
// Render checks every message it returns with [Validate] and returns an
// error instead of a message that fails, so a bug here shows as an error,
// never as a payload Discord rejects.
func Render(n render.Node, ids render.IDs) ([]Message, error) {
	b := &builder{ids: ids}
	switch c := n.(type) {
	case nil:
	case render.Card:
		b.card(c)
	case *render.Card:
		if c != nil {
			b.card(*c)
		}
	default:
		b.content(n)
	}
	if b.err != nil {
		return nil, b.err
	}
	msgs := b.msgs
	if len(msgs) > 0 && b.empty(&msgs[len(msgs)-1]) {
		msgs = msgs[:len(msgs)-1]
	}
	for i := range msgs {
		if err := uniqueIDs(msgs[i]); err != nil {
			return nil, fmt.Errorf("discordui: message %d: %w", i, err)
		}
		// A check that cannot fail unless this package has a bug: an
		// error here beats a payload Discord rejects.
		if err := Validate(msgs[i]); err != nil {
			return nil, fmt.Errorf("discordui: message %d breaks a Discord limit: %w", i, err)
		}
	}
	return msgs, nil
}

// builder lays rendered parts out over messages. The open embed is the
// last embed of the last message, where text, fields and images go while
// Discord's layout (description, then fields, then image) keeps reading
// order.
type builder struct {
	ids  render.IDs
	msgs []Message
	err  error

	emb     *discordgo.MessageEmbed // the open embed, nil when none
	descLen int                     // length of emb's description
	used    int                     // embed characters of the last message
	color   int                     // colour of the card's embeds
	inCard  bool                    // the tree is a card: notes go in its embeds
	accRow  bool                    // the last row is open to section buttons
	last    *discordgo.MessageEmbed // the embed opened last
	lastMsg int                     // the index of last's message
}

func (b *builder) fail(err error) {
	if b.err == nil {
		b.err = err
	}
}

func (b *builder) msg() *Message {
	if len(b.msgs) == 0 {
		b.msgs = append(b.msgs, Message{})
	}
	return &b.msgs[len(b.msgs)-1]
}

func (b *builder) empty(m *Message) bool {
	return m.Content == "" && len(m.Embeds) == 0 && len(m.Components) == 0
}

// newMsg starts the next message, unless the last one is still empty.
func (b *builder) newMsg() {
	if len(b.msgs) == 0 || !b.empty(b.msg()) {
		b.msgs = append(b.msgs, Message{})
	}
	b.emb, b.descLen, b.used, b.accRow = nil, 0, 0, false
}

// startEmbed opens a new embed with room for need characters, in a new
// message when the last one has no such room.
func (b *builder) startEmbed(need int) *discordgo.MessageEmbed {
	m := b.msg()
	if len(m.Embeds) >= render.Discord.EmbedsPerMessage || b.used+need > render.Discord.EmbedTotal {
		b.newMsg()
		m = b.msg()
	}
	b.emb = &discordgo.MessageEmbed{Color: b.color}
	b.descLen = 0
	m.Embeds = append(m.Embeds, b.emb)
	b.last, b.lastMsg = b.emb, len(b.msgs)-1
	return b.emb
}

// text adds pieces of description, each at most a description long.
func (b *builder) text(pieces []string) {
	for _, p := range pieces {
		if chars.Blank(p) {
			continue
		}
		n := chars.Len(p)
		if e := b.emb; e != nil && len(e.Fields) == 0 && e.Image == nil {
			sep := ""
			if e.Description != "" {
				sep = separator(e.Description)
			}
			add := len(sep) + n
			if b.descLen+add <= render.Discord.EmbedDescription && b.used+add <= render.Discord.EmbedTotal {
				e.Description += sep + p
				b.descLen += add
				b.used += add
				continue
			}
		}
		e := b.startEmbed(n)
		e.Description = p
		b.descLen, b.used = n, b.used+n
	}
}

// separator returns what goes between a description and the next piece:
// a blank line after a list, which would otherwise take the piece in as
// part of its last item.
func separator(desc string) string {
	last := desc[strings.LastIndexByte(desc, '\n')+1:]
	last = strings.TrimLeft(last, " ")
	if strings.HasPrefix(last, "- ") {
		return "\n\n"
	}
	if i := strings.IndexByte(last, '.'); i > 0 && strings.HasPrefix(last[i:], ". ") {
		if _, err := strconv.Atoi(last[:i]); err == nil {
			return "\n\n"
		}
	}
	return "\n"
}

// md adds blocks as description, split at the description limit.
func (b *builder) md(bs []markdown.Block, d dialect) {
	b.text(split(bs, d, render.Discord.EmbedDescription))
}

func (b *builder) field(name, value string) {
	name = fitText(oneLine(name), render.Discord.FieldName)
	value = fitText(value, render.Discord.FieldValue)
	// A blank name or value is refused; U+200B is the one Discord takes
	// for an empty one.
	if chars.Blank(name) {
		name = zwsp
	}
	if chars.Blank(value) {
		value = zwsp
	}
	n := chars.Len(name) + chars.Len(value)
	e := b.emb
	if e == nil || e.Image != nil || len(e.Fields) >= render.Discord.EmbedFields || b.used+n > render.Discord.EmbedTotal {
		e = b.startEmbed(n)
	}
	e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: name, Value: value, Inline: true})
	b.used += n
}

// image shows an image: in the open embed when it has none yet, else in a
// new one. An image whose URL Discord would not load leaves a note.
func (b *builder) image(img render.ImageNode) {
	if !validURL(img.URL) {
		b.note(imageNote(img))
		return
	}
	if !chars.Blank(clean(img.Title)) {
		b.md(small(textBlocks(img.Title, 0)), subtext)
	}
	e := b.emb
	if e == nil || e.Image != nil {
		e = b.startEmbed(0)
	}
	e.Image = &discordgo.MessageEmbedImage{URL: img.URL}
}

// card renders a top-level card as embeds.
func (b *builder) card(c render.Card) {
	b.inCard = true
	switch {
	case c.Accent.IsZero():
		b.color = 0
	case c.Accent.Value() == 0:
		b.color = 0x000001 // Discord reads 0 as no colour; this black shows
	default:
		b.color = int(c.Accent.Value())
	}
	if t := fitText(oneLine(c.Title), render.Discord.EmbedTitle); !chars.Blank(t) {
		n := chars.Len(t)
		e := b.startEmbed(n)
		e.Title = t
		b.used += n
	}
	b.md(textBlocks(c.Subtitle, markdown.Italic), discord)
	for _, n := range c.Body {
		b.node(n)
	}
	// The note for link buttons left out goes before the footer, which
	// closes the card; the buttons' rows come after it.
	b.linkNote(c.Actions.Buttons)
	if f := plain(c.Footer, render.Discord.Footer); !chars.Blank(f) {
		// The footer closes the card's last embed, even when rows have
		// moved the card on to a further message since.
		n := chars.Len(f)
		e := b.last
		if e == nil || embedTotal(b.msgs[b.lastMsg])+n > render.Discord.EmbedTotal {
			e = b.startEmbed(n)
		}
		e.Footer = &discordgo.MessageEmbedFooter{Text: f}
		if b.lastMsg == len(b.msgs)-1 {
			b.used += n
		}
	}
	b.rows(c.Actions)
}

// node renders one node of a card's body.
func (b *builder) node(n render.Node) {
	switch n := n.(type) {
	case render.TextNode:
		b.md(textBlocks(n.Text, 0), discord)
	case render.MarkdownNode:
		b.md(parse(n.Text), discord)
	case render.HeaderNode:
		b.md(heading(n.Text, 2), discord)
	case render.ContextNode:
		b.md(small(parse(n.Text)), subtext)
	case render.DividerNode:
		b.text([]string{discord.Rule()})
	case render.TableNode:
		if t := table(n, render.Discord.EmbedDescription); t != "" {
			b.text([]string{t})
		}
	case render.FieldsNode:
		for _, f := range n.Fields {
			b.field(f.Label, f.Value)
		}
	case render.ImageNode:
		b.image(n)
	case render.SectionNode:
		b.section(n)
	case render.ActionsNode:
		b.actions(n)
	case *render.SelectNode:
		b.selectMenu(n)
	case render.Card:
		b.nested(n)
	case *render.Card:
		if n != nil {
			b.nested(*n)
		}
	}
}

// nested renders a card inside a card inline: its title as a small
// heading, its footer as a small line.
func (b *builder) nested(c render.Card) {
	b.md(heading(c.Title, 3), discord)
	b.md(textBlocks(c.Subtitle, markdown.Italic), discord)
	for _, n := range c.Body {
		b.node(n)
	}
	b.md(small(textBlocks(c.Footer, 0)), subtext)
	b.actions(c.Actions)
}

func heading(text string, level int) []markdown.Block {
	bs := textBlocks(oneLine(text), 0)
	if len(bs) == 0 {
		return nil
	}
	return []markdown.Block{{Kind: markdown.Heading, Level: level, Spans: bs[0].Spans}}
}

// section renders markdown with an image beside it as the embed's
// thumbnail, or with a button under it.
func (b *builder) section(s render.SectionNode) {
	img, isImg := s.Accessory.(render.ImageNode)
	if !isImg || !validURL(img.URL) {
		b.md(parse(s.Text), discord)
		switch a := s.Accessory.(type) {
		case render.ImageNode:
			b.note(imageNote(a))
		case *render.ButtonNode:
			b.sectionButton(a)
		}
		return
	}
	if e := b.emb; e != nil && (e.Thumbnail != nil || len(e.Fields) > 0 || e.Image != nil) {
		b.emb = nil // the thumbnail must sit beside this text, not earlier text
	}
	pieces := split(parse(s.Text), discord, render.Discord.EmbedDescription)
	var first *discordgo.MessageEmbed
	for i, p := range pieces {
		b.text([]string{p})
		if i == 0 {
			first = b.emb
		}
	}
	if first == nil {
		first = b.emb
		if first == nil || first.Thumbnail != nil {
			first = b.startEmbed(0)
		}
	}
	first.Thumbnail = &discordgo.MessageEmbedThumbnail{URL: img.URL}
}

// sectionButton adds a section's button, or the note for a link button
// left out.
func (b *builder) sectionButton(n *render.ButtonNode) {
	if btn, ok := b.button(n); ok {
		b.accessory(btn)
	} else {
		b.linkNote([]*render.ButtonNode{n})
	}
}

// note writes a small line where something could not be shown: in the
// card's embeds, or as content.
func (b *builder) note(text string) {
	bs := small(textBlocks(text, 0))
	if b.inCard {
		b.md(bs, subtext)
		return
	}
	b.say(split(bs, subtext, render.Discord.Content))
}

// noteName is the most characters of a name a note shows.
const noteName = 1024

// imageNote returns the note that stands for an image Discord would not
// load. It names the image by its caption, which would have shown with
// it, else by its alt text.
func imageNote(img render.ImageNode) string {
	name := "image"
	for _, s := range []string{img.Title, img.Alt} {
		if t := oneLine(clean(s)); !chars.Blank(t) {
			name = render.Truncate(strings.TrimSpace(t), noteName)
			break
		}
	}
	return "Image not shown: " + name
}

// linkNote writes the note that stands for the link buttons among bs
// whose URLs Discord would refuse (see validURL), as Slack's renderer
// does: "Link not shown: Docs, Login". It writes nothing when there are
// none.
func (b *builder) linkNote(bs []*render.ButtonNode) {
	var labels []string
	for _, n := range bs {
		if n == nil || !n.IsLink() || validURL(n.URL) {
			continue
		}
		l := render.Truncate(strings.TrimSpace(oneLine(clean(n.Label))), render.Discord.ButtonLabel)
		if chars.Blank(l) {
			l = "(untitled)"
		}
		labels = append(labels, l)
	}
	if len(labels) > 0 {
		b.note("Link not shown: " + strings.Join(labels, ", "))
	}
}

// row adds an action row, in a new message when the last has five.
func (b *builder) row(r discordgo.ActionsRow) {
	if len(b.msg().Components) >= render.Discord.ActionRows {
		b.newMsg()
	}
	m := b.msg()
	m.Components = append(m.Components, r)
	b.accRow = false
}

// accessory adds a section's button to the last row when that row holds
// other sections' buttons and has room, so a list of sections does not
// take a row each.
func (b *builder) accessory(btn discordgo.Button) {
	m := b.msg()
	if b.accRow {
		r := m.Components[len(m.Components)-1].(discordgo.ActionsRow)
		if len(r.Components) < render.Discord.ButtonsPerRow {
			r.Components = append(r.Components, btn)
			m.Components[len(m.Components)-1] = r
			return
		}
	}
	b.row(discordgo.ActionsRow{Components: []discordgo.MessageComponent{btn}})
	b.accRow = true
}

// button returns the Discord button for n, or false when it is left out:
// a nil button, an action without an id, a link Discord would not open.
func (b *builder) button(n *render.ButtonNode) (discordgo.Button, bool) {
	if n == nil {
		return discordgo.Button{}, false
	}
	l := label(n.Label, render.Discord.ButtonLabel)
	if n.IsLink() {
		if !validURL(n.URL) {
			return discordgo.Button{}, false
		}
		return discordgo.Button{Label: l, Style: discordgo.LinkButton, URL: n.URL}, true
	}
	id := b.ids[n] // an empty id counts as none, as in every renderer
	if id == "" {
		return discordgo.Button{}, false
	}
	if err := checkID(id, render.Discord.CustomID); err != nil {
		b.fail(fmt.Errorf("discordui: button %q: %w", l, err))
		return discordgo.Button{}, false
	}
	style := discordgo.SecondaryButton
	switch n.Style {
	case render.StylePrimary:
		style = discordgo.PrimaryButton
	case render.StyleDanger:
		style = discordgo.DangerButton
	}
	return discordgo.Button{Label: l, Style: style, CustomID: id}, true
}

func checkID(id string, limit int) error {
	if n := chars.Len(id); n < 1 || n > limit {
		return fmt.Errorf("id %q is %d characters, Discord allows 1 to %d", id, n, limit)
	}
	return nil
}

// actions adds buttons in rows of five, after a note for the link
// buttons left out.
func (b *builder) actions(a render.ActionsNode) {
	b.linkNote(a.Buttons)
	b.rows(a)
}

// rows adds buttons in rows of five.
func (b *builder) rows(a render.ActionsNode) {
	var cur []discordgo.MessageComponent
	for _, n := range a.Buttons {
		btn, ok := b.button(n)
		if !ok {
			continue
		}
		cur = append(cur, btn)
		if len(cur) == render.Discord.ButtonsPerRow {
			b.row(discordgo.ActionsRow{Components: cur})
			cur = nil
		}
	}
	if len(cur) > 0 {
		b.row(discordgo.ActionsRow{Components: cur})
	}
}

// selectMenu adds a select as menus of at most 25 options, or a radio
// group of up to five options as a row of buttons.
func (b *builder) selectMenu(s *render.SelectNode) {
	if s == nil {
		return
	}
	type opt struct {
		o  *render.Option
		id string
	}
	var opts []opt
	for _, o := range s.Options {
		if o == nil {
			continue
		}
		id := b.ids[o]
		if id == "" {
			continue
		}
		if err := checkID(id, min(render.Discord.OptionValue, render.Discord.CustomID-len(SelectPrefix))); err != nil {
			b.fail(fmt.Errorf("discordui: option %q: %w", oneLine(o.Label), err))
			return
		}
		opts = append(opts, opt{o, id})
	}
	if len(opts) == 0 {
		return
	}
	if s.Radio && len(opts) <= render.Discord.ButtonsPerRow {
		var r discordgo.ActionsRow
		for _, o := range opts {
			r.Components = append(r.Components, discordgo.Button{
				Label:    label(o.o.Label, render.Discord.ButtonLabel),
				Style:    discordgo.SecondaryButton,
				CustomID: o.id,
			})
		}
		b.row(r)
		return
	}
	per := render.Discord.SelectOptions
	for start := 0; start < len(opts); start += per {
		chunk := opts[start:min(start+per, len(opts))]
		ph := oneLine(s.Placeholder)
		if len(opts) > per {
			suffix := fmt.Sprintf(" (%d–%d)", start+1, start+len(chunk))
			ph = strings.TrimSpace(plain(ph, render.Discord.Placeholder-chars.Len(suffix)) + suffix)
		} else {
			ph = plain(ph, render.Discord.Placeholder)
		}
		if chars.Blank(ph) {
			ph = ""
		}
		menu := discordgo.SelectMenu{
			MenuType:    discordgo.StringSelectMenu,
			CustomID:    SelectPrefix + chunk[0].id,
			Placeholder: ph,
		}
		for _, o := range chunk {
			d := plain(oneLine(o.o.Description), render.Discord.OptionDescription)
			if chars.Blank(d) {
				d = ""
			}
			menu.Options = append(menu.Options, discordgo.SelectMenuOption{
				Label:       label(o.o.Label, render.Discord.OptionLabel),
				Value:       o.id,
				Description: d,
			})
		}
		b.row(discordgo.ActionsRow{Components: []discordgo.MessageComponent{menu}})
	}
}

// content renders a node that is not a card into message content.
func (b *builder) content(n render.Node) {
	limit := render.Discord.Content
	switch n := n.(type) {
	case render.TextNode:
		b.say(split(textBlocks(n.Text, 0), discord, limit))
	case render.MarkdownNode:
		b.say(split(parse(n.Text), discord, limit))
	case render.HeaderNode:
		b.say(split(heading(n.Text, 2), discord, limit))
	case render.ContextNode:
		b.say(split(small(parse(n.Text)), subtext, limit))
	case render.DividerNode:
		b.say([]string{discord.Rule()})
	case render.TableNode:
		if t := table(n, limit); t != "" {
			b.say([]string{t})
		}
	case render.FieldsNode:
		var spans []markdown.Span
		for _, f := range n.Fields {
			if len(spans) > 0 {
				spans = append(spans, markdown.Span{Break: true})
			}
			if l := strings.TrimSpace(oneLine(clean(f.Label))); l != "" {
				spans = append(spans, markdown.Span{Text: l + ":", Style: markdown.Bold}, markdown.Span{Text: " "})
			}
			for i, line := range strings.Split(clean(f.Value), "\n") {
				if i > 0 {
					spans = append(spans, markdown.Span{Break: true})
				}
				spans = append(spans, markdown.Span{Text: line})
			}
		}
		if len(spans) > 0 {
			b.say(split([]markdown.Block{{Kind: markdown.Paragraph, Spans: spans}}, discord, limit))
		}
	case render.ImageNode:
		b.contentImage(n)
	case render.SectionNode:
		b.say(split(parse(n.Text), discord, limit))
		switch a := n.Accessory.(type) {
		case render.ImageNode:
			b.contentImage(a)
		case *render.ButtonNode:
			b.sectionButton(a)
		}
	case render.ActionsNode:
		b.actions(n)
	case *render.SelectNode:
		b.selectMenu(n)
	}
}

// say adds pieces of content, each at most a message's content long; a
// message's content shows above its embeds and rows, so text never joins
// a message that has them. A piece that shows nothing (see chars.Blank)
// is left out: Discord takes content of white space and invisible
// characters for none, and refuses a message that has nothing else.
func (b *builder) say(pieces []string) {
	for _, p := range pieces {
		if chars.Blank(p) {
			continue
		}
		m := b.msg()
		if len(m.Embeds) > 0 || len(m.Components) > 0 || (m.Content != "" && chars.Len(m.Content)+1+chars.Len(p) > render.Discord.Content) {
			b.newMsg()
			m = b.msg()
		}
		if m.Content != "" {
			m.Content += "\n"
		}
		m.Content += p
	}
}

// contentImage shows an image outside a card as an embed of its own, with
// the image's title as the embed's title, or a note when Discord would not
// load it.
func (b *builder) contentImage(img render.ImageNode) {
	if !validURL(img.URL) {
		b.note(imageNote(img))
		return
	}
	t := fitText(oneLine(img.Title), render.Discord.EmbedTitle)
	if chars.Blank(t) {
		t = ""
	}
	e := b.startEmbed(chars.Len(t))
	e.Title = t
	b.used += chars.Len(t)
	e.Image = &discordgo.MessageEmbedImage{URL: img.URL}
}

// uniqueIDs reports custom_ids shared by two components of m, and option
// values shared within a menu: Discord rejects both.
func uniqueIDs(m Message) error {
	seen := map[string]bool{}
	var errs []error
	dup := func(id string) {
		if seen[id] {
			errs = append(errs, fmt.Errorf("custom_id %q is used by two components", id))
		}
		seen[id] = true
	}
	for _, c := range m.Components {
		r, ok := c.(discordgo.ActionsRow)
		if !ok {
			continue
		}
		for _, c := range r.Components {
			switch c := c.(type) {
			case discordgo.Button:
				if c.CustomID != "" {
					dup(c.CustomID)
				}
			case discordgo.SelectMenu:
				dup(c.CustomID)
				values := map[string]bool{}
				for _, o := range c.Options {
					if values[o.Value] {
						errs = append(errs, fmt.Errorf("option value %q is used twice in menu %q", o.Value, c.CustomID))
					}
					values[o.Value] = true
				}
			}
		}
	}
	return errors.Join(errs...)
}
