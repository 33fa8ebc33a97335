package discordfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxBody caps what the fake reads of a request: Discord's upload limit
// for bots.
const maxBody = 25 << 20

// handler answers one route, with s.mu held: a status and a value to
// write as JSON (nil for no body), or an error (an *Error for Discord's
// error JSON).
type handler func(s *Server, q *request) (int, any, error)

// auth is what a route requires of the Authorization header.
type auth int

const (
	authBot  auth = iota // "Bot <token>"
	authNone             // nothing: an interaction's token is in the path
)

// route is a REST route the fake serves.
type route struct {
	template string
	auth     auth
	h        handler
}

// request is a REST call as the handlers see it.
type request struct {
	r       *http.Request
	call    *Call
	payload []byte // the JSON body, or the payload_json part
	files   []File
	now     time.Time
}

// path returns the value of the placeholder name ("channel.id").
func (q *request) path(name string) string {
	return q.r.PathValue(strings.ReplaceAll(name, ".", "_"))
}

// query returns the query parameter k.
func (q *request) query(k string) string { return q.r.URL.Query().Get(k) }

// routes returns the fake's handler: the REST routes under /api/v9 and
// /api/v10, the gateway and the attachments' downloads.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.routeTable() {
		method, path, _ := strings.Cut(rt.template, " ")
		pattern := method + " /api/{version}" + strings.ReplaceAll(path, ".", "_")
		mux.HandleFunc(pattern, s.serveREST(rt))
	}
	mux.HandleFunc("/api/", s.serveREST(route{auth: authNone, h: func(*Server, *request) (int, any, error) {
		return 0, nil, httpError(http.StatusNotFound)
	}}))
	mux.HandleFunc("GET /gateway", s.serveGateway)
	mux.HandleFunc("GET /gateway/{$}", s.serveGateway) // discordgo adds a slash
	mux.HandleFunc("GET /attachments/{channel_id}/{attachment_id}/{filename}", s.serveAttachment)
	return mux
}

// serveREST serves one route: it reads and records the call, applies any
// planned fault, checks the token and answers.
func (s *Server) serveREST(rt route) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
		path := r.URL.Path
		if v := r.PathValue("version"); v != "" {
			path = strings.TrimPrefix(path, "/api/"+v)
		} else if _, rest, ok := strings.Cut(strings.TrimPrefix(path, "/api/"), "/"); ok {
			path = "/" + rest
		}
		call := &Call{
			Method:      r.Method,
			Route:       rt.template,
			Path:        path,
			Query:       r.URL.Query(),
			Body:        body,
			ContentType: r.Header.Get("Content-Type"),
			Token:       r.Header.Get("Authorization"),
		}
		q := &request{r: r, call: call}
		perr := q.parseBody(body)

		s.mu.Lock()
		defer s.mu.Unlock()
		q.now = s.cfg.Now()
		call.Time = q.now
		if v := r.PathValue("version"); v != "" && v != "v9" && v != "v10" {
			s.answerLocked(w, call, rt.template, 0, nil, httpError(http.StatusNotFound))
			return
		}
		if f, global, ok := s.takeFaultLocked(rt.template); ok {
			if f.retryAfter > 0 {
				s.rateLimitedLocked(w, call, rt.template, f.retryAfter, global)
				return
			}
			e := apiError(f.code)
			e.Status = f.status
			s.answerLocked(w, call, rt.template, 0, nil, e)
			return
		}
		if rt.auth == authBot && call.Token != "Bot "+s.cfg.Token {
			s.answerLocked(w, call, rt.template, 0, nil, httpError(http.StatusUnauthorized))
			return
		}
		if perr != nil {
			s.answerLocked(w, call, rt.template, 0, nil, perr)
			return
		}
		status, v, err := rt.h(s, q)
		s.answerLocked(w, call, rt.template, status, v, err)
	}
}

