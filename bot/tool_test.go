package bot_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
)

type Unit string

func (Unit) Enum() []any { return []any{"celsius", "fahrenheit"} }

type Place struct {
	City    string `json:"city" jsonschema:"city name, in English"`
	Country string `json:"country,omitempty" jsonschema:"ISO 3166 country code"`
}

type Embedded struct {
	Verbose bool `json:"verbose,omitempty"`
}

type ForecastArgs struct {
	Place    Place    `json:"place"`
	Days     int      `json:"days" jsonschema:"how many days ahead"`
	Units    Unit     `json:"units,omitempty"`
	Detail   string   `json:"detail,omitempty" enum:"brief,full"`
	Hours    []int    `json:"hours,omitempty" enum:"6,12,18"`
	Stops    []Place  `json:"stops,omitempty"`
	Tags     []string `json:"tags"`
	Nullable *Place   `json:"alt,omitempty"`
	Embedded
	ignored string
}

func TestSchemaInference(t *testing.T) {
	t.Parallel()
	tool := bot.DefineTool(bot.ToolSpec[ForecastArgs]{
		Name: "forecast", Description: "Weather forecast.",
		Handler: func(context.Context, ForecastArgs, *bot.ToolContext) (any, error) { return nil, nil },
	})
	if err := tool.Err(); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(tool.Schema(), &got); err != nil {
		t.Fatal(err)
	}
	place := map[string]any{
		"type": "object",
		"properties": map[string]any{
			"city":    map[string]any{"type": "string", "description": "city name, in English"},
			"country": map[string]any{"type": "string", "description": "ISO 3166 country code"},
		},
		"required":             []any{"city"},
		"additionalProperties": false,
	}
	nullablePlace := map[string]any{}
	for k, v := range place {
		nullablePlace[k] = v
	}
	nullablePlace["type"] = []any{"null", "object"}
	want := map[string]any{
		"type": "object",
		"properties": map[string]any{
			"place":   place,
			"days":    map[string]any{"type": "integer", "description": "how many days ahead"},
			"units":   map[string]any{"type": "string", "enum": []any{"celsius", "fahrenheit"}},
			"detail":  map[string]any{"type": "string", "enum": []any{"brief", "full"}},
			"hours":   map[string]any{"type": []any{"null", "array"}, "items": map[string]any{"type": "integer", "enum": []any{6.0, 12.0, 18.0}}},
			"stops":   map[string]any{"type": []any{"null", "array"}, "items": place},
			"tags":    map[string]any{"type": []any{"null", "array"}, "items": map[string]any{"type": "string"}},
			"alt":     nullablePlace,
			"verbose": map[string]any{"type": "boolean"},
		},
		"required":             []any{"place", "days", "tags"},
		"additionalProperties": false,
	}
	if !reflect.DeepEqual(got, want) {
		gotJSON, _ := json.MarshalIndent(got, "", "  ")
		wantJSON, _ := json.MarshalIndent(want, "", "  ")
		t.Errorf("schema =\n%s\nwant\n%s", gotJSON, wantJSON)
	}
}

func TestExplicitSchemaOverridesInference(t *testing.T) {
	t.Parallel()
	schema := &jsonschema.Schema{
		Type:       "object",
		Properties: map[string]*jsonschema.Schema{"q": {Type: "string", MinLength: jsonschema.Ptr(3)}},
		Required:   []string{"q"},
	}
	var got map[string]any
	tool := bot.DefineTool(bot.ToolSpec[map[string]any]{
		Name: "search", Description: "Search.", Schema: schema,
		Handler: func(_ context.Context, args map[string]any, _ *bot.ToolContext) (any, error) {
			got = args
			return "ok", nil
		},
	})
	if err := tool.Err(); err != nil {
		t.Fatal(err)
	}
	if s := string(tool.Schema()); !strings.Contains(s, `"minLength":3`) {
		t.Errorf("schema %s does not carry the explicit minLength", s)
	}
	model := bottest.NewModel(bottest.Call("search", `{"q":"ab"}`), bottest.Call("search", `{"q":"abc","extra":1}`), bottest.Reply("done"))
	h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{tool}})
	h.Send(bottest.Ana, "find")
	if msg := toolMessages(model.Requests()[1])[0]; !strings.HasPrefix(msg, `{"error":"invalid arguments: $.q:`) {
		t.Errorf("a too-short q reached the model as %s", msg)
	}
	// The explicit schema allows extra properties; inference would not.
	if got["extra"] != 1.0 || got["q"] != "abc" {
		t.Errorf("handler got %v", got)
	}
}

