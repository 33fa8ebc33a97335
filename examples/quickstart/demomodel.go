package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/parleybot/parley/bot"
)

// demoModel is the offline stand-in for a language model: a few rules that
// call this example's tools for weather, time and deploy requests and
// phrase their results, so the bot can be tried with no API key. It
// streams its words like a real model.
type demoModel struct {
	// approver is the name of who approves deploys.
	approver string
}

var zones = map[string]string{
	"tokyo": "Asia/Tokyo", "london": "Europe/London", "lisbon": "Europe/Lisbon", "paris": "Europe/Paris",
	"berlin": "Europe/Berlin", "new york": "America/New_York", "san francisco": "America/Los_Angeles",
	"sydney": "Australia/Sydney", "sao paulo": "America/Sao_Paulo", "delhi": "Asia/Kolkata",
}

const demoHelp = "I'm the offline demo model, so I only know three tricks: try \"what's the weather in Paris?\", " +
	"\"what time is it in Tokyo?\" or \"deploy web to production\". Set OPENAI_API_KEY (or OPENAI_BASE_URL) to talk to a real model."

func (d demoModel) Generate(ctx context.Context, req *bot.ModelRequest, onText func(string)) (*bot.ModelResponse, error) {
	if len(req.Messages) == 0 {
		return say(ctx, onText, demoHelp)
	}
	last := req.Messages[len(req.Messages)-1]
	if last.Role == bot.RoleTool {
		return say(ctx, onText, phrase(last.Content))
	}
	text := strings.ToLower(last.Content)
	place := placeIn(text)
	switch {
	case strings.Contains(text, "deploy"):
		service, env := deployTarget(text)
		resp, err := say(ctx, onText, fmt.Sprintf("I'll ask %s to approve deploying %s to %s.", d.approver, service, env))
		if err != nil {
			return nil, err
		}
		resp.ToolCalls, resp.FinishReason = call("deploy", map[string]string{"service": service, "environment": env}).ToolCalls, "tool_calls"
		return resp, nil
	case strings.Contains(text, "weather"):
		if place == "" {
			place = "Lisbon"
		}
		return call("weather", map[string]string{"city": place}), nil
	case strings.Contains(text, "time"):
		zone := "UTC"
		if z, ok := zones[strings.ToLower(place)]; ok {
			zone = z
		} else if strings.Contains(place, "/") {
			zone = place
		}
		return call("local_time", map[string]string{"zone": zone}), nil
	}
	return say(ctx, onText, demoHelp)
}

// placeIn returns the words after " in " up to the end of the sentence,
// capitalized: "weather in new york?" → "New York".
func placeIn(text string) string {
	_, after, ok := strings.Cut(" "+text, " in ")
	if !ok {
		return ""
	}
	after = strings.TrimFunc(after, func(r rune) bool { return !unicode.IsLetter(r) && r != '/' && r != '_' })
	if i := strings.IndexAny(after, "?!.,;"); i >= 0 {
		after = after[:i]
	}
	words := strings.Fields(after)
	for i, w := range words {
		if !strings.Contains(w, "/") {
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(words, " ")
}

// deployTarget reads "deploy SERVICE to ENVIRONMENT", with web and
// production for what is missing.
func deployTarget(text string) (service, env string) {
	word := func(s string) string {
		f := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '_' })
		if len(f) == 0 {
			return ""
		}
		return f[0]
	}
	service, env = "web", "production"
	if _, after, ok := strings.Cut(text, "deploy "); ok {
		if w := word(after); w != "" && w != "to" && w != "it" {
			service = w
		}
	}
	if _, after, ok := strings.Cut(text, " to "); ok {
		if w := word(after); w != "" {
			env = w
		}
	}
	return service, env
}

// phrase turns a tool's result into a sentence.
func phrase(result string) string {
	var r struct {
		Error      string `json:"error"`
		City       string `json:"city"`
		Degrees    int    `json:"degrees"`
		Units      string `json:"units"`
		Conditions string `json:"conditions"`
		Zone       string `json:"zone"`
		Time       string `json:"time"`
		Deployment
	}
	if err := json.Unmarshal([]byte(result), &r); err != nil {
		return "The tool said: " + result
	}
	switch {
	case r.Error != "":
		return "That didn't work: " + r.Error
	case r.City != "":
		return fmt.Sprintf("It's %d degrees %s and %s in %s. The card above has the details (demo data).", r.Degrees, r.Units, r.Conditions, r.City)
	case r.Zone != "":
		return fmt.Sprintf("It's %s in %s.", r.Time, r.Zone)
	case r.Service != "" && r.Deployed:
		return fmt.Sprintf("Deployed %s to %s, approved by %s (%s).", r.Service, r.Environment, r.DecidedBy, r.Deployment.Note)
	case r.Service != "":
		return fmt.Sprintf("Not deployed: %s cancelled the deploy of %s to %s.", r.DecidedBy, r.Service, r.Environment)
	}
	return "Done."
}

func call(tool string, args map[string]string) *bot.ModelResponse {
	raw, _ := json.Marshal(args)
	return &bot.ModelResponse{
		ToolCalls:    []bot.ToolCall{{ID: "demo_" + tool, Name: tool, Arguments: string(raw)}},
		FinishReason: "tool_calls",
	}
}

// say streams text word by word, as a model would.
func say(ctx context.Context, onText func(string), text string) (*bot.ModelResponse, error) {
	for _, w := range strings.SplitAfter(text, " ") {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(15 * time.Millisecond):
		}
		if onText != nil {
			onText(w)
		}
	}
	return &bot.ModelResponse{Text: text, FinishReason: "stop"}, nil
}
