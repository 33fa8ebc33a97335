package openai_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/model/openai"
	"github.com/parleybot/parley/model/openai/openaitest"
)

// newModel returns a Model talking to srv, with cfg's other settings.
func newModel(srv *openaitest.Server, cfg openai.Config) *openai.Model {
	cfg.BaseURL = srv.URL
	if cfg.APIKey == "" {
		cfg.APIKey = "sk-test"
	}
	if cfg.Model == "" {
		cfg.Model = "gpt-test"
	}
	return openai.New(cfg)
}

func userRequest(text string) *bot.ModelRequest {
	return &bot.ModelRequest{Messages: []bot.ModelMessage{{Role: bot.RoleUser, Content: text}}}
}

// collect returns an onText that records the pieces it gets.
func collect() (*[]string, func(string)) {
	var pieces []string
	return &pieces, func(s string) { pieces = append(pieces, s) }
}

// modelError returns err as a *bot.ModelError, failing the test if it is
// not one.
func modelError(t *testing.T, err error) *bot.ModelError {
	t.Helper()
	var me *bot.ModelError
	if !errors.As(err, &me) {
		t.Fatalf("error = %v (%T), want a *bot.ModelError", err, err)
	}
	return me
}

func TestGenerateStreamsText(t *testing.T) {
	t.Parallel()
	srv := openaitest.NewServer(t)
	srv.Enqueue(openaitest.Response{Text: "The quick brown fox."})
	m := newModel(srv, openai.Config{})

	pieces, onText := collect()
	resp, err := m.Generate(context.Background(), userRequest("hi"), onText)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"The ", "quick ", "brown ", "fox."}; !slices.Equal(*pieces, want) {
		t.Errorf("onText got %q, want %q", *pieces, want)
	}
	if resp.Text != "The quick brown fox." || resp.Text != strings.Join(*pieces, "") {
		t.Errorf("Text = %q, want the concatenation of the pieces", resp.Text)
	}
	if resp.FinishReason != "stop" || len(resp.ToolCalls) != 0 {
		t.Errorf("response = %+v", resp)
	}
}

func TestGenerateNilOnText(t *testing.T) {
	t.Parallel()
	srv := openaitest.NewServer(t)
	srv.Enqueue(openaitest.Response{Text: "fine"})
	resp, err := newModel(srv, openai.Config{}).Generate(context.Background(), userRequest("hi"), nil)
	if err != nil || resp.Text != "fine" {
		t.Fatalf("Generate = %+v, %v", resp, err)
	}
}

func TestGenerateToolCallInChunks(t *testing.T) {
	t.Parallel()
	srv := openaitest.NewServer(t)
	srv.Enqueue(openaitest.Response{ToolCalls: []openaitest.ToolCall{{
		ID:             "call_abc",
		Name:           "get_weather",
		ArgumentChunks: []string{`{"city":`, `"Par`, `is"}`},
	}}})
	pieces, onText := collect()
	resp, err := newModel(srv, openai.Config{}).Generate(context.Background(), userRequest("weather?"), onText)
	if err != nil {
		t.Fatal(err)
	}
	want := []bot.ToolCall{{ID: "call_abc", Name: "get_weather", Arguments: `{"city":"Paris"}`}}
	if !slices.Equal(resp.ToolCalls, want) {
		t.Errorf("ToolCalls = %+v, want %+v", resp.ToolCalls, want)
	}
	if resp.FinishReason != "tool_calls" || resp.Text != "" || len(*pieces) != 0 {
		t.Errorf("response = %+v, onText got %q", resp, *pieces)
	}
}

