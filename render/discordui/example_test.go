package discordui_test

import (
	"fmt"

	"github.com/bwmarrin/discordgo"

	"github.com/parleybot/parley/render"
	"github.com/parleybot/parley/render/discordui"
)

func ExampleRender() {
	approve := render.Button("Approve", true).Primary()
	deny := render.Button("Deny", false).Danger()
	card := render.Card{
		Title:  "Approve deploy?",
		Accent: render.Amber,
		Body: []render.Node{
			render.Markdown("Deploy **web-42** to _production_."),
			render.Fields(render.Field{Label: "Commits", Value: "3"}),
		},
		Actions: render.Actions(approve, deny),
		Footer:  "deploy-bot",
	}
	// The caller keeps what each id stands for; Discord sees only the ids.
	ids := render.IDs{approve: "c7f3", deny: "9a1e"}

	msgs, err := discordui.Render(card, ids)
	if err != nil {
		panic(err)
	}
	for _, m := range msgs {
		for _, e := range m.Embeds {
			fmt.Printf("embed %q colour #%06x\n%s\n", e.Title, e.Color, e.Description)
			for _, f := range e.Fields {
				fmt.Printf("field %s: %s\n", f.Name, f.Value)
			}
			fmt.Println("footer", e.Footer.Text)
		}
		for _, c := range m.Components {
			for _, c := range c.(discordgo.ActionsRow).Components {
				b := c.(discordgo.Button)
				fmt.Printf("button %q custom_id %s\n", b.Label, b.CustomID)
			}
		}
		fmt.Println("valid:", discordui.Validate(m) == nil)
	}
	// Output:
	// embed "Approve deploy?" colour #ecb22e
	// Deploy **web-42** to _production_.
	// field Commits: 3
	// footer deploy-bot
	// button "Approve" custom_id c7f3
	// button "Deny" custom_id 9a1e
	// valid: true
}

func ExampleMarkdown() {
	fmt.Println(discordui.Markdown("**Done**: see [the log](https://example.com/log) — @everyone\n\n#### Details\n\n- `a` ok"))
	// Output:
	// **Done**: see [the log](https://example.com/log) — @​everyone
	//
	// **Details**
	//
	// - `a` ok
}

func ExampleValidate() {
	m := discordui.Message{
		Content: "\ufeff", // blank in Discord's eyes
		Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.Button{Label: "Docs", Style: discordgo.LinkButton, URL: "https://example.com/a\u3000b"},
		}}},
	}
	fmt.Println(discordui.Validate(m))
	// Output:
	// content: blank: only white space or invisible characters, which Discord does not take for content
	// components[0].components[0].url: holds U+3000, white space or an invisible character
}
