package tools_test

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
	"github.com/parleybot/parley/render"
	"github.com/parleybot/parley/tools"
)

// IssueProps are the props of the issue card in these tests and examples.
type IssueProps struct {
	Number int    `json:"number" jsonschema:"the issue's number"`
	Title  string `json:"title" jsonschema:"the issue's title"`
	State  string `json:"state" enum:"open,closed" jsonschema:"whether the issue is open"`
	Body   string `json:"body,omitempty" jsonschema:"the issue's text, in markdown"`
}

func issueCard(p IssueProps) render.Card {
	c := render.Card{
		Title:  fmt.Sprintf("#%d %s", p.Number, p.Title),
		Accent: render.Green,
		Body:   []render.Node{render.Fields(render.Field{Label: "State", Value: p.State})},
	}
	if p.Body != "" {
		c.Body = append(c.Body, render.Markdown(p.Body))
	}
	return c
}

// The props struct is the tool's input schema, under the name given: never
// a Go type's name.
func TestRenderSchemaIsTheProps(t *testing.T) {
	t.Parallel()
	tool := tools.Render("show_issue", "Show an issue as a card.", issueCard)
	if err := tool.Err(); err != nil {
		t.Fatal(err)
	}
	want := `{"type":"object","properties":{"number":{"type":"integer","description":"the issue's number"},"title":{"type":"string","description":"the issue's title"},"state":{"type":"string","description":"whether the issue is open","enum":["open","closed"]},"body":{"type":"string","description":"the issue's text, in markdown"}},"required":["number","title","state"],"additionalProperties":false}`
	if got := string(tool.Schema()); got != want {
		t.Errorf("schema\n%s\nwant\n%s", got, want)
	}
	if tool.Name() != "show_issue" || tool.Description() != "Show an issue as a card." {
		t.Errorf("name %q, description %q", tool.Name(), tool.Description())
	}
}

func TestRenderDefinitionErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		tool *bot.Tool
	}{
		{"no card func", tools.Render[IssueProps]("show_issue", "Show an issue.", nil)},
		{"bad name", tools.Render("show issue", "Show an issue.", issueCard)},
		{"props not an object", tools.Render("show_number", "Show a number.", func(int) render.Card { return render.Card{} })},
	}
	for _, tt := range tests {
		if tt.tool.Err() == nil {
			t.Errorf("%s: no error", tt.name)
		}
		if _, err := bot.New(bot.Config{Store: bot.NewMemoryStore(), Adapters: []bot.Adapter{bottest.NewAdapter()}, Tools: []*bot.Tool{tt.tool}}); err == nil {
			t.Errorf("%s: registered", tt.name)
		}
	}
}

// The model renders by calling the tool: the card is posted into the
// conversation and the model reads that it is shown.
func TestRenderShowsTheCard(t *testing.T) {
	t.Parallel()
	model := bottest.NewModel(
		bottest.Call("show_issue", IssueProps{Number: 12, Title: "Web playground", State: "open", Body: "See cards in a **browser**."}),
		bottest.Reply("That is issue 12."),
	)
	h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{tools.Render("show_issue", "Show an issue as a card.", issueCard)}})
	h.Send(bottest.Ana, "show me issue 12")
	posts := h.Adapter.Posts()
	if len(posts) != 2 {
		t.Fatalf("posted %d messages, want the card and the answer", len(posts))
	}
	card, ok := posts[0].Content.(render.Card)
	if !ok || card.Title != "#12 Web playground" || !strings.Contains(posts[0].Text(), "State: open") || !strings.Contains(posts[0].Text(), "See cards in a browser.") {
		t.Errorf("card %#v:\n%s", posts[0].Content, posts[0].Text())
	}
	if got, want := lastToolMessage(t, model), `{"shown":true,"message_id":"`+posts[0].Ref.ID+`"}`; got != want {
		t.Errorf("tool message %s, want %s", got, want)
	}
	if posts[1].Text() != "That is issue 12." {
		t.Errorf("answer %q", posts[1].Text())
	}
}

// Props that break the schema, and cards that cannot be shown, go back to
// the model as errors it can act on; nothing is posted.
func TestRenderRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		props any
		fail  error // the platform's answer to the post
		want  string
		calls int32 // of the card func
	}{
		{"a value outside the enum", map[string]any{"number": 1, "title": "x", "state": "pending"}, nil, `"error":"invalid arguments: $.state:`, 0},
		{"a prop missing", map[string]any{"number": 1, "state": "open"}, nil, `"error":"invalid arguments: $: required: missing properties: [\"title\"]`, 0},
		{"a prop of the wrong type", map[string]any{"number": "one", "title": "x", "state": "open"}, nil, `"error":"invalid arguments: $.number:`, 0},
		{"a card too large", IssueProps{Number: 1, Title: "x", State: "open", Body: strings.Repeat("long ", 1300)}, nil,
			`"error":"tools: the card is too large to show: 6516 characters of text, at most 6000; call show_issue again with shorter or fewer values"`, 1},
		{"the platform refusing", IssueProps{Number: 1, Title: "x", State: "open"}, errors.New("msg_blocks_too_long"),
			`"error":"tools: the card could not be shown: msg_blocks_too_long"`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			tool := tools.Render("show_issue", "Show an issue.", func(p IssueProps) render.Card {
				calls.Add(1)
				return issueCard(p)
			})
			model := bottest.NewModel(bottest.Call("show_issue", tt.props), bottest.Reply("sorry"))
			h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{tool}})
			if tt.fail != nil {
				h.Chat.FailNext(1, tt.fail)
			}
			h.Send(bottest.Ana, "show it")
			if got := lastToolMessage(t, model); !strings.Contains(got, tt.want) {
				t.Errorf("tool message %s, want it to hold %s", got, tt.want)
			}
			if got := calls.Load(); got != tt.calls {
				t.Errorf("card func called %d times, want %d", got, tt.calls)
			}
			if texts := h.Chat.Texts(); len(texts) != 1 || texts[0] != "sorry" {
				t.Errorf("posted %q, want only the answer", texts)
			}
		})
	}
}

func TestRenderRefusesAnEmptyCard(t *testing.T) {
	t.Parallel()
	tool := tools.Render("show_nothing", "Show nothing.", func(struct{}) render.Card { return render.Card{Fallback: "nothing"} })
	model := bottest.NewModel(bottest.Call("show_nothing", struct{}{}), bottest.Reply("sorry"))
	h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{tool}})
	h.Send(bottest.Ana, "show it")
	if got, want := lastToolMessage(t, model), `{"error":"tools: the card is empty; call show_nothing again with the values to show"}`; got != want {
		t.Errorf("tool message %s, want %s", got, want)
	}
}
