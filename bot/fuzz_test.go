package bot_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
)

// FuzzToolArguments sends arbitrary argument text as the model would: the
// process never panics, the handler runs only with arguments the schema
// accepts, and the model always gets a tool message back.
func FuzzToolArguments(f *testing.F) {
	for _, seed := range []string{
		`{"place":{"city":"Lisbon"},"days":2,"tags":["a"]}`,
		`{"place":{"city":"x","country":"PT"},"days":1,"tags":null,"units":"celsius","detail":"full","hours":[6]}`,
		`{"place":{"city":7},"days":1,"tags":null}`,
		`{"days":1e400}`, `{"place":{}}`, `[]`, `null`, ``, `{`, `"\u0000"`, `{"a":{"b":{"c":[[[[]]]]}}}`,
		`{"place":{"city":"x"},"days":1,"tags":null,"stops":[{"city":"y","zz":1}]}`,
	} {
		f.Add(seed)
	}
	schema, err := json.Marshal(mustSchema(f))
	if err != nil {
		f.Fatal(err)
	}
	var s jsonschema.Schema
	if err := json.Unmarshal(schema, &s); err != nil {
		f.Fatal(err)
	}
	resolved, err := s.Resolve(nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, args string) {
		var ran atomic.Bool
		tool := bot.DefineTool(bot.ToolSpec[ForecastArgs]{Name: "forecast", Description: "Forecast.",
			Handler: func(_ context.Context, a ForecastArgs, _ *bot.ToolContext) (any, error) {
				ran.Store(true)
				return a, nil
			}})
		model := bottest.NewModel(bottest.Call("forecast", args), bottest.Reply("ok"))
		h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{tool}})
		h.Send(bottest.Ana, "go")
		reqs := model.Requests()
		if len(reqs) != 2 {
			t.Fatalf("the run made %d model calls, want 2", len(reqs))
		}
		msgs := reqs[1].Messages
		result := msgs[len(msgs)-1]
		if result.Role != bot.RoleTool {
			t.Fatalf("no tool message: %+v", result)
		}
		raw := args
		if strings.TrimSpace(raw) == "" {
			raw = "{}"
		}
		var v any
		valid := json.Unmarshal([]byte(raw), &v) == nil && resolved.Validate(v) == nil
		if ran.Load() && !valid {
			t.Fatalf("handler ran on arguments the schema rejects: %q", args)
		}
		if !ran.Load() && !strings.HasPrefix(result.Content, `{"error":"invalid arguments: `) {
			t.Fatalf("rejected arguments %q got tool message %q", args, result.Content)
		}
	})
}

func mustSchema(f *testing.F) json.RawMessage {
	t := bot.DefineTool(bot.ToolSpec[ForecastArgs]{Name: "forecast",
		Handler: func(context.Context, ForecastArgs, *bot.ToolContext) (any, error) { return nil, nil }})
	if err := t.Err(); err != nil {
		f.Fatal(err)
	}
	return t.Schema()
}
