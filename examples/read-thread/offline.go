package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/parleybot/parley/examples/internal/offline"
	"github.com/parleybot/parley/tools"
)

// offlineModel reads the thread when asked to summarize it, and counts
// who said what.
func offlineModel() *offline.Model {
	return &offline.Model{
		Help: `I'm the offline demo model. Write a few messages (switch person at the top), ` +
			`then ask me to "summarize this thread". Set OPENAI_API_KEY to talk to a real model.`,
		Rules: []offline.Rule{{
			Words: []string{"summar", "who said", "what did", "recap"},
			Step:  func(string) offline.Step { return offline.Call("read_thread", tools.ReadThreadArgs{Limit: 50}) },
		}},
		Next: func(_, result string) offline.Step { return offline.Say(summary(result)) },
	}
}

// summary counts the people's messages in read_thread's result and quotes
// each one's latest, leaving out the bot's and the request itself.
func summary(result string) string {
	var msgs []tools.ThreadMessage
	if err := json.Unmarshal([]byte(result), &msgs); err != nil {
		return "I could not read the thread: " + result
	}
	if len(msgs) > 0 {
		msgs = msgs[:len(msgs)-1] // the request
	}
	var order []string
	count, latest := map[string]int{}, map[string]string{}
	for _, m := range msgs {
		if m.Bot {
			continue
		}
		if count[m.From] == 0 {
			order = append(order, m.From)
		}
		count[m.From]++
		latest[m.From] = m.Text
	}
	if len(order) == 0 {
		return "Nobody has said anything here yet."
	}
	parts := make([]string, len(order))
	for i, who := range order {
		parts[i] = fmt.Sprintf("%s wrote %d (latest: %q)", who, count[who], latest[who])
	}
	return "I read the thread: " + strings.Join(parts, "; ") + "."
}
