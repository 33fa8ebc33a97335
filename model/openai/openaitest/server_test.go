package openaitest_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/model/openai/openaitest"
)

// chunk is a chat.completion.chunk as a client decodes it, with raw fields
// kept where the test checks null against absent.
type chunk struct {
	ID                string `json:"id"`
	Object            string `json:"object"`
	Created           int64  `json:"created"`
	Model             string `json:"model"`
	SystemFingerprint string `json:"system_fingerprint"`
	Choices           []struct {
		Index        int             `json:"index"`
		Delta        map[string]any  `json:"delta"`
		FinishReason json.RawMessage `json:"finish_reason"`
	} `json:"choices"`
	Usage json.RawMessage `json:"usage"`

	raw map[string]json.RawMessage
}

// event is one server-sent event: the data of a "data:" line.
type event struct {
	data string
	ch   *chunk // nil for [DONE]
}

// post sends a chat completions request and returns the response.
func post(t *testing.T, ctx context.Context, url, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/chat/completions", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

// readEvents reads an SSE body strictly: every event must be a single
// "data: " line followed by a blank line. It returns the events read and
// the read error that ended the body, nil at a clean end.
func readEvents(t *testing.T, body io.Reader) ([]event, error) {
	t.Helper()
	var evs []event
	r := bufio.NewReader(body)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			if err == io.EOF && line == "" {
				return evs, nil
			}
			return evs, err
		}
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok {
			t.Fatalf("event %d: line %q does not start with %q", len(evs), line, "data: ")
		}
		data = strings.TrimSuffix(data, "\n")
		blank, err := r.ReadString('\n')
		if err != nil {
			return evs, err
		}
		if blank != "\n" {
			t.Fatalf("event %d: data line followed by %q, want a blank line", len(evs), blank)
		}
		ev := event{data: data}
		if data != "[DONE]" {
			var c chunk
			if err := json.Unmarshal([]byte(data), &c); err != nil {
				t.Fatalf("event %d: %v: %s", len(evs), err, data)
			}
			if err := json.Unmarshal([]byte(data), &c.raw); err != nil {
				t.Fatal(err)
			}
			ev.ch = &c
		}
		evs = append(evs, ev)
	}
}

func streamBody(model string, includeUsage bool) string {
	return fmt.Sprintf(`{"model":%q,"stream":true,"stream_options":{"include_usage":%t},"messages":[{"role":"user","content":"hi"}]}`, model, includeUsage)
}

