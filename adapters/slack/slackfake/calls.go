package slackfake

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Names under which Calls records requests that are not Web API methods.
const (
	// MethodUpload is a file's upload to the URL files.getUploadURLExternal
	// gave.
	MethodUpload = "upload"
	// MethodResponseURL is a post to the response_url of a click or a
	// slash command.
	MethodResponseURL = "response_url"
)

// Call is one request the fake answered.
type Call struct {
	// Method is the Web API method ("chat.postMessage"), or MethodUpload
	// or MethodResponseURL.
	Method string
	// Params are the call's arguments: the form fields of a form-encoded
	// call, or the top-level fields of a JSON one (strings as they are,
	// other values as JSON). The token is left out.
	Params url.Values
	// Body is the request's body as sent.
	Body []byte
	// ContentType is the request's Content-Type.
	ContentType string
	// Token is the token the call carried, in its "token" field or its
	// Authorization header.
	Token string
	// Time is when the fake received the call, by Config.Now.
	Time time.Time
	// Status is the HTTP status of the answer: 200, or 429 when
	// rate-limited.
	Status int
	// Error is the "error" of an answer with "ok": false; empty when the
	// call succeeded.
	Error string
}

// OK reports whether the call succeeded.
func (c Call) OK() bool { return c.Status == http.StatusOK && c.Error == "" }

// Calls returns every call the fake answered, in the order it answered
// them; only those of the given methods when any are given.
func (s *Server) Calls(methods ...string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if len(methods) == 0 || slices.Contains(methods, c.Method) {
			out = append(out, c)
		}
	}
	return out
}

// fault is an answer the fake gives instead of the real one.
type fault struct {
	retryAfter time.Duration // a 429 when positive
	err        string        // else {"ok":false,"error":err}
}

// RateLimit makes the next n calls of method fail as Slack's rate limit
// does: HTTP 429 Too Many Requests with a Retry-After header. Slack gives
// Retry-After in whole seconds; a retryAfter that is not is rounded up.
func (s *Server) RateLimit(method string, retryAfter time.Duration, n int) {
	s.addFault(method, fault{retryAfter: max(retryAfter, time.Second)}, n)
}

// Fail makes the next n calls of method answer {"ok":false,"error":
// slackError}. An upload (MethodUpload) fails with HTTP 500 instead.
func (s *Server) Fail(method, slackError string, n int) {
	s.addFault(method, fault{err: slackError}, n)
}

func (s *Server) addFault(method string, f fault, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults[method] = append(s.faults[method], f)
	}
}

// takeFaultLocked returns the next fault planned for method. s.mu is
// held.
func (s *Server) takeFaultLocked(method string) (fault, bool) {
	fs := s.faults[method]
	if len(fs) == 0 {
		return fault{}, false
	}
	s.faults[method] = fs[1:]
	return fs[0], true
}

// recordLocked records a call and wakes the waiters. s.mu is held.
func (s *Server) recordLocked(c Call) {
	s.calls = append(s.calls, c)
	s.changedLocked()
}

// obj is a JSON object the fake answers.
type obj = map[string]any

// apiError is an error a Web API method answers: {"ok":false,"error":…}.
type apiError string

func (e apiError) Error() string { return string(e) }

// auth is the token a route requires.
type auth int

const (
	authBot  auth = iota // the bot token
	authApp              // the app-level token
	authNone             // none
)

// route is a Web API method: the token it needs and its handler, which
// runs with s.mu held and returns the fields of a successful answer (ok
// is added) or an apiError.
type route struct {
	auth auth
	h    func(*Server, *apiRequest) (obj, error)
}

// apiRequest is a Web API call as the handlers see it.
type apiRequest struct {
	params url.Values
	token  string
	time   time.Time
	r      *http.Request
}

func (q *apiRequest) get(k string) string { return q.params.Get(k) }

// has reports whether the call gave the argument k, even empty.
func (q *apiRequest) has(k string) bool { _, ok := q.params[k]; return ok }

// maxBody caps what the fake reads of a request.
const maxBody = 64 << 20

// serveAPI serves the Web API method with r: it reads and records the
// call, applies any planned fault, checks the token and answers.
func (s *Server) serveAPI(method string, rt route) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
		params, token := parseParams(r, body)
		s.mu.Lock()
		defer s.mu.Unlock()
		call := Call{
			Method:      method,
			Params:      params,
			Body:        body,
			ContentType: r.Header.Get("Content-Type"),
			Token:       token,
			Time:        s.cfg.Now(),
			Status:      http.StatusOK,
		}
		var answer obj
		var err error
		if f, ok := s.takeFaultLocked(method); ok {
			if f.retryAfter > 0 {
				call.Status = http.StatusTooManyRequests
				call.Error = "ratelimited"
				s.recordLocked(call)
				secs := int(math.Ceil(f.retryAfter.Seconds()))
				w.Header().Set("Retry-After", strconv.Itoa(secs))
				writeJSON(w, http.StatusTooManyRequests, obj{"ok": false, "error": "ratelimited"})
				return
			}
			err = apiError(f.err)
		} else if err = s.checkToken(rt.auth, token); err == nil {
			answer, err = rt.h(s, &apiRequest{params: params, token: token, time: call.Time, r: r})
		}
		if err != nil {
			e, ok := err.(apiError)
			if !ok {
				e = apiError("internal_error")
			}
			call.Error = string(e)
			answer = obj{"ok": false, "error": string(e)}
		} else {
			if answer == nil {
				answer = obj{}
			}
			answer["ok"] = true
		}
		s.recordLocked(call)
		writeJSON(w, http.StatusOK, answer)
	}
}

// checkToken checks the token a call carried, as Slack does.
func (s *Server) checkToken(a auth, token string) error {
	switch {
	case a == authNone:
		return nil
	case token == "":
		return apiError("not_authed")
	case a == authApp && token == s.cfg.AppToken:
		return nil
	case a == authApp && strings.HasPrefix(token, "xoxb-"):
		return apiError("not_allowed_token_type")
	case a == authBot && token == s.cfg.BotToken:
		return nil
	case a == authBot && strings.HasPrefix(token, "xapp-"):
		return apiError("not_allowed_token_type")
	}
	return apiError("invalid_auth")
}

// parseParams returns a call's arguments and token, from its query, its
// form-encoded or JSON body and its Authorization header.
func parseParams(r *http.Request, body []byte) (url.Values, string) {
	params := url.Values{}
	for k, v := range r.URL.Query() {
		params[k] = append(params[k], v...)
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		for k, v := range flattenJSON(body) {
			params[k] = v
		}
	case "application/x-www-form-urlencoded", "":
		if form, err := url.ParseQuery(string(body)); err == nil {
			for k, v := range form {
				params[k] = append(params[k], v...)
			}
		}
	}
	token := params.Get("token")
	params.Del("token")
	if h := r.Header.Get("Authorization"); token == "" && strings.HasPrefix(h, "Bearer ") {
		token = strings.TrimPrefix(h, "Bearer ")
	}
	return params, token
}

// flattenJSON returns the top-level fields of a JSON object: strings as
// they are, other values as JSON.
func flattenJSON(body []byte) url.Values {
	out := url.Values{}
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) != nil {
		return out
	}
	for k, raw := range fields {
		var str string
		if json.Unmarshal(raw, &str) == nil {
			out.Set(k, str)
		} else {
			out.Set(k, string(raw))
		}
	}
	return out
}

// marshal encodes v as Slack writes JSON: without escaping <, > and &,
// which mrkdwn is full of.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// writeJSON writes v as a JSON answer.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := marshal(v)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
