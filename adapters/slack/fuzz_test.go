package slack_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/parleybot/parley/adapters/slack"
)

// FuzzVerifyAndParse feeds the handler signed bodies of every kind, well
// formed or not: it must answer each with a status, never panic, and hand
// the inbox only messages and clicks that are whole.
func FuzzVerifyAndParse(f *testing.F) {
	for _, name := range []string{"app_mention.json", "message_im.json", "message_changed.json", "message_deleted.json",
		"assistant_thread_started.json", "url_verification.json", "message_malformed_block.json"} {
		f.Add(mustRead(f, name), "application/json", true)
	}
	f.Add([]byte("payload="+string(mustRead(f, "block_actions.json"))), "application/x-www-form-urlencoded", true)
	f.Add(mustRead(f, "slash_command.txt"), "application/x-www-form-urlencoded", true)
	f.Add([]byte(`{"type":"event_callback","event":{"type":"app_mention","channel":"C1","ts":"1.2","text":"<@U0BOT> <<>>"}}`), "application/json", false)
	a, rec, _ := started(f, slack.Config{})
	f.Fuzz(func(t *testing.T, body []byte, contentType string, sign bool) {
		rec.reset()
		secret := testSecret
		if !sign {
			secret = "wrong"
		}
		w := serve(a, signed(body, contentType, time.Now(), secret))
		switch w.Code {
		case http.StatusOK, http.StatusBadRequest:
			if !sign {
				t.Fatalf("a forged request got %d", w.Code)
			}
		case http.StatusUnauthorized:
			if sign {
				t.Fatalf("a signed request got 401")
			}
		case http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("status %d", w.Code)
		}
		got := rec.snapshot()
		for _, m := range got.messages {
			if m.Address.Platform != "slack" || m.Address.Channel == "" || m.User.ID == "" {
				t.Fatalf("incomplete message %+v", m)
			}
		}
		for _, act := range got.actions {
			if act.ID == "" || act.Message.ID == "" || act.Message.Channel == "" {
				t.Fatalf("incomplete click %+v", act)
			}
		}
	})
}

func mustRead(f *testing.F, name string) []byte {
	b, err := readFixture(name)
	if err != nil {
		f.Fatal(err)
	}
	return b
}
