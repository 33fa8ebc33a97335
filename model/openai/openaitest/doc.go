// Package openaitest is a fake OpenAI-compatible chat completions service
// for tests. It runs a real HTTP server on loopback that answers
// POST /v1/chat/completions with scripted responses, streamed in the same
// server-sent events the real API sends, so a client under test exercises
// its real HTTP, SSE and retry code paths without reaching the internet.
//
// A test scripts what the model says, points its client at [Server.URL]
// and then inspects what the client sent:
//
//	srv := openaitest.NewServer(t)
//	srv.Enqueue(
//		openaitest.Response{ToolCalls: []openaitest.ToolCall{{
//			ID: "call_1", Name: "get_weather",
//			ArgumentChunks: []string{`{"city":`, `"Par`, `is"}`},
//		}}},
//		openaitest.Response{Text: "It is sunny in Paris."},
//	)
//	m := openai.New(openai.Config{BaseURL: srv.URL, APIKey: "test"})
//	// ... run the bot ...
//	reqs := srv.Requests() // what the client sent, decoded
//
// Each scripted [Response] serves one request, in order. Besides text and
// tool calls split into chunks, a response can be an HTTP error with an
// OpenAI-style error body (Status), a stream cut mid-way (CutAfter), or a
// stream that stalls until the client goes away (Stall), which is how tests
// check retries, broken connections and cancellation.
//
// A request with "stream": false gets the same scripted answer as one
// chat.completion object. Other paths get the API's 404 error.
//
// The package imports nothing of Parley's, so it can test any
// OpenAI-compatible client; model/openai's own tests run against it.
package openaitest
