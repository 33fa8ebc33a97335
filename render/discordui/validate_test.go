package discordui_test

import (
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/parleybot/parley/render/discordui"
)

// valid returns a message that uses every part Validate checks, within
// every limit.
func valid() discordui.Message {
	return discordui.Message{
		Content: "hello",
		Embeds: []*discordgo.MessageEmbed{{
			Title:       "title",
			Description: "description",
			Fields:      []*discordgo.MessageEmbedField{{Name: "name", Value: "value", Inline: true}},
			Footer:      &discordgo.MessageEmbedFooter{Text: "footer"},
			Author:      &discordgo.MessageEmbedAuthor{Name: "author"},
			Image:       &discordgo.MessageEmbedImage{URL: "https://example.com/i.png"},
			Thumbnail:   &discordgo.MessageEmbedThumbnail{URL: "https://example.com/t.png"},
		}},
		Components: []discordgo.MessageComponent{
			discordgo.ActionsRow{Components: []discordgo.MessageComponent{
				discordgo.Button{Label: "Go", Style: discordgo.PrimaryButton, CustomID: "b1"},
				discordgo.Button{Label: "Docs", Style: discordgo.LinkButton, URL: "https://example.com"},
			}},
			discordgo.ActionsRow{Components: []discordgo.MessageComponent{
				discordgo.SelectMenu{CustomID: "sel:o1", Placeholder: "Pick", Options: []discordgo.SelectMenuOption{
					{Label: "One", Value: "o1", Description: "the first"},
					{Label: "Two", Value: "o2"},
				}},
			}},
		},
	}
}

// buttons returns a row of n action buttons with ids p1, p2….
func buttons(n int) discordgo.ActionsRow {
	var r discordgo.ActionsRow
	for i := range n {
		r.Components = append(r.Components, discordgo.Button{Label: "b", Style: discordgo.SecondaryButton, CustomID: "p" + strings.Repeat("x", i)})
	}
	return r
}

func options(n int) []discordgo.SelectMenuOption {
	var out []discordgo.SelectMenuOption
	for i := range n {
		out = append(out, discordgo.SelectMenuOption{Label: "o", Value: "v" + strings.Repeat("x", i)})
	}
	return out
}

