package bottest

import (
	"context"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/render"
)

// ApprovalArgs are the arguments of the tool ApprovalTool returns: the
// action to approve, shown on the card.
type ApprovalArgs struct {
	Action string `json:"action"`
}

// ApprovalTool returns the tool "confirm_write", which asks approvers on a
// card — "Approve write?", the action, Approve and Deny buttons — and
// returns the value of the option clicked: "approve" or "deny". Adapter
// tests script it with Call("confirm_write", ApprovalArgs{…}) to walk the
// whole approval flow on their platform.
func ApprovalTool(approvers ...string) *bot.Tool {
	return bot.DefineTool(bot.ToolSpec[ApprovalArgs]{
		Name:        "confirm_write",
		Description: "Ask for approval before a write.",
		Handler: func(ctx context.Context, args ApprovalArgs, tc *bot.ToolContext) (any, error) {
			choice, err := bot.AwaitChoice[string](ctx, tc.Thread, render.Card{
				Title: "Approve write?",
				Body:  []render.Node{render.Text(args.Action)},
				Actions: render.Actions(
					render.Button("Approve", "approve").Primary(),
					render.Button("Deny", "deny").Danger(),
				),
			}, bot.Approvers(approvers...))
			if err != nil {
				return nil, err
			}
			return choice.Value, nil
		},
	})
}
