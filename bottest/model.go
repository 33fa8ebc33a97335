package bottest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/parleybot/parley/bot"
)

// Step is one scripted model response.
type Step struct {
	// Text is streamed to the run word by word, then returned whole.
	Text string
	// ToolCalls are returned after the text.
	ToolCalls []bot.ToolCall
	// Err, when set, is returned instead of a response.
	Err error
	// Wait, when set, holds the response until it is closed or the call's
	// context ends (then the call returns the context's error).
	Wait <-chan struct{}
	// Silent returns Text without streaming it, as a model that does not
	// stream would.
	Silent bool
}

// Reply returns a step that answers with text.
func Reply(text string) Step { return Step{Text: text} }

// Call returns a step that calls the tool name with args, marshalled to
// JSON unless args is already a string (then it is sent as is, valid JSON
// or not).
func Call(name string, args any) Step {
	return Step{ToolCalls: []bot.ToolCall{ToolCall(name, args)}}
}

// Fail returns a step that fails with err.
func Fail(err error) Step { return Step{Err: err} }

// ToolCall builds a tool call for a [Step], marshalling args as [Call] does.
func ToolCall(name string, args any) bot.ToolCall {
	raw, ok := args.(string)
	if !ok {
		b, err := json.Marshal(args)
		if err != nil {
			panic(fmt.Sprintf("bottest: tool call arguments: %v", err))
		}
		raw = string(b)
	}
	return bot.ToolCall{Name: name, Arguments: raw}
}

// ErrScriptDone is returned by a [Model] called more times than it has
// steps.
var ErrScriptDone = errors.New("bottest: the model's script is used up")

// Model is a scripted bot.Model: each call returns the next step. It
// records every request. It is safe for concurrent use.
type Model struct {
	mu       sync.Mutex
	steps    []Step
	script   []Step // the whole script, for Cycle
	cycle    bool
	keep     int // requests kept; 0 keeps all
	requests []bot.ModelRequest
}

// NewModel returns a model that answers with steps, in order.
func NewModel(steps ...Step) *Model { return &Model{steps: steps} }

// Cycle makes the model start its script over once it is used up, to
// answer any number of runs one after the other (a benchmark's turns).
// Runs at the same time would take each other's steps.
func (m *Model) Cycle() *Model {
	m.mu.Lock()
	m.cycle, m.script = true, slices.Clone(m.steps)
	m.mu.Unlock()
	return m
}

// KeepRequests makes the model keep only the last n requests it received,
// so that a long benchmark does not measure the model's memory.
func (m *Model) KeepRequests(n int) *Model {
	m.mu.Lock()
	m.keep = n
	m.mu.Unlock()
	return m
}

// Add appends steps to the script.
func (m *Model) Add(steps ...Step) {
	m.mu.Lock()
	m.steps = append(m.steps, steps...)
	m.mu.Unlock()
}

// Generate implements bot.Model.
func (m *Model) Generate(ctx context.Context, req *bot.ModelRequest, onText func(string)) (*bot.ModelResponse, error) {
	m.mu.Lock()
	cp := *req
	cp.Messages = slices.Clone(req.Messages)
	cp.Tools = slices.Clone(req.Tools)
	m.requests = append(m.requests, cp)
	if m.keep > 0 && len(m.requests) > 2*m.keep {
		m.requests = slices.Clone(m.requests[len(m.requests)-m.keep:])
	}
	if len(m.steps) == 0 && m.cycle {
		m.steps = slices.Clone(m.script)
	}
	if len(m.steps) == 0 {
		m.mu.Unlock()
		return nil, ErrScriptDone
	}
	s := m.steps[0]
	m.steps = m.steps[1:]
	m.mu.Unlock()
	if s.Wait != nil {
		select {
		case <-s.Wait:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if s.Err != nil {
		return nil, s.Err
	}
	if onText != nil && !s.Silent {
		for _, w := range strings.SplitAfter(s.Text, " ") {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			onText(w)
		}
	}
	finish := "stop"
	if len(s.ToolCalls) > 0 {
		finish = "tool_calls"
	}
	return &bot.ModelResponse{Text: s.Text, ToolCalls: slices.Clone(s.ToolCalls), FinishReason: finish}, nil
}

// Requests returns every request the model received, in order.
func (m *Model) Requests() []bot.ModelRequest {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.requests)
}

// Pending returns how many steps are left.
func (m *Model) Pending() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.steps)
}
