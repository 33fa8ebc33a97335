package discordui

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/parleybot/parley/render"
	"github.com/parleybot/parley/render/internal/chars"
)

// Validate reports every way m breaks a limit Discord sets, joined in one
// error, or nil when Discord would accept it. Each error names the part
// at fault, as in "embeds[0].fields[3].value: 1100 characters, limit 1024".
// Components are classic action rows of buttons and string select menus,
// as values or pointers.
//
// Besides the limits Discord documents, it holds m to what Discord has
// been seen to refuse or misread: content that is blank in Discord's eyes
// (only white space and invisible characters, such as U+200B or U+FEFF;
// see [chars.Blank]), which Discord drops or refuses; a URL holding white
// space of any kind, or an invisible or control character; and text
// holding a control character or invalid UTF-8 (see [chars.Unsendable]).
func Validate(m Message) error {
	v := &validator{}
	v.message(m)
	return errors.Join(v.errs...)
}

type validator struct{ errs []error }

func (v *validator) add(where, format string, args ...any) {
	v.errs = append(v.errs, fmt.Errorf("%s: %s", where, fmt.Sprintf(format, args...)))
}

// length checks that s is at most limit characters, holds no control
// character or invalid UTF-8, and, with required, is not blank.
func (v *validator) length(where, s string, limit int, required bool) {
	if n := chars.Len(s); n > limit {
		v.add(where, "%d characters, limit %d", n, limit)
	}
	if required && strings.TrimSpace(s) == "" {
		v.add(where, "empty")
	}
	if i := chars.IndexUnsendable(s); i >= 0 {
		if r, size := utf8.DecodeRuneInString(s[i:]); r == utf8.RuneError && size == 1 {
			v.add(where, "invalid UTF-8 at byte %d", i)
		} else {
			v.add(where, "control character %U at byte %d", r, i)
		}
	}
}

func (v *validator) message(m Message) {
	v.length("content", m.Content, render.Discord.Content, false)
	if m.Content != "" && chars.Blank(m.Content) {
		v.add("content", "blank: only white space or invisible characters, which Discord does not take for content")
	}
	if chars.Blank(m.Content) && len(m.Embeds) == 0 && len(m.Components) == 0 {
		v.add("message", "no content, embed or component")
	}
	if n := len(m.Embeds); n > render.Discord.EmbedsPerMessage {
		v.add("embeds", "%d embeds, limit %d", n, render.Discord.EmbedsPerMessage)
	}
	for i, e := range m.Embeds {
		v.embed(fmt.Sprintf("embeds[%d]", i), e)
	}
	if n := embedTotal(m); n > render.Discord.EmbedTotal {
		v.add("embeds", "%d characters in all, limit %d", n, render.Discord.EmbedTotal)
	}
	if n := len(m.Components); n > render.Discord.ActionRows {
		v.add("components", "%d action rows, limit %d", n, render.Discord.ActionRows)
	}
	ids := map[string]string{}
	for i, c := range m.Components {
		v.row(fmt.Sprintf("components[%d]", i), c, ids)
	}
}

// embedTotal counts the characters of m's embeds as Discord does against
// its 6000 limit: titles, descriptions, field names and values, footers
// and author names.
func embedTotal(m Message) int {
	n := 0
	for _, e := range m.Embeds {
		if e == nil {
			continue
		}
		n += chars.Len(e.Title) + chars.Len(e.Description)
		for _, f := range e.Fields {
			if f != nil {
				n += chars.Len(f.Name) + chars.Len(f.Value)
			}
		}
		if e.Footer != nil {
			n += chars.Len(e.Footer.Text)
		}
		if e.Author != nil {
			n += chars.Len(e.Author.Name)
		}
	}
	return n
}

func (v *validator) embed(where string, e *discordgo.MessageEmbed) {
	if e == nil {
		v.add(where, "nil embed")
		return
	}
	v.length(where+".title", e.Title, render.Discord.EmbedTitle, false)
	v.length(where+".description", e.Description, render.Discord.EmbedDescription, false)
	if n := len(e.Fields); n > render.Discord.EmbedFields {
		v.add(where+".fields", "%d fields, limit %d", n, render.Discord.EmbedFields)
	}
	for i, f := range e.Fields {
		fw := fmt.Sprintf("%s.fields[%d]", where, i)
		if f == nil {
			v.add(fw, "nil field")
			continue
		}
		v.length(fw+".name", f.Name, render.Discord.FieldName, true)
		v.length(fw+".value", f.Value, render.Discord.FieldValue, true)
	}
	shows := strings.TrimSpace(e.Title) != "" || strings.TrimSpace(e.Description) != "" || len(e.Fields) > 0
	if e.Footer != nil {
		v.length(where+".footer.text", e.Footer.Text, render.Discord.Footer, true)
		shows = true
	}
	if e.Author != nil {
		v.length(where+".author.name", e.Author.Name, render.Discord.AuthorName, true)
		shows = true
	}
	if e.Image != nil {
		v.url(where+".image.url", e.Image.URL, 0, false)
		shows = true
	}
	if e.Thumbnail != nil {
		v.url(where+".thumbnail.url", e.Thumbnail.URL, 0, false)
		shows = true
	}
	if !shows {
		v.add(where, "empty embed")
	}
}

