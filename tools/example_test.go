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

// start starts a bot with the given tools, as bot.New and Bot.Start do in
// a real one.
func start(ctx context.Context, model *bottest.Model, tools ...*bot.Tool) (*bot.Bot, *bottest.Adapter) {
	chat := bottest.NewAdapter()
	b, err := bot.New(bot.Config{Store: bot.NewMemoryStore(), Model: model, Adapters: []bot.Adapter{chat}, Tools: tools})
	if err != nil {
		panic(err)
	}
	if err := b.Start(ctx); err != nil {
		panic(err)
	}
	return b, chat
}

// stop waits until the bot has answered, and stops it.
func stop(ctx context.Context, b *bot.Bot) {
	b.Idle(ctx)
	b.Stop(ctx)
}

// ask starts a bot with the given tools, has Ana ask it something, waits
// for the answer and stops the bot.
func ask(model *bottest.Model, text string, tools ...*bot.Tool) *bottest.Adapter {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	b, chat := start(ctx, model, tools...)
	chat.Send(bottest.Ana, text)
	stop(ctx, b)
	return chat
}

// lastResult returns the last tool result the model read.
func lastResult(model *bottest.Model) string {
	reqs := model.Requests()
	msgs := reqs[len(reqs)-1].Messages
	return msgs[len(msgs)-1].Content
}

func ExampleReadThread() {
	model := bottest.NewModel(
		bottest.Reply("Noted."),
		bottest.Call("read_thread", tools.ReadThreadArgs{Limit: 10}),
		bottest.Reply("Ana said the deploy is at five."),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// The current conversation only: the model cannot name another.
	b, chat := start(ctx, model, tools.ReadThread(tools.ReadThreadConfig{}))
	chat.Send(bottest.Ana, "the deploy is at five")
	b.Idle(ctx)
	chat.Send(bottest.Ben, "what did Ana say?")
	stop(ctx, b)

	// What the model read.
	var read []tools.ThreadMessage
	json.Unmarshal([]byte(lastResult(model)), &read)
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
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var chat *bottest.Adapter
	b, chat = start(ctx, model, readThread)
	launch := bot.Address{Platform: bottest.Platform, Channel: bottest.DefaultThread.Channel, Thread: "T2"}
	chat.Deliver(bot.Message{Address: launch, User: bottest.Ben, Text: "the launch moved to Friday"})
	chat.Send(bottest.Ana, "what happened to the launch?")
	stop(ctx, b)

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
	chat := ask(model, "who is U_BEN?", tools.LookupUser())

	fmt.Println(lastResult(model))
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
	chat := ask(model, "send me the sales", postFile)

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
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	b, chat := start(ctx, model, confirm)
	chat.Send(bottest.Ben, "clean up staging")
	card, _ := chat.WaitForCard(ctx, 0) // the run waits for Ana's click
	chat.Click(card.Ref, "Approve", bottest.Ana)
	chat.WaitFor(ctx, func([]bottest.Posted) bool { return chat.LastText() == "Ana approved: deleting it now." })
	stop(ctx, b)

	fmt.Println(lastResult(model))
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
	chat := ask(model, "weather in Lyon?", weather)

	fmt.Println(string(weather.Schema()))
	fmt.Println(lastResult(model))
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
