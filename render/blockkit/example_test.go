package blockkit_test

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/parleybot/parley/render"
	"github.com/parleybot/parley/render/blockkit"
)

func ExampleRender() {
	card := render.Card{
		Title: "Deploy web-42?",
		Body:  []render.Node{render.Markdown("Ships **3 commits** to production.")},
		Actions: render.Actions(
			render.Button("Deploy", "yes").Primary(),
			render.Button("Cancel", "no"),
		),
	}
	// The poster gives each button an opaque id; its value stays here.
	ids := render.IDs{}
	for i, el := range render.Interactives(card) {
		ids[el] = fmt.Sprint("act-", i+1)
	}
	msgs, err := blockkit.Render(card, ids)
	if err != nil {
		panic(err)
	}
	for _, m := range msgs {
		fmt.Println(m.Text)
		for _, b := range m.Blocks {
			j, _ := json.Marshal(b)
			fmt.Println(string(j))
		}
	}
	// Output:
	// Deploy web-42?
	// Ships 3 commits to production.
	// {"type":"header","text":{"type":"plain_text","text":"Deploy web-42?","emoji":false}}
	// {"type":"section","text":{"type":"mrkdwn","text":"Ships *3 commits* to production."}}
	// {"type":"actions","elements":[{"type":"button","text":{"type":"plain_text","text":"Deploy","emoji":false},"action_id":"act-1","value":"act-1","style":"primary"},{"type":"button","text":{"type":"plain_text","text":"Cancel","emoji":false},"action_id":"act-2","value":"act-2"}]}
}

func ExampleMrkdwn() {
	fmt.Println(blockkit.Mrkdwn("## Release\n\n**Deploy** _web-42_ to [prod](https://example.com/prod) & tell ~~everyone~~ the team:\n\n- `make test`\n- ship it"))
	// Output:
	// *Release*
	//
	// *Deploy* _web-42_ to <https://example.com/prod|prod> &amp; tell ~everyone~ the team:
	//
	// • `make test`
	// • ship it
}

func ExampleValidate() {
	m := blockkit.Message{
		Text: "Too long",
		Blocks: []slack.Block{
			slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, strings.Repeat("x", 151), false, false)),
			slack.NewActionBlock(""),
		},
	}
	fmt.Println(blockkit.Validate(m))
	// Output:
	// blocks[0] header: text is 151 characters, limit 150
	// blocks[1] actions: has no elements
}
