package html

import (
	"bytes"
	"html"
	"html/template"
	"strconv"
	"strings"

	"github.com/parleybot/parley/render"
	"github.com/parleybot/parley/render/internal/markdown"
)

// Render renders n as an HTML fragment. ids gives every interactive
// element its opaque id, emitted as data-action; elements without one are
// shown disabled. A nil node, a nil *Card and a card with nothing to show
// render as the empty fragment.
func Render(n render.Node, ids render.IDs) template.HTML {
	w := writer{ids: ids}
	w.node(n)
	return template.HTML(w.b.String())
}

// writer accumulates the fragment. It writes into a bytes.Buffer rather
// than a strings.Builder because an element that turns out empty (a card
// body with nothing in it) is taken back with Truncate.
type writer struct {
	b     bytes.Buffer
	ids   render.IDs
	depth int // cards entered: a nested card's title is a smaller heading
}

// wrap writes open, then what fill writes, then close; when fill writes
// nothing, it takes open back, so no empty element is left.
func (w *writer) wrap(open, close string, fill func()) {
	start := w.b.Len()
	w.b.WriteString(open)
	mark := w.b.Len()
	fill()
	if w.b.Len() == mark {
		w.b.Truncate(start)
		return
	}
	w.b.WriteString(close)
}

// text writes s escaped.
func (w *writer) text(s string) { w.b.WriteString(esc(s)) }

// lines writes s escaped, its line breaks as <br>.
func (w *writer) lines(s string) {
	for i, l := range strings.Split(strings.TrimRight(clean(s), "\n"), "\n") {
		if i > 0 {
			w.b.WriteString("<br>")
		}
		w.b.WriteString(html.EscapeString(l))
	}
}

// attr writes a double-quoted attribute; value is escaped.
func (w *writer) attr(name, value string) {
	w.b.WriteString(" " + name + `="`)
	w.text(value)
	w.b.WriteByte('"')
}

func (w *writer) node(n render.Node) {
	switch n := n.(type) {
	case render.TextNode:
		if strings.TrimSpace(n.Text) != "" {
			w.b.WriteString(`<p class="parley-text">`)
			w.lines(n.Text)
			w.b.WriteString("</p>\n")
		}
	case render.MarkdownNode:
		w.wrap(`<div class="parley-markdown">`+"\n", "</div>\n", func() { w.blocks(markdown.Parse(n.Text)) })
	case render.HeaderNode:
		if strings.TrimSpace(n.Text) != "" {
			w.b.WriteString(`<h3 class="parley-header">`)
			w.text(n.Text)
			w.b.WriteString("</h3>\n")
		}
	case render.SectionNode:
		w.section(n)
	case render.ContextNode:
		w.context(n.Text)
	case render.FieldsNode:
		w.fields(n.Fields)
	case render.ImageNode:
		w.image(n)
	case render.DividerNode:
		w.b.WriteString(`<hr class="parley-divider">` + "\n")
	case render.TableNode:
		w.table(n)
	case render.ActionsNode:
		w.actions(n)
	case *render.SelectNode:
		w.selectNode(n)
	case *render.Card:
		if n != nil {
			w.card(*n)
		}
	case render.Card:
		w.card(n)
	}
}

// card writes an <article>. The accent reaches the page only through
// render.Color.String, which is always "#rrggbb", so it cannot break out
// of the style attribute. A card nested in a body is an article inside an
// article, its title a smaller heading.
func (w *writer) card(c render.Card) {
	open := `<article class="parley-card"`
	if !c.Accent.IsZero() {
		open += ` style="--parley-accent:` + c.Accent.String() + `"`
	}
	if c.Fallback != "" {
		open += ` aria-label="` + esc(c.Fallback) + `"`
	}
	level := strconv.Itoa(min(2+w.depth, 6))
	w.depth++
	defer func() { w.depth-- }()
	w.wrap(open+">\n", "</article>\n", func() {
		w.wrap(`<header class="parley-card-header">`, "</header>\n", func() {
			if strings.TrimSpace(c.Title) != "" {
				w.b.WriteString(`<h` + level + ` class="parley-title">`)
				w.text(c.Title)
				w.b.WriteString(`</h` + level + `>`)
			}
			if strings.TrimSpace(c.Subtitle) != "" {
				w.b.WriteString(`<p class="parley-subtitle">`)
				w.text(c.Subtitle)
				w.b.WriteString(`</p>`)
			}
		})
		w.wrap(`<div class="parley-body">`+"\n", "</div>\n", func() {
			for _, b := range c.Body {
				w.node(b)
			}
		})
		w.actions(c.Actions)
		if strings.TrimSpace(c.Footer) != "" {
			w.b.WriteString(`<footer class="parley-footer"><small>`)
			w.text(c.Footer)
			w.b.WriteString("</small></footer>\n")
		}
	})
}

