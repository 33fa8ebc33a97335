package bot_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
	"github.com/parleybot/parley/render"
)

// A journal the Store holds that ends with a model's answer is a finished
// run only when that answer is the run's own agent's: one a tool's
// sub-agent gave (written with a sibling call's card, say) leaves that
// tool at work. A crash then cuts a run at work, and with TellInterrupted
// (the default) its thread is told: the tool is not run a second time by
// a replay.
func TestCrashAfterASubAgentAnswersDoesNotReplayItsTool(t *testing.T) {
	t.Parallel()
	var deploys atomic.Int32
	checked := make(chan struct{})
	reached := make(chan struct{})
	var old *bottest.Adapter
	deploy := bot.DefineTool(bot.ToolSpec[struct{}]{
		Name: "deploy", Description: "checks with a sub-agent, then deploys",
		Handler: func(ctx context.Context, _ struct{}, tc *bot.ToolContext) (any, error) {
			if _, err := tc.Thread.RunAgent(ctx, bot.RunOptions{Instructions: "check the plan"}); err != nil {
				return nil, err
			}
			if deploys.Add(1) == 1 {
				close(checked)
				dieHere(reached, old) // the process dies mid-deploy
				<-ctx.Done()
				return nil, ctx.Err()
			}
			return "deployed", nil
		},
	})
	ask := bot.DefineTool(bot.ToolSpec[askArgs]{
		Name: "ask", Description: "asks a person, once the plan is checked",
		Handler: func(ctx context.Context, args askArgs, tc *bot.ToolContext) (any, error) {
			<-checked // the card's journal write carries the sub-agent's answer last
			c, err := bot.AwaitChoice[verdict](ctx, tc.Thread, render.Card{
				Title:   args.What + "?",
				Actions: render.Actions(render.Button("Approve", verdict{true}), render.Button("Deny", verdict{false})),
			})
			if err != nil {
				return nil, err
			}
			return c.Value.Approved, nil
		},
	})
	model := bottest.NewModel(
		bottest.Step{ToolCalls: []bot.ToolCall{bottest.ToolCall("ask", askArgs{What: "Notify the team"}), bottest.ToolCall("deploy", struct{}{})}},
		bottest.Reply("the plan is fine"), // the sub-agent's answer
		bottest.Reply("done"),
	)
	cfg := crashCfg(model, ask, deploy)
	cfg.ParallelTools = true
	h := bottest.Start(t, cfg)
	old = h.Adapter
	if _, err := h.Adapter.Send(bottest.Ana, "check, deploy and tell the team"); err != nil {
		t.Fatal(err)
	}
	p := h.Card(0)
	<-reached
	recorded(t, h.Store, p) // the Store knows the card: the run "waits"
	h.Crash()
	waitText(t, h, "interrupted")
	h.Wait()
	if n := deploys.Load(); n != 1 {
		t.Errorf("the deploy cut by the crash ran %d times; the thread shows %q", n, h.Chat.Texts())
	}
}