func TestGenerateParallelToolCallsKeepOrder(t *testing.T) {
	t.Parallel()
	srv := openaitest.NewServer(t)
	srv.Enqueue(openaitest.Response{
		Text: "Checking both.",
		ToolCalls: []openaitest.ToolCall{
			{ID: "call_1", Name: "get_weather", Arguments: `{"city":"Paris","unit":"celsius"}`},
			{ID: "call_2", Name: "get_time", Arguments: `{"timezone":"Europe/Paris"}`},
		},
	})
	resp, err := newModel(srv, openai.Config{}).Generate(context.Background(), userRequest("both?"), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []bot.ToolCall{
		{ID: "call_1", Name: "get_weather", Arguments: `{"city":"Paris","unit":"celsius"}`},
		{ID: "call_2", Name: "get_time", Arguments: `{"timezone":"Europe/Paris"}`},
	}
	if !slices.Equal(resp.ToolCalls, want) || resp.Text != "Checking both." {
		t.Errorf("response = %+v, want text and %+v", resp, want)
	}
}

func TestGenerateMissingToolCallIDs(t *testing.T) {
	t.Parallel()
	srv := openaitest.NewServer(t)
	srv.Enqueue(openaitest.Response{ToolCalls: []openaitest.ToolCall{
		{Name: "a", Arguments: "{}"},
		{Name: "b", Arguments: "{}"},
	}})
	resp, err := newModel(srv, openai.Config{}).Generate(context.Background(), userRequest("go"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.ToolCalls) != 2 {
		t.Fatalf("ToolCalls = %+v", resp.ToolCalls)
	}
	a, b := resp.ToolCalls[0], resp.ToolCalls[1]
	if a.Name != "a" || b.Name != "b" || !strings.HasPrefix(a.ID, "call_") || !strings.HasPrefix(b.ID, "call_") || a.ID == b.ID {
		t.Errorf("ToolCalls = %+v, want distinct generated ids", resp.ToolCalls)
	}
}

func TestGenerateRequest(t *testing.T) {
	t.Parallel()
	srv := openaitest.NewServer(t)
	srv.Enqueue(openaitest.Response{Text: "ok"})
	temp := 0.25
	m := newModel(srv, openai.Config{APIKey: "sk-secret", Model: "gpt-wire", Temperature: &temp})

	schema := `{"type":"object","properties":{"zeta":{"type":"string"},"alpha":{"type":"integer","maximum":12345678901234567890}},"required":["zeta"]}`
	req := &bot.ModelRequest{
		Instructions: "You are terse.",
		Messages: []bot.ModelMessage{
			{Role: bot.RoleUser, Name: "Ana María", Content: "What is the weather?"},
			{Role: bot.RoleAssistant, ToolCalls: []bot.ToolCall{{ID: "call_1", Name: "get_weather", Arguments: `{"city":"Paris"}`}}},
			{Role: bot.RoleTool, ToolCallID: "call_1", Content: `{"temp":21}`},
			{Role: bot.RoleAssistant, Content: "21 degrees."},
			{Role: bot.RoleSystem, Content: "Mind the units."},
		},
		Tools: []bot.ToolDef{
			{Name: "get_weather", Description: "Weather in a city.", Parameters: json.RawMessage(schema)},
			{Name: "ping"},
		},
	}
	if _, err := m.Generate(context.Background(), req, nil); err != nil {
		t.Fatal(err)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("server got %d requests", len(reqs))
	}
	r := reqs[0]
	if r.Method != http.MethodPost || r.Path != "/v1/chat/completions" {
		t.Errorf("request to %s %s", r.Method, r.Path)
	}
	if got := r.Header.Get("Authorization"); got != "Bearer sk-secret" {
		t.Errorf("Authorization = %q", got)
	}
	if r.Model != "gpt-wire" || !r.Stream || !r.IncludeUsage {
		t.Errorf("model %q, stream %v, include_usage %v", r.Model, r.Stream, r.IncludeUsage)
	}
	want := []openaitest.Message{
		{Role: "system", Content: "You are terse."},
		{Role: "user", Name: "Ana_Mara", Content: "What is the weather?"},
		{Role: "assistant", ToolCalls: []openaitest.ToolCall{{ID: "call_1", Name: "get_weather", Arguments: `{"city":"Paris"}`}}},
		{Role: "tool", ToolCallID: "call_1", Content: `{"temp":21}`},
		{Role: "assistant", Content: "21 degrees."},
		{Role: "system", Content: "Mind the units."},
	}
	if fmt.Sprint(r.Messages) != fmt.Sprint(want) {
		t.Errorf("messages =\n%+v\nwant\n%+v", r.Messages, want)
	}
	if len(r.Tools) != 2 {
		t.Fatalf("tools = %+v", r.Tools)
	}
	if tl := r.Tools[0]; tl.Name != "get_weather" || tl.Description != "Weather in a city." {
		t.Errorf("tool 0 = %+v", tl)
	}
	// The schema arrives intact: nested key order and big numbers kept.
	if got := string(r.Tools[0].Parameters); !strings.Contains(got, `"properties":{"zeta":{"type":"string"},"alpha":{"type":"integer","maximum":12345678901234567890}}`) {
		t.Errorf("schema = %s", got)
	}
	var sent, orig map[string]any
	if err := json.Unmarshal(r.Tools[0].Parameters, &sent); err != nil {
		t.Fatal(err)
	}
	_ = json.Unmarshal([]byte(schema), &orig)
	if fmt.Sprint(sent) != fmt.Sprint(orig) {
		t.Errorf("schema = %v, want %v", sent, orig)
	}
	if tl := r.Tools[1]; tl.Name != "ping" || string(tl.Parameters) != `{"properties":{},"type":"object"}` {
		t.Errorf("tool without parameters = %+v %s", tl, tl.Parameters)
	}

	var body map[string]json.RawMessage
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatal(err)
	}
	if string(body["stream_options"]) != `{"include_usage":true}` || string(body["temperature"]) != "0.25" {
		t.Errorf("stream_options %s, temperature %s", body["stream_options"], body["temperature"])
	}
	var msgs []map[string]json.RawMessage
	_ = json.Unmarshal(body["messages"], &msgs)
	if _, ok := msgs[2]["content"]; ok {
		t.Errorf("assistant message with only tool calls sent content %s", msgs[2]["content"])
	}
	if string(msgs[3]["tool_call_id"]) != `"call_1"` {
		t.Errorf("tool message = %v", msgs[3])
	}
}

func TestGenerateOmitsEmptyParts(t *testing.T) {
	t.Parallel()
	srv := openaitest.NewServer(t)
	srv.Enqueue(openaitest.Response{Text: "ok"})
	m := newModel(srv, openai.Config{})
	if _, err := m.Generate(context.Background(), userRequest("hi"), nil); err != nil {
		t.Fatal(err)
	}
	r := srv.Requests()[0]
	var body map[string]json.RawMessage
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"tools", "temperature"} {
		if v, ok := body[key]; ok {
			t.Errorf("request has %s: %s", key, v)
		}
	}
	if len(r.Messages) != 1 || r.Messages[0].Role != "user" {
		t.Errorf("messages = %+v, want no system message without instructions", r.Messages)
	}
}

