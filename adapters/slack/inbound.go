package slack

import (
	"context"
	"net/http"
)

// inbound is the state of the receiving side.
type inbound struct{}

func (in *inbound) init() {}

// ServeHTTP receives Slack's HTTP requests: Events API callbacks,
// interactivity payloads and slash commands, told apart by their body.
func (a *Adapter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "not yet", http.StatusServiceUnavailable)
}

func (a *Adapter) startSocket(ctx context.Context) error { return nil }
