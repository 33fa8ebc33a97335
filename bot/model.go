package bot

import (
	"context"
	"encoding/json"
)

// Model is the language model behind a run. model/openai implements it over
// any OpenAI-compatible server; bottest has a scripted one for tests.
//
// Generate sends one request and returns the whole response. While the
// response streams in, it calls onText with each piece of text content as it
// arrives, in order, from the calling goroutine; onText may be nil. Tool
// call arguments are not passed to onText: Generate accumulates them and
// returns them complete in the response.
//
// A service failure is returned as a *ModelError so the run can tell the
// people in the thread what went wrong. When ctx ends, Generate stops reading
// and returns ctx's error.
type Model interface {
	Generate(ctx context.Context, req *ModelRequest, onText func(delta string)) (*ModelResponse, error)
}

// Role is the author of a [ModelMessage].
type Role string

// The roles of the chat completions format.
const (
	RoleSystem    Role = "system"
	RoleUser      Role = "user"
	RoleAssistant Role = "assistant"
	RoleTool      Role = "tool"
)

// ModelRequest is one call to the model.
type ModelRequest struct {
	// Instructions is the system prompt.
	Instructions string
	// Messages is the conversation so far, oldest first.
	Messages []ModelMessage
	// Tools are the tools the model may call.
	Tools []ToolDef
}

// ModelMessage is one message of the conversation sent to the model.
type ModelMessage struct {
	Role Role `json:",omitempty"`
	// Name is the display name of the person who wrote a user message.
	Name string `json:",omitempty"`
	// Content is the message text; for a tool message, the tool's result.
	Content string `json:",omitempty"`
	// ToolCalls are the calls an assistant message made.
	ToolCalls []ToolCall `json:",omitempty"`
	// ToolCallID ties a tool message to the call it answers.
	ToolCallID string `json:",omitempty"`
}

// ToolDef describes a tool to the model.
type ToolDef struct {
	Name        string
	Description string
	// Parameters is the JSON Schema of the tool's arguments.
	Parameters json.RawMessage
}

// ToolCall is the model's request to run a tool.
type ToolCall struct {
	ID   string `json:",omitempty"`
	Name string `json:",omitempty"`
	// Arguments is the JSON text the model wrote. It is not guaranteed to be
	// valid JSON, let alone to match the tool's schema: the run validates it.
	Arguments string `json:",omitempty"`
}

// ModelResponse is the model's complete answer to one request.
type ModelResponse struct {
	// Text is the answer's text content, the concatenation of what was
	// streamed to onText.
	Text string `json:",omitempty"`
	// ToolCalls are the tools the model wants run, in the order it gave them.
	ToolCalls []ToolCall `json:",omitempty"`
	// FinishReason is the service's reason for stopping ("stop",
	// "tool_calls", "length", ...), empty if it gave none.
	FinishReason string `json:",omitempty"`
	Usage        Usage  `json:",omitzero"`
}

// Usage counts the tokens of one model call.
type Usage struct {
	PromptTokens     int `json:",omitempty"`
	CompletionTokens int `json:",omitempty"`
	TotalTokens      int `json:",omitempty"`
}

// Add returns the sum of u and v.
func (u Usage) Add(v Usage) Usage {
	return Usage{
		PromptTokens:     u.PromptTokens + v.PromptTokens,
		CompletionTokens: u.CompletionTokens + v.CompletionTokens,
		TotalTokens:      u.TotalTokens + v.TotalTokens,
	}
}
