package discordui_test

// Regression tests for what independent validators found in 100,000
// hostile cards (discord.js's own builders and a limits table kept apart
// from this project), each named for the behaviour it holds.

import (
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/parleybot/parley/render"
	"github.com/parleybot/parley/render/discordui"
)

// texts returns every text of msgs Discord reads as markdown: content,
// titles, descriptions, field names and values.
func texts(msgs []discordui.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Content)
		for _, e := range m.Embeds {
			out = append(out, e.Title, e.Description)
			for _, f := range e.Fields {
				out = append(out, f.Name, f.Value)
			}
		}
	}
	return out
}

// linkButtons returns the URLs of the link buttons of msgs.
func linkButtons(msgs []discordui.Message) []string {
	var out []string
	for _, r := range rows(msgs) {
		for _, c := range r.Components {
			if b, ok := c.(discordgo.Button); ok && b.Style == discordgo.LinkButton {
				out = append(out, b.URL)
			}
		}
	}
	return out
}

// Link buttons whose URL Discord cannot take (not http or https, a space
// in it, longer than 512 characters) were dropped without a word, where
// Slack says "Link not shown: …". They leave the same note, in a card and
// out of one, and the buttons that can be sent still are.
func TestLinkButtonNotSentLeavesNote(t *testing.T) {
	t.Parallel()
	bad := []*render.ButtonNode{
		render.LinkButton("Script", "javascript:alert(1)"),
		render.LinkButton("Spaced", "https://x.test/a b"),
		render.LinkButton("Wide space", "https://x.test/a\u3000b"),
		render.LinkButton("Long", "https://x.test/"+strings.Repeat("p", 500)),
		render.LinkButton(" ", "ftp://x.test"),
	}
	ok := render.LinkButton("Docs", "https://x.test/docs")
	const want = "Link not shown: Script, Spaced, Wide space, Long, (untitled)"
	row := render.Actions(append(append([]*render.ButtonNode{}, bad...), ok)...)
	tests := []struct {
		name string
		node render.Node
		want string
	}{
		{"alone", row, want},
		{"in a card's actions", render.Card{Title: "t", Actions: row, Footer: "foot"}, want},
		{"in a card's body", render.Card{Title: "t", Body: []render.Node{row}}, want},
		{"beside a section", render.Section("text", bad[0]), "Link not shown: Script"},
		{"beside a section in a card", render.Card{Body: []render.Node{render.Section("text", bad[1])}}, "Link not shown: Spaced"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			msgs := renderValid(t, tt.node, nil)
			if !strings.Contains(strings.Join(texts(msgs), "\n"), "-# "+tt.want) {
				t.Errorf("no note %q in\n%s", tt.want, dump(msgs))
			}
			if links := linkButtons(msgs); strings.Contains(tt.name, "section") != (len(links) == 0) || len(links) > 1 || len(links) == 1 && links[0] != ok.URL {
				t.Errorf("link buttons %q, want only %q", links, ok.URL)
			}
		})
	}
}

// An image with an unusable URL vanished with its caption. It leaves a
// note naming it by its caption, else its alt text, wherever it stood.
func TestImageNotShownLeavesNoteWithCaption(t *testing.T) {
	t.Parallel()
	captioned := render.Image("javascript:alert(1)", "a diagram").WithTitle("Figure 1")
	uncaptioned := render.Image("https://x.test/a b.png", "a diagram")
	tests := []struct {
		name string
		node render.Node
		want string
	}{
		{"alone, captioned", captioned, "-# Image not shown: Figure 1"},
		{"alone, alt text", uncaptioned, "-# Image not shown: a diagram"},
		{"in a card", render.Card{Title: "t", Body: []render.Node{captioned}}, "-# Image not shown: Figure 1"},
		{"beside a section", render.Section("text", captioned), "text\n-# Image not shown: Figure 1"},
		{"beside a section in a card", render.Card{Body: []render.Node{render.Section("text", uncaptioned)}}, "text\n-# Image not shown: a diagram"},
		{"neither", render.Image("data:x", ""), "-# Image not shown: image"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			msgs := renderValid(t, tt.node, nil)
			if !strings.Contains(strings.Join(texts(msgs), "\n"), tt.want) {
				t.Errorf("want %q in\n%s", tt.want, dump(msgs))
			}
		})
	}
}

