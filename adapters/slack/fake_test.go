package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeSlack is a Web API server on loopback that answers in Slack's JSON
// shapes. It keeps the messages posted, edited, deleted and streamed, and
// records every call with its parameters; a test overrides a method's
// answer with on.
type fakeSlack struct {
	t   *testing.T
	srv *httptest.Server

	mu        sync.Mutex
	calls     []apiCall
	overrides map[string]override
	msgs      map[string]*fakeMsg // ts → message
	order     []string            // ts, in the order posted
	seq       int
	uploads   map[string][]byte // upload URL path → the file's data
}

// apiCall is a call the fake received.
type apiCall struct {
	Method string
	Form   url.Values
	At     time.Time
}

// override answers the nth call (from 1) of its method, or returns false
// to let the fake answer as usual.
type override func(n int, w http.ResponseWriter, form url.Values) bool

// fakeMsg is a message as the fake shows it.
type fakeMsg struct {
	Channel, TS, Thread string
	Text                string // text, or a stream's markdown_text so far
	Blocks, Attachments string // JSON, as sent
	Streaming           bool
	Deleted             bool
}

func newFake(t *testing.T) *fakeSlack {
	t.Helper()
	f := &fakeSlack{t: t, overrides: map[string]override{}, msgs: map[string]*fakeMsg{}, uploads: map[string][]byte{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// adapter returns an adapter talking to the fake, with the bot's identity
// set as Start would, no pacing unless mod sets it, and streams that flush
// every 10 ms.
func (f *fakeSlack) adapter(mod func(*Config)) *Adapter {
	f.t.Helper()
	cfg := Config{
		BotToken:      "xoxb-test",
		SigningSecret: "secret",
		Env:           func(string) string { return "" },
		APIURL:        f.srv.URL + "/api/",
		PostInterval:  -1,
		Logger:        slog.New(slog.DiscardHandler),
	}
	if mod != nil {
		mod(&cfg)
	}
	a, err := New(cfg)
	if err != nil {
		f.t.Fatalf("New: %v", err)
	}
	a.me = identity{UserID: "UBOT", BotID: "BBOT", TeamID: "T1", Team: "Test"}
	a.out.flushEvery = 10 * time.Millisecond
	return a
}

// on overrides the answers to method.
func (f *fakeSlack) on(method string, o override) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.overrides[method] = o
}

// callsTo returns the calls of method, in order.
func (f *fakeSlack) callsTo(method string) []apiCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []apiCall
	for _, c := range f.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// methods returns the methods called, in order.
func (f *fakeSlack) methods() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, len(f.calls))
	for i, c := range f.calls {
		out[i] = c.Method
	}
	return out
}

// shown returns the messages not deleted, in the order posted.
func (f *fakeSlack) shown() []fakeMsg {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeMsg
	for _, ts := range f.order {
		if m := f.msgs[ts]; !m.Deleted {
			out = append(out, *m)
		}
	}
	return out
}

// msg returns the message ts as it stands.
func (f *fakeSlack) msg(ts string) (fakeMsg, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, ok := f.msgs[ts]
	if !ok {
		return fakeMsg{}, false
	}
	return *m, true
}

