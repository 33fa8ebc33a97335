package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/parleybot/parley/examples/internal/offline"
)

// offlineModel understands "list the settings" and "turn on deploy
// freeze" (or any setting, on or off).
func offlineModel() *offline.Model {
	return &offline.Model{
		Help: `I'm the offline demo model. Try "list the settings" or "turn on deploy freeze" ` +
			`(Ben approves; switch person at the top of the page). Set OPENAI_API_KEY to talk to a real model.`,
		Rules: []offline.Rule{
			{Words: []string{"turn on", "turn off", "switch"}, Step: func(msg string) offline.Step {
				value := "on"
				if strings.Contains(strings.ToLower(msg), "off") {
					value = "off"
				}
				return offline.Call("change_setting", ChangeArgs{Key: settingIn(msg), Value: value, Why: msg})
			}},
			{Words: []string{"list", "settings", "show"}, Step: func(string) offline.Step {
				return offline.Call("list_settings", struct{}{})
			}},
		},
		Next: func(tool, result string) offline.Step {
			if tool == "list_settings" {
				return offline.Say("The settings: " + result)
			}
			var r struct {
				ChangeResult
				Error string `json:"error"`
			}
			json.Unmarshal([]byte(result), &r)
			switch {
			case r.Error != "":
				return offline.Say("That didn't work: " + r.Error)
			case r.Changed:
				return offline.Say(fmt.Sprintf("Done: %s is now %s, approved by %s.", r.Key, r.Value, r.By))
			}
			return offline.Say(fmt.Sprintf("%s denied the change; %s stays %s.", r.By, r.Key, r.Value))
		},
	}
}

// settingIn finds a setting's name in a message: "turn on deploy freeze"
// → "deploy_freeze".
func settingIn(msg string) string {
	norm := strings.ReplaceAll(strings.ToLower(msg), " ", "_")
	for key := range NewSettings().All() {
		if strings.Contains(norm, key) {
			return key
		}
	}
	return "deploy_freeze"
}