func TestStreamWireFormat(t *testing.T) {
	t.Parallel()
	srv := openaitest.NewServer(t)
	srv.Enqueue(openaitest.Response{
		Text: "Let me check.",
		ToolCalls: []openaitest.ToolCall{
			{ID: "call_a", Name: "get_weather", ArgumentChunks: []string{`{"city":`, `"Par`, `is"}`}},
			{ID: "call_b", Name: "get_time", Arguments: `{"tz":"Europe/Paris"}`},
		},
		Usage: &openaitest.Usage{PromptTokens: 11, CompletionTokens: 7, TotalTokens: 18},
	})
	res := post(t, context.Background(), srv.URL, streamBody("gpt-test", true))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200", res.StatusCode)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("Content-Type = %q, want text/event-stream", ct)
	}
	evs, err := readEvents(t, res.Body)
	if err != nil {
		t.Fatalf("reading the stream: %v", err)
	}
	if n := len(evs); n < 4 || evs[n-1].data != "[DONE]" {
		t.Fatalf("stream does not end with [DONE]: %+v", evs)
	}
	chunks := make([]*chunk, 0, len(evs)-1)
	for _, ev := range evs[:len(evs)-1] {
		if ev.ch == nil {
			t.Fatalf("[DONE] before the end of the stream")
		}
		chunks = append(chunks, ev.ch)
	}

	// Every chunk: same id, object, created, the request's model, and
	// "usage": null except in the usage chunk; choices present.
	for i, c := range chunks {
		if c.ID != chunks[0].ID || !strings.HasPrefix(c.ID, "chatcmpl-") {
			t.Errorf("chunk %d: id %q, want the first chunk's id %q with prefix chatcmpl-", i, c.ID, chunks[0].ID)
		}
		if c.Object != "chat.completion.chunk" {
			t.Errorf("chunk %d: object %q", i, c.Object)
		}
		if c.Created == 0 || c.Created != chunks[0].Created {
			t.Errorf("chunk %d: created %d", i, c.Created)
		}
		if c.Model != "gpt-test" {
			t.Errorf("chunk %d: model %q, want the request's", i, c.Model)
		}
		if _, ok := c.raw["choices"]; !ok {
			t.Errorf("chunk %d: no choices field", i)
		}
		if i < len(chunks)-1 && string(c.Usage) != "null" {
			t.Errorf("chunk %d: usage %s, want null", i, c.Usage)
		}
	}

	// The usage chunk: "choices": [] and the scripted counts.
	u := chunks[len(chunks)-1]
	if string(u.raw["choices"]) != "[]" {
		t.Errorf("usage chunk choices = %s, want []", u.raw["choices"])
	}
	var usage struct{ PromptTokens, CompletionTokens, TotalTokens int }
	if err := json.Unmarshal(u.Usage, &struct {
		P *int `json:"prompt_tokens"`
		C *int `json:"completion_tokens"`
		T *int `json:"total_tokens"`
	}{&usage.PromptTokens, &usage.CompletionTokens, &usage.TotalTokens}); err != nil {
		t.Fatal(err)
	}
	if usage.PromptTokens != 11 || usage.CompletionTokens != 7 || usage.TotalTokens != 18 {
		t.Errorf("usage = %+v, want 11/7/18", usage)
	}

	// The finish chunk: an empty delta and finish_reason "tool_calls".
	fin := chunks[len(chunks)-2]
	if len(fin.Choices) != 1 || string(fin.Choices[0].FinishReason) != `"tool_calls"` || len(fin.Choices[0].Delta) != 0 {
		t.Errorf("finish chunk = %s", fin.raw["choices"])
	}

	// The body: role first, then content, then tool calls, each choice at
	// index 0 with finish_reason null.
	body := chunks[:len(chunks)-2]
	first := body[0].Choices[0].Delta
	if first["role"] != "assistant" || first["content"] != "" {
		t.Errorf("first delta = %v, want role assistant and empty content", first)
	}
	var text []string
	type call struct {
		id, typ, name string
		args          []string
	}
	var calls []call
	for i, c := range body {
		if len(c.Choices) != 1 || c.Choices[0].Index != 0 || string(c.Choices[0].FinishReason) != "null" {
			t.Fatalf("chunk %d: choices %s", i, c.raw["choices"])
		}
		d := c.Choices[0].Delta
		if i > 0 {
			if _, ok := d["role"]; ok {
				t.Errorf("chunk %d repeats the role", i)
			}
		}
		if s, ok := d["content"].(string); ok && s != "" {
			if len(calls) > 0 {
				t.Errorf("chunk %d: content after tool calls", i)
			}
			text = append(text, s)
		}
		tcs, _ := d["tool_calls"].([]any)
		if len(tcs) > 1 {
			t.Errorf("chunk %d: %d tool calls, want one per chunk", i, len(tcs))
		}
		for _, x := range tcs {
			tc := x.(map[string]any)
			fn := tc["function"].(map[string]any)
			idx := int(tc["index"].(float64))
			if _, hasID := tc["id"]; hasID {
				if idx != len(calls) {
					t.Errorf("chunk %d: new call at index %d, want %d", i, idx, len(calls))
				}
				if fn["arguments"] != "" {
					t.Errorf("chunk %d: first chunk of a call has arguments %q, want \"\"", i, fn["arguments"])
				}
				calls = append(calls, call{id: tc["id"].(string), typ: tc["type"].(string), name: fn["name"].(string)})
				continue
			}
			if len(tc) != 2 || len(fn) != 1 {
				t.Errorf("chunk %d: later tool call chunk %v, want only index and function.arguments", i, tc)
			}
			if idx != len(calls)-1 {
				t.Errorf("chunk %d: arguments for index %d, want %d", i, idx, len(calls)-1)
			}
			calls[idx].args = append(calls[idx].args, fn["arguments"].(string))
		}
	}
	if want := []string{"Let ", "me ", "check."}; !slices.Equal(text, want) {
		t.Errorf("content pieces = %q, want %q", text, want)
	}
	if len(calls) != 2 {
		t.Fatalf("got %d tool calls, want 2", len(calls))
	}
	if c := calls[0]; c.id != "call_a" || c.typ != "function" || c.name != "get_weather" ||
		!slices.Equal(c.args, []string{`{"city":`, `"Par`, `is"}`}) {
		t.Errorf("call 0 = %+v", c)
	}
	if c := calls[1]; c.id != "call_b" || c.name != "get_time" || strings.Join(c.args, "") != `{"tz":"Europe/Paris"}` || len(c.args) < 2 {
		t.Errorf("call 1 = %+v, want its arguments in several pieces", c)
	}
}