// Content of only U+FEFF, or of other characters Discord takes for blank
// (white space of every kind, zero-width characters, the Braille blank,
// Hangul fillers, combining marks with nothing to combine with), was sent
// as a message. Such content is dropped: a tree with nothing else renders
// as no message, and a message with something else keeps that alone.
func TestBlankContentIsNotSent(t *testing.T) {
	t.Parallel()
	blanks := []string{
		"\ufeff", "\u200b", "\u200c\u200d", "\u2060", "\u00a0\u3000\u2003", "\u2028",
		"\u2800", "\u3164", "\u115f\u1160", "\uffa0", "\u0301\u0336", "\u180e", "\ufe0f", "\x00\ufeff",
	}
	for _, s := range blanks {
		for _, n := range []render.Node{render.Text(s), render.Markdown(s), render.Header(s), render.Context(s), render.Card{Title: s, Body: []render.Node{render.Text(s)}, Footer: s}} {
			msgs, err := discordui.Render(n, nil)
			if err != nil || len(msgs) != 0 {
				t.Errorf("Render(%#v) = %d messages, %v; want none:\n%s", n, len(msgs), err, dump(msgs))
			}
		}
	}
	b := render.Button("Go", 1)
	msgs := renderValid(t, render.Section("\ufeff\u200b", b), render.IDs{b: "go"})
	if len(msgs) != 1 || msgs[0].Content != "" || len(msgs[0].Components) != 1 {
		t.Errorf("a blank section with a button renders as\n%s\nwant the button alone", dump(msgs))
	}
}

// A bare URL was left unescaped up to the next ASCII space, but Discord
// ends a URL at any Unicode space: "https://ci.example\u3000[Login](…)"
// reached Discord as a live masked link. The URL now ends where Discord
// ends it, and the brackets after it are escaped.
func TestBareURLEndsAtUnicodeSpace(t *testing.T) {
	t.Parallel()
	spaces := []string{
		"\u3000", "\u00a0", "\u1680", "\u2000", "\u2002", "\u2007", "\u200a", "\u2028", "\u2029",
		"\u202f", "\u205f", "\ufeff", "\u0085", "\u200b", "\u202e", "\v", "\f",
		"\x00", "\x1b", // dropped, which joins the URL to the link: its brackets stay escaped
	}
	for _, sp := range spaces {
		s := "https://ci.example" + sp + "[Login](https://evil.example/x)"
		for _, n := range []render.Node{
			render.Text(s),
			render.Card{Title: s, Body: []render.Node{render.Text(s), render.Fields(render.Field{Label: s, Value: s})}},
			render.Markdown(strings.NewReplacer("[", `\[`, "]", `\]`).Replace(s)),
		} {
			for _, txt := range texts(renderValid(t, n, nil)) {
				if strings.Contains(txt, "[Login](") && !strings.Contains(txt, `\[Login\](`) {
					t.Errorf("%U: a masked link is live in %q", []rune(sp)[0], txt)
				}
			}
		}
	}
	// A URL Discord would read whole stays as it is.
	if got := discordui.Markdown(`see https://x.test/a_b*c~d. Then`); got != `see https://x.test/a_b*c~d. Then` {
		t.Errorf("a whole URL was escaped: %q", got)
	}
	// Trailing punctuation Discord gives back is escaped as text.
	if got := discordui.Markdown(`(https://x.test/a_b\])`); got != `(https://x.test/a_b\])` {
		t.Errorf("URL before a bracket: %q", got)
	}
}

// Line-start markers were escaped only after ASCII indentation and before
// an ASCII space; Discord's reading of white space is wider. A marker
// after or before any white space is escaped.
func TestMarkersBesideUnicodeSpaceAreEscaped(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"\u3000# not a heading", "\u3000\\# not a heading"},
		{"#\u00a0not a heading", "\\#\u00a0not a heading"},
		{"-\u3000not a list", "\\-\u3000not a list"},
		{"\u00a0>\u2003not a quote", "\u00a0\\>\u2003not a quote"},
		{"\u2003-# not subtext", "\u2003\\-# not subtext"},
	}
	for _, tt := range tests {
		msgs := renderValid(t, render.Text(tt.in), nil)
		if len(msgs) != 1 || msgs[0].Content != tt.want {
			t.Errorf("Text(%q) renders as %q, want %q", tt.in, texts(msgs), tt.want)
		}
	}
}

// Control characters that markdown's numeric references write ("&#x85;"
// is U+0085, a C1 control and white space at once) never reach Discord.
func TestReferencesWriteNoControlCharacters(t *testing.T) {
	t.Parallel()
	for _, md := range []string{"&#x85;&#x85;&#0;", "a &#1; b", "**&#x85;x&#x85;**", "`&#1;`", "[&#x1b;](https://x.test)", "a&#13;b"} {
		for _, n := range []render.Node{render.Markdown(md), render.Context(md), render.Card{Body: []render.Node{render.Markdown(md)}}} {
			renderValid(t, n, nil) // Validate rejects control characters
		}
	}
}