// waitFor polls cond until it holds, failing the test after 5 seconds.
func (f *fakeSlack) waitFor(what string, cond func() bool) {
	f.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			f.t.Fatalf("timed out waiting for %s; calls: %v", what, f.methods())
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func slackError(w http.ResponseWriter, code string) {
	reply(w, map[string]any{"ok": false, "error": code})
}

func (f *fakeSlack) serve(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/upload/") {
		f.upload(w, r)
		return
	}
	method, ok := strings.CutPrefix(r.URL.Path, "/api/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	form := r.Form
	f.mu.Lock()
	f.calls = append(f.calls, apiCall{Method: method, Form: form, At: time.Now()})
	n := 0
	for _, c := range f.calls {
		if c.Method == method {
			n++
		}
	}
	o := f.overrides[method]
	f.mu.Unlock()
	if o != nil && o(n, w, form) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch method {
	case "chat.postMessage", "chat.startStream":
		f.seq++
		ts := fmt.Sprintf("1700000000.%06d", f.seq)
		m := &fakeMsg{Channel: form.Get("channel"), TS: ts, Thread: form.Get("thread_ts"),
			Text: form.Get("text"), Blocks: form.Get("blocks"), Attachments: form.Get("attachments")}
		if method == "chat.startStream" {
			m.Text, m.Streaming = form.Get("markdown_text"), true
		}
		f.msgs[ts] = m
		f.order = append(f.order, ts)
		reply(w, map[string]any{"ok": true, "channel": m.Channel, "ts": ts})
	case "chat.update":
		m, ok := f.msgs[form.Get("ts")]
		if !ok || m.Deleted {
			slackError(w, "message_not_found")
			return
		}
		m.Text, m.Blocks, m.Attachments = form.Get("text"), form.Get("blocks"), form.Get("attachments")
		reply(w, map[string]any{"ok": true, "channel": m.Channel, "ts": m.TS, "text": m.Text})
	case "chat.delete":
		m, ok := f.msgs[form.Get("ts")]
		if !ok || m.Deleted {
			slackError(w, "message_not_found")
			return
		}
		m.Deleted = true
		reply(w, map[string]any{"ok": true, "channel": m.Channel, "ts": m.TS})
	case "chat.appendStream", "chat.stopStream":
		m, ok := f.msgs[form.Get("ts")]
		if !ok || !m.Streaming {
			slackError(w, "message_not_in_streaming_state")
			return
		}
		m.Text += form.Get("markdown_text")
		m.Streaming = method == "chat.appendStream"
		reply(w, map[string]any{"ok": true, "channel": m.Channel, "ts": m.TS})
	case "chat.postEphemeral":
		reply(w, map[string]any{"ok": true, "message_ts": "1700000099.000001"})
	default:
		reply(w, map[string]any{"ok": true})
	}
}

// upload receives a file sent to an upload URL the fake handed out.
func (f *fakeSlack) upload(w http.ResponseWriter, r *http.Request) {
	file, _, err := r.FormFile("file")
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	data, err := io.ReadAll(file)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.uploads[r.URL.Path] = data
	f.calls = append(f.calls, apiCall{Method: "upload", At: time.Now()})
	f.mu.Unlock()
	_, _ = io.WriteString(w, "OK")
}

// blockTexts returns the text of every block of a message's blocks, or of
// its attachments' blocks, in order: what a person reads.
func blockTexts(t *testing.T, m fakeMsg) []string {
	t.Helper()
	var blocks []map[string]any
	if m.Blocks != "" && m.Blocks != "[]" {
		if err := json.Unmarshal([]byte(m.Blocks), &blocks); err != nil {
			t.Fatalf("blocks of %s: %v", m.TS, err)
		}
	}
	if m.Attachments != "" && m.Attachments != "[]" {
		var atts []struct {
			Blocks []map[string]any `json:"blocks"`
		}
		if err := json.Unmarshal([]byte(m.Attachments), &atts); err != nil {
			t.Fatalf("attachments of %s: %v", m.TS, err)
		}
		for _, a := range atts {
			blocks = append(blocks, a.Blocks...)
		}
	}
	var out []string
	for _, b := range blocks {
		if txt, ok := b["text"].(map[string]any); ok {
			out = append(out, fmt.Sprint(txt["text"]))
		}
	}
	return out
}

// blockIDs returns the block_id of every block of a message that has one.
func blockIDs(t *testing.T, m fakeMsg) []string {
	t.Helper()
	var out []string
	collect := func(raw string) {
		if raw == "" {
			return
		}
		var blocks []map[string]any
		if err := json.Unmarshal([]byte(raw), &blocks); err != nil {
			t.Fatalf("blocks of %s: %v", m.TS, err)
		}
		for _, b := range blocks {
			if id, ok := b["block_id"].(string); ok && id != "" {
				out = append(out, id)
			}
		}
	}
	collect(m.Blocks)
	return out
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	t.Cleanup(cancel)
	return ctx
}