func TestGenerateUserNames(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, want string }{
		{"ana", "ana"},
		{"Ana-Maria_2", "Ana-Maria_2"},
		{"  Jean  Dupont ", "Jean_Dupont"},
		{"bob@example.com", "bobexamplecom"},
		{"山田", ""},
		{"!!!", ""},
		{strings.Repeat("x", 100), strings.Repeat("x", 64)},
		{strings.Repeat("ab ", 40), strings.Repeat("ab_", 21) + "a"},
	}
	srv := openaitest.NewServer(t)
	m := newModel(srv, openai.Config{})
	for _, tt := range tests {
		srv.Enqueue(openaitest.Response{Text: "ok"})
		req := &bot.ModelRequest{Messages: []bot.ModelMessage{{Role: bot.RoleUser, Name: tt.name, Content: "hi"}}}
		if _, err := m.Generate(context.Background(), req, nil); err != nil {
			t.Fatal(err)
		}
		reqs := srv.Requests()
		r := reqs[len(reqs)-1]
		if got := r.Messages[0].Name; got != tt.want {
			t.Errorf("name %q sent as %q, want %q", tt.name, got, tt.want)
		}
		if tt.want == "" && strings.Contains(string(r.Body), `"name"`) {
			t.Errorf("name %q: body has a name field: %s", tt.name, r.Body)
		}
	}
}

