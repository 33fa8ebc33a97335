package openaitest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Response is the scripted answer to one chat completions request. The zero
// Response streams an empty answer that finishes with "stop".
//
// A request with "stream": false is answered with one chat.completion
// object built from the same fields; Stall then holds it back until the
// client goes away, and CutAfter cuts its body in half.
type Response struct {
	// Text is the answer's text content. It is streamed in pieces: see
	// TextChunks.
	Text string
	// TextChunks is the number of content chunks Text is split into, on
	// character boundaries. Zero splits it after each run of white space
	// (word by word), and a single word of more than one character in two
	// halves, so a Text longer than one character always arrives in at
	// least two chunks. A TextChunks above the number of characters sends
	// one character per chunk.
	TextChunks int
	// ToolCalls are the function calls the model makes, streamed after the
	// text.
	ToolCalls []ToolCall
	// FinishReason is sent in the last chunk. It defaults to "tool_calls"
	// when there are ToolCalls, else to "stop".
	FinishReason string
	// Usage is the token count sent, as the real API does, in a final chunk
	// with empty choices when the request asked for it with
	// stream_options.include_usage (and always in a non-streamed answer).
	// It defaults to an estimate of about four characters per token.
	Usage *Usage
	// Status, when non-zero, makes the server answer with this HTTP status
	// and an OpenAI-style error body,
	// {"error":{"message":...,"type":...,"param":null,"code":...}}, instead
	// of a completion.
	Status int
	// ErrorMessage is the error body's message for a Status answer. It
	// defaults to a message like the real API's for that status.
	ErrorMessage string
	// Header holds extra response headers, for a Status answer and a
	// stream alike. Clients built on openai-go retry 408, 409, 429 and 5xx
	// answers and wait as long as Retry-After or retry-after-ms say; set
	// retry-after-ms to "0" to keep retry tests fast.
	Header http.Header
	// CutAfter, when positive, makes the server close the connection
	// abruptly after sending this many data chunks: the client sees the
	// stream break off with no finish_reason and no [DONE]. If the response
	// has no more chunks than CutAfter, they are all sent and the connection
	// is cut before [DONE].
	CutAfter int
	// Stall makes the server send the content and tool call chunks, then
	// hold the connection open, sending nothing more, until the client goes
	// away; the request is then recorded with ClientGone set.
	Stall bool
	// Delay is a pause before each chunk after the first.
	Delay time.Duration
}

// ToolCall is a function call the model makes.
type ToolCall struct {
	// ID is the call's id. When empty, the chunks carry no id, as some
	// OpenAI-compatible servers do.
	ID string
	// Name is the function's name.
	Name string
	// Arguments is the full JSON arguments text. Unless ArgumentChunks is
	// set, it is streamed in pieces of at most eight characters.
	Arguments string
	// ArgumentChunks, when set, are the pieces the arguments are streamed
	// as, exactly. Their concatenation must equal Arguments, or Arguments
	// must be empty. Each piece should be valid UTF-8, as the JSON of a
	// chunk can only carry whole characters.
	ArgumentChunks []string
}

// Usage is the token count of one completion.
type Usage struct {
	PromptTokens     int
	CompletionTokens int
	TotalTokens      int
}

// Server is a fake OpenAI-compatible service on loopback. Its methods are
// safe for concurrent use.
type Server struct {
	// URL is the API's base URL, including the /v1 path, such as
	// http://127.0.0.1:54321/v1: what an OpenAI client takes as its base
	// URL.
	URL string

	t     testing.TB // nil for a server made by New
	srv   *httptest.Server
	done  chan struct{} // closed at Close, to release stalled handlers
	close sync.Once

	mu     sync.Mutex
	script []Response
	reqs   []*Request
	n      int // requests received, for ids
}

// NewServer starts a Server on a loopback port for a test. It is closed
// when the test and its subtests finish, and a bad script (see
// [Server.Enqueue]) fails the test.
func NewServer(t testing.TB) *Server {
	t.Helper()
	s := New()
	s.t = t
	t.Cleanup(s.Close)
	return s
}

