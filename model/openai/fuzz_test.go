package openai_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/model/openai"
)

// FuzzGenerateStream feeds arbitrary response bodies to Generate: it must
// never panic, and must return either a complete answer or a
// *bot.ModelError.
func FuzzGenerateStream(f *testing.F) {
	for _, seed := range []string{
		sse(`{"choices":[{"index":0,"delta":{"role":"assistant","content":"hi"}}]}`, `{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`, "[DONE]"),
		sse(`{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"a","type":"function","function":{"name":"f","arguments":"{\""}}]}}]}`,
			`{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"x\":1}"}}]}}]}`,
			`{"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}`,
			`{"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}`, "[DONE]"),
		sse(`{"error":{"message":"boom"}}`),
		sse(`{"choices":[{"index":-5,"delta":{"tool_calls":[{"index":-9223372036854775808}]}}]}`),
		"data: {\"choices\":[{\"delta\":{\"content\":\"\xff\"}}]}\n\n",
		"event: ping\ndata: \n\n: comment\n\n",
		"data: [DONE]\n\n",
		"",
	} {
		f.Add(seed)
	}

	var mu sync.Mutex
	var body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		b := body
		mu.Unlock()
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = w.Write([]byte(b))
	}))
	defer srv.Close()
	m := openai.New(openai.Config{BaseURL: srv.URL + "/v1", APIKey: "k", MaxRetries: -1})

	f.Fuzz(func(t *testing.T, b string) {
		mu.Lock()
		body = b
		mu.Unlock()
		var streamed strings.Builder
		resp, err := m.Generate(context.Background(), userRequest("hi"), func(s string) { streamed.WriteString(s) })
		if err != nil {
			var me *bot.ModelError
			if !errors.As(err, &me) {
				t.Fatalf("error %v (%T) is not a *bot.ModelError", err, err)
			}
			return
		}
		if resp.FinishReason == "" {
			t.Errorf("a response without a finish reason was accepted")
		}
		if resp.Text != streamed.String() {
			t.Errorf("Text %q is not what was streamed, %q", resp.Text, streamed.String())
		}
		for _, c := range resp.ToolCalls {
			if c.ID == "" {
				t.Errorf("tool call without an id: %+v", c)
			}
		}
	})
}
