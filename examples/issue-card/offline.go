package main

import (
	"strings"

	"github.com/parleybot/parley/examples/internal/offline"
)

// offlineModel drafts an issue from any message that sounds like a bug:
// the message becomes the title, words like "crash" raise the severity.
func offlineModel() *offline.Model {
	return &offline.Model{
		Help: `I'm the offline demo model. Describe a bug, e.g. "the login button crashes on Safari", ` +
			`and I'll draft an issue card. Set OPENAI_API_KEY to talk to a real model.`,
		Rules: []offline.Rule{{
			Words: []string{"bug", "broken", "crash", "error", "fails", "doesn't work", "does not work"},
			Step: func(msg string) offline.Step {
				low := strings.ToLower(msg)
				sev := Severity("medium")
				if strings.Contains(low, "crash") || strings.Contains(low, "data loss") {
					sev = "high"
				}
				is := Issue{Title: strings.TrimRight(msg, ".!"), Severity: sev, Labels: []string{"bug", "from-chat"}}
				for _, c := range []string{"login", "checkout", "search", "settings"} {
					if strings.Contains(low, c) {
						is.Component = c
					}
				}
				return offline.Call("show_issue", is)
			},
		}},
		Next: func(string, string) offline.Step {
			return offline.Say("I drafted the issue above. Which browser and version was it, and does it happen every time?")
		},
	}
}
