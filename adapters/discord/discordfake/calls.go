package discordfake

import (
	"encoding/json"
	"slices"
	"strconv"
	"time"
)

// The routes the fake serves, named as Discord's documentation writes
// them: the HTTP method and the path after /api/v10, with placeholders.
// Calls, RateLimit and Fail take them.
const (
	RouteGetGateway    = "GET /gateway"
	RouteGetGatewayBot = "GET /gateway/bot"

	RouteGetChannel             = "GET /channels/{channel.id}"
	RouteGetMessages            = "GET /channels/{channel.id}/messages"
	RouteGetMessage             = "GET /channels/{channel.id}/messages/{message.id}"
	RouteCreateMessage          = "POST /channels/{channel.id}/messages"
	RouteEditMessage            = "PATCH /channels/{channel.id}/messages/{message.id}"
	RouteDeleteMessage          = "DELETE /channels/{channel.id}/messages/{message.id}"
	RouteStartThreadFromMessage = "POST /channels/{channel.id}/messages/{message.id}/threads"
	RouteStartThread            = "POST /channels/{channel.id}/threads"
	RouteCreateReaction         = "PUT /channels/{channel.id}/messages/{message.id}/reactions/{emoji}/@me"
	RouteDeleteOwnReaction      = "DELETE /channels/{channel.id}/messages/{message.id}/reactions/{emoji}/@me"
	RouteTriggerTyping          = "POST /channels/{channel.id}/typing"

	RouteGetCurrentUser = "GET /users/@me"
	RouteGetUser        = "GET /users/{user.id}"
	RouteCreateDM       = "POST /users/@me/channels"
	RouteGetGuild       = "GET /guilds/{guild.id}"
	RouteGetMember      = "GET /guilds/{guild.id}/members/{user.id}"
	RouteSearchMembers  = "GET /guilds/{guild.id}/members/search"

	RouteGetApplication       = "GET /applications/@me"
	RouteGetOAuth2Application = "GET /oauth2/applications/@me"
	RouteGetGlobalCommands    = "GET /applications/{application.id}/commands"
	RoutePutGlobalCommands    = "PUT /applications/{application.id}/commands"
	RouteGetGuildCommands     = "GET /applications/{application.id}/guilds/{guild.id}/commands"
	RoutePutGuildCommands     = "PUT /applications/{application.id}/guilds/{guild.id}/commands"

	RouteInteractionCallback = "POST /interactions/{interaction.id}/{interaction.token}/callback"
	RouteCreateFollowup      = "POST /webhooks/{application.id}/{interaction.token}"
	RouteGetOriginal         = "GET /webhooks/{application.id}/{interaction.token}/messages/@original"
	RouteEditOriginal        = "PATCH /webhooks/{application.id}/{interaction.token}/messages/@original"
	RouteDeleteOriginal      = "DELETE /webhooks/{application.id}/{interaction.token}/messages/@original"
	RouteGetFollowup         = "GET /webhooks/{application.id}/{interaction.token}/messages/{message.id}"
	RouteEditFollowup        = "PATCH /webhooks/{application.id}/{interaction.token}/messages/{message.id}"
	RouteDeleteFollowup      = "DELETE /webhooks/{application.id}/{interaction.token}/messages/{message.id}"
)

// Call is one REST request the fake answered.
type Call struct {
	// Method is the HTTP method.
	Method string
	// Route is the route template (RouteCreateMessage…); empty for a path
	// the fake does not serve.
	Route string
	// Path is the path requested, after /api/vN ("/channels/123/messages"),
	// with its query in Query.
	Path  string
	Query map[string][]string
	// Body is the request's body as sent, and ContentType its type.
	Body        []byte
	ContentType string
	// JSON is the request's JSON (the payload_json part of a multipart
	// request) decoded with encoding/json; nil when it had none. Decode
	// decodes it into a type of your own.
	JSON any
	// Files are the files of a multipart request.
	Files []File
	// Token is the Authorization header.
	Token string
	// Time is when the fake received the call, by Config.Now.
	Time time.Time
	// Status is the HTTP status of the answer; Code the Discord error code
	// of an error answer ("code" in its JSON), 0 otherwise.
	Status int
	Code   int
	// Answer is the answer's body.
	Answer []byte

	payload []byte // the raw JSON of the request
}

// Decode decodes the call's JSON (the payload_json of a multipart one)
// into v, a discordgo.MessageSend for instance.
func (c Call) Decode(v any) error { return json.Unmarshal(c.payload, v) }

// OK reports whether the call succeeded (a 2xx answer).
func (c Call) OK() bool { return c.Status >= 200 && c.Status < 300 }

// Calls returns every REST call the fake answered, in the order it
// answered them; only those of the given routes when any are given.
func (s *Server) Calls(routes ...string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if len(routes) == 0 || slices.Contains(routes, c.Route) {
			out = append(out, c)
		}
	}
	return out
}