func TestGenerateUsage(t *testing.T) {
	t.Parallel()
	srv := openaitest.NewServer(t)
	srv.Enqueue(openaitest.Response{Text: "ok", Usage: &openaitest.Usage{PromptTokens: 120, CompletionTokens: 8, TotalTokens: 128}})
	resp, err := newModel(srv, openai.Config{}).Generate(context.Background(), userRequest("hi"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := (bot.Usage{PromptTokens: 120, CompletionTokens: 8, TotalTokens: 128}); resp.Usage != want {
		t.Errorf("Usage = %+v, want %+v", resp.Usage, want)
	}
}

func TestGenerateHTTPErrors(t *testing.T) {
	t.Parallel()
	fast := http.Header{"Retry-After-Ms": {"0"}}
	tests := []struct {
		name       string
		cfg        openai.Config
		script     []openaitest.Response
		wantStatus int
		wantMsg    string
		wantReqs   int
	}{
		{
			name:       "401 is not retried",
			script:     []openaitest.Response{{Status: 401, ErrorMessage: "Incorrect API key provided: sk-test."}},
			wantStatus: 401,
			wantMsg:    "Incorrect API key provided: sk-test.",
			wantReqs:   1,
		},
		{
			name:       "429 is retried twice",
			script:     []openaitest.Response{{Status: 429, Header: fast}, {Status: 429, Header: fast}, {Status: 429, Header: fast, ErrorMessage: "slow down"}},
			wantStatus: 429,
			wantMsg:    "slow down",
			wantReqs:   3,
		},
		{
			name:       "429 with Retry-After 0",
			script:     []openaitest.Response{{Status: 429, Header: http.Header{"Retry-After": {"0"}}}, {Status: 429, Header: http.Header{"Retry-After": {"0"}}}, {Status: 429, Header: http.Header{"Retry-After": {"0"}}}},
			wantStatus: 429,
			wantMsg:    "Rate limit reached for requests. Please try again in 1s.",
			wantReqs:   3,
		},
		{
			name:       "no retries",
			cfg:        openai.Config{MaxRetries: -1},
			script:     []openaitest.Response{{Status: 503, Header: fast}},
			wantStatus: 503,
			wantMsg:    "The engine is currently overloaded, please try again later.",
			wantReqs:   1,
		},
		{
			name:       "one retry",
			cfg:        openai.Config{MaxRetries: 1},
			script:     []openaitest.Response{{Status: 500, Header: fast}, {Status: 502, Header: fast}},
			wantStatus: 502,
			wantReqs:   2,
		},
		{
			name:       "400",
			script:     []openaitest.Response{{Status: 400, ErrorMessage: "Invalid schema for function 'f'."}},
			wantStatus: 400,
			wantMsg:    "Invalid schema for function 'f'.",
			wantReqs:   1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := openaitest.NewServer(t)
			srv.Enqueue(tt.script...)
			resp, err := newModel(srv, tt.cfg).Generate(context.Background(), userRequest("hi"), nil)
			if resp != nil {
				t.Errorf("response = %+v, want nil", resp)
			}
			me := modelError(t, err)
			if me.StatusCode != tt.wantStatus {
				t.Errorf("StatusCode = %d, want %d (%v)", me.StatusCode, tt.wantStatus, err)
			}
			if tt.wantMsg != "" && me.Message != tt.wantMsg {
				t.Errorf("Message = %q, want %q", me.Message, tt.wantMsg)
			}
			if me.Message == "" {
				t.Errorf("Message is empty")
			}
			if n := len(srv.Requests()); n != tt.wantReqs {
				t.Errorf("server got %d requests, want %d", n, tt.wantReqs)
			}
		})
	}
}

func TestGenerateRetryThenSuccess(t *testing.T) {
	t.Parallel()
	srv := openaitest.NewServer(t)
	srv.Enqueue(
		openaitest.Response{Status: 500, Header: http.Header{"Retry-After-Ms": {"0"}}},
		openaitest.Response{Text: "second time lucky"},
	)
	pieces, onText := collect()
	resp, err := newModel(srv, openai.Config{}).Generate(context.Background(), userRequest("hi"), onText)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Text != "second time lucky" || strings.Join(*pieces, "") != resp.Text {
		t.Errorf("Text = %q, onText got %q", resp.Text, *pieces)
	}
	reqs := srv.Requests()
	if len(reqs) != 2 {
		t.Fatalf("server got %d requests, want 2", len(reqs))
	}
	if !slices.Equal(reqs[0].Body, reqs[1].Body) {
		t.Errorf("the retry sent a different body")
	}
}

func TestGenerateCutStream(t *testing.T) {
	t.Parallel()
	srv := openaitest.NewServer(t)
	srv.Enqueue(openaitest.Response{Text: "one two three four", CutAfter: 3})
	pieces, onText := collect()
	resp, err := newModel(srv, openai.Config{}).Generate(context.Background(), userRequest("hi"), onText)
	if resp != nil {
		t.Errorf("response = %+v, want nil", resp)
	}
	me := modelError(t, err)
	if me.StatusCode != 0 || me.Message != "response stream ended before the answer was complete" {
		t.Errorf("error = %+v", me)
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("error %v does not wrap io.ErrUnexpectedEOF", err)
	}
	// The role chunk and two words came through before the cut.
	if want := []string{"one ", "two "}; !slices.Equal(*pieces, want) {
		t.Errorf("onText got %q, want %q", *pieces, want)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("a broken stream was retried: %d requests", n)
	}
}

func TestGenerateCutAfterFinishKeepsAnswer(t *testing.T) {
	t.Parallel()
	srv := openaitest.NewServer(t)
	// The connection is cut after every chunk but before [DONE].
	srv.Enqueue(openaitest.Response{Text: "all here", CutAfter: 100, Usage: &openaitest.Usage{PromptTokens: 1, CompletionTokens: 2, TotalTokens: 3}})
	resp, err := newModel(srv, openai.Config{}).Generate(context.Background(), userRequest("hi"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Text != "all here" || resp.FinishReason != "stop" || resp.Usage.TotalTokens != 3 {
		t.Errorf("response = %+v", resp)
	}
}

func TestGenerateCancelDuringStall(t *testing.T) {
	t.Parallel()
	for _, deadline := range []bool{false, true} {
		t.Run(fmt.Sprintf("deadline=%v", deadline), func(t *testing.T) {
			t.Parallel()
			srv := openaitest.NewServer(t)
			srv.Enqueue(openaitest.Response{Text: "let me think", Stall: true})
			m := newModel(srv, openai.Config{})

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			wantErr := context.Canceled
			if deadline {
				ctx, cancel = context.WithTimeout(ctx, 50*time.Millisecond)
				defer cancel()
				wantErr = context.DeadlineExceeded
			}
			var got []string
			onText := func(s string) {
				got = append(got, s)
				if !deadline && strings.Join(got, "") == "let me think" {
					cancel() // everything before the stall has arrived
				}
			}
			done := make(chan error, 1)
			go func() {
				_, err := m.Generate(ctx, userRequest("hi"), onText)
				done <- err
			}()
			var err error
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("Generate did not return after the context ended")
			}
			if !errors.Is(err, wantErr) {
				t.Errorf("error = %v, want %v", err, wantErr)
			}
			var me *bot.ModelError
			if errors.As(err, &me) {
				t.Errorf("error is a *bot.ModelError: %v", err)
			}
			waitFor(t, func() bool { return srv.Requests()[0].ClientGone })
		})
	}
}

func TestGenerateContextAlreadyDone(t *testing.T) {
	t.Parallel()
	srv := openaitest.NewServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := newModel(srv, openai.Config{}).Generate(ctx, userRequest("hi"), nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", err)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("server got %d requests", n)
	}
}

func TestNewReadsEnvironment(t *testing.T) {
	srv := openaitest.NewServer(t)
	t.Setenv("OPENAI_BASE_URL", srv.URL)
	t.Setenv("OPENAI_API_KEY", "sk-from-env\n")
	t.Setenv("OPENAI_MODEL", "env-model")

	srv.Enqueue(openaitest.Response{Text: "a"}, openaitest.Response{Text: "b"})
	m := openai.New(openai.Config{})
	if m.Name() != "env-model" {
		t.Errorf("Name() = %q, want env-model", m.Name())
	}
	if _, err := m.Generate(context.Background(), userRequest("hi"), nil); err != nil {
		t.Fatal(err)
	}
	// Config wins over the environment.
	over := openai.New(openai.Config{APIKey: "sk-config", Model: "config-model"})
	if _, err := over.Generate(context.Background(), userRequest("hi"), nil); err != nil {
		t.Fatal(err)
	}
	reqs := srv.Requests()
	if len(reqs) != 2 {
		t.Fatalf("server got %d requests", len(reqs))
	}
	if got := reqs[0].Header.Get("Authorization"); got != "Bearer sk-from-env" || reqs[0].Model != "env-model" {
		t.Errorf("from the environment: Authorization %q, model %q", got, reqs[0].Model)
	}
	if got := reqs[1].Header.Get("Authorization"); got != "Bearer sk-config" || reqs[1].Model != "config-model" {
		t.Errorf("from Config: Authorization %q, model %q", got, reqs[1].Model)
	}
}

func TestNewWithoutAPIKey(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "")
	t.Setenv("OPENAI_MODEL", "")
	srv := openaitest.NewServer(t)
	srv.Enqueue(openaitest.Response{Text: "local"})
	m := openai.New(openai.Config{BaseURL: srv.URL})
	if m.Name() != openai.DefaultModel {
		t.Errorf("Name() = %q, want %q", m.Name(), openai.DefaultModel)
	}
	if _, err := m.Generate(context.Background(), userRequest("hi"), nil); err != nil {
		t.Fatal(err)
	}
	r := srv.Requests()[0]
	if h, ok := r.Header["Authorization"]; ok {
		t.Errorf("Authorization sent without a key: %q", h)
	}
	if r.Model != openai.DefaultModel {
		t.Errorf("model = %q", r.Model)
	}
}

// roundTripFunc is an http.RoundTripper made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestNewDefaultBaseURL(t *testing.T) {
	t.Setenv("OPENAI_BASE_URL", "") // set but empty: the default still applies
	var got string
	client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		got = r.URL.String()
		return &http.Response{
			StatusCode: http.StatusUnauthorized,
			Header:     http.Header{"Content-Type": {"application/json"}},
			Body:       io.NopCloser(strings.NewReader(`{"error":{"message":"no"}}`)),
			Request:    r,
		}, nil
	})}
	_, err := openai.New(openai.Config{HTTPClient: client}).Generate(context.Background(), userRequest("hi"), nil)
	if me := modelError(t, err); me.StatusCode != 401 {
		t.Errorf("error = %v", err)
	}
	if got != "https://api.openai.com/v1/chat/completions" {
		t.Errorf("request went to %q", got)
	}
}

