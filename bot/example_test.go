package bot_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
	"github.com/parleybot/parley/render"
)

// OrderArgs are the arguments of the order_status tool. The schema the
// model sees is inferred from this struct.
type OrderArgs struct {
	OrderID string `json:"order_id" jsonschema:"the order number, e.g. A-1001"`
	Detail  string `json:"detail,omitempty" enum:"summary,full" jsonschema:"how much to show"`
}

func ExampleDefineTool() {
	status := bot.DefineTool(bot.ToolSpec[OrderArgs]{
		Name:        "order_status",
		Description: "Look up an order and show it as a card.",
		Handler: func(ctx context.Context, args OrderArgs, tc *bot.ToolContext) (any, error) {
			// A tool can post into the conversation it was called from...
			_, err := tc.Thread.Post(ctx, render.Card{
				Title: "Order " + args.OrderID,
				Body:  []render.Node{render.Fields(render.Field{Label: "Status", Value: "shipped"})},
			})
			if err != nil {
				return nil, err
			}
			// ...and what it returns is what the model reads.
			return map[string]string{"order_id": args.OrderID, "status": "shipped"}, nil
		},
	})
	if err := status.Err(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(status.Schema()))
	// Output:
	// {"type":"object","properties":{"order_id":{"type":"string","description":"the order number, e.g. A-1001"},"detail":{"type":"string","description":"how much to show","enum":["summary","full"]}},"required":["order_id"],"additionalProperties":false}
}

func ExampleNew() {
	status := bot.DefineTool(bot.ToolSpec[OrderArgs]{
		Name:        "order_status",
		Description: "Look up an order.",
		Handler: func(ctx context.Context, args OrderArgs, tc *bot.ToolContext) (any, error) {
			return map[string]string{"status": "shipped"}, nil
		},
	})
	// A scripted model and an in-memory platform stand in for
	// openai.New(openai.Config{}) and a Slack or Discord adapter.
	model := bottest.NewModel(
		bottest.Call("order_status", OrderArgs{OrderID: "A-1001"}),
		bottest.Reply("Order A-1001 has shipped."),
	)
	chat := bottest.NewAdapter()
	b, err := bot.New(bot.Config{
		Store:        bot.NewMemoryStore(),
		Model:        model,
		Adapters:     []bot.Adapter{chat},
		Tools:        []*bot.Tool{status},
		Instructions: "You help customers with their orders.",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	if err := b.Start(ctx); err != nil {
		fmt.Println(err)
		return
	}
	chat.Send(bottest.Ana, "where is my order A-1001?")

	stopCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	b.Idle(stopCtx)
	b.Stop(stopCtx)
	fmt.Println(strings.Join(chat.Texts(), "\n"))
	// Output:
	// Order A-1001 has shipped.
}

func ExampleThread_RunAgent() {
	model := bottest.NewModel(bottest.Reply("Bonjour !"))
	chat := bottest.NewAdapter()
	b, _ := bot.New(bot.Config{Store: bot.NewMemoryStore(), Model: model, Adapters: []bot.Adapter{chat}})
	// A custom handler decides when and how the agent runs.
	b.OnMention(func(ctx context.Context, t *bot.Thread, m bot.Message) error {
		if strings.HasPrefix(m.Text, "!") {
			_, err := t.Post(ctx, render.Text("Commands are not supported."))
			return err
		}
		_, err := t.RunAgent(ctx, bot.RunOptions{Instructions: "Answer in French.", MaxSteps: 3})
		return err
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	b.Start(ctx)
	chat.Send(bottest.Ana, "!deploy")
	b.Idle(ctx)
	chat.Send(bottest.Ana, "hello")
	b.Idle(ctx)
	b.Stop(ctx)
	fmt.Println(strings.Join(chat.Texts(), "\n"))
	fmt.Println(model.Requests()[0].Instructions)
	// Output:
	// Commands are not supported.
	// Bonjour !
	// You are a helpful assistant in a team chat. Answer concisely. Use the tools you have when they help.
	//
	// Answer in French.
}

// DeployArgs are the arguments of the deploy tool.
type DeployArgs struct {
	Service string `json:"service"`
}

func ExampleAwaitChoice() {
	deploy := bot.DefineTool(bot.ToolSpec[DeployArgs]{
		Name:        "deploy",
		Description: "Deploy a service to production, once the person who asked approves.",
		Handler: func(ctx context.Context, args DeployArgs, tc *bot.ToolContext) (any, error) {
			choice, err := bot.AwaitChoice[bool](ctx, tc.Thread, render.Card{
				Title: "Deploy " + args.Service + " to production?",
				Actions: render.Actions(
					render.Button("Deploy", true).Primary(),
					render.Button("Cancel", false),
				),
			}, bot.Approvers(tc.User.ID), bot.Timeout(time.Hour))
			if err != nil {
				return nil, err // ErrParked included: return it as it is
			}
			if choice.TimedOut || !choice.Value {
				return "not deployed", nil
			}
			// The side effect comes after the wait: a replay runs what
			// comes before it again.
			return "deployed " + args.Service + ", approved by " + choice.User.Name, nil
		},
	})
	model := bottest.NewModel(
		bottest.Call("deploy", DeployArgs{Service: "web"}),
		bottest.Reply("Done: web is deployed."),
	)
	chat := bottest.NewAdapter()
	b, _ := bot.New(bot.Config{Store: bot.NewMemoryStore(), Model: model, Adapters: []bot.Adapter{chat}, Tools: []*bot.Tool{deploy}})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	b.Start(ctx)

	chat.Send(bottest.Ana, "deploy web")
	card, _ := chat.WaitForCard(ctx, 0)         // the run waits for a person
	chat.Click(card.Ref, "Deploy", bottest.Ben) // not an approver: told privately
	chat.WaitFor(ctx, func(ps []bottest.Posted) bool { return ps[len(ps)-1].Ephemeral })
	chat.Click(card.Ref, "Deploy", bottest.Ana)
	chat.WaitFor(ctx, func([]bottest.Posted) bool { return chat.LastText() == "Done: web is deployed." })
	b.Idle(ctx)
	b.Stop(ctx)

	for _, p := range chat.Posts() {
		if p.Ephemeral {
			fmt.Println("(to " + p.To + " only) " + p.Text())
			continue
		}
		fmt.Println(p.Text())
	}
	// Output:
	// Deploy web to production?
	// ✅ Deploy — chosen by @ana
	// (to U_BEN only) Only the people asked to approve this can decide it; your click changed nothing.
	// Done: web is deployed.
}