// parseBody reads a JSON body, or a multipart one (payload_json and
// files[n]), into q.
func (q *request) parseBody(body []byte) error {
	ct, params, _ := mime.ParseMediaType(q.r.Header.Get("Content-Type"))
	switch {
	case len(body) == 0:
		return nil
	case ct == "multipart/form-data":
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return formError("", "MULTIPART_INVALID", "Invalid multipart body.")
			}
			data, _ := io.ReadAll(p)
			switch name := p.FormName(); {
			case name == "payload_json":
				q.payload = data
			case strings.HasPrefix(name, "files["):
				q.files = append(q.files, File{
					Field:       name,
					Filename:    p.FileName(),
					ContentType: p.Header.Get("Content-Type"),
					Data:        data,
				})
			}
		}
		q.call.Files = q.files
	default:
		q.payload = body
	}
	q.call.payload = q.payload
	if len(q.payload) > 0 {
		if err := json.Unmarshal(q.payload, &q.call.JSON); err != nil {
			return &Error{Status: 400, Code: 50109, Message: "The request body contains invalid JSON."}
		}
	}
	return nil
}

// answerLocked writes the answer of a call and records it. s.mu is held.
func (s *Server) answerLocked(w http.ResponseWriter, call *Call, template string, status int, v any, err error) {
	if err != nil {
		e, ok := err.(*Error)
		if !ok {
			e = &Error{Status: 500, Message: "500: Internal Server Error"}
		}
		status, v = e.Status, e
		call.Code = e.Code
	}
	call.Status = status
	s.bucketHeaders(w.Header(), template, false)
	if v != nil {
		call.Answer = marshal(v)
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	_, _ = w.Write(call.Answer)
	s.calls = append(s.calls, *call)
	s.changedLocked()
}

// bucketHeaders sets the X-RateLimit headers Discord puts on every
// answer. The fake never limits by itself (only RateLimit does), so a
// bucket always has calls left; exhausted is set on a 429.
func (s *Server) bucketHeaders(h http.Header, template string, exhausted bool) {
	if template == "" {
		return
	}
	hash := fnv.New64a()
	hash.Write([]byte(template))
	h.Set("X-RateLimit-Bucket", fmt.Sprintf("%016x", hash.Sum64()))
	h.Set("X-RateLimit-Limit", "50")
	if exhausted {
		h.Set("X-RateLimit-Remaining", "0")
	} else {
		h.Set("X-RateLimit-Remaining", "49")
		h.Set("X-RateLimit-Reset-After", "1.000")
		h.Set("X-RateLimit-Reset", resetAt(s.cfg.Now().Add(time.Second)))
	}
}

// resetAt formats t as X-RateLimit-Reset does: Unix seconds with
// milliseconds.
func resetAt(t time.Time) string {
	return strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', 3, 64)
}

// rateLimitedLocked answers a call with a 429, as Discord does for a
// route's bucket or, when global, for the global limit. s.mu is held.
func (s *Server) rateLimitedLocked(w http.ResponseWriter, call *Call, template string, after time.Duration, global bool) {
	secs := after.Seconds()
	h := w.Header()
	h.Set("Retry-After", strconv.Itoa(int(math.Ceil(secs))))
	if global {
		h.Set("X-RateLimit-Global", "true")
		h.Set("X-RateLimit-Scope", "global")
	} else {
		s.bucketHeaders(h, template, true)
		h.Set("X-RateLimit-Reset-After", strconv.FormatFloat(secs, 'f', 3, 64))
		h.Set("X-RateLimit-Reset", resetAt(s.cfg.Now().Add(after)))
		h.Set("X-RateLimit-Scope", "user")
	}
	body := obj{"message": "You are being rate limited.", "retry_after": math.Round(secs*1000) / 1000, "global": global}
	if global {
		body["code"] = 0
	}
	call.Status = http.StatusTooManyRequests
	call.Answer = marshal(body)
	h.Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusTooManyRequests)
	_, _ = w.Write(call.Answer)
	s.calls = append(s.calls, *call)
	s.changedLocked()
}

// serveAttachment serves an uploaded file, as Discord's CDN does.
func (s *Server) serveAttachment(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	var f *File
	for _, m := range s.msgs {
		for i := range m.Attachments {
			if m.Attachments[i].ID == r.PathValue("attachment_id") && m.ChannelID == r.PathValue("channel_id") {
				f = &m.Attachments[i]
			}
		}
	}
	s.mu.Unlock()
	if f == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", f.ContentType)
	_, _ = w.Write(f.Data)
}

// obj is a JSON object the fake writes.
type obj = map[string]any

// marshal encodes v as JSON without escaping <, > and &, which Discord's
// markup is full of.
func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return []byte(`{"message":"discordfake: cannot encode the answer","code":0}`)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}