func TestGenerateUnreachable(t *testing.T) {
	t.Parallel()
	dead := httptest.NewServer(http.NotFoundHandler())
	url := dead.URL
	dead.Close()
	_, err := openai.New(openai.Config{BaseURL: url + "/v1", APIKey: "k", MaxRetries: -1}).
		Generate(context.Background(), userRequest("hi"), nil)
	if me := modelError(t, err); me.StatusCode != 0 || me.Err == nil {
		t.Errorf("error = %+v", me)
	}
}

func TestGenerateProgramErrors(t *testing.T) {
	t.Parallel()
	srv := openaitest.NewServer(t)
	m := newModel(srv, openai.Config{})
	for _, req := range []*bot.ModelRequest{
		{Messages: []bot.ModelMessage{{Role: "narrator", Content: "Once upon a time"}}},
		{Messages: []bot.ModelMessage{{Role: bot.RoleUser, Content: "hi"}}, Tools: []bot.ToolDef{{Name: "f", Parameters: json.RawMessage(`[1]`)}}},
		{Messages: []bot.ModelMessage{{Role: bot.RoleUser, Content: "hi"}}, Tools: []bot.ToolDef{{Name: "f", Parameters: json.RawMessage(`{"type":`)}}},
	} {
		_, err := m.Generate(context.Background(), req, nil)
		var me *bot.ModelError
		if err == nil || errors.As(err, &me) {
			t.Errorf("error = %v, want a plain error", err)
		}
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("server got %d requests", n)
	}
}

