package slackfake

import (
	"context"
	"net/http"
	"testing"
)

// SendOK sends ev to h as [Server.Send] does and fails the test unless h
// answered 200: the step of a test in which Slack delivers an event the
// bot must take.
func (s *Server) SendOK(ctx context.Context, tb testing.TB, h http.Handler, ev Event, opts ...SendOption) {
	tb.Helper()
	r, err := s.Send(ctx, h, ev, opts...)
	if err != nil {
		tb.Fatalf("sending %s event %s: %v", ev.Type, ev.ID, err)
	}
	if r.Status != http.StatusOK {
		tb.Fatalf("sending %s event %s: status %d, want 200", ev.Type, ev.ID, r.Status)
	}
}

// Await waits until cond holds, as [Server.WaitFor] does, and otherwise
// fails the test saying what it waited for, with every Web API call the
// fake received in the test's log.
func (s *Server) Await(ctx context.Context, tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	if err := s.WaitFor(ctx, cond); err != nil {
		for _, c := range s.Calls() {
			tb.Logf("call %s %v %s", c.Method, c.Params, c.Error)
		}
		tb.Fatalf("waiting for %s: %v", what, err)
	}
}
