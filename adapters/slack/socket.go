package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/slack-go/slack/socketmode"
)

// socketWorkers bounds the envelopes handed to the inbox at once.
const socketWorkers = 16

// startSocket connects over Socket Mode, through slack-go's socketmode
// client, and returns once the first connection is up. The connection is
// kept from then on: slack-go reconnects when Slack asks it to or a ping
// is missed, and the adapter opens a new client, after a pause, when a
// reconnection fails. Every envelope goes through the same dispatch as
// an HTTP request and is acknowledged only once the inbox took it (or
// dropped it as a duplicate), so that an envelope lost with a connection
// is delivered again by Slack, and one delivered twice is answered once.
func (a *Adapter) startSocket(ctx context.Context) error {
	ready := make(chan error, 1)
	go a.runSocket(ctx, ready)
	select {
	case err := <-ready:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (a *Adapter) runSocket(ctx context.Context, ready chan<- error) {
	pause := time.Second
	sem := make(chan struct{}, socketWorkers)
	for ctx.Err() == nil {
		client := socketmode.New(a.api)
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- client.RunContext(runCtx) }()
		err := a.consume(runCtx, client, done, sem, &ready)
		cancel()
		if ctx.Err() != nil {
			if ready != nil {
				ready <- ctx.Err()
			}
			return
		}
		if ready != nil {
			ready <- fmt.Errorf("slack: connecting over Socket Mode with Config.AppToken: %w", err)
			return
		}
		a.cfg.Logger.Warn("slack: the Socket Mode connection failed; reconnecting", "err", err, "in", pause)
		select {
		case <-time.After(pause):
		case <-ctx.Done():
			return
		}
		pause = min(2*pause, 30*time.Second)
	}
}

// consume reads client's events until its run ends.
func (a *Adapter) consume(ctx context.Context, client *socketmode.Client, done <-chan error, sem chan struct{}, ready *chan<- error) error {
	for {
		select {
		case err := <-done:
			if err == nil {
				err = errors.New("slack: the Socket Mode client stopped")
			}
			return err
		case evt, ok := <-client.Events:
			if !ok {
				return errors.New("slack: the Socket Mode client closed its events")
			}
			switch evt.Type {
			case socketmode.EventTypeConnected:
				if *ready != nil {
					*ready <- nil
					*ready = nil
				}
			case socketmode.EventTypeInvalidAuth:
				return errors.New("slack: Slack refused Config.AppToken (invalid_auth)")
			case socketmode.EventTypeErrorBadMessage:
				// slack-go could not parse the envelope's payload (a
				// block of a shape it does not know, say): the adapter
				// reads it itself, as it does over HTTP.
				bad, ok := evt.Data.(*socketmode.ErrorBadMessage)
				if !ok {
					continue
				}
				var req socketmode.Request
				err := json.Unmarshal(bad.Message, &req)
				switch socketmode.EventType(req.Type) {
				case socketmode.EventTypeEventsAPI, socketmode.EventTypeInteractive, socketmode.EventTypeSlashCommand:
				default:
					err = errors.New("not an envelope the adapter takes")
				}
				if err != nil || req.EnvelopeID == "" {
					a.cfg.Logger.Warn("slack: an unreadable Socket Mode message", "err", bad.Cause)
					continue
				}
				evt = socketmode.Event{Type: socketmode.EventType(req.Type), Request: &req}
				fallthrough
			case socketmode.EventTypeEventsAPI, socketmode.EventTypeInteractive, socketmode.EventTypeSlashCommand:
				if evt.Request == nil {
					continue
				}
				select {
				case sem <- struct{}{}:
				case <-ctx.Done():
					return ctx.Err()
				}
				go func() {
					defer func() { <-sem }()
					a.handleEnvelope(ctx, client, evt)
				}()
			}
		}
	}
}

// handleEnvelope dispatches one envelope and acknowledges it once the
// inbox took it.
func (a *Adapter) handleEnvelope(ctx context.Context, client *socketmode.Client, evt socketmode.Event) {
	inbox, me, ok := a.receiving()
	if !ok {
		return // unacknowledged: Slack delivers it again
	}
	payload := []byte(evt.Request.Payload)
	var (
		err error
		ack any
	)
	switch evt.Type {
	case socketmode.EventTypeEventsAPI:
		var cb callback
		cb, err = a.decodeCallback(payload)
		if err == nil && cb.Type == "event_callback" {
			err = a.deliverEvent(ctx, inbox, me, cb)
		}
	case socketmode.EventTypeInteractive:
		var c click
		c, err = a.decodeClick(payload)
		if err == nil {
			err = a.deliverClick(ctx, inbox, me, c)
		}
	case socketmode.EventTypeSlashCommand:
		var c command
		if jerr := json.Unmarshal(payload, &c); jerr != nil {
			err = fmt.Errorf("%w: %v", errBadPayload, jerr)
		} else {
			err = a.deliverCommand(ctx, inbox, me, c)
		}
		ack = json.RawMessage(commandAnswer)
	}
	if statusOf(err) != 200 {
		a.cfg.Logger.Warn("slack: could not take a Socket Mode envelope; Slack will deliver it again", "envelope", evt.Request.EnvelopeID, "err", err)
		return
	}
	if errors.Is(err, errBadPayload) {
		a.cfg.Logger.Warn("slack: acknowledged an envelope it could not read", "envelope", evt.Request.EnvelopeID, "err", err)
	}
	var aerr error
	if ack != nil {
		aerr = client.AckCtx(ctx, evt.Request.EnvelopeID, ack)
	} else {
		aerr = client.AckCtx(ctx, evt.Request.EnvelopeID, nil)
	}
	if aerr != nil {
		a.cfg.Logger.Warn("slack: acknowledging a Socket Mode envelope failed", "envelope", evt.Request.EnvelopeID, "err", aerr)
	}
}
