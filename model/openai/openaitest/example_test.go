package openaitest_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/parleybot/parley/model/openai/openaitest"
)

func ExampleNew() {
	// In a test, openaitest.NewServer(t) closes the server when the test ends.
	srv := openaitest.New()
	defer srv.Close()
	srv.Enqueue(openaitest.Response{
		Text:      "Let me look.",
		ToolCalls: []openaitest.ToolCall{{ID: "call_1", Name: "lookup", ArgumentChunks: []string{`{"q":`, `"go"}`}}},
	})

	// Any OpenAI client can use srv.URL as its base URL; plain net/http
	// shows what goes over the wire.
	body := `{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Find go"}]}`
	res, err := http.Post(srv.URL+"/chat/completions", "application/json", strings.NewReader(body))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer res.Body.Close()
	fmt.Println(res.Header.Get("Content-Type"))

	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		if data == "[DONE]" {
			fmt.Println(data)
			break
		}
		var chunk struct {
			Choices []struct {
				Delta        json.RawMessage `json:"delta"`
				FinishReason *string         `json:"finish_reason"`
			} `json:"choices"`
		}
		if err := json.Unmarshal([]byte(data), &chunk); err != nil {
			fmt.Println(err)
			return
		}
		for _, c := range chunk.Choices {
			if c.FinishReason != nil {
				fmt.Println("finish_reason:", *c.FinishReason)
			} else {
				fmt.Println("delta:", string(c.Delta))
			}
		}
	}

	r := srv.Requests()[0]
	fmt.Println(r.Model, r.Messages[0].Role, r.Messages[0].Content)
	// Output:
	// text/event-stream
	// delta: {"role":"assistant","content":"","refusal":null}
	// delta: {"content":"Let "}
	// delta: {"content":"me "}
	// delta: {"content":"look."}
	// delta: {"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"lookup","arguments":""}}]}
	// delta: {"tool_calls":[{"index":0,"function":{"arguments":"{\"q\":"}}]}
	// delta: {"tool_calls":[{"index":0,"function":{"arguments":"\"go\"}"}}]}
	// finish_reason: tool_calls
	// [DONE]
	// gpt-4o-mini user Find go
}

func ExampleResponse_status() {
	srv := openaitest.New()
	defer srv.Close()
	// A rate limit: OpenAI clients retry it after retry-after-ms.
	srv.Enqueue(openaitest.Response{
		Status: http.StatusTooManyRequests,
		Header: http.Header{"Retry-After-Ms": {"0"}},
	})
	res, err := http.Post(srv.URL+"/chat/completions", "application/json", strings.NewReader(`{"model":"m","stream":true}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer res.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.StatusCode, res.Header.Get("Retry-After-Ms"))
	fmt.Println(body["error"].(map[string]any)["code"])
	fmt.Println(srv.Pending())
	// Output:
	// 429 0
	// rate_limit_exceeded
	// 0
}
