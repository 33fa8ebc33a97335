package tools_test

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
	"github.com/parleybot/parley/render"
	"github.com/parleybot/parley/tools"
)

// In these examples a scripted model (bottest.NewModel) and an in-memory
// platform (bottest.NewAdapter) stand in for openai.New and a Slack,
// Discord or web adapter; the tools are registered as in any bot.

func ExampleReadThread() {
	model := bottest.NewModel(
		bottest.Reply("Noted."),
		bottest.Call("read_thread", tools.ReadThreadArgs{Limit: 10}),
		bottest.Reply("Ana said the deploy is at five."),
	)
	chat := bottest.NewAdapter()
	b, _ := bot.New(bot.Config{
		Store:    bot.NewMemoryStore(),
		Model:    model,
		Adapters: []bot.Adapter{chat},
		// The current conversation only: the model cannot name another.
		Tools: []*bot.Tool{tools.ReadThread(tools.ReadThreadConfig{})},
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	b.Start(ctx)
	chat.Send(bottest.Ana, "the deploy is at five")
	b.Idle(ctx)
	chat.Send(bottest.Ben, "what did Ana say?")
	b.Idle(ctx)
	b.Stop(ctx)

	// What the model read.
	reqs := model.Requests()
	msgs := reqs[len(reqs)-1].Messages
	var read []tools.ThreadMessage
	json.Unmarshal([]byte(msgs[len(msgs)-1].Content), &read)
	for _, m := range read {
		fmt.Printf("%s (bot %v): %s\n", m.From, m.Bot, m.Text)
	}
	fmt.Println(chat.LastText())
	// Output:
	// ana (bot false): the deploy is at five
	// you (bot true): Noted.
	// ben (bot false): what did Ana say?
	// Ana said the deploy is at five.
}

// Configured wider, read_thread may read the other threads of the
// conversation's channel, and nothing else.
func ExampleReadThread_otherThreads() {
	var b *bot.Bot
	readThread := tools.ReadThread(tools.ReadThreadConfig{
		Allow: tools.SameChannel,
		Open:  func(a bot.Address) (*bot.Thread, error) { return b.Thread(a) },
	})
	model := bottest.NewModel(
		bottest.Call("read_thread", tools.ReadOtherThreadArgs{Thread: "T2"}),
		bottest.Call("read_thread", tools.ReadOtherThreadArgs{Channel: "C_HR"}),
		bottest.Reply("The launch moved to Friday."),
	)
	chat := bottest.NewAdapter()
	b, _ = bot.New(bot.Config{Store: bot.NewMemoryStore(), Model: model, Adapters: []bot.Adapter{chat}, Tools: []*bot.Tool{readThread}})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	b.Start(ctx)
	launch := bot.Address{Platform: bottest.Platform, Channel: bottest.DefaultThread.Channel, Thread: "T2"}
	chat.Deliver(bot.Message{Address: launch, User: bottest.Ben, Text: "the launch moved to Friday"})
	chat.Send(bottest.Ana, "what happened to the launch?")
	b.Idle(ctx)
	b.Stop(ctx)

	for _, m := range model.Requests()[1:] {
		tool := m.Messages[len(m.Messages)-1]
		var read []tools.ThreadMessage
		if json.Unmarshal([]byte(tool.Content), &read) == nil {
			fmt.Printf("read: %s: %s\n", read[0].From, read[0].Text)
			continue
		}
		fmt.Println(tool.Content)
	}
	// Output:
	// read: ben: the launch moved to Friday
	// {"error":"tools: read_thread may not read that conversation (channel \"C_HR\", thread \"\"); read this conversation instead"}
}

func ExampleLookupUser() {
	model := bottest.NewModel(
		bottest.Call("lookup_user", tools.LookupUserArgs{UserID: bottest.Ben.ID}),
		bottest.Reply("U_BEN is ben."),
	)
	chat := bottest.NewAdapter()
	b, _ := bot.New(bot.Config{Store: bot.NewMemoryStore(), Model: model, Adapters: []bot.Adapter{chat}, Tools: []*bot.Tool{tools.LookupUser()}})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	b.Start(ctx)
	chat.Send(bottest.Ana, "who is U_BEN?")
	b.Idle(ctx)
	b.Stop(ctx)

	reqs := model.Requests()
	msgs := reqs[len(reqs)-1].Messages
	fmt.Println(msgs[len(msgs)-1].Content)
	fmt.Println(chat.LastText())
	// Output:
	// {"id":"U_BEN","name":"ben"}
	// U_BEN is ben.
}

func ExamplePostFile() {
	postFile := tools.PostFile(tools.PostFileConfig{Files: []tools.FileSource{{
		Name:        "sales.csv",
		Description: "this month's sales, one row per order",
		Make: func(ctx context.Context, tc *bot.ToolContext) (bot.File, error) {
			// Made by the bot's code, from the bot's data: the model only
			// picks the file by name.
			return bot.File{ContentType: "text/csv", Data: []byte("order,total\nA-1001,12.50\n")}, nil
		},
	}}})
	model := bottest.NewModel(
		bottest.Call("post_file", tools.PostFileArgs{File: "sales.csv", Comment: "This month's sales"}),
		bottest.Reply("There you are."),
	)
	chat := bottest.NewAdapter()
	b, _ := bot.New(bot.Config{Store: bot.NewMemoryStore(), Model: model, Adapters: []bot.Adapter{chat}, Tools: []*bot.Tool{postFile}})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	b.Start(ctx)
	chat.Send(bottest.Ana, "send me the sales")
	b.Idle(ctx)
	b.Stop(ctx)

	fmt.Println(postFile.Description())
	for _, text := range chat.Texts() {
		fmt.Println(text)
	}
	fmt.Print(string(chat.Files()[0].Data))
	// Output:
	// Post one of these files into this conversation, with an optional comment:
	// - sales.csv: this month's sales, one row per order
	// This month's sales
	// 📎 sales.csv
	// There you are.
	// order,total
	// A-1001,12.50
}

func ExampleConfirm() {
	confirm := tools.Confirm(tools.ConfirmConfig{Approvers: []string{bottest.Ana.ID}, Timeout: time.Hour})
	model := bottest.NewModel(
		bottest.Call("confirm", tools.ConfirmArgs{
			Action:  "Delete the staging database",
			Details: []tools.ConfirmField{{Label: "Size", Value: "40 GB"}},
		}),
		bottest.Reply("Ana approved: deleting it now."),
	)
	chat := bottest.NewAdapter()
	b, _ := bot.New(bot.Config{Store: bot.NewMemoryStore(), Model: model, Adapters: []bot.Adapter{chat}, Tools: []*bot.Tool{confirm}})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	b.Start(ctx)
	chat.Send(bottest.Ben, "clean up staging")
	card, _ := chat.WaitForCard(ctx, 0) // the run waits for Ana's click
	chat.Click(card.Ref, "Approve", bottest.Ana)
	chat.WaitFor(ctx, func([]bottest.Posted) bool { return chat.LastText() == "Ana approved: deleting it now." })
	b.Idle(ctx)
	b.Stop(ctx)

	reqs := model.Requests()
	msgs := reqs[len(reqs)-1].Messages
	fmt.Println(msgs[len(msgs)-1].Content)
	for _, text := range chat.Texts() {
		fmt.Println(text)
	}
	// Output:
	// {"approved":true,"user":{"id":"U_ANA","name":"ana"},"timed_out":false}
	// Approval needed
	// Delete the staging database
	// Size: 40 GB
	// ✅ Approved by @ana
	// Ana approved: deleting it now.
}

// WeatherProps are the props of the weather card: the render tool's input
// schema.
type WeatherProps struct {
	City       string `json:"city" jsonschema:"the city's name"`
	Celsius    int    `json:"celsius" jsonschema:"the temperature"`
	Conditions string `json:"conditions" enum:"sunny,cloudy,rain,snow"`
}

func ExampleRender() {
	weather := tools.Render("show_weather", "Show the weather in a city as a card.", func(p WeatherProps) render.Card {
		return render.Card{
			Title: "Weather in " + p.City,
			Body: []render.Node{render.Fields(
				render.Field{Label: "Temperature", Value: fmt.Sprintf("%d °C", p.Celsius)},
				render.Field{Label: "Conditions", Value: p.Conditions},
			)},
		}
	})
	model := bottest.NewModel(
		bottest.Call("show_weather", WeatherProps{City: "Lyon", Celsius: 21, Conditions: "sunny"}),
		bottest.Reply("Sunny in Lyon today."),
	)
	chat := bottest.NewAdapter()
	b, _ := bot.New(bot.Config{Store: bot.NewMemoryStore(), Model: model, Adapters: []bot.Adapter{chat}, Tools: []*bot.Tool{weather}})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	b.Start(ctx)
	chat.Send(bottest.Ana, "weather in Lyon?")
	b.Idle(ctx)
	b.Stop(ctx)

	fmt.Println(string(weather.Schema()))
	reqs := model.Requests()
	msgs := reqs[len(reqs)-1].Messages
	fmt.Println(msgs[len(msgs)-1].Content)
	for _, text := range chat.Texts() {
		fmt.Println(text)
	}
	// Output:
	// {"type":"object","properties":{"city":{"type":"string","description":"the city's name"},"celsius":{"type":"integer","description":"the temperature"},"conditions":{"type":"string","enum":["sunny","cloudy","rain","snow"]}},"required":["city","celsius","conditions"],"additionalProperties":false}
	// {"shown":true,"message_id":"b2"}
	// Weather in Lyon
	// Temperature: 21 °C
	// Conditions: sunny
	// Sunny in Lyon today.
}
