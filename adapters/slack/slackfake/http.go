package slackfake

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/slack-go/slack"
)

// serveUpload receives a file's data at the URL files.getUploadURLExternal
// gave: a multipart form with the data in the field "file", as slack-go
// sends it, or the data as the body.
func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/upload/")
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
	data, name := body, ""
	if ct, params, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err == nil && strings.HasPrefix(ct, "multipart/") {
		data = nil
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			if p.FormName() == "file" {
				name = p.FileName()
				data, _ = io.ReadAll(p)
			}
		}
	}
	_, token := parseParams(r, nil)
	s.mu.Lock()
	defer s.mu.Unlock()
	call := Call{
		Method:      MethodUpload,
		Params:      url.Values{"file_id": {id}, "filename": {name}},
		Body:        body,
		ContentType: r.Header.Get("Content-Type"),
		Token:       token,
		Time:        s.cfg.Now(),
		Status:      http.StatusOK,
	}
	f := s.fileByID[id]
	if ft, ok := s.takeFaultLocked(MethodUpload); ok {
		call.Status, call.Error = http.StatusInternalServerError, ft.err
		if ft.retryAfter > 0 {
			call.Status, call.Error = http.StatusTooManyRequests, "ratelimited"
			w.Header().Set("Retry-After", strconv.Itoa(int(ft.retryAfter.Seconds()+0.999)))
		}
		s.recordLocked(call)
		http.Error(w, call.Error, call.Status)
		return
	}
	if f == nil || r.Method != http.MethodPost || data == nil {
		call.Status, call.Error = http.StatusNotFound, "file_not_found"
		s.recordLocked(call)
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	f.Data, f.Uploaded = data, true
	s.recordLocked(call)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, "OK - "+strconv.Itoa(len(data)))
}

// serveDownload serves a file's url_private to a caller with the bot
// token.
func (s *Server) serveDownload(w http.ResponseWriter, r *http.Request) {
	id, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/files/"), "/")
	_, token := parseParams(r, nil)
	s.mu.Lock()
	f := s.fileByID[id]
	var data []byte
	if f != nil {
		data = f.Data
	}
	s.mu.Unlock()
	switch {
	case token != s.cfg.BotToken:
		http.Error(w, "forbidden", http.StatusForbidden)
	case f == nil || !f.Uploaded:
		http.NotFound(w, r)
	default:
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = w.Write(data)
	}
}

// responseURL is what a response_url answers for: a click on a message,
// or a slash command.
type responseURL struct {
	channel, threadTS string
	ts                string // the message clicked; empty for a command
	user              string // who clicked or ran the command
	uses              int
}

// maxResponseUses is how many times Slack lets a response_url be used.
const maxResponseUses = 5

// newResponseURLLocked returns a new response_url for r. s.mu is held.
func (s *Server) newResponseURLLocked(r *responseURL) string {
	id := s.nextIDLocked("r")
	s.responses[id] = r
	return s.base + "response/" + id
}

// serveResponseURL receives a post to a response_url: it replaces or
// deletes the message clicked (replace_original, delete_original), or
// posts a new message, private to the person (response_type ephemeral,
// the default) or in the channel (in_channel).
func (s *Server) serveResponseURL(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/response/")
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
	params, _ := parseParams(r, body)
	s.mu.Lock()
	defer s.mu.Unlock()
	call := Call{Method: MethodResponseURL, Params: params, Body: body, ContentType: r.Header.Get("Content-Type"), Time: s.cfg.Now(), Status: http.StatusOK}
	fail := func(status int, e string) {
		call.Status, call.Error = status, e
		s.recordLocked(call)
		writeJSON(w, status, obj{"ok": false, "error": e})
	}
	if ft, ok := s.takeFaultLocked(MethodResponseURL); ok {
		if ft.retryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(ft.retryAfter.Seconds()+0.999)))
			fail(http.StatusTooManyRequests, "ratelimited")
			return
		}
		fail(http.StatusOK, ft.err)
		return
	}
	resp := s.responses[id]
	switch {
	case resp == nil:
		fail(http.StatusNotFound, "no_such_url")
		return
	case resp.uses >= maxResponseUses:
		fail(http.StatusNotFound, "used_url")
		return
	}
	if err := s.respondLocked(resp, &apiRequest{params: params, time: call.Time, r: r}); err != nil {
		fail(http.StatusOK, err.Error())
		return
	}
	resp.uses++
	s.recordLocked(call)
	writeJSON(w, http.StatusOK, obj{"ok": true})
}

// respondLocked applies an answer through resp: a response_url post, a
// Socket Mode ack's payload or the body of an HTTP answer to a slash
// command. s.mu is held.
func (s *Server) respondLocked(resp *responseURL, q *apiRequest) error {
	orig := s.findLocked(resp.channel, resp.ts)
	if (orig == nil || orig.Deleted) && (q.get("delete_original") == "true" || q.get("replace_original") == "true") {
		return apiError("message_not_found")
	}
	switch {
	case q.get("delete_original") == "true":
		orig.Deleted = true
		orig.Changed = s.cfg.Now()
		s.changedLocked()
		return nil
	case q.get("replace_original") == "true":
		edited := *orig
		edited.Text, edited.rawBlocks, edited.Blocks, edited.rawAttachments, edited.Attachments = "", nil, slack.Blocks{}, nil, nil
		if err := s.setContentLocked(&edited, q); err != nil {
			return err
		}
		if edited.empty() {
			return apiError("no_text")
		}
		*orig = edited
		s.changeLocked(orig)
		return nil
	}
	m := &Msg{Channel: resp.channel, ThreadTS: resp.threadTS, User: s.cfg.BotUserID, BotID: s.cfg.BotID}
	if t := q.get("thread_ts"); t != "" {
		m.ThreadTS = t
	}
	if q.get("response_type") != "in_channel" {
		m.Ephemeral, m.To = true, resp.user
	}
	if err := s.setContentLocked(m, q); err != nil {
		return err
	}
	if m.empty() {
		return apiError("no_text")
	}
	s.addLocked(m)
	return nil
}