func TestGenerateConcurrent(t *testing.T) {
	t.Parallel()
	srv := openaitest.NewServer(t)
	const n = 8
	for range n {
		srv.Enqueue(openaitest.Response{Text: "ok then", ToolCalls: []openaitest.ToolCall{{ID: "c", Name: "f", Arguments: `{"x":1}`}}})
	}
	m := newModel(srv, openai.Config{})
	req := &bot.ModelRequest{
		Messages: []bot.ModelMessage{{Role: bot.RoleUser, Content: "hi"}},
		Tools:    []bot.ToolDef{{Name: "f", Parameters: json.RawMessage(`{"type":"object","properties":{"x":{"type":"integer"}}}`)}},
	}
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			resp, err := m.Generate(context.Background(), req, func(string) {})
			if err != nil || resp.Text != "ok then" || len(resp.ToolCalls) != 1 {
				t.Errorf("Generate = %+v, %v", resp, err)
			}
		})
	}
	wg.Wait()
	for _, r := range srv.Requests() {
		if string(r.Tools[0].Parameters) != `{"properties":{"x":{"type":"integer"}},"type":"object"}` {
			t.Errorf("schema = %s", r.Tools[0].Parameters)
		}
	}
}

// rawServer serves body as a 200 event stream, or with the given status
// and content type.
func rawServer(t *testing.T, status int, contentType, body string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/v1"
}

