package openaitest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The wire format below follows what api.openai.com sends, field for field
// and in the same order, explicit nulls included.

type wireChunk struct {
	ID                string          `json:"id"`
	Object            string          `json:"object"`
	Created           int64           `json:"created"`
	Model             string          `json:"model"`
	ServiceTier       string          `json:"service_tier"`
	SystemFingerprint string          `json:"system_fingerprint"`
	Choices           []wireChoice    `json:"choices"`
	Usage             json.RawMessage `json:"usage,omitempty"`
}

type wireChoice struct {
	Index        int             `json:"index"`
	Delta        wireDelta       `json:"delta"`
	Logprobs     json.RawMessage `json:"logprobs"`
	FinishReason *string         `json:"finish_reason"`
}

type wireDelta struct {
	Role      string            `json:"role,omitempty"`
	Content   json.RawMessage   `json:"content,omitempty"`
	ToolCalls []wireToolCallDel `json:"tool_calls,omitempty"`
	Refusal   json.RawMessage   `json:"refusal,omitempty"`
}

type wireToolCallDel struct {
	Index    int             `json:"index"`
	ID       string          `json:"id,omitempty"`
	Type     string          `json:"type,omitempty"`
	Function wireFunctionDel `json:"function"`
}

type wireFunctionDel struct {
	Name      string `json:"name,omitempty"`
	Arguments string `json:"arguments"`
}

type wireUsage struct {
	PromptTokens        int `json:"prompt_tokens"`
	CompletionTokens    int `json:"completion_tokens"`
	TotalTokens         int `json:"total_tokens"`
	PromptTokensDetails struct {
		CachedTokens int `json:"cached_tokens"`
		AudioTokens  int `json:"audio_tokens"`
	} `json:"prompt_tokens_details"`
	CompletionTokensDetails struct {
		ReasoningTokens          int `json:"reasoning_tokens"`
		AudioTokens              int `json:"audio_tokens"`
		AcceptedPredictionTokens int `json:"accepted_prediction_tokens"`
		RejectedPredictionTokens int `json:"rejected_prediction_tokens"`
	} `json:"completion_tokens_details"`
}

type wireCompletion struct {
	ID                string                 `json:"id"`
	Object            string                 `json:"object"`
	Created           int64                  `json:"created"`
	Model             string                 `json:"model"`
	Choices           []wireCompletionChoice `json:"choices"`
	Usage             wireUsage              `json:"usage"`
	ServiceTier       string                 `json:"service_tier"`
	SystemFingerprint string                 `json:"system_fingerprint"`
}

type wireCompletionChoice struct {
	Index        int             `json:"index"`
	Message      wireMessage     `json:"message"`
	Logprobs     json.RawMessage `json:"logprobs"`
	FinishReason string          `json:"finish_reason"`
}

type wireMessage struct {
	Role        string             `json:"role"`
	Content     *string            `json:"content"`
	Refusal     json.RawMessage    `json:"refusal"`
	ToolCalls   []wireToolCallFull `json:"tool_calls,omitempty"`
	Annotations []struct{}         `json:"annotations"`
}