func TestDefineToolErrors(t *testing.T) {
	t.Parallel()
	noop := func(context.Context, struct{}, *bot.ToolContext) (any, error) { return nil, nil }
	tests := []struct {
		name string
		tool *bot.Tool
		want string
	}{
		{"empty name", bot.DefineTool(bot.ToolSpec[struct{}]{Handler: noop}), "invalid"},
		{"space in name", bot.DefineTool(bot.ToolSpec[struct{}]{Name: "get weather", Handler: noop}), "must match"},
		{"long name", bot.DefineTool(bot.ToolSpec[struct{}]{Name: strings.Repeat("a", 65), Handler: noop}), "must match"},
		{"no handler", bot.DefineTool(bot.ToolSpec[struct{}]{Name: "x"}), "no Handler"},
		{"channel field", bot.DefineTool(bot.ToolSpec[struct{ C chan int }]{Name: "x",
			Handler: func(context.Context, struct{ C chan int }, *bot.ToolContext) (any, error) { return nil, nil }}), "schema"},
		{"not an object", bot.DefineTool(bot.ToolSpec[[]string]{Name: "x",
			Handler: func(context.Context, []string, *bot.ToolContext) (any, error) { return nil, nil }}), "JSON object"},
		{"bad enum literal", bot.DefineTool(bot.ToolSpec[struct {
			N int `json:"n" enum:"one"`
		}]{Name: "x", Handler: func(context.Context, struct {
			N int `json:"n" enum:"one"`
		}, *bot.ToolContext) (any, error) {
			return nil, nil
		}}), "does not fit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.tool.Err()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Err() = %v, want it to mention %q", err, tt.want)
			}
			b, _ := bot.New(bot.Config{Store: bot.NewMemoryStore(), Model: bottest.NewModel(), Adapters: []bot.Adapter{bottest.NewAdapter()}})
			if rerr := b.Tool(tt.tool); rerr == nil || rerr.Error() != err.Error() {
				t.Errorf("Tool() = %v, want the definition error", rerr)
			}
		})
	}
	if err := bot.DefineTool(bot.ToolSpec[struct{}]{Name: "Ok_name-1", Handler: noop}).Err(); err != nil {
		t.Errorf("valid name rejected: %v", err)
	}
}

func TestRegistration(t *testing.T) {
	t.Parallel()
	tool := echoTool("echo")
	b, err := bot.New(bot.Config{Store: bot.NewMemoryStore(), Model: bottest.NewModel(), Adapters: []bot.Adapter{bottest.NewAdapter()}})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Tool(tool); err != nil {
		t.Fatal(err)
	}
	if err := b.Tool(echoTool("echo")); err == nil || !strings.Contains(err.Error(), "already registered") {
		t.Errorf("second registration: %v", err)
	}
	if err := b.Tool(nil); err == nil {
		t.Error("Tool(nil) succeeded")
	}
	if err := b.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Stop(context.Background()) })
	if err := b.Tool(echoTool("late")); err == nil || !strings.Contains(err.Error(), "after Start") {
		t.Errorf("registration after Start: %v", err)
	}
	if err := b.Start(context.Background()); err == nil {
		t.Error("second Start succeeded")
	}
}

func TestNewValidatesConfig(t *testing.T) {
	t.Parallel()
	m, a := bottest.NewModel(), bottest.NewAdapter()
	tests := []struct {
		cfg  bot.Config
		want string
	}{
		{bot.Config{Adapters: []bot.Adapter{a}}, "Config.Model"},
		{bot.Config{Model: m}, "Config.Adapters"},
		{bot.Config{Model: m, Adapters: []bot.Adapter{nil}}, "Config.Adapters[0]"},
		{bot.Config{Model: m, Adapters: []bot.Adapter{a, bottest.NewAdapter()}}, "two adapters"},
		{bot.Config{Model: m, Adapters: []bot.Adapter{a}, MaxSteps: -1}, "Config.MaxSteps"},
		{bot.Config{Model: m, Adapters: []bot.Adapter{a}, HistoryLimit: -1}, "Config.HistoryLimit"},
		{bot.Config{Model: m, Adapters: []bot.Adapter{a}, StreamInterval: -1}, "Config.StreamInterval"},
		{bot.Config{Model: m, Adapters: []bot.Adapter{a}, Busy: 9}, "Config.Busy"},
		{bot.Config{Model: m, Adapters: []bot.Adapter{a}, Tools: []*bot.Tool{echoTool("a b")}}, "invalid"},
	}
	for _, tt := range tests {
		if _, err := bot.New(tt.cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("New(%+v) = %v, want an error naming %s", tt.cfg, err, tt.want)
		}
	}
}