// fault is an answer the fake gives instead of the real one.
type fault struct {
	retryAfter time.Duration // a 429 when positive
	status     int           // else an error with this status
	code       int           // and this Discord code
}

// RateLimit makes the next n calls of route answer as Discord does when
// a route's bucket is exhausted: HTTP 429 with {"message","retry_after",
// "global":false} and the headers X-RateLimit-Limit, -Remaining (0),
// -Reset, -Reset-After, -Bucket and -Scope ("user"), and Retry-After.
// retry_after is in seconds with a fraction, as Discord sends it.
func (s *Server) RateLimit(route string, retryAfter time.Duration, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults[route] = append(s.faults[route], fault{retryAfter: max(retryAfter, time.Millisecond)})
	}
}

// GlobalRateLimit makes the next n calls, of any route, answer as
// Discord's global rate limit does: HTTP 429 with "global": true and the
// headers X-RateLimit-Global: true, X-RateLimit-Scope: global and
// Retry-After.
func (s *Server) GlobalRateLimit(retryAfter time.Duration, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.global = append(s.global, fault{retryAfter: max(retryAfter, time.Millisecond)})
	}
}

// Fail makes the next n calls of route answer HTTP status with Discord's
// error JSON {"message": …, "code": code}: Fail(RouteCreateMessage, 403,
// 50013, 1) for Missing Permissions, for instance.
func (s *Server) Fail(route string, status, code, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults[route] = append(s.faults[route], fault{status: status, code: code})
	}
}

// takeFaultLocked returns the next fault planned for route, a global
// rate limit first. s.mu is held.
func (s *Server) takeFaultLocked(route string) (f fault, global, ok bool) {
	if len(s.global) > 0 {
		f, s.global = s.global[0], s.global[1:]
		return f, true, true
	}
	fs := s.faults[route]
	if len(fs) == 0 {
		return fault{}, false, false
	}
	s.faults[route] = fs[1:]
	return fs[0], false, true
}

// Error is an error answer of the REST API, in Discord's JSON.
type Error struct {
	// Status is the HTTP status.
	Status int `json:"-"`
	// Code is Discord's JSON error code (10008 Unknown Message…), 0 for
	// a plain HTTP error.
	Code int `json:"code"`
	// Message is Discord's message for the code.
	Message string `json:"message"`
	// Errors are the details of an Invalid Form Body (50035): an object
	// that follows the request's JSON down to each bad field, whose
	// "_errors" list {"code", "message"}.
	Errors any `json:"errors,omitempty"`
}

func (e *Error) Error() string {
	return "discordfake: " + strconv.Itoa(e.Status) + " " + strconv.Itoa(e.Code) + " " + e.Message
}

// messages are Discord's texts and statuses for the codes the fake
// answers.
var messages = map[int]struct {
	status int
	text   string
}{
	10002:  {404, "Unknown Application"},
	10003:  {404, "Unknown Channel"},
	10004:  {404, "Unknown Guild"},
	10007:  {404, "Unknown Member"},
	10008:  {404, "Unknown Message"},
	10013:  {404, "Unknown User"},
	10014:  {400, "Unknown Emoji"},
	10015:  {404, "Unknown Webhook"},
	10062:  {404, "Unknown interaction"},
	40060:  {400, "Interaction has already been acknowledged."},
	50001:  {403, "Missing Access"},
	50005:  {403, "Cannot edit a message authored by another user"},
	50006:  {400, "Cannot send an empty message"},
	50007:  {403, "Cannot send messages to this user"},
	50008:  {400, "Cannot send messages in a non-text channel"},
	50013:  {403, "Missing Permissions"},
	50024:  {400, "Cannot execute action on this channel type"},
	50027:  {401, "Invalid Webhook Token"},
	50035:  {400, "Invalid Form Body"},
	160004: {400, "A thread has already been created for this message"},
}

// apiError returns Discord's error for code, with its usual status.
func apiError(code int) *Error {
	m, ok := messages[code]
	if !ok {
		return &Error{Status: 400, Code: code, Message: "Error " + strconv.Itoa(code)}
	}
	return &Error{Status: m.status, Code: code, Message: m.text}
}

// httpError returns Discord's error for a plain HTTP status, as
// {"message": "404: Not Found", "code": 0}.
func httpError(status int) *Error {
	return &Error{Status: status, Message: strconv.Itoa(status) + ": " + statusText(status)}
}

func statusText(status int) string {
	switch status {
	case 401:
		return "Unauthorized"
	case 403:
		return "Forbidden"
	case 404:
		return "Not Found"
	case 405:
		return "Method Not Allowed"
	}
	return "Error"
}