type wireToolCallFull struct {
	ID       string `json:"id,omitempty"`
	Type     string `json:"type"`
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

type wireError struct {
	Error struct {
		Message string  `json:"message"`
		Type    string  `json:"type"`
		Param   *string `json:"param"`
		Code    *string `json:"code"`
	} `json:"error"`
}

const fingerprint = "fp_openaitest"

// marshal encodes v as the API does, without escaping <, > and &.
func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic("openaitest: " + err.Error()) // the wire types always encode
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// jsonString returns s as a JSON string literal.
func jsonString(s string) json.RawMessage { return marshal(s) }

var jsonNull = json.RawMessage("null")

// errorDefaults returns the real API's message, type and code for status.
func errorDefaults(status int) (msg, typ, code string) {
	switch {
	case status == http.StatusUnauthorized:
		return "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.", "invalid_request_error", "invalid_api_key"
	case status == http.StatusForbidden:
		return "You are not allowed to sample from this model.", "invalid_request_error", ""
	case status == http.StatusNotFound:
		return "The model does not exist or you do not have access to it.", "invalid_request_error", "model_not_found"
	case status == http.StatusTooManyRequests:
		return "Rate limit reached for requests. Please try again in 1s.", "requests", "rate_limit_exceeded"
	case status == http.StatusServiceUnavailable:
		return "The engine is currently overloaded, please try again later.", "server_error", ""
	case status >= 500:
		return "The server had an error while processing your request. Sorry about that!", "server_error", ""
	case status >= 400:
		return http.StatusText(status) + ".", "invalid_request_error", ""
	default:
		return http.StatusText(status) + ".", "server_error", ""
	}
}

// writeError answers with an OpenAI-style error body. An empty code is sent
// as null.
func writeError(w http.ResponseWriter, status int, msg, typ, code string) {
	var e wireError
	e.Error.Message = msg
	e.Error.Type = typ
	if code != "" {
		e.Error.Code = &code
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(marshal(e), '\n'))
}

// answer writes one scripted response.
type answer struct {
	srv  *Server
	rec  *Request
	resp Response
	w    http.ResponseWriter
	rc   *http.ResponseController
	req  *http.Request
	id   string
	now  int64
	sent int // data chunks written
}

func (a *answer) model() string {
	if a.rec.Model != "" {
		return a.rec.Model
	}
	return "openaitest"
}

func (a *answer) finishReason() string {
	switch {
	case a.resp.FinishReason != "":
		return a.resp.FinishReason
	case len(a.resp.ToolCalls) > 0:
		return "tool_calls"
	default:
		return "stop"
	}
}

// usage returns the scripted usage, or an estimate of four characters per
// token.
func (a *answer) usage() wireUsage {
	var u wireUsage
	if s := a.resp.Usage; s != nil {
		u.PromptTokens, u.CompletionTokens, u.TotalTokens = s.PromptTokens, s.CompletionTokens, s.TotalTokens
		return u
	}
	in := 0
	for _, m := range a.rec.Messages {
		in += len(m.Content) + len(m.Name)
		for _, c := range m.ToolCalls {
			in += len(c.Name) + len(c.Arguments)
		}
	}
	for _, t := range a.rec.Tools {
		in += len(t.Name) + len(t.Description) + len(t.Parameters)
	}
	out := len(a.resp.Text)
	for _, c := range a.resp.ToolCalls {
		out += len(c.Name) + len(arguments(c))
	}
	u.PromptTokens = 8 + in/4
	u.CompletionTokens = 1 + out/4
	u.TotalTokens = u.PromptTokens + u.CompletionTokens
	return u
}

func (a *answer) chunk(choices []wireChoice) wireChunk {
	c := wireChunk{
		ID:                a.id,
		Object:            "chat.completion.chunk",
		Created:           a.now,
		Model:             a.model(),
		ServiceTier:       "default",
		SystemFingerprint: fingerprint,
		Choices:           choices,
	}
	if a.rec.IncludeUsage {
		c.Usage = jsonNull
	}
	return c
}

func (a *answer) delta(d wireDelta) wireChunk {
	return a.chunk([]wireChoice{{Delta: d, Logprobs: jsonNull}})
}

// stream answers with server-sent events.
func (a *answer) stream() {
	h := a.w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	a.w.WriteHeader(http.StatusOK)
	if !a.flush() {
		return
	}

	var chunks []wireChunk
	first := wireDelta{Role: "assistant", Content: jsonString(""), Refusal: jsonNull}
	if a.resp.Text == "" && len(a.resp.ToolCalls) > 0 {
		// The real API puts the role on the first tool call's chunk, with
		// null content.
		first.Content = jsonNull
	} else {
		chunks = append(chunks, a.delta(first))
	}
	for _, piece := range splitText(a.resp.Text, a.resp.TextChunks) {
		chunks = append(chunks, a.delta(wireDelta{Content: jsonString(piece)}))
	}
	for i, c := range a.resp.ToolCalls {
		pieces := c.ArgumentChunks
		if len(pieces) == 0 {
			pieces = splitRunes(c.Arguments, 8)
		}
		head := wireDelta{ToolCalls: []wireToolCallDel{{
			Index: i, ID: c.ID, Type: "function",
			Function: wireFunctionDel{Name: c.Name},
		}}}
		if i == 0 && len(chunks) == 0 {
			head.Role, head.Content, head.Refusal = first.Role, first.Content, first.Refusal
		}
		chunks = append(chunks, a.delta(head))
		for _, p := range pieces {
			chunks = append(chunks, a.delta(wireDelta{ToolCalls: []wireToolCallDel{{
				Index: i, Function: wireFunctionDel{Arguments: p},
			}}}))
		}
	}
	for _, c := range chunks {
		if !a.send(marshal(c)) {
			return
		}
	}
	if a.resp.Stall {
		select {
		case <-a.req.Context().Done():
			a.srv.clientGone(a.rec)
		case <-a.srv.done:
		}
		return
	}

	reason := a.finishReason()
	last := a.chunk([]wireChoice{{Logprobs: jsonNull, FinishReason: &reason}})
	if !a.send(marshal(last)) {
		return
	}
	if a.rec.IncludeUsage {
		u := a.chunk([]wireChoice{})
		u.Usage = marshal(a.usage())
		if !a.send(marshal(u)) {
			return
		}
	}
	if a.resp.CutAfter > 0 {
		a.abort()
		return
	}
	_, _ = a.w.Write([]byte("data: [DONE]\n\n"))
	_ = a.flush()
}

// send writes one data chunk after the scripted delay, and cuts the
// connection once CutAfter chunks are out. It reports whether to go on.
func (a *answer) send(data []byte) bool {
	if a.sent > 0 && a.resp.Delay > 0 && !a.pause() {
		return false
	}
	buf := make([]byte, 0, len(data)+8)
	buf = append(buf, "data: "...)
	buf = append(buf, data...)
	buf = append(buf, "\n\n"...)
	if _, err := a.w.Write(buf); err != nil {
		a.srv.clientGone(a.rec)
		return false
	}
	if !a.flush() {
		return false
	}
	a.sent++
	if a.resp.CutAfter > 0 && a.sent >= a.resp.CutAfter {
		a.abort()
		return false
	}
	return true
}

func (a *answer) flush() bool {
	if err := a.rc.Flush(); err != nil {
		a.srv.clientGone(a.rec)
		return false
	}
	return true
}

// pause waits for the scripted delay, unless the client goes away or the
// server closes first.
func (a *answer) pause() bool {
	t := time.NewTimer(a.resp.Delay)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-a.req.Context().Done():
		a.srv.clientGone(a.rec)
		return false
	case <-a.srv.done:
		return false
	}
}