func TestStreamToolCallsOnlyPutsRoleOnFirstCall(t *testing.T) {
	t.Parallel()
	srv := openaitest.NewServer(t)
	srv.Enqueue(openaitest.Response{ToolCalls: []openaitest.ToolCall{{ID: "call_1", Name: "f", Arguments: "{}"}}})
	res := post(t, context.Background(), srv.URL, streamBody("m", false))
	evs, err := readEvents(t, res.Body)
	if err != nil {
		t.Fatal(err)
	}
	first := evs[0].ch
	d := first.Choices[0].Delta
	if d["role"] != "assistant" || d["content"] != nil || d["tool_calls"] == nil {
		t.Errorf("first delta = %v, want role, null content and the tool call", d)
	}
	if _, ok := d["content"]; !ok {
		t.Errorf("first delta has no content field, want null")
	}
	for i, ev := range evs {
		if ev.ch != nil {
			if _, ok := ev.ch.raw["usage"]; ok {
				t.Errorf("chunk %d has a usage field although the request did not ask for usage", i)
			}
		}
	}
	// Without include_usage: the finish chunk, then [DONE].
	if n := len(evs); evs[n-1].data != "[DONE]" || string(evs[n-2].ch.Choices[0].FinishReason) != `"tool_calls"` {
		t.Errorf("stream ends with %q, %q", evs[n-2].data, evs[n-1].data)
	}
}

