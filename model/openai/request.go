package openai

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"

	oai "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/shared"

	"github.com/parleybot/parley/bot"
)

// maxCachedSchemas bounds the schema cache; tool sets are small and fixed,
// so the bound only matters to a program that makes schemas up on the fly.
const maxCachedSchemas = 512

// emptySchema is sent for a tool without parameters. OpenAI accepts a
// missing schema, but some compatible servers require one.
var emptySchema = shared.FunctionParameters{
	"type":       json.RawMessage(`"object"`),
	"properties": json.RawMessage(`{}`),
}

// params builds the chat completion request for req.
func (m *Model) params(req *bot.ModelRequest) (oai.ChatCompletionNewParams, error) {
	if req == nil {
		req = &bot.ModelRequest{}
	}
	p := oai.ChatCompletionNewParams{
		Model:         m.name,
		Temperature:   m.temperature,
		StreamOptions: oai.ChatCompletionStreamOptionsParam{IncludeUsage: oai.Bool(true)},
		Messages:      make([]oai.ChatCompletionMessageParamUnion, 0, len(req.Messages)+1),
	}
	if req.Instructions != "" {
		p.Messages = append(p.Messages, oai.SystemMessage(req.Instructions))
	}
	for i, msg := range req.Messages {
		mp, err := message(msg)
		if err != nil {
			return p, fmt.Errorf("openai: message %d: %w", i, err)
		}
		p.Messages = append(p.Messages, mp)
	}
	if len(req.Tools) > 0 {
		p.Tools = make([]oai.ChatCompletionToolUnionParam, 0, len(req.Tools))
	}
	for _, t := range req.Tools {
		schema, err := m.schema(t.Parameters)
		if err != nil {
			return p, fmt.Errorf("openai: tool %q: parameters: %w", t.Name, err)
		}
		def := shared.FunctionDefinitionParam{Name: t.Name, Parameters: schema}
		if t.Description != "" {
			def.Description = oai.String(t.Description)
		}
		p.Tools = append(p.Tools, oai.ChatCompletionFunctionTool(def))
	}
	return p, nil
}

// message converts one conversation message.
func message(msg bot.ModelMessage) (oai.ChatCompletionMessageParamUnion, error) {
	switch msg.Role {
	case bot.RoleSystem:
		return oai.SystemMessage(msg.Content), nil
	case bot.RoleUser:
		u := oai.UserMessage(msg.Content)
		if name := sanitizeName(msg.Name); name != "" {
			u.OfUser.Name = oai.String(name)
		}
		return u, nil
	case bot.RoleAssistant:
		var a oai.ChatCompletionAssistantMessageParam
		if msg.Content != "" || len(msg.ToolCalls) == 0 {
			a.Content.OfString = oai.String(msg.Content)
		}
		for _, c := range msg.ToolCalls {
			a.ToolCalls = append(a.ToolCalls, oai.ChatCompletionMessageToolCallUnionParam{
				OfFunction: &oai.ChatCompletionMessageFunctionToolCallParam{
					ID: c.ID,
					Function: oai.ChatCompletionMessageFunctionToolCallFunctionParam{
						Name:      c.Name,
						Arguments: c.Arguments,
					},
				},
			})
		}
		return oai.ChatCompletionMessageParamUnion{OfAssistant: &a}, nil
	case bot.RoleTool:
		return oai.ToolMessage(msg.Content, msg.ToolCallID), nil
	}
	return oai.ChatCompletionMessageParamUnion{}, fmt.Errorf("unknown role %q", msg.Role)
}

// sanitizeName makes a person's display name acceptable as a message name,
// which the API restricts to ^[a-zA-Z0-9_-]{1,64}$: white space becomes
// "_", other characters are dropped. It returns "" if nothing is left.
func sanitizeName(name string) string {
	const maxLen = 64
	var b strings.Builder
	space := false
	for _, r := range name {
		switch {
		case unicode.IsSpace(r):
			space = true
			continue
		case !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '_' || r == '-'):
			continue
		}
		if space && b.Len() > 0 {
			if b.Len()+2 > maxLen {
				break
			}
			b.WriteByte('_')
		}
		space = false
		if b.Len() >= maxLen {
			break
		}
		b.WriteRune(r)
	}
	return b.String()
}

// schema converts a tool's JSON Schema for openai-go. Only the top level
// is decoded; each value stays raw JSON, so nested objects keep their key
// order (which guides the model's output order) and numbers keep their
// precision.
func (m *Model) schema(raw json.RawMessage) (shared.FunctionParameters, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return emptySchema, nil
	}
	key := string(raw)
	if v, ok := m.schemas.Load(key); ok {
		return v.(shared.FunctionParameters), nil
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	if top == nil {
		return emptySchema, nil
	}
	p := make(shared.FunctionParameters, len(top)+1)
	for k, v := range top {
		p[k] = v
	}
	// OpenAI refuses an object schema without "properties" (a tool whose
	// arguments are struct{}): "object schema missing properties".
	if t, ok := p["type"]; ok && bytes.Equal(bytes.TrimSpace(t.(json.RawMessage)), []byte(`"object"`)) {
		if _, ok := p["properties"]; !ok {
			p["properties"] = json.RawMessage(`{}`)
		}
	}
	if m.nschemas.Load() < maxCachedSchemas {
		if _, loaded := m.schemas.LoadOrStore(key, p); !loaded {
			m.nschemas.Add(1)
		}
	}
	return p, nil
}