func TestValidate(t *testing.T) {
	t.Parallel()
	x := strings.Repeat
	// The helpers turn the part they return into a pointer, so that a
	// case can change it in place; Validate takes both forms.
	row := func(m *discordui.Message, i int) *discordgo.ActionsRow {
		if r, ok := m.Components[i].(*discordgo.ActionsRow); ok {
			return r
		}
		r := m.Components[i].(discordgo.ActionsRow)
		m.Components[i] = &r
		return &r
	}
	button := func(m *discordui.Message, i int) *discordgo.Button {
		r := row(m, 0)
		if b, ok := r.Components[i].(*discordgo.Button); ok {
			return b
		}
		b := r.Components[i].(discordgo.Button)
		r.Components[i] = &b
		return &b
	}
	link := func(m *discordui.Message) *discordgo.Button { return button(m, 1) }
	menu := func(m *discordui.Message) *discordgo.SelectMenu {
		r := row(m, 1)
		if s, ok := r.Components[0].(*discordgo.SelectMenu); ok {
			return s
		}
		s := r.Components[0].(discordgo.SelectMenu)
		r.Components[0] = &s
		return &s
	}
	tests := []struct {
		name   string
		change func(m *discordui.Message)
		want   string // a part of the error; "" for none
	}{
		{"valid", func(*discordui.Message) {}, ""},
		{"valid: only content", func(m *discordui.Message) { m.Embeds, m.Components = nil, nil }, ""},
		{"valid: only components", func(m *discordui.Message) { m.Content, m.Embeds = "", nil }, ""},
		{"valid: limits exactly", func(m *discordui.Message) {
			m.Content = x("a", 2000)
			m.Embeds[0].Title = x("t", 256)
			m.Embeds[0].Description = x("d", 4096)
			m.Embeds[0].Fields[0] = &discordgo.MessageEmbedField{Name: x("n", 256), Value: x("v", 1024)}
			m.Embeds[0].Footer.Text = x("f", 200)
			button(m, 0).Label = x("l", 80)
		}, ""},
		{"empty message", func(m *discordui.Message) { *m = discordui.Message{Content: " \n"} }, "message: no content, embed or component"},
		{"content too long", func(m *discordui.Message) { m.Content = x("a", 2001) }, "content: 2001 characters, limit 2000"},
		{"blank content", func(m *discordui.Message) { m.Content = "\ufeff" }, "content: blank"},
		{"content of zero-width spaces", func(m *discordui.Message) { m.Content = "\u200b\u200c\u200d\u2060" }, "content: blank"},
		{"content of a Braille blank and a Hangul filler", func(m *discordui.Message) { m.Content = "\u2800\u3164" }, "content: blank"},
		{"blank content alone", func(m *discordui.Message) { *m = discordui.Message{Content: "\u3000\ufeff"} }, "message: no content, embed or component"},
		{"valid: content of a combining mark on a letter", func(m *discordui.Message) { m.Content = "e\u0301" }, ""},
		{"control character in content", func(m *discordui.Message) { m.Content = "a\x00" }, "content: control character U+0000 at byte 1"},
		{"C1 control in a description", func(m *discordui.Message) { m.Embeds[0].Description = "\u0085" }, "embeds[0].description: control character U+0085"},
		{"invalid UTF-8 in a title", func(m *discordui.Message) { m.Embeds[0].Title = "t\xff" }, "embeds[0].title: invalid UTF-8 at byte 1"},
		{"control character in a field", func(m *discordui.Message) { m.Embeds[0].Fields[0].Value = "v\x1b" }, "embeds[0].fields[0].value: control character U+001B"},
		{"control character in a footer", func(m *discordui.Message) { m.Embeds[0].Footer.Text = "\x7f" }, "embeds[0].footer.text: control character U+007F"},
		{"control character in a label", func(m *discordui.Message) { button(m, 0).Label = "G\x00o" }, "components[0].components[0].label: control character U+0000"},
		{"control character in an option", func(m *discordui.Message) { menu(m).Options[0].Label = "\x01x" }, "components[1].components[0].options[0].label: control character U+0001"},
		{"content counted in UTF-16", func(m *discordui.Message) { m.Content = x("😀", 1001) }, "content: 2002 characters, limit 2000"},
		{"too many embeds", func(m *discordui.Message) {
			for range 10 {
				m.Embeds = append(m.Embeds, &discordgo.MessageEmbed{Description: "d"})
			}
		}, "embeds: 11 embeds, limit 10"},
		{"embeds over 6000 together", func(m *discordui.Message) {
			m.Embeds = append(m.Embeds, &discordgo.MessageEmbed{Description: x("d", 4000)}, &discordgo.MessageEmbed{Description: x("d", 2000)})
		}, "embeds: 6037 characters in all, limit 6000"},
		{"nil embed", func(m *discordui.Message) { m.Embeds = append(m.Embeds, nil) }, "embeds[1]: nil embed"},
		{"empty embed", func(m *discordui.Message) { m.Embeds = append(m.Embeds, &discordgo.MessageEmbed{Color: 1}) }, "embeds[1]: empty embed"},
		{"title too long", func(m *discordui.Message) { m.Embeds[0].Title = x("t", 257) }, "embeds[0].title: 257 characters, limit 256"},
		{"description too long", func(m *discordui.Message) { m.Embeds[0].Description = x("d", 4097) }, "embeds[0].description: 4097 characters, limit 4096"},
		{"too many fields", func(m *discordui.Message) {
			for range 25 {
				m.Embeds[0].Fields = append(m.Embeds[0].Fields, &discordgo.MessageEmbedField{Name: "n", Value: "v"})
			}
		}, "embeds[0].fields: 26 fields, limit 25"},
		{"field name too long", func(m *discordui.Message) { m.Embeds[0].Fields[0].Name = x("n", 257) }, "embeds[0].fields[0].name: 257 characters, limit 256"},
		{"field value too long", func(m *discordui.Message) {
			m.Embeds[0].Fields = append(m.Embeds[0].Fields, nil, nil, &discordgo.MessageEmbedField{Name: "n", Value: x("v", 1100)})
		}, "embeds[0].fields[3].value: 1100 characters, limit 1024"},
		{"nil field", func(m *discordui.Message) { m.Embeds[0].Fields[0] = nil }, "embeds[0].fields[0]: nil field"},
		{"empty field name", func(m *discordui.Message) { m.Embeds[0].Fields[0].Name = "" }, "embeds[0].fields[0].name: empty"},
		{"blank field value", func(m *discordui.Message) { m.Embeds[0].Fields[0].Value = "  " }, "embeds[0].fields[0].value: empty"},
		{"footer too long", func(m *discordui.Message) {
			m.Embeds[0].Description = ""
			m.Embeds[0].Footer.Text = x("f", 2049)
		}, "embeds[0].footer.text: 2049 characters, limit 2048"},
		{"author name too long", func(m *discordui.Message) { m.Embeds[0].Author.Name = x("a", 257) }, "embeds[0].author.name: 257 characters, limit 256"},
		{"image not http", func(m *discordui.Message) { m.Embeds[0].Image.URL = "javascript:alert(1)" }, `embeds[0].image.url: scheme "javascript"`},
		{"thumbnail data URL", func(m *discordui.Message) { m.Embeds[0].Thumbnail.URL = "data:image/png;base64,AAAA" }, `embeds[0].thumbnail.url: scheme "data"`},
		{"image without host", func(m *discordui.Message) { m.Embeds[0].Image.URL = "http://" }, "embeds[0].image.url: no host"},
		{"too many rows", func(m *discordui.Message) {
			for range 4 {
				m.Components = append(m.Components, discordgo.ActionsRow{Components: []discordgo.MessageComponent{discordgo.Button{Label: "b", URL: "https://x.test", Style: discordgo.LinkButton}}})
			}
		}, "components: 6 action rows, limit 5"},
		{"not an action row", func(m *discordui.Message) { m.Components[0] = discordgo.Button{Label: "b", CustomID: "z"} }, "components[0]: a discordgo.Button at the top level"},
		{"empty row", func(m *discordui.Message) { m.Components[0] = discordgo.ActionsRow{} }, "components[0]: empty action row"},
		{"six buttons", func(m *discordui.Message) { m.Components[0] = buttons(6) }, "components[0]: 6 buttons, limit 5"},
		{"a select and a button", func(m *discordui.Message) {
			r := row(m, 1)
			r.Components = append(r.Components, discordgo.Button{Label: "b", CustomID: "z"})
		}, "components[1]: 1 select menus and 1 buttons"},
		{"two selects", func(m *discordui.Message) {
			r := row(m, 1)
			r.Components = append(r.Components, discordgo.SelectMenu{CustomID: "z", Options: options(1)})
		}, "components[1]: 2 select menus and 0 buttons"},
		{"a text input", func(m *discordui.Message) { row(m, 0).Components[0] = discordgo.TextInput{CustomID: "t"} }, "components[0].components[0]: a discordgo.TextInput in an action row"},
		{"custom_id too long", func(m *discordui.Message) { button(m, 0).CustomID = x("i", 101) }, "components[0].components[0].custom_id: 101 characters, want 1 to 100"},
		{"custom_id missing", func(m *discordui.Message) { button(m, 0).CustomID = "" }, "components[0].components[0].custom_id: 0 characters"},
		{"custom_id shared", func(m *discordui.Message) { button(m, 0).CustomID = "sel:o1" }, `components[1].components[0].custom_id: "sel:o1" already used by components[0].components[0]`},
		{"label too long", func(m *discordui.Message) { button(m, 0).Label = x("l", 81) }, "components[0].components[0].label: 81 characters, limit 80"},
		{"no label", func(m *discordui.Message) { button(m, 0).Label = "" }, "components[0].components[0]: neither label nor emoji"},
		{"link without URL", func(m *discordui.Message) { link(m).URL = "" }, "components[0].components[1].url: empty"},
		{"link URL too long", func(m *discordui.Message) { link(m).URL = "https://x.test/" + x("p", 500) }, "components[0].components[1].url: 515 characters, limit 512"},
		{"valid: link URL of 512 characters", func(m *discordui.Message) { link(m).URL = "https://x.test/" + x("p", 497) }, ""},
		{"link URL not http", func(m *discordui.Message) { link(m).URL = "javascript:alert(1)" }, `components[0].components[1].url: scheme "javascript"`},
		{"link URL with a space", func(m *discordui.Message) { link(m).URL = "https://x.test/a b" }, "components[0].components[1].url: holds U+0020"},
		{"link URL with an ideographic space", func(m *discordui.Message) { link(m).URL = "https://x.test/a\u3000b" }, "components[0].components[1].url: holds U+3000"},
		{"link URL with a zero-width space", func(m *discordui.Message) { link(m).URL = "https://x.test/a\u200b" }, "components[0].components[1].url: holds U+200B"},
		{"link URL with a control character", func(m *discordui.Message) { link(m).URL = "https://x.test/\x00" }, "components[0].components[1].url: holds U+0000"},
		{"link URL of invalid UTF-8", func(m *discordui.Message) { link(m).URL = "https://x.test/\xff" }, "components[0].components[1].url: invalid UTF-8"},
		{"image URL with U+FEFF", func(m *discordui.Message) { m.Embeds[0].Image.URL = "https://x.test/\ufeff.png" }, "embeds[0].image.url: holds U+FEFF"},
		{"link with custom_id", func(m *discordui.Message) { link(m).CustomID = "c" }, "components[0].components[1].custom_id: set on a link button"},
		{"action with URL", func(m *discordui.Message) { button(m, 0).URL = "https://x.test" }, "components[0].components[0].url: set on a button that is not a link"},
		{"premium style", func(m *discordui.Message) { button(m, 0).Style = discordgo.PremiumButton }, "components[0].components[0].style: unsupported style 6"},
		{"select without options", func(m *discordui.Message) { menu(m).Options = nil }, "components[1].components[0].options: 0 options, want 1 to 25"},
		{"select with 26 options", func(m *discordui.Message) { menu(m).Options = options(26) }, "components[1].components[0].options: 26 options, want 1 to 25"},
		{"user select", func(m *discordui.Message) { menu(m).MenuType = discordgo.UserSelectMenu }, "components[1].components[0].type: menu type 5"},
		{"select without custom_id", func(m *discordui.Message) { menu(m).CustomID = "" }, "components[1].components[0].custom_id: 0 characters"},
		{"placeholder too long", func(m *discordui.Message) { menu(m).Placeholder = x("p", 151) }, "components[1].components[0].placeholder: 151 characters, limit 150"},
		{"option label too long", func(m *discordui.Message) { menu(m).Options[0].Label = x("l", 101) }, "components[1].components[0].options[0].label: 101 characters, limit 100"},
		{"option label empty", func(m *discordui.Message) { menu(m).Options[1].Label = "" }, "components[1].components[0].options[1].label: empty"},
		{"option value too long", func(m *discordui.Message) { menu(m).Options[0].Value = x("v", 101) }, "components[1].components[0].options[0].value: 101 characters, limit 100"},
		{"option value empty", func(m *discordui.Message) { menu(m).Options[0].Value = "" }, "components[1].components[0].options[0].value: empty"},
		{"option description too long", func(m *discordui.Message) { menu(m).Options[0].Description = x("d", 101) }, "components[1].components[0].options[0].description: 101 characters, limit 100"},
		{"option values repeat", func(m *discordui.Message) { menu(m).Options[1].Value = "o1" }, `components[1].components[0].options[1].value: "o1" repeats`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := valid()
			tt.change(&m)
			err := discordui.Validate(m)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate: %v, want nil", err)
			case tt.want != "" && err == nil:
				t.Errorf("Validate: nil, want an error with %q", tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Errorf("Validate: %v\nwant an error with %q", err, tt.want)
			}
		})
	}
}

func TestValidateJoinsErrors(t *testing.T) {
	t.Parallel()
	m := valid()
	m.Content = strings.Repeat("a", 2001)
	m.Embeds[0].Title = strings.Repeat("t", 300)
	err := discordui.Validate(m)
	if err == nil {
		t.Fatal("Validate: nil, want two errors")
	}
	if n := len(strings.Split(err.Error(), "\n")); n != 2 {
		t.Errorf("Validate: %d errors, want 2:\n%v", n, err)
	}
}
