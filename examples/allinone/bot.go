package main

import (
	"context"
	"encoding/json"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/examples/internal/offline"
)

// Where is what the where_am_i tool reports.
type Where struct {
	Platform string `json:"platform"`
	User     string `json:"user"`
}

// config is the bot of the example, less its platforms and model: one
// tool that tells which platform a message came from, the same on all.
func config() bot.Config {
	where := bot.DefineTool(bot.ToolSpec[struct{}]{
		Name:        "where_am_i",
		Description: "Tell which chat platform this conversation is on and who is talking.",
		Handler: func(ctx context.Context, _ struct{}, tc *bot.ToolContext) (any, error) {
			return Where{Platform: tc.Thread.Platform(), User: tc.User.Name}, nil
		},
	})
	return bot.Config{
		Tools:        []*bot.Tool{where},
		Instructions: "You are one assistant on several chat platforms at once. Be brief.",
	}
}

// offlineModel answers every message by saying where it came from.
func offlineModel() *offline.Model {
	return &offline.Model{
		Rules: []offline.Rule{{Words: []string{""}, Step: func(string) offline.Step { return offline.Call("where_am_i", struct{}{}) }}},
		Next: func(_, result string) offline.Step {
			var w Where
			json.Unmarshal([]byte(result), &w)
			return offline.Say("Hello " + w.User + ", this is the offline demo model answering on " + w.Platform + ".")
		},
	}
}