type EchoArgs struct {
	Text string `json:"text"`
}

func echoTool(name string) *bot.Tool {
	return bot.DefineTool(bot.ToolSpec[EchoArgs]{
		Name: name, Description: "Echo the text.",
		Handler: func(_ context.Context, a EchoArgs, _ *bot.ToolContext) (any, error) { return a.Text, nil },
	})
}

// toolMessages returns the contents of the tool messages at the end of req.
func toolMessages(req bot.ModelRequest) []string {
	var out []string
	for i := len(req.Messages) - 1; i >= 0 && req.Messages[i].Role == bot.RoleTool; i-- {
		out = append([]string{req.Messages[i].Content}, out...)
	}
	return out
}

type badJSON struct{}

func TestPanickingResultMarshal(t *testing.T) {
	t.Parallel()
	for _, parallel := range []bool{false, true} {
		t.Run(map[bool]string{false: "sequential", true: "parallel"}[parallel], func(t *testing.T) {
			t.Parallel()
			bad := bot.DefineTool(bot.ToolSpec[struct{}]{Name: "bad", Description: "Bad.",
				Handler: func(context.Context, struct{}, *bot.ToolContext) (any, error) { return badJSON{}, nil }})
			model := bottest.NewModel(
				bottest.Step{ToolCalls: []bot.ToolCall{bottest.ToolCall("bad", struct{}{}), bottest.ToolCall("echo", EchoArgs{Text: "ok"})}},
				bottest.Reply("done"),
			)
			h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{bad, echoTool("echo")}, ParallelTools: parallel})
			h.Send(bottest.Ana, "go")
			got := toolMessages(model.Requests()[1])
			if len(got) != 2 || got[0] != `{"error":"the tool's result could not be serialized: panic: marshal exploded"}` || got[1] != "ok" {
				t.Errorf("tool messages %q", got)
			}
			if h.Adapter.LastText() != "done" {
				t.Errorf("the run did not finish: %q", h.Adapter.Texts())
			}
		})
	}
}

type Color string

type Panicky string

func TestOptionalEnumPointer(t *testing.T) {
	t.Parallel()
	type args struct {
		Color *Color `json:"color,omitempty"`
	}
	tool := bot.DefineTool(bot.ToolSpec[args]{Name: "paint", Description: "Paint.",
		Handler: func(context.Context, args, *bot.ToolContext) (any, error) { return nil, nil }})
	if err := tool.Err(); err != nil {
		t.Fatal(err)
	}
	if s := string(tool.Schema()); !strings.Contains(s, `"enum":["red","green"]`) {
		t.Errorf("schema %s lacks the enum", s)
	}
	bad := bot.DefineTool(bot.ToolSpec[struct {
		P Panicky `json:"p"`
	}]{Name: "bad", Handler: func(context.Context, struct {
		P Panicky `json:"p"`
	}, *bot.ToolContext) (any, error) {
		return nil, nil
	}})
	if err := bad.Err(); err == nil || !strings.Contains(err.Error(), "Enum panicked") {
		t.Errorf("Err() = %v", err)
	}
}

func TestExplicitSchemaMustBeObject(t *testing.T) {
	t.Parallel()
	tool := bot.DefineTool(bot.ToolSpec[string]{Name: "s", Schema: &jsonschema.Schema{Type: "string"},
		Handler: func(context.Context, string, *bot.ToolContext) (any, error) { return nil, nil }})
	if err := tool.Err(); err == nil || !strings.Contains(err.Error(), `type "object"`) {
		t.Errorf("Err() = %v", err)
	}
}

func TestSchemaIsACopy(t *testing.T) {
	t.Parallel()
	tool := echoTool("echo")
	s := tool.Schema()
	s[0] = 'X'
	if !json.Valid(tool.Schema()) {
		t.Error("changing the returned schema changed the tool")
	}
}

func (badJSON) MarshalJSON() ([]byte, error) { panic("marshal exploded") }

func (Color) Enum() []any { return []any{"red", "green"} }

func (Panicky) Enum() []any { panic("no values today") }
