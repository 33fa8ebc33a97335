package main

import (
	"context"
	"strings"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/render"
)

// DeployArgs are the deploy tool's arguments.
type DeployArgs struct {
	Service     string `json:"service" jsonschema:"the service to deploy, e.g. web"`
	Environment string `json:"environment,omitempty" jsonschema:"where to deploy it; production if omitted"`
}

// Deployment is what the deploy tool reports. Nothing is deployed: the
// example shows the approval, not a deploy.
type Deployment struct {
	Service     string `json:"service"`
	Environment string `json:"environment"`
	Deployed    bool   `json:"deployed"`
	DecidedBy   string `json:"decided_by,omitempty"`
	Note        string `json:"note"`
}

// deployTool asks approver — by user id — to approve a deploy before it
// "happens". It shows the tool's progress on the status line, posts a card
// with Approve and Cancel, and waits for a click by the approver: a click
// by anyone else is answered privately and changes nothing. The wait is
// durable, so the page can be reloaded, or the bot restarted, while it
// waits.
func deployTool(approver, approverName string) *bot.Tool {
	return bot.DefineTool(bot.ToolSpec[DeployArgs]{
		Name:        "deploy",
		Description: "Deploy a service, after " + approverName + " approves it with a click. Returns whether it was deployed and who decided.",
		Handler: func(ctx context.Context, args DeployArgs, tc *bot.ToolContext) (any, error) {
			d := Deployment{Service: strings.TrimSpace(args.Service), Environment: strings.TrimSpace(args.Environment), Note: "demo: nothing was really deployed"}
			if d.Service == "" {
				d.Service = "web"
			}
			if d.Environment == "" {
				d.Environment = "production"
			}
			// A status is a transient sign: where the platform shows none,
			// or showing it fails, the deploy goes on without it.
			_ = tc.Thread.SetStatus(ctx, "is checking the build of "+d.Service+"…")
			choice, err := bot.AwaitChoice[bool](ctx, tc.Thread, render.Card{
				Title: "Deploy " + d.Service + " to " + d.Environment + "?",
				Body: []render.Node{
					render.Fields(
						render.Field{Label: "Asked by", Value: tc.User.Name},
						render.Field{Label: "Approver", Value: approverName},
					),
					render.Context("Only " + approverName + " can approve. The build checked out (demo data)."),
				},
				Actions: render.Actions(render.Button("Approve", true).Primary(), render.Button("Cancel", false)),
			}, bot.Approvers(approver))
			if err != nil {
				return nil, err
			}
			d.Deployed, d.DecidedBy = choice.Value, choice.User.Name
			if d.DecidedBy == "" {
				d.DecidedBy = choice.User.ID
			}
			return d, nil
		},
	})
}