// abort closes the connection without ending the response, so the client
// reads a truncated body.
func (a *answer) abort() {
	conn, _, err := a.rc.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // the server closes the connection
	}
	_ = conn.Close()
}

// complete answers a request with stream false: one chat.completion
// object.
func (a *answer) complete() {
	if a.resp.Delay > 0 && !a.pause() {
		return
	}
	msg := wireMessage{Role: "assistant", Refusal: jsonNull, Annotations: []struct{}{}}
	if a.resp.Text != "" || len(a.resp.ToolCalls) == 0 {
		text := a.resp.Text
		msg.Content = &text
	}
	for _, c := range a.resp.ToolCalls {
		var tc wireToolCallFull
		tc.ID, tc.Type = c.ID, "function"
		tc.Function.Name, tc.Function.Arguments = c.Name, arguments(c)
		msg.ToolCalls = append(msg.ToolCalls, tc)
	}
	body := marshal(wireCompletion{
		ID:      a.id,
		Object:  "chat.completion",
		Created: a.now,
		Model:   a.model(),
		Choices: []wireCompletionChoice{{
			Message:      msg,
			Logprobs:     jsonNull,
			FinishReason: a.finishReason(),
		}},
		Usage:             a.usage(),
		ServiceTier:       "default",
		SystemFingerprint: fingerprint,
	})
	a.w.Header().Set("Content-Type", "application/json")
	if a.resp.Stall {
		a.w.WriteHeader(http.StatusOK)
		if !a.flush() {
			return
		}
		select {
		case <-a.req.Context().Done():
			a.srv.clientGone(a.rec)
		case <-a.srv.done:
		}
		return
	}
	if a.resp.CutAfter > 0 {
		a.w.WriteHeader(http.StatusOK)
		_, _ = a.w.Write(body[:len(body)/2])
		if a.flush() {
			a.abort()
		}
		return
	}
	_, _ = a.w.Write(append(body, '\n'))
}

// arguments returns a tool call's full arguments text.
func arguments(c ToolCall) string {
	if c.Arguments != "" {
		return c.Arguments
	}
	return strings.Join(c.ArgumentChunks, "")
}

// splitText splits s into n pieces of about equal length, on character
// boundaries, or word by word when n is 0 or less.
func splitText(s string, n int) []string {
	if s == "" {
		return nil
	}
	if n > 0 {
		return splitEven(s, n)
	}
	var pieces []string
	start, inSpace := 0, false
	for i, r := range s {
		space := unicode.IsSpace(r)
		if inSpace && !space {
			pieces = append(pieces, s[start:i])
			start = i
		}
		inSpace = space
	}
	pieces = append(pieces, s[start:])
	if len(pieces) == 1 && utf8.RuneCountInString(s) > 1 {
		return splitEven(s, 2)
	}
	return pieces
}

// splitEven splits s into n pieces whose lengths in characters differ by
// at most one; fewer when s has fewer than n characters.
func splitEven(s string, n int) []string {
	count := utf8.RuneCountInString(s)
	if n > count {
		n = count
	}
	pieces := make([]string, 0, n)
	for i := 0; i < n; i++ {
		size := count / n
		if i < count%n {
			size++
		}
		end := 0
		for j := 0; j < size; j++ {
			_, w := utf8.DecodeRuneInString(s[end:])
			end += w
		}
		pieces = append(pieces, s[:end])
		s = s[end:]
	}
	return pieces
}

// splitRunes splits s into pieces of at most size characters.
func splitRunes(s string, size int) []string {
	var pieces []string
	for s != "" {
		end, k := 0, 0
		for end < len(s) && k < size {
			_, w := utf8.DecodeRuneInString(s[end:])
			end += w
			k++
		}
		pieces = append(pieces, s[:end])
		s = s[end:]
	}
	return pieces
}
