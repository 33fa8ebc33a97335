// Command minimal is the bot of the README: one tool that posts a card,
// an OpenAI-compatible model from the environment, and the terminal.
package main

import (
	"context"
	"log"
	"os"
	"os/signal"
	"time"

	"github.com/parleybot/parley/adapters/terminal"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/model/openai"
	"github.com/parleybot/parley/render"
)

// WeatherArgs are the weather tool's arguments.
type WeatherArgs struct {
	City string `json:"city" jsonschema:"the city, e.g. Lisbon"`
}

func main() {
	weather := bot.DefineTool(bot.ToolSpec[WeatherArgs]{
		Name:        "weather",
		Description: "Show the weather in a city as a card.",
		Handler: func(ctx context.Context, args WeatherArgs, tc *bot.ToolContext) (any, error) {
			_, err := tc.Thread.Post(ctx, render.Card{
				Title: "Weather in " + args.City,
				Body:  []render.Node{render.Fields(render.Field{Label: "Now", Value: "21°C, sunny"})},
			})
			return map[string]any{"city": args.City, "celsius": 21}, err // what the model reads
		},
	})
	b, err := bot.New(bot.Config{
		Model:    openai.New(openai.Config{}), // OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_MODEL
		Adapters: []bot.Adapter{terminal.New(terminal.Config{})},
		Tools:    []*bot.Tool{weather},
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	b.Run(ctx, 10*time.Second) // until Ctrl-C, then a graceful stop
}