// section writes markdown text with its accessory beside it; the page's
// style sheet lays the two out side by side.
func (w *writer) section(s render.SectionNode) {
	w.wrap(`<div class="parley-section">`+"\n", "</div>\n", func() {
		w.wrap(`<div class="parley-section-text">`+"\n", "</div>\n", func() { w.blocks(markdown.Parse(s.Text)) })
		w.wrap(`<div class="parley-accessory">`, "</div>\n", func() {
			switch a := s.Accessory.(type) {
			case *render.ButtonNode:
				if a != nil {
					w.button(a)
				}
			case render.ImageNode:
				w.img(a)
			}
		})
	})
}

// context writes a small, muted line. Markdown of paragraphs only (the
// usual case) stays one <p><small>; lists or code, which may not sit in a
// <p>, go in a <div> the style sheet makes small.
func (w *writer) context(src string) {
	bs := markdown.Parse(src)
	inline := true
	for _, b := range bs {
		inline = inline && b.Kind == markdown.Paragraph
	}
	if !inline {
		w.wrap(`<div class="parley-context">`+"\n", "</div>\n", func() { w.blocks(bs) })
		return
	}
	w.wrap(`<p class="parley-context"><small>`, "</small></p>\n", func() {
		for i, b := range bs {
			if i > 0 {
				w.b.WriteString("<br>")
			}
			w.spans(b.Spans)
		}
	})
}

// fields writes a description list, each pair in a <div> so the style
// sheet can lay pairs out in columns. Values are plain text.
func (w *writer) fields(fs []render.Field) {
	w.wrap(`<dl class="parley-fields">`+"\n", "</dl>\n", func() {
		for _, f := range fs {
			if strings.TrimSpace(f.Label) == "" && strings.TrimSpace(f.Value) == "" {
				continue
			}
			w.b.WriteString(`<div class="parley-field"><dt>`)
			w.text(f.Label)
			w.b.WriteString("</dt><dd>")
			w.lines(f.Value)
			w.b.WriteString("</dd></div>\n")
		}
	})
}

// image writes an image as a figure, its title as the caption.
func (w *writer) image(i render.ImageNode) {
	if _, ok := safeURL(i.URL); !ok {
		w.wrap(`<p class="parley-image">`, "</p>\n", func() { w.img(i) })
		return
	}
	w.b.WriteString(`<figure class="parley-image">`)
	w.img(i)
	if strings.TrimSpace(i.Title) != "" {
		w.b.WriteString("<figcaption>")
		w.text(i.Title)
		w.b.WriteString("</figcaption>")
	}
	w.b.WriteString("</figure>\n")
}

// img writes an <img>, or, for a URL that is not http or https, the
// image's description in small type, in a <span> so that it fits wherever
// the image would have.
func (w *writer) img(i render.ImageNode) {
	src, ok := safeURL(i.URL)
	if !ok {
		if strings.TrimSpace(i.Alt) != "" {
			w.b.WriteString(`<span class="parley-image-alt"><small>`)
			w.text(i.Alt)
			w.b.WriteString("</small></span>")
		}
		return
	}
	w.b.WriteString("<img")
	w.attr("src", src)
	w.attr("alt", i.Alt)
	if strings.TrimSpace(i.Title) != "" {
		w.attr("title", i.Title)
	}
	w.b.WriteString(` loading="lazy">`)
}