func TestTextSplitting(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		text   string
		chunks int
		want   []string
	}{
		{"words", "Hello there, world.", 0, []string{"Hello ", "there, ", "world."}},
		{"one word in halves", "Hello", 0, []string{"Hel", "lo"}},
		{"one character", "H", 0, []string{"H"}},
		{"even", "abcdefg", 3, []string{"abc", "de", "fg"}},
		{"more chunks than characters", "héé", 10, []string{"h", "é", "é"}},
		{"multibyte halves", "日本語です", 0, []string{"日本語", "です"}},
		{"empty", "", 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := openaitest.NewServer(t)
			srv.Enqueue(openaitest.Response{Text: tt.text, TextChunks: tt.chunks})
			res := post(t, context.Background(), srv.URL, streamBody("m", false))
			evs, err := readEvents(t, res.Body)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, ev := range evs[1:] {
				if ev.ch == nil || len(ev.ch.Choices) == 0 {
					continue
				}
				if s, ok := ev.ch.Choices[0].Delta["content"].(string); ok {
					got = append(got, s)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("pieces = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestErrorStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		resp     openaitest.Response
		wantMsg  string
		wantType string
		wantCode any
	}{
		{
			name:     "429 with retry headers",
			resp:     openaitest.Response{Status: 429, Header: http.Header{"Retry-After-Ms": {"0"}, "Retry-After": {"0"}}},
			wantMsg:  "Rate limit reached for requests. Please try again in 1s.",
			wantType: "requests",
			wantCode: "rate_limit_exceeded",
		},
		{
			name:     "401 custom message",
			resp:     openaitest.Response{Status: 401, ErrorMessage: "bad key"},
			wantMsg:  "bad key",
			wantType: "invalid_request_error",
			wantCode: "invalid_api_key",
		},
		{
			name:     "500",
			resp:     openaitest.Response{Status: 500},
			wantMsg:  "The server had an error while processing your request. Sorry about that!",
			wantType: "server_error",
			wantCode: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := openaitest.NewServer(t)
			srv.Enqueue(tt.resp)
			res := post(t, context.Background(), srv.URL, streamBody("m", true))
			if res.StatusCode != tt.resp.Status {
				t.Errorf("status = %d, want %d", res.StatusCode, tt.resp.Status)
			}
			if ct := res.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
			for k, v := range tt.resp.Header {
				if got := res.Header.Values(k); !slices.Equal(got, v) {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
			var body struct {
				Error map[string]any `json:"error"`
			}
			if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			e := body.Error
			if e["message"] != tt.wantMsg || e["type"] != tt.wantType || e["code"] != tt.wantCode {
				t.Errorf("error = %v", e)
			}
			if v, ok := e["param"]; !ok || v != nil {
				t.Errorf("error.param = %v, %v, want null", v, ok)
			}
			if srv.Pending() != 0 || len(srv.Requests()) != 1 {
				t.Errorf("pending %d, requests %d", srv.Pending(), len(srv.Requests()))
			}
		})
	}
}

func TestNoScriptedResponseLeft(t *testing.T) {
	t.Parallel()
	srv := openaitest.NewServer(t)
	res := post(t, context.Background(), srv.URL, streamBody("m", false))
	if res.StatusCode != http.StatusInternalServerError {
		t.Errorf("status = %d, want 500", res.StatusCode)
	}
	if res.Header.Get("X-Should-Retry") != "false" {
		t.Errorf("X-Should-Retry = %q, want false", res.Header.Get("X-Should-Retry"))
	}
	b, _ := io.ReadAll(res.Body)
	if !strings.Contains(string(b), `"message":"openaitest: no scripted response left"`) {
		t.Errorf("body = %s", b)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("recorded %d requests, want 1", n)
	}
}

func TestUnknownPath(t *testing.T) {
	t.Parallel()
	srv := openaitest.NewServer(t)
	srv.Enqueue(openaitest.Response{Text: "unused"})
	for _, tc := range []struct{ method, path string }{
		{http.MethodGet, "/v1/models"},
		{http.MethodPost, "/v1/responses"},
		{http.MethodGet, "/v1/chat/completions"},
	} {
		req, _ := http.NewRequest(tc.method, strings.TrimSuffix(srv.URL, "/v1")+tc.path, nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusNotFound || !strings.Contains(string(b), `"Invalid URL (`+tc.method+" "+tc.path+`)"`) {
			t.Errorf("%s %s: %d %s", tc.method, tc.path, res.StatusCode, b)
		}
	}
	if srv.Pending() != 1 {
		t.Errorf("an unknown path consumed a scripted response")
	}
	if reqs := srv.Requests(); len(reqs) != 3 || reqs[0].Path != "/v1/models" || reqs[0].Method != http.MethodGet {
		t.Errorf("requests = %+v", reqs)
	}
}

func TestInvalidJSON(t *testing.T) {
	t.Parallel()
	srv := openaitest.NewServer(t)
	srv.Enqueue(openaitest.Response{Text: "unused"})
	res := post(t, context.Background(), srv.URL, `{"model":`)
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("status = %d, want 400", res.StatusCode)
	}
	if srv.Pending() != 1 {
		t.Errorf("an invalid request consumed a scripted response")
	}
	if reqs := srv.Requests(); len(reqs) != 1 || string(reqs[0].Body) != `{"model":` {
		t.Errorf("requests = %+v", reqs)
	}
}

func TestRequestsDecoded(t *testing.T) {
	t.Parallel()
	srv := openaitest.NewServer(t)
	srv.Enqueue(openaitest.Response{Text: "ok"})
	body := `{
		"model": "gpt-x", "stream": true, "stream_options": {"include_usage": true},
		"messages": [
			{"role": "system", "content": "Be brief."},
			{"role": "user", "name": "ana", "content": [{"type": "text", "text": "Hello, "}, {"type": "text", "text": "bot"}]},
			{"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{\"a\":1}"}}]},
			{"role": "tool", "tool_call_id": "call_1", "content": "42"}
		],
		"tools": [{"type": "function", "function": {"name": "f", "description": "does f", "parameters": {"type":"object"}}}]
	}`
	res := post(t, context.Background(), srv.URL, body)
	if _, err := readEvents(t, res.Body); err != nil {
		t.Fatal(err)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("got %d requests", len(reqs))
	}
	r := reqs[0]
	if r.Method != http.MethodPost || r.Path != "/v1/chat/completions" || r.Model != "gpt-x" || !r.Stream || !r.IncludeUsage || r.ClientGone {
		t.Errorf("request = %+v", r)
	}
	if r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("header = %v", r.Header)
	}
	want := []openaitest.Message{
		{Role: "system", Content: "Be brief."},
		{Role: "user", Name: "ana", Content: "Hello, bot"},
		{Role: "assistant", ToolCalls: []openaitest.ToolCall{{ID: "call_1", Name: "f", Arguments: `{"a":1}`}}},
		{Role: "tool", ToolCallID: "call_1", Content: "42"},
	}
	if fmt.Sprint(r.Messages) != fmt.Sprint(want) {
		t.Errorf("messages =\n%+v\nwant\n%+v", r.Messages, want)
	}
	if len(r.Tools) != 1 || r.Tools[0].Name != "f" || r.Tools[0].Description != "does f" || string(r.Tools[0].Parameters) != `{"type":"object"}` {
		t.Errorf("tools = %+v", r.Tools)
	}

	// Requests returns copies: changing one does not change the log.
	r.Messages[0].Content = "changed"
	r.Body[0] = 'X'
	r.Header.Set("Content-Type", "changed")
	again := srv.Requests()[0]
	if again.Messages[0].Content != "Be brief." || again.Body[0] == 'X' || again.Header.Get("Content-Type") == "changed" {
		t.Errorf("Requests shares memory with the server's log")
	}
}

func TestCutAfter(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 3, 100} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			t.Parallel()
			srv := openaitest.NewServer(t)
			srv.Enqueue(openaitest.Response{Text: "one two three four", CutAfter: n})
			res := post(t, context.Background(), srv.URL, streamBody("m", true))
			evs, err := readEvents(t, res.Body)
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("read error = %v, want io.ErrUnexpectedEOF (a truncated chunked body)", err)
			}
			for _, ev := range evs {
				if ev.data == "[DONE]" {
					t.Fatalf("[DONE] sent on a cut stream")
				}
			}
			want := n
			if total := 1 + 4 + 1 + 1; n > total { // role, 4 words, finish, usage
				want = total
			}
			if len(evs) != want {
				t.Errorf("got %d chunks, want %d", len(evs), want)
			}
			if srv.Requests()[0].ClientGone {
				t.Errorf("ClientGone set on a stream the server cut")
			}
		})
	}
}