// url checks an http or https URL (or, for a link button, a discord: one)
// of at most limit characters when limit is set, without white space,
// invisible or control characters, or invalid UTF-8.
func (v *validator) url(where, u string, limit int, discordOK bool) {
	if limit > 0 {
		if n := chars.Len(u); n > limit {
			v.add(where, "%d characters, limit %d", n, limit)
		}
	}
	p, err := url.Parse(u)
	switch {
	case u == "":
		v.add(where, "empty")
	case !utf8.ValidString(u):
		v.add(where, "invalid UTF-8")
	case strings.IndexFunc(u, chars.Invisible) >= 0:
		r, _ := utf8.DecodeRuneInString(u[strings.IndexFunc(u, chars.Invisible):])
		v.add(where, "holds %U, white space or an invisible character", r)
	case err != nil:
		v.add(where, "not a URL: %v", err)
	case p.Scheme == "discord" && discordOK:
	case p.Scheme != "http" && p.Scheme != "https":
		v.add(where, "scheme %q, want http or https", p.Scheme)
	case p.Host == "":
		v.add(where, "no host")
	}
}

func (v *validator) row(where string, c discordgo.MessageComponent, ids map[string]string) {
	var r discordgo.ActionsRow
	switch c := c.(type) {
	case discordgo.ActionsRow:
		r = c
	case *discordgo.ActionsRow:
		if c == nil {
			v.add(where, "nil action row")
			return
		}
		r = *c
	default:
		v.add(where, "a %T at the top level, want an action row", c)
		return
	}
	if len(r.Components) == 0 {
		v.add(where, "empty action row")
		return
	}
	buttons, menus := 0, 0
	for i, c := range r.Components {
		cw := fmt.Sprintf("%s.components[%d]", where, i)
		switch c := c.(type) {
		case discordgo.Button:
			buttons++
			v.button(cw, c, ids)
		case *discordgo.Button:
			buttons++
			if c == nil {
				v.add(cw, "nil button")
				continue
			}
			v.button(cw, *c, ids)
		case discordgo.SelectMenu:
			menus++
			v.menu(cw, c, ids)
		case *discordgo.SelectMenu:
			menus++
			if c == nil {
				v.add(cw, "nil select menu")
				continue
			}
			v.menu(cw, *c, ids)
		default:
			v.add(cw, "a %T in an action row, want a button or a select menu", c)
		}
	}
	switch {
	case menus > 0 && (menus > render.Discord.SelectsPerRow || buttons > 0):
		v.add(where, "%d select menus and %d buttons, want one select menu alone", menus, buttons)
	case buttons > render.Discord.ButtonsPerRow:
		v.add(where, "%d buttons, limit %d", buttons, render.Discord.ButtonsPerRow)
	}
}

// customID checks a custom_id and that no other component of the message
// has it.
func (v *validator) customID(where, id string, ids map[string]string) {
	if n := chars.Len(id); n < 1 || n > render.Discord.CustomID {
		v.add(where+".custom_id", "%d characters, want 1 to %d", n, render.Discord.CustomID)
	}
	if prev, ok := ids[id]; ok && id != "" {
		v.add(where+".custom_id", "%q already used by %s", id, prev)
	}
	ids[id] = where
}

func (v *validator) button(where string, b discordgo.Button, ids map[string]string) {
	v.length(where+".label", b.Label, render.Discord.ButtonLabel, false)
	if strings.TrimSpace(b.Label) == "" && b.Emoji == nil {
		v.add(where, "neither label nor emoji")
	}
	style := b.Style
	if style == 0 {
		style = discordgo.PrimaryButton // as discordgo sends it
	}
	switch {
	case style == discordgo.LinkButton:
		v.url(where+".url", b.URL, render.Discord.URL, true)
		if b.CustomID != "" {
			v.add(where+".custom_id", "set on a link button")
		}
	case style >= discordgo.PrimaryButton && style <= discordgo.DangerButton:
		v.customID(where, b.CustomID, ids)
		if b.URL != "" {
			v.add(where+".url", "set on a button that is not a link")
		}
	default:
		v.add(where+".style", "unsupported style %d", b.Style)
	}
}

func (v *validator) menu(where string, s discordgo.SelectMenu, ids map[string]string) {
	if s.MenuType != 0 && s.MenuType != discordgo.StringSelectMenu {
		v.add(where+".type", "menu type %d, want a string select", s.MenuType)
	}
	v.customID(where, s.CustomID, ids)
	v.length(where+".placeholder", s.Placeholder, render.Discord.Placeholder, false)
	if n := len(s.Options); n < 1 || n > render.Discord.SelectOptions {
		v.add(where+".options", "%d options, want 1 to %d", n, render.Discord.SelectOptions)
	}
	values := map[string]bool{}
	for i, o := range s.Options {
		ow := fmt.Sprintf("%s.options[%d]", where, i)
		v.length(ow+".label", o.Label, render.Discord.OptionLabel, true)
		v.length(ow+".value", o.Value, render.Discord.OptionValue, true)
		v.length(ow+".description", o.Description, render.Discord.OptionDescription, false)
		if values[o.Value] {
			v.add(ow+".value", "%q repeats an earlier option's", o.Value)
		}
		values[o.Value] = true
	}
}
