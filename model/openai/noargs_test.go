package openai_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/model/openai"
	"github.com/parleybot/parley/model/openai/openaitest"
)

// OpenAI answers 400 "object schema missing properties" to an object
// schema without "properties". A tool whose Args are struct{} (list_settings
// in examples/approvals, where_am_i in examples/allinone) must still send it.
func TestToolWithoutArgumentsSendsProperties(t *testing.T) {
	t.Parallel()
	srv := openaitest.NewServer(t)
	srv.Enqueue(openaitest.Response{Text: "ok"})
	m := newModel(srv, openai.Config{})
	tool := bot.DefineTool(bot.ToolSpec[struct{}]{Name: "list_settings", Handler: func(context.Context, struct{}, *bot.ToolContext) (any, error) { return nil, nil }})
	req := userRequest("hi")
	req.Tools = []bot.ToolDef{{Name: tool.Name(), Parameters: tool.Schema()}}
	if _, err := m.Generate(context.Background(), req, nil); err != nil {
		t.Fatal(err)
	}
	var sent map[string]json.RawMessage
	if err := json.Unmarshal(srv.Requests()[0].Tools[0].Parameters, &sent); err != nil {
		t.Fatal(err)
	}
	if _, ok := sent["properties"]; !ok {
		t.Errorf("sent %s: OpenAI rejects an object schema without properties", srv.Requests()[0].Tools[0].Parameters)
	}
}
