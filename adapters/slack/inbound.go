package slack

import (
	"context"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"net/url"

	slackgo "github.com/slack-go/slack"

	"github.com/parleybot/parley/adapters/internal/platform"
	"github.com/parleybot/parley/bot"
)

// inbound is the state of the receiving side.
type inbound struct {
	contexts contexts // assistant threads' context channels
}

func (in *inbound) init() {}

// kind is a kind of request Slack sends.
type kind uint8

const (
	kindAny kind = iota
	kindEvents
	kindInteractions
	kindCommands
)

// ServeHTTP receives every request Slack sends over HTTP — Events API
// callbacks, interactivity payloads and slash commands, told apart by
// their body — so that one Request URL serves all three. Mount it where
// the app's manifest points (see `parley slack manifest`), or mount
// [Adapter.EventsHandler], [Adapter.InteractionsHandler] and
// [Adapter.CommandsHandler] on paths of their own.
//
// Every request's signature is checked before its body is parsed: a
// request unsigned, signed with another secret, or signed more than five
// minutes ago is refused with 401, and a body over Config.MaxBodyBytes
// with 413, unread beyond the cap. Slack's ssl_check of a slash command's
// URL, which carries nothing to act on, is answered 200. An accepted event is in the bot's Store
// before the 200 goes out, and only that waits: the bot's work runs
// elsewhere. Until Start, and once the bot stops, events are refused with
// 503 Service Unavailable, so that Slack delivers them again, to another
// replica or after the restart. A payload that cannot be read is logged
// and acknowledged: Slack sending it again would not make it readable.
func (a *Adapter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.serve(w, r, kindAny)
}

// EventsHandler returns a handler for Events API requests only (the
// manifest's event_subscriptions.request_url).
func (a *Adapter) EventsHandler() http.Handler { return kindHandler{a, kindEvents} }

// InteractionsHandler returns a handler for interactivity payloads only
// (the manifest's interactivity.request_url).
func (a *Adapter) InteractionsHandler() http.Handler { return kindHandler{a, kindInteractions} }

// CommandsHandler returns a handler for slash commands only (a slash
// command's url in the manifest).
func (a *Adapter) CommandsHandler() http.Handler { return kindHandler{a, kindCommands} }

type kindHandler struct {
	a    *Adapter
	kind kind
}

func (h kindHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.a.serve(w, r, h.kind) }