// New starts a Server on a loopback port outside a test (in an example, a
// demo); the caller closes it. A bad script makes Enqueue panic.
func New() *Server {
	s := &Server{done: make(chan struct{})}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.URL = s.srv.URL + "/v1"
	return s
}

// Close shuts the server down. A response still stalled is released first,
// so Close never hangs. Closing twice is harmless.
func (s *Server) Close() {
	s.close.Do(func() {
		close(s.done)
		s.srv.Close()
	})
}

// misuse reports a bad script: to the test, or as a panic.
func (s *Server) misuse(format string, args ...any) {
	if s.t == nil {
		panic(fmt.Sprintf(format, args...))
	}
	s.t.Helper()
	s.t.Errorf(format, args...)
}

// Enqueue adds responses to the script. Each chat completions request is
// answered with the next one, in order. A response whose ArgumentChunks
// contradict its Arguments, or whose Status is not a valid HTTP status,
// fails the test (or panics, for a server made by New).
func (s *Server) Enqueue(rs ...Response) {
	if s.t != nil {
		s.t.Helper()
	}
	for i, r := range rs {
		if r.Status != 0 && (r.Status < 100 || r.Status > 999) {
			s.misuse("openaitest: response %d: invalid HTTP status %d", i, r.Status)
		}
		for j, c := range r.ToolCalls {
			if len(c.ArgumentChunks) > 0 && c.Arguments != "" && strings.Join(c.ArgumentChunks, "") != c.Arguments {
				s.misuse("openaitest: response %d, tool call %d: ArgumentChunks join to %q, not Arguments %q",
					i, j, strings.Join(c.ArgumentChunks, ""), c.Arguments)
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = append(s.script, rs...)
}

// Requests returns a copy of every request received so far, in the order
// they arrived, including those that got an error. A request still being
// answered may later be marked ClientGone: call Requests again to see it.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.reqs))
	for i, r := range s.reqs {
		out[i] = r.clone()
	}
	return out
}

// Pending returns the number of scripted responses not yet served.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.script)
}

// record adds a request to the log and returns its number, from 1.
func (s *Server) record(r *Request) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, r)
	s.n++
	return s.n
}

// next pops the next scripted response.
func (s *Server) next() (Response, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.script) == 0 {
		return Response{}, false
	}
	r := s.script[0]
	s.script[0] = Response{}
	s.script = s.script[1:]
	return r, true
}

// clientGone marks a recorded request as abandoned by its client.
func (s *Server) clientGone(r *Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r.ClientGone = true
}

// maxBody bounds a request body; the real API's limit is of this order.
const maxBody = 32 << 20

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	rec, decodeErr := readRequest(w, r)
	n := s.record(rec)
	w.Header().Set("X-Request-Id", fmt.Sprintf("req_openaitest_%d", n))

	if r.URL.Path != "/v1/chat/completions" || r.Method != http.MethodPost {
		writeError(w, http.StatusNotFound, fmt.Sprintf("Invalid URL (%s %s)", r.Method, r.URL.Path), "invalid_request_error", "")
		return
	}
	if decodeErr != nil {
		writeError(w, http.StatusBadRequest,
			"We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
			"invalid_request_error", "")
		return
	}
	resp, ok := s.next()
	if !ok {
		// A missing script entry is a test bug: tell the client not to
		// retry, so the test fails at once with this message.
		w.Header().Set("X-Should-Retry", "false")
		writeError(w, http.StatusInternalServerError, "openaitest: no scripted response left", "server_error", "")
		return
	}
	for k, vs := range resp.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if resp.Status != 0 {
		status := resp.Status
		if status < 100 || status > 999 {
			status = http.StatusInternalServerError
		}
		msg, typ, code := errorDefaults(status)
		if resp.ErrorMessage != "" {
			msg = resp.ErrorMessage
		}
		writeError(w, status, msg, typ, code)
		return
	}

	a := &answer{
		srv:  s,
		rec:  rec,
		resp: resp,
		w:    w,
		rc:   http.NewResponseController(w),
		req:  r,
		id:   fmt.Sprintf("chatcmpl-openaitest%d", n),
		now:  time.Now().Unix(),
	}
	if rec.Stream {
		a.stream()
	} else {
		a.complete()
	}
}
