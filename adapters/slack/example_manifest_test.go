package slack_test

import (
	"encoding/json"
	"fmt"
	"log"

	"github.com/parleybot/parley/adapters/slack"
)

// A bot served over HTTP: Slack sends events, button clicks and the slash
// command to the URL where the adapter is mounted.
func ExampleManifest() {
	out, err := slack.Manifest(slack.ManifestOptions{
		Name:       "Helper",
		RequestURL: "https://bot.example.com/slack",
		Command:    "/helper",
	})
	if err != nil {
		log.Fatal(err)
	}
	// The manifest is JSON, ready to paste into Slack.
	var m struct {
		Features struct {
			SlashCommands []struct {
				Command string `json:"command"`
				URL     string `json:"url"`
			} `json:"slash_commands"`
		} `json:"features"`
		Settings struct {
			EventSubscriptions struct {
				RequestURL string `json:"request_url"`
			} `json:"event_subscriptions"`
			SocketModeEnabled bool `json:"socket_mode_enabled"`
		} `json:"settings"`
	}
	if err := json.Unmarshal(out, &m); err != nil {
		log.Fatal(err)
	}
	fmt.Println("events to", m.Settings.EventSubscriptions.RequestURL)
	fmt.Println(m.Features.SlashCommands[0].Command, "to", m.Features.SlashCommands[0].URL)
	fmt.Println("socket mode:", m.Settings.SocketModeEnabled)
	// Output:
	// events to https://bot.example.com/slack
	// /helper to https://bot.example.com/slack
	// socket mode: false
}

// Without a request URL the app uses Socket Mode: the adapter connects out
// with an app-level token, and no public URL is needed.
func ExampleManifest_socketMode() {
	out, err := slack.Manifest(slack.ManifestOptions{
		SuggestedPrompts: []slack.Prompt{{Title: "Summarize", Message: "Summarize this channel."}},
	})
	if err != nil {
		log.Fatal(err)
	}
	var m struct {
		Settings struct {
			SocketModeEnabled bool `json:"socket_mode_enabled"`
		} `json:"settings"`
		Features struct {
			AssistantView struct {
				SuggestedPrompts []slack.Prompt `json:"suggested_prompts"`
			} `json:"assistant_view"`
		} `json:"features"`
	}
	if err := json.Unmarshal(out, &m); err != nil {
		log.Fatal(err)
	}
	fmt.Println("socket mode:", m.Settings.SocketModeEnabled)
	fmt.Println("prompt:", m.Features.AssistantView.SuggestedPrompts[0].Title)
	// Output:
	// socket mode: true
	// prompt: Summarize
}

// Options Slack would refuse are caught before anything is pasted, each
// named.
func ExampleManifest_invalid() {
	_, err := slack.Manifest(slack.ManifestOptions{
		RequestURL: "http://bot.example.com/slack",
		Command:    "/Ask",
	})
	fmt.Println(err)
	// Output:
	// slack: ManifestOptions.RequestURL "http://bot.example.com/slack" is plain http: Slack needs https (http is accepted for localhost only)
	// slack: ManifestOptions.Command "/Ask" should be lower case
}
