package storebench

import (
	"context"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
	"github.com/parleybot/parley/render"
)

// askArgs are the arguments of the ask tool.
type askArgs struct {
	What string `json:"what"`
}

// askTool asks a person, as a tool does before it acts: a card of two
// buttons that expires in a day.
var askTool = bot.DefineTool(bot.ToolSpec[askArgs]{
	Name: "ask", Description: "Asks a person before acting.",
	Handler: func(ctx context.Context, args askArgs, tc *bot.ToolContext) (any, error) {
		c, err := bot.AwaitChoice[bool](ctx, tc.Thread, render.Card{
			Title: args.What + "?",
			Actions: render.Actions(
				render.Button("Approve", true).Primary(),
				render.Button("Deny", false).Danger(),
			),
		}, bot.Timeout(24*time.Hour))
		if err != nil {
			return nil, err
		}
		return map[string]any{"approved": c.Value, "by": c.User.Name, "timed_out": c.TimedOut}, nil
	},
})

// askModel calls the ask tool on a run's first request and answers once
// it has the tool's result. It keeps no state, so runs can share it.
type askModel struct{}

func (askModel) Generate(ctx context.Context, req *bot.ModelRequest, onText func(string)) (*bot.ModelResponse, error) {
	if last := req.Messages[len(req.Messages)-1]; last.Role == bot.RoleTool {
		return &bot.ModelResponse{Text: "Deployed.", FinishReason: "stop"}, nil
	}
	call := bottest.ToolCall("ask", askArgs{What: "Deploy web-42 to production"})
	call.ID = "call_0"
	return &bot.ModelResponse{ToolCalls: []bot.ToolCall{call}, FinishReason: "tool_calls",
		Usage: bot.Usage{PromptTokens: 412, CompletionTokens: 23, TotalTokens: 435}}, nil
}