func TestStallClientGone(t *testing.T) {
	t.Parallel()
	srv := openaitest.NewServer(t)
	srv.Enqueue(openaitest.Response{Text: "thinking hard", Stall: true})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res := post(t, ctx, srv.URL, streamBody("m", true))
	r := bufio.NewReader(res.Body)
	// Read the role chunk and the two content chunks, then give up.
	for i := 0; i < 3; i++ {
		if _, err := r.ReadString('\n'); err != nil {
			t.Fatal(err)
		}
		if _, err := r.ReadString('\n'); err != nil {
			t.Fatal(err)
		}
	}
	cancel()
	waitFor(t, func() bool { return srv.Requests()[0].ClientGone })
}

// TestStallReleasedAtCleanup checks that a stall whose client never leaves
// does not keep the test's cleanup waiting.
func TestStallReleasedAtCleanup(t *testing.T) {
	t.Parallel()
	bodyDone := make(chan error, 1)
	t.Run("stall", func(t *testing.T) {
		srv := openaitest.NewServer(t)
		srv.Enqueue(openaitest.Response{Stall: true})
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/chat/completions", strings.NewReader(streamBody("m", false)))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			_, err := io.ReadAll(res.Body)
			res.Body.Close()
			bodyDone <- err
		}()
	})
	// The subtest's cleanup has returned: the handler let go of the
	// connection, so the client's read ends.
	select {
	case <-bodyDone:
	case <-time.After(10 * time.Second):
		t.Fatal("the client's read did not end after the server closed")
	}
}

func TestNonStreaming(t *testing.T) {
	t.Parallel()
	srv := openaitest.NewServer(t)
	srv.Enqueue(
		openaitest.Response{Text: "Hi <there> & you"},
		openaitest.Response{ToolCalls: []openaitest.ToolCall{{ID: "call_1", Name: "f", ArgumentChunks: []string{`{"a"`, `:1}`}}}},
	)
	var got []string
	for range 2 {
		res := post(t, context.Background(), srv.URL, `{"model":"m","messages":[{"role":"user","content":"hi"}]}`)
		b, _ := io.ReadAll(res.Body)
		got = append(got, string(b))
		if ct := res.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type = %q", ct)
		}
	}
	for i, want := range []string{
		`"choices":[{"index":0,"message":{"role":"assistant","content":"Hi <there> & you","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}]`,
		`"choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{\"a\":1}"}}],"annotations":[]},"logprobs":null,"finish_reason":"tool_calls"}]`,
	} {
		if !strings.Contains(got[i], want) || !strings.Contains(got[i], `"object":"chat.completion"`) || !strings.Contains(got[i], `"usage":{"prompt_tokens":`) {
			t.Errorf("response %d = %s\nwant it to contain %s", i, got[i], want)
		}
	}
}

