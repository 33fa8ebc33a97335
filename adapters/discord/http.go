package discord

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/parleybot/parley/adapters/internal/platform"
	"github.com/parleybot/parley/bot"
)

// ServeHTTP receives interactions by webhook, for an application whose
// Interactions Endpoint URL (Developer Portal → General Information)
// points here; Discord then sends clicks and slash commands here rather
// than over the gateway. Messages still come over the gateway.
//
// Every request is checked before its body is read further: the Ed25519
// signature of X-Signature-Timestamp and the body, with
// discordgo.VerifyInteraction and Config.PublicKey, and the timestamp,
// which must be within Config.SignatureMaxAge of now — a check discordgo
// does not make, without which a request captured once could be replayed
// forever. A request failing either gets 401, as Discord requires; a body
// over Config.MaxBodyBytes gets 413, unread beyond the cap. A PING is
// answered PONG. A click is answered with a deferred update and a slash
// command with a deferred answer, once the bot has taken it; while the
// bot is not receiving (before Start, after it stops) the answer is 503.
func (a *Adapter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "discord: only POST", http.StatusMethodNotAllowed)
		return
	}
	body, err := platform.ReadCapped(r, a.cfg.MaxBodyBytes)
	if err != nil {
		a.cfg.Logger.Warn("discord: refused an interaction whose body is too large", "limit", a.cfg.MaxBodyBytes, "remote", r.RemoteAddr)
		http.Error(w, "discord: request body too large", http.StatusRequestEntityTooLarge)
		return
	}
	if err := a.verify(r, body, time.Now()); err != nil {
		a.cfg.Logger.Warn("discord: refused an interaction", "err", err, "remote", r.RemoteAddr)
		http.Error(w, "discord: invalid request signature", http.StatusUnauthorized)
		return
	}
	var i discordgo.Interaction
	if err := json.Unmarshal(body, &i); err != nil {
		a.cfg.Logger.Warn("discord: an interaction that cannot be read", "err", err)
		http.Error(w, "discord: unreadable interaction", http.StatusBadRequest)
		return
	}
	if i.Type == discordgo.InteractionPing {
		writeJSON(w, &discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong})
		return
	}
	inbox, me, ok := a.receiving()
	if !ok {
		http.Error(w, "discord: the bot is not receiving interactions", http.StatusServiceUnavailable)
		return
	}
	acked := make(chan struct{})
	defer close(acked)
	resp, deliver := a.interaction(inbox, me, &i, acked)
	if resp == nil {
		http.Error(w, "discord: not an interaction this bot takes", http.StatusBadRequest)
		return
	}
	if deliver != nil {
		err := deliver(r.Context())
		switch {
		case err == nil, errors.Is(err, bot.ErrDuplicate):
		case errors.Is(err, bot.ErrStopping):
			http.Error(w, "discord: the bot is stopping", http.StatusServiceUnavailable)
			return
		default:
			a.cfg.Logger.Error("discord: the bot could not take an interaction", "interaction", i.ID, "err", err)
			http.Error(w, "discord: could not take the interaction", http.StatusInternalServerError)
			return
		}
	}
	writeJSON(w, resp)
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// verify checks an interaction request's signature and its freshness at
// now.
func (a *Adapter) verify(r *http.Request, body []byte, now time.Time) error {
	if a.key == nil {
		return fmt.Errorf("discord: Config.PublicKey (%s) is not set: no interaction can be verified", EnvPublicKey)
	}
	ts := r.Header.Get("X-Signature-Timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("discord: X-Signature-Timestamp %q is not a Unix time", ts)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > a.cfg.SignatureMaxAge || d < -a.cfg.SignatureMaxAge {
		return fmt.Errorf("discord: X-Signature-Timestamp is %s off now, more than Config.SignatureMaxAge %s", d.Round(time.Second), a.cfg.SignatureMaxAge)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if !discordgo.VerifyInteraction(r, a.key) {
		return errors.New("discord: the Ed25519 signature does not verify")
	}
	return nil
}
