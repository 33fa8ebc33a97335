package openai

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	oai "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/packages/ssestream"

	"github.com/parleybot/parley/bot"
)

// The messages of failures the service did not explain itself.
const (
	msgStreamCut       = "response stream ended before the answer was complete"
	msgStreamMalformed = "response stream carried a malformed chunk"
	msgStreamError     = "the service reported an error in the response stream"
)

// Bounds on what is read of an error response and kept of its message.
const (
	maxErrorBody    = 1 << 20
	maxErrorMessage = 1000
)

// wire watches the HTTP exchanges of one Generate call from inside
// openai-go's retry loop, to learn what openai-go does not report: the
// status and message of an error answer whose body it could not parse,
// and whether a broken stream failed reading or decoding.
type wire struct {
	status  int    // the last attempt's HTTP status, 0 if it got none
	message string // the last error answer's message, if it had one
	body    *watchedBody
}

func (w *wire) middleware(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
	w.status, w.message, w.body = 0, "", nil
	res, err := next(req)
	if err != nil || res == nil {
		return res, err
	}
	w.status = res.StatusCode
	if res.StatusCode >= 400 {
		// Read the body here, where the status is known, and give
		// openai-go a copy to parse as usual.
		b, readErr := io.ReadAll(io.LimitReader(res.Body, maxErrorBody))
		_ = res.Body.Close()
		res.Body = io.NopCloser(bytes.NewReader(b))
		if readErr == nil {
			w.message = errorMessage(b)
		}
		return res, nil
	}
	w.body = &watchedBody{ReadCloser: res.Body}
	res.Body = w.body
	return res, nil
}

// requestError converts an error of the request, before any of the
// response stream was read, into a *bot.ModelError.
func (w *wire) requestError(err error) error {
	var apiErr *oai.Error
	if errors.As(err, &apiErr) {
		msg := strings.TrimSpace(apiErr.Message)
		if msg == "" {
			msg = w.message
		}
		return &bot.ModelError{StatusCode: apiErr.StatusCode, Message: truncate(msg), Err: err}
	}
	if w.status >= 400 {
		// openai-go failed to parse the error body (it expects an
		// "error" object; some servers send a string there).
		return &bot.ModelError{
			StatusCode: w.status,
			Message:    w.message,
			Err:        fmt.Errorf("openai: unreadable error body: %w", err),
		}
	}
	return &bot.ModelError{Err: err}
}

// streamError converts the error that ended a response stream into a
// *bot.ModelError, or returns nil if the answer is complete. After the
// finish reason only the usage chunk can be lost, so a stream that breaks
// off or turns to garbage there still gives its answer; an error event
// the server sends is reported in any case.
func (w *wire) streamError(err error, finished bool) error {
	var se *ssestream.StreamError
	switch {
	case errors.As(err, &se):
		msg := errorMessage(se.Event.Data)
		if msg == "" {
			msg = msgStreamError
		}
		return &bot.ModelError{Message: msg, Err: err}
	case err != nil && finished:
		return nil
	case err != nil && (w.body == nil || w.body.err == nil):
		// Reading went well, so decoding failed.
		return &bot.ModelError{Message: msgStreamMalformed, Err: err}
	case err != nil:
		return &bot.ModelError{Message: msgStreamCut, Err: err}
	case !finished:
		// A clean end of the body but no finish reason: the server went
		// away mid-answer, or a proxy cut the response.
		return &bot.ModelError{Message: msgStreamCut, Err: io.ErrUnexpectedEOF}
	}
	return nil
}

// watchedBody remembers the error that ended reading a response body.
type watchedBody struct {
	io.ReadCloser
	err error
}

func (b *watchedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF && b.err == nil {
		b.err = err
	}
	return n, err
}

// errorMessage extracts the message of an error body in the formats
// OpenAI-compatible servers use: {"error":{"message":...}} (OpenAI,
// Ollama, llama.cpp), {"error":"..."}, {"message":"..."} (vLLM) and
// {"detail":"..."} (FastAPI-based servers). It returns "" for anything
// else, an HTML error page included.
func errorMessage(body []byte) string {
	var v struct {
		Error   json.RawMessage `json:"error"`
		Message any             `json:"message"`
		Detail  any             `json:"detail"`
	}
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	var inner struct {
		Message any `json:"message"`
	}
	var s string
	switch {
	case json.Unmarshal(v.Error, &inner) == nil && inner.Message != nil:
		return text(inner.Message)
	case json.Unmarshal(v.Error, &s) == nil && s != "":
		return truncate(s)
	case v.Message != nil:
		return text(v.Message)
	case v.Detail != nil:
		return text(v.Detail)
	}
	return ""
}

// text renders a decoded JSON message: a string as is, anything else as
// JSON.
func text(v any) string {
	if s, ok := v.(string); ok {
		return truncate(strings.TrimSpace(s))
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return truncate(string(b))
}

// truncate bounds a message a server sent, on a character boundary.
func truncate(s string) string {
	if len(s) <= maxErrorMessage {
		return s
	}
	cut := maxErrorMessage
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