func TestConcurrentRequests(t *testing.T) {
	t.Parallel()
	srv := openaitest.NewServer(t)
	const n = 16
	for i := range n {
		srv.Enqueue(openaitest.Response{Text: fmt.Sprintf("answer %d", i), Delay: time.Millisecond})
	}
	var wg sync.WaitGroup
	texts := make(chan string, n)
	for range n {
		wg.Go(func() {
			// No t.Fatal off the test's goroutine: plain requests.
			res, err := http.Post(srv.URL+"/chat/completions", "application/json", strings.NewReader(streamBody("m", false)))
			if err != nil {
				t.Error(err)
				return
			}
			defer res.Body.Close()
			b, err := io.ReadAll(res.Body)
			if err != nil {
				t.Error(err)
				return
			}
			var text strings.Builder
			for line := range strings.Lines(string(b)) {
				data, ok := strings.CutPrefix(strings.TrimSpace(line), "data: ")
				if !ok || data == "[DONE]" {
					continue
				}
				var c chunk
				if err := json.Unmarshal([]byte(data), &c); err != nil {
					t.Error(err)
					return
				}
				if len(c.Choices) > 0 {
					s, _ := c.Choices[0].Delta["content"].(string)
					text.WriteString(s)
				}
			}
			texts <- text.String()
			_ = srv.Requests()
			_ = srv.Pending()
		})
	}
	wg.Wait()
	close(texts)
	seen := map[string]bool{}
	for s := range texts {
		seen[s] = true
	}
	if len(seen) != n || srv.Pending() != 0 || len(srv.Requests()) != n {
		t.Errorf("served %d distinct answers, pending %d, requests %d", len(seen), srv.Pending(), len(srv.Requests()))
	}
}

// errorRecorder is a testing.TB that records Errorf calls instead of
// failing.
type errorRecorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *errorRecorder) Helper() {}

func (r *errorRecorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func TestEnqueueRejectsContradictions(t *testing.T) {
	t.Parallel()
	rec := &errorRecorder{TB: t}
	srv := openaitest.NewServer(rec)
	srv.Enqueue(
		openaitest.Response{ToolCalls: []openaitest.ToolCall{{Name: "f", Arguments: `{"a":1}`, ArgumentChunks: []string{`{"a":`, `2}`}}}},
		openaitest.Response{Status: 42},
		openaitest.Response{ToolCalls: []openaitest.ToolCall{{Name: "f", Arguments: `{"a":1}`, ArgumentChunks: []string{`{"a":`, `1}`}}}},
	)
	if len(rec.errs) != 2 || !strings.Contains(rec.errs[0], "ArgumentChunks") || !strings.Contains(rec.errs[1], "status 42") {
		t.Errorf("errors = %q", rec.errs)
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

func TestNonStreamingStallAndCut(t *testing.T) {
	t.Parallel()
	srv := openaitest.NewServer(t)
	srv.Enqueue(openaitest.Response{Text: "never sent", Stall: true}, openaitest.Response{Text: "half of this", CutAfter: 1})
	body := `{"model":"m","messages":[{"role":"user","content":"hi"}]}`

	ctx, cancel := context.WithCancel(context.Background())
	res := post(t, ctx, srv.URL, body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status = %d", res.StatusCode)
	}
	cancel()
	waitFor(t, func() bool { return srv.Requests()[0].ClientGone })

	res = post(t, context.Background(), srv.URL, body)
	b, err := io.ReadAll(res.Body)
	if err == nil || json.Valid(b) {
		t.Errorf("cut body read %q, %v; want a truncated body and an error", b, err)
	}
}

func TestNewOutsideATest(t *testing.T) {
	t.Parallel()
	srv := openaitest.New()
	srv.Enqueue(openaitest.Response{Text: "hi", Stall: true})
	done := make(chan struct{})
	go func() {
		defer close(done)
		res, err := http.Post(srv.URL+"/chat/completions", "application/json", strings.NewReader(`{"model":"m","stream":true}`))
		if err == nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
	}()
	for len(srv.Requests()) == 0 {
		time.Sleep(time.Millisecond)
	}
	srv.Close() // releases the stalled response
	srv.Close()
	<-done
	defer func() {
		if recover() == nil {
			t.Error("a bad script did not panic without a test")
		}
	}()
	srv.Enqueue(openaitest.Response{Status: 7})
}