// table writes a table; short rows get empty cells, and alignment comes
// only from render.Align, never from text.
func (w *writer) table(t render.TableNode) {
	cols := t.Columns()
	if cols == 0 {
		return
	}
	align := make([]string, cols)
	for j := range min(cols, len(t.Align)) {
		switch t.Align[j] {
		case render.AlignCenter, render.AlignRight:
			align[j] = ` style="text-align:` + t.Align[j].String() + `"`
		}
	}
	row := func(cells []string, tag string) {
		w.b.WriteString("<tr>")
		for j := range cols {
			w.b.WriteString("<" + tag + align[j] + ">")
			if j < len(cells) {
				w.lines(cells[j])
			}
			w.b.WriteString("</" + tag + ">")
		}
		w.b.WriteString("</tr>\n")
	}
	w.b.WriteString(`<table class="parley-table">` + "\n")
	if len(t.Headers) > 0 {
		w.b.WriteString("<thead>\n")
		row(t.Headers, "th")
		w.b.WriteString("</thead>\n")
	}
	if len(t.Rows) > 0 {
		w.b.WriteString("<tbody>\n")
		for _, r := range t.Rows {
			row(r, "td")
		}
		w.b.WriteString("</tbody>\n")
	}
	w.b.WriteString("</table>\n")
}

func (w *writer) actions(a render.ActionsNode) {
	w.wrap(`<div class="parley-actions">`, "</div>\n", func() {
		for _, b := range a.Buttons {
			if b != nil {
				w.button(b)
			}
		}
	})
}

// button writes an action button carrying its id in data-action, or a
// link. A button without an id, or a link whose URL is not http or https,
// is shown disabled: the person sees it but cannot use it.
func (w *writer) button(b *render.ButtonNode) {
	class := "parley-button parley-" + b.Style.String()
	if b.IsLink() {
		if href, ok := safeURL(b.URL); ok {
			w.b.WriteString(`<a class="` + class + ` parley-link"`)
			w.attr("href", href)
			w.b.WriteString(` rel="noopener noreferrer nofollow" target="_blank">`)
			if strings.TrimSpace(b.Label) == "" {
				w.text(href) // a link with nothing to click would be lost
			} else {
				w.text(b.Label)
			}
			w.b.WriteString("</a>")
			return
		}
		class += " parley-link"
	}
	w.b.WriteString(`<button type="button" class="` + class + `"`)
	if id := w.ids[b]; id != "" && !b.IsLink() {
		w.attr("data-action", id)
	} else {
		w.b.WriteString(" disabled")
	}
	w.b.WriteByte('>')
	w.text(b.Label)
	w.b.WriteString("</button>")
}

// selectNode writes a drop-down menu, or a group of radio buttons named
// after the first option's id. Options carry only their ids; those
// without one are left out, and so is a select left with no options.
func (w *writer) selectNode(s *render.SelectNode) {
	if s == nil {
		return
	}
	type choice struct {
		id string
		o  *render.Option
	}
	var cs []choice
	for _, o := range s.Options {
		if o == nil {
			continue
		}
		if id := w.ids[o]; id != "" {
			cs = append(cs, choice{id, o})
		}
	}
	if len(cs) == 0 {
		return
	}
	placeholder := strings.TrimSpace(s.Placeholder) != ""
	if s.Radio {
		w.b.WriteString(`<fieldset class="parley-radio" data-select>`)
		if placeholder {
			w.b.WriteString("<legend>")
			w.text(s.Placeholder)
			w.b.WriteString("</legend>")
		}
		w.b.WriteString("\n")
		for _, c := range cs {
			w.b.WriteString("<label")
			if c.o.Description != "" {
				w.attr("title", c.o.Description)
			}
			w.b.WriteString(`><input type="radio"`)
			w.attr("name", cs[0].id)
			w.attr("value", c.id)
			w.b.WriteString("> ")
			w.text(c.o.Label)
			w.b.WriteString("</label>\n")
		}
		w.b.WriteString("</fieldset>\n")
		return
	}
	w.b.WriteString(`<select class="parley-select" data-select`)
	if placeholder {
		w.attr("aria-label", s.Placeholder)
	}
	w.b.WriteString(">\n")
	// A placeholder always comes first, chosen and not choosable:
	// otherwise the browser shows the first choice as chosen, and
	// picking it fires no change.
	w.b.WriteString(`<option value="" disabled selected>`)
	if placeholder {
		w.text(s.Placeholder)
	} else {
		w.b.WriteString(choose)
	}
	w.b.WriteString("</option>\n")
	for _, c := range cs {
		w.b.WriteString("<option")
		w.attr("value", c.id)
		if c.o.Description != "" {
			w.attr("title", c.o.Description)
		}
		w.b.WriteByte('>')
		w.text(c.o.Label)
		w.b.WriteString("</option>\n")
	}
	w.b.WriteString("</select>\n")
}

// choose is the placeholder of a select that has none.
const choose = "Choose…"