func (a *Adapter) serve(w http.ResponseWriter, r *http.Request, want kind) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "slack: only POST", http.StatusMethodNotAllowed)
		return
	}
	body, err := platform.ReadCapped(r, a.cfg.MaxBodyBytes)
	if err != nil {
		a.cfg.Logger.Warn("slack: refused a request whose body is too large", "limit", a.cfg.MaxBodyBytes, "remote", r.RemoteAddr)
		http.Error(w, "slack: request body too large", http.StatusRequestEntityTooLarge)
		return
	}
	if err := a.verify(r.Header, body); err != nil {
		a.cfg.Logger.Warn("slack: refused a request with a bad signature", "err", err, "remote", r.RemoteAddr)
		http.Error(w, "slack: bad signature", http.StatusUnauthorized)
		return
	}
	if sslCheck(r.Header.Get("Content-Type"), body) {
		// Slack checking the https of a slash command's URL: nothing
		// to act on.
		w.WriteHeader(http.StatusOK)
		return
	}
	got := kindOf(r.Header.Get("Content-Type"), body)
	if got == kindAny || (want != kindAny && got != want) {
		http.Error(w, "slack: not a request this handler takes", http.StatusBadRequest)
		return
	}
	var (
		deliver func(ctx context.Context, inbox bot.Inbox, me identity) error
		answer  []byte
	)
	switch got {
	case kindEvents:
		cb, err := a.decodeCallback(body)
		if err != nil {
			a.badPayload(w, "event", err)
			return
		}
		switch cb.Type {
		case "url_verification":
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]string{"challenge": cb.Challenge})
			return
		case "event_callback":
		default:
			a.cfg.Logger.Warn("slack: an Events API request of another type", "type", cb.Type)
			w.WriteHeader(http.StatusOK)
			return
		}
		deliver = func(ctx context.Context, inbox bot.Inbox, me identity) error {
			return a.deliverEvent(ctx, inbox, me, cb)
		}
	case kindInteractions:
		form, _ := url.ParseQuery(string(body))
		c, err := a.decodeClick([]byte(form.Get("payload")))
		if err != nil {
			a.badPayload(w, "interaction", err)
			return
		}
		deliver = func(ctx context.Context, inbox bot.Inbox, me identity) error {
			return a.deliverClick(ctx, inbox, me, c)
		}
	case kindCommands:
		form, _ := url.ParseQuery(string(body))
		c := command{
			TeamID: form.Get("team_id"), ChannelID: form.Get("channel_id"), UserID: form.Get("user_id"),
			UserName: form.Get("user_name"), Command: form.Get("command"), Text: form.Get("text"), TriggerID: form.Get("trigger_id"),
		}
		deliver = func(ctx context.Context, inbox bot.Inbox, me identity) error {
			return a.deliverCommand(ctx, inbox, me, c)
		}
		answer = commandAnswer
	}
	inbox, me, ok := a.receiving()
	if !ok {
		http.Error(w, "slack: the bot is not receiving events", http.StatusServiceUnavailable)
		return
	}
	err = deliver(r.Context(), inbox, me)
	switch code := statusOf(err); code {
	case http.StatusOK:
		if errors.Is(err, errBadPayload) {
			a.cfg.Logger.Warn("slack: acknowledged a payload it could not read", "err", err)
		}
		if answer != nil {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(answer)
			return
		}
		w.WriteHeader(code)
	default:
		if code != http.StatusServiceUnavailable {
			a.cfg.Logger.Error("slack: could not take an event; Slack will deliver it again", "err", err)
		}
		http.Error(w, "slack: "+err.Error(), code)
	}
}

// commandAnswer acknowledges a slash command so that Slack shows the
// command in the channel, above the bot's answer.
var commandAnswer = []byte(`{"response_type":"in_channel"}`)

func (a *Adapter) badPayload(w http.ResponseWriter, what string, err error) {
	a.cfg.Logger.Warn("slack: acknowledged an "+what+" it could not read", "err", err)
	w.WriteHeader(http.StatusOK)
}

// statusOf maps what the inbox answered to the HTTP status Slack gets.
func statusOf(err error) int {
	switch {
	case err == nil, isDuplicate(err), errors.Is(err, errBadPayload):
		return http.StatusOK
	case errors.Is(err, bot.ErrStopping):
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

func isDuplicate(err error) bool { return errors.Is(err, bot.ErrDuplicate) }

// verify checks the request's signature with slack-go's verifier: the v0
// HMAC-SHA256 of the timestamp and the body, with a timestamp within five
// minutes of now.
func (a *Adapter) verify(h http.Header, body []byte) error {
	sv, err := slackgo.NewSecretsVerifier(h, a.cfg.SigningSecret)
	if err != nil {
		return err
	}
	if _, err := sv.Write(body); err != nil {
		return err
	}
	return sv.Ensure()
}

// sslCheck reports whether a request is Slack's check of a slash command's
// https Request URL: a form with ssl_check=1 and no command or payload.
func sslCheck(contentType string, body []byte) bool {
	if mt, _, _ := mime.ParseMediaType(contentType); mt != "application/x-www-form-urlencoded" {
		return false
	}
	form, err := url.ParseQuery(string(body))
	return err == nil && form.Get("ssl_check") == "1" && !form.Has("command") && !form.Has("payload")
}

// kindOf tells what a request is from its content type and body: Events
// API callbacks are JSON, interactivity payloads a form with a payload
// field, slash commands a form with a command field.
func kindOf(contentType string, body []byte) kind {
	mt, _, _ := mime.ParseMediaType(contentType)
	switch mt {
	case "application/json":
		return kindEvents
	case "application/x-www-form-urlencoded":
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return kindAny
		}
		switch {
		case form.Has("payload"):
			return kindInteractions
		case form.Has("command"):
			return kindCommands
		}
	}
	return kindAny
}
