package slack_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/adapters/slack"
)

// Slack checks a slash command's https Request URL now and then with a
// signed form holding ssl_check=1 and no command: the adapter answers it
// with 200 on the shared handler and on the commands handler, and
// delivers nothing. Unsigned, it is refused like any other request.
func TestSSLCheckIsAnswered(t *testing.T) {
	t.Parallel()
	a, rec, _ := started(t, slack.Config{})
	body := "ssl_check=1&token=gIkuvaNzQIHg97ATvDxqgjtO"
	unsigned := func() *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/slack", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return r
	}
	for name, h := range map[string]http.Handler{"shared": a, "commands": a.CommandsHandler()} {
		if w := serve(h, unsigned()); w.Code != http.StatusUnauthorized {
			t.Errorf("%s handler, unsigned ssl_check: status %d, want 401", name, w.Code)
		}
		if w := serve(h, signed([]byte(body), "application/x-www-form-urlencoded", time.Now(), testSecret)); w.Code != http.StatusOK {
			t.Errorf("%s handler, signed ssl_check: status %d, want 200", name, w.Code)
		}
	}
	if got := rec.snapshot(); len(got.messages)+len(got.actions) != 0 {
		t.Fatalf("an ssl_check reached the inbox: %+v %+v", got.messages, got.actions)
	}
	// A form with ssl_check beside a command is a command.
	cmd := "ssl_check=1&command=%2Fask&text=hi&channel_id=C0GENERAL&user_id=U0ANA"
	if w := serve(a, signed([]byte(cmd), "application/x-www-form-urlencoded", time.Now(), testSecret)); w.Code != http.StatusOK {
		t.Fatalf("a command with ssl_check: status %d", w.Code)
	}
	if got := rec.snapshot(); len(got.messages) != 1 || got.messages[0].Text != "hi" {
		t.Fatalf("a command with ssl_check was not delivered as a command: %+v", got.messages)
	}
}
