package offline

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/parleybot/parley/bot"
)

// Model is a scripted bot.Model. On a person's message it runs the first
// Rule whose words the message contains; after a tool's result it asks
// Next what to do; otherwise it says Help. Text is streamed word by word,
// as a model would.
type Model struct {
	// Help is said when no rule matches: what the example understands.
	Help string
	// Rules map a person's message to a first step.
	Rules []Rule
	// Next is the step after the tool tool returned result (its JSON).
	// Nil, or a Step with neither Text nor Tool, says "Done.".
	Next func(tool, result string) Step
	// WordDelay is the pause before each streamed word. Default 15 ms.
	WordDelay time.Duration
}

// Rule is one thing the offline model understands.
type Rule struct {
	// Words: the rule matches a message containing any of them, in any
	// case.
	Words []string
	// Step is what to do, given the message as written.
	Step func(message string) Step
}

// Step is one answer of the model: a text, or a call of Tool with Args.
type Step struct {
	Text string
	Tool string
	Args any
}

// Say is a Step that answers text.
func Say(text string) Step { return Step{Text: text} }

// Call is a Step that calls tool with args (marshalled to JSON).
func Call(tool string, args any) Step { return Step{Tool: tool, Args: args} }

// Generate implements bot.Model.
func (m *Model) Generate(ctx context.Context, req *bot.ModelRequest, onText func(string)) (*bot.ModelResponse, error) {
	if len(req.Messages) == 0 {
		return m.say(ctx, onText, m.Help)
	}
	last := req.Messages[len(req.Messages)-1]
	if last.Role == bot.RoleTool {
		step := Step{}
		if m.Next != nil {
			step = m.Next(toolName(req.Messages, last.ToolCallID), last.Content)
		}
		return m.do(ctx, onText, step, len(req.Messages))
	}
	text := strings.ToLower(last.Content)
	for _, r := range m.Rules {
		for _, w := range r.Words {
			if strings.Contains(text, strings.ToLower(w)) {
				return m.do(ctx, onText, r.Step(last.Content), len(req.Messages))
			}
		}
	}
	return m.say(ctx, onText, m.Help)
}

// Name is what the examples' banners call the model.
func (m *Model) Name() string { return "offline demo" }

// do answers s; n, the length of the conversation, keeps call ids
// distinct within a run.
func (m *Model) do(ctx context.Context, onText func(string), s Step, n int) (*bot.ModelResponse, error) {
	switch {
	case s.Tool != "":
		raw, err := json.Marshal(s.Args)
		if err != nil {
			return nil, err
		}
		return &bot.ModelResponse{
			ToolCalls:    []bot.ToolCall{{ID: fmt.Sprintf("offline_%d_%s", n, s.Tool), Name: s.Tool, Arguments: string(raw)}},
			FinishReason: "tool_calls",
		}, nil
	case s.Text != "":
		return m.say(ctx, onText, s.Text)
	}
	return m.say(ctx, onText, "Done.")
}

// toolName finds the name of the call id answers, in the assistant
// messages before it.
func toolName(msgs []bot.ModelMessage, id string) string {
	for i := len(msgs) - 1; i >= 0; i-- {
		for _, c := range msgs[i].ToolCalls {
			if c.ID == id {
				return c.Name
			}
		}
	}
	return ""
}

// say streams text word by word.
func (m *Model) say(ctx context.Context, onText func(string), text string) (*bot.ModelResponse, error) {
	delay := m.WordDelay
	if delay == 0 {
		delay = 15 * time.Millisecond
	}
	for _, w := range strings.SplitAfter(text, " ") {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(delay):
		}
		if onText != nil {
			onText(w)
		}
	}
	return &bot.ModelResponse{Text: text, FinishReason: "stop"}, nil
}
