package main

import (
	"fmt"
	"strings"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/render"
	"github.com/parleybot/parley/tools"
)

// Issue is the props of the issue card, and so the show_issue tool's
// input schema: the model reads the descriptions and the severities it
// may choose from.
type Issue struct {
	Title     string   `json:"title" jsonschema:"a short summary of the problem, as an issue title"`
	Severity  Severity `json:"severity" jsonschema:"how bad it is"`
	Component string   `json:"component,omitempty" jsonschema:"the part of the product affected, e.g. login"`
	Steps     []string `json:"steps,omitempty" jsonschema:"steps to reproduce, one per item"`
	Expected  string   `json:"expected,omitempty" jsonschema:"what should have happened"`
	Actual    string   `json:"actual,omitempty" jsonschema:"what happened instead"`
	Labels    []string `json:"labels,omitempty" jsonschema:"labels for the tracker"`
}

// Severity is how bad an issue is.
type Severity string

// Enum lists the severities, for the schema.
func (Severity) Enum() []any { return []any{"low", "medium", "high", "critical"} }

// accents colour the card by severity.
var accents = map[Severity]render.Color{"low": render.Gray, "medium": render.Blue, "high": render.Amber, "critical": render.Red}

// issueCard is the card template: props in, card out.
func issueCard(is Issue) render.Card {
	fields := []render.Field{{Label: "Severity", Value: string(is.Severity)}}
	if is.Component != "" {
		fields = append(fields, render.Field{Label: "Component", Value: is.Component})
	}
	if len(is.Labels) > 0 {
		fields = append(fields, render.Field{Label: "Labels", Value: strings.Join(is.Labels, ", ")})
	}
	body := []render.Node{render.Fields(fields...)}
	if len(is.Steps) > 0 {
		var steps strings.Builder
		for i, s := range is.Steps {
			fmt.Fprintf(&steps, "%d. %s\n", i+1, s)
		}
		body = append(body, render.Header("Steps to reproduce"), render.Text(strings.TrimSuffix(steps.String(), "\n")))
	}
	if is.Expected != "" || is.Actual != "" {
		body = append(body, render.Fields(render.Field{Label: "Expected", Value: is.Expected}, render.Field{Label: "Actual", Value: is.Actual}))
	}
	return render.Card{
		Title:  is.Title,
		Accent: accents[is.Severity],
		Body:   body,
		Footer: "Draft issue — not filed anywhere",
	}
}

// config is the bot of the example, less its platform and model: the
// render tool show_issue.
func config() bot.Config {
	return bot.Config{
		Tools: []*bot.Tool{tools.Render("show_issue", "Show a bug report as an issue card in the chat.", issueCard)},
		Instructions: "You turn bug reports into issues. When someone describes a problem, call show_issue with a " +
			"clear title, a severity, and the steps, expected and actual behaviour you can infer; then ask in one " +
			"sentence for anything missing.",
	}
}
