package discordfake

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
	"unicode/utf8"
)

// FuzzCreateMessage posts arbitrary bodies to the message route, JSON or
// multipart: the fake answers each with Discord's success or error JSON,
// never a crash or a 500, and never keeps content over 2,000 characters.
func FuzzCreateMessage(f *testing.F) {
	for _, seed := range []string{
		`{"content":"hi"}`,
		`{"content":"","embeds":[{"title":"t","fields":[{"name":"a","value":"b"}]}]}`,
		`{"components":[{"type":1,"components":[{"type":2,"custom_id":"a","label":"A","style":1}]}]}`,
		`{"components":[{"type":1,"components":[{"type":3,"custom_id":"s","options":[{"label":"x","value":"x"}]}]}]}`,
		`{"flags":32768,"components":[{"type":17,"components":[{"type":10,"content":"x"}]}]}`,
		`{"content":null,"embeds":null,"components":null}`,
		`{"message_reference":{"message_id":"1"},"content":"r"}`,
		`[1,2]`, `{"components":[{"type":99}]}`, `{"embeds":"x"}`,
	} {
		f.Add(seed, false)
	}
	f.Add("--b\r\nContent-Disposition: form-data; name=\"payload_json\"\r\n\r\n{\"content\":\"x\"}\r\n--b--\r\n", true)
	srv := New(Config{})
	f.Cleanup(srv.Close)
	h := srv.routes()
	f.Fuzz(func(t *testing.T, body string, multipart bool) {
		r := httptest.NewRequest(http.MethodPost, "/api/v10/channels/"+General+"/messages", bytes.NewReader([]byte(body)))
		r.Header.Set("Authorization", "Bot "+srv.cfg.Token)
		r.Header.Set("Content-Type", "application/json")
		if multipart {
			r.Header.Set("Content-Type", "multipart/form-data; boundary=b")
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK && (w.Code < 400 || w.Code >= 500) {
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
		for _, m := range srv.Messages(General) {
			if utf8.RuneCountInString(m.Content) > 2000 {
				t.Fatalf("kept %d characters", utf8.RuneCountInString(m.Content))
			}
		}
	})
}