func sse(chunks ...string) string {
	var b strings.Builder
	for _, c := range chunks {
		b.WriteString("data: " + c + "\n\n")
	}
	return b.String()
}

func TestGenerateOddServers(t *testing.T) {
	t.Parallel()
	const (
		hello  = `{"id":"x","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":"hello"}}]}`
		finish = `{"id":"x","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`
	)
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		wantErr     bool
		wantStatus  int
		wantMsg     string
		wantText    string
		wantCalls   []bot.ToolCall
	}{
		{
			name: "garbage chunk", status: 200, body: sse(hello, `{not json`, finish),
			wantErr: true, wantMsg: "response stream carried a malformed chunk",
		},
		{
			name: "garbage after the finish reason", status: 200, body: sse(hello, finish, `{not json`),
			wantText: "hello",
		},
		{
			name: "array chunk", status: 200, body: sse(`[1,2]`),
			wantErr: true, wantMsg: "response stream carried a malformed chunk",
		},
		{
			name: "error event mid-stream", status: 200, body: sse(hello, `{"error":{"message":"The server is overloaded.","type":"server_error"}}`),
			wantErr: true, wantMsg: "The server is overloaded.",
		},
		{
			name: "empty body", status: 200, body: "",
			wantErr: true, wantMsg: "response stream ended before the answer was complete",
		},
		{
			name: "no finish reason but [DONE]", status: 200, body: sse(hello, "[DONE]"),
			wantErr: true, wantMsg: "response stream ended before the answer was complete",
		},
		{
			name: "HTML page with 200", status: 200, contentType: "text/html", body: "<html><body>proxy login</body></html>",
			wantErr: true, wantMsg: "response stream ended before the answer was complete",
		},
		{
			name: "HTML error page", status: 502, contentType: "text/html", body: "<html>Bad Gateway</html>",
			wantErr: true, wantStatus: 502,
		},
		{
			name: "error as a string", status: 404, contentType: "application/json", body: `{"error":"model 'llama9' not found"}`,
			wantErr: true, wantStatus: 404, wantMsg: "model 'llama9' not found",
		},
		{
			name: "vLLM error", status: 400, contentType: "application/json", body: `{"object":"error","message":"max_tokens is too large","type":"BadRequestError","code":400}`,
			wantErr: true, wantStatus: 400, wantMsg: "max_tokens is too large",
		},
		{
			name: "FastAPI error", status: 422, contentType: "application/json", body: `{"detail":"Field required"}`,
			wantErr: true, wantStatus: 422, wantMsg: "Field required",
		},
		{
			name: "complete calls all at index 0", status: 200,
			body: sse(
				`{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"a","type":"function","function":{"name":"f","arguments":"{}"}}]}}]}`,
				`{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"b","type":"function","function":{"name":"g","arguments":"{\"x\":1}"}}]}}]}`,
				`{"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}`,
			),
			wantCalls: []bot.ToolCall{{ID: "a", Name: "f", Arguments: "{}"}, {ID: "b", Name: "g", Arguments: `{"x":1}`}},
		},
		{
			name: "sparse, negative and huge indices, name repeated", status: 200,
			body: sse(
				`{"choices":[{"index":0,"delta":{"tool_calls":[{"index":9000000000000000000,"id":"z","function":{"name":"last","arguments":"{"}}]}}]}`,
				`{"choices":[{"index":0,"delta":{"tool_calls":[{"index":-1,"id":"m","function":{"name":"first","arguments":"[]"}}]}}]}`,
				`{"choices":[{"index":0,"delta":{"tool_calls":[{"index":9000000000000000000,"function":{"name":"last","arguments":"}"}}]}}]}`,
				`{"choices":[{"index":1,"delta":{"content":"other choice"}}]}`,
				`{"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}`,
			),
			wantCalls: []bot.ToolCall{{ID: "m", Name: "first", Arguments: "[]"}, {ID: "z", Name: "last", Arguments: "{}"}},
		},
		{
			name: "refusal and loose types", status: 200,
			body: sse(
				`{"choices":[{"index":0,"delta":{"refusal":"I can't help with that."}}]}`,
				`{"choices":"nonsense"}`,
				`{"choices":[{"index":0,"delta":{"content":null},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":4}}`,
			),
			wantText: "I can't help with that.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ct := tt.contentType
			if ct == "" {
				ct = "text/event-stream"
			}
			url := rawServer(t, tt.status, ct, tt.body)
			m := openai.New(openai.Config{BaseURL: url, APIKey: "k", MaxRetries: -1})
			resp, err := m.Generate(context.Background(), userRequest("hi"), func(string) {})
			if !tt.wantErr {
				if err != nil {
					t.Fatal(err)
				}
				if resp.Text != tt.wantText || !slices.Equal(resp.ToolCalls, tt.wantCalls) {
					t.Errorf("response = %+v, want text %q and calls %+v", resp, tt.wantText, tt.wantCalls)
				}
				return
			}
			me := modelError(t, err)
			if me.StatusCode != tt.wantStatus || (tt.wantMsg != "" && me.Message != tt.wantMsg) {
				t.Errorf("error = %+v, want status %d and message %q", me, tt.wantStatus, tt.wantMsg)
			}
		})
	}
}

// waitFor polls cond until it holds, failing the test after a generous
// deadline.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
