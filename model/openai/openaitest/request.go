package openaitest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
)

// Request is a request the server received, with its chat completions body
// decoded. The decoded fields are empty when the body is not a chat
// completions request.
type Request struct {
	Method string
	Path   string
	Header http.Header
	// Body is the raw request body.
	Body []byte

	Model  string
	Stream bool
	// IncludeUsage reports stream_options.include_usage.
	IncludeUsage bool
	Messages     []Message
	Tools        []Tool

	// ClientGone reports that the client disconnected before the response
	// was complete.
	ClientGone bool
}

// Message is one message of a request's conversation.
type Message struct {
	Role string
	Name string
	// Content is the message's text. When the request sent an array of
	// content parts, it is the text of those parts, concatenated.
	Content string
	// ToolCalls are an assistant message's tool calls; only ID, Name and
	// Arguments are set.
	ToolCalls []ToolCall
	// ToolCallID is the call a tool message answers.
	ToolCallID string
}

// Tool is a function tool a request offered the model.
type Tool struct {
	Name        string
	Description string
	// Parameters is the function's JSON Schema, as sent.
	Parameters json.RawMessage
}

// The request body, as far as the server reads it.
type wireRequest struct {
	Model         string `json:"model"`
	Stream        bool   `json:"stream"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	Messages []struct {
		Role      string          `json:"role"`
		Name      string          `json:"name"`
		Content   json.RawMessage `json:"content"`
		ToolCalls []struct {
			ID       string `json:"id"`
			Function struct {
				Name      string `json:"name"`
				Arguments string `json:"arguments"`
			} `json:"function"`
		} `json:"tool_calls"`
		ToolCallID string `json:"tool_call_id"`
	} `json:"messages"`
	Tools []struct {
		Function struct {
			Name        string          `json:"name"`
			Description string          `json:"description"`
			Parameters  json.RawMessage `json:"parameters"`
		} `json:"function"`
	} `json:"tools"`
}

// readRequest reads and decodes r. The returned Request is complete even
// when decoding fails; the error reports that the body was not a valid
// chat completions request.
func readRequest(w http.ResponseWriter, r *http.Request) (*Request, error) {
	rec := &Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone()}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	rec.Body = body
	if err != nil {
		return rec, err
	}
	if r.Method != http.MethodPost {
		return rec, nil
	}
	var wr wireRequest
	if err := json.Unmarshal(body, &wr); err != nil {
		return rec, err
	}
	rec.Model = wr.Model
	rec.Stream = wr.Stream
	rec.IncludeUsage = wr.StreamOptions != nil && wr.StreamOptions.IncludeUsage
	for _, m := range wr.Messages {
		msg := Message{Role: m.Role, Name: m.Name, Content: contentText(m.Content), ToolCallID: m.ToolCallID}
		for _, c := range m.ToolCalls {
			msg.ToolCalls = append(msg.ToolCalls, ToolCall{ID: c.ID, Name: c.Function.Name, Arguments: c.Function.Arguments})
		}
		rec.Messages = append(rec.Messages, msg)
	}
	for _, t := range wr.Tools {
		rec.Tools = append(rec.Tools, Tool{
			Name:        t.Function.Name,
			Description: t.Function.Description,
			Parameters:  t.Function.Parameters,
		})
	}
	return rec, nil
}

// contentText returns the text of a message's content: a string, null, or
// an array of content parts.
func contentText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var parts []struct {
		Text string `json:"text"`
	}
	if json.Unmarshal(raw, &parts) == nil {
		var b strings.Builder
		for _, p := range parts {
			b.WriteString(p.Text)
		}
		return b.String()
	}
	return string(raw)
}

// clone returns a deep copy of r, so callers of Requests can neither race
// with the server nor change its log.
func (r *Request) clone() Request {
	c := *r
	c.Header = r.Header.Clone()
	c.Body = bytes.Clone(r.Body)
	c.Messages = slices.Clone(r.Messages)
	for i := range c.Messages {
		c.Messages[i].ToolCalls = slices.Clone(c.Messages[i].ToolCalls)
	}
	c.Tools = slices.Clone(r.Tools)
	for i := range c.Tools {
		c.Tools[i].Parameters = bytes.Clone(c.Tools[i].Parameters)
	}
	return c
}
