package web_test

import (
	"io"
	"net/url"
	"strings"
	"testing"

	"github.com/parleybot/parley/adapters/web"
)

// FuzzRequests posts any body to the page's API: it is answered with a
// clear status, never a crash or a server error.
func FuzzRequests(f *testing.F) {
	f.Add("/api/conversations/c1/messages", `{"eventId":"e1","as":"ana","text":"hi"}`)
	f.Add("/api/actions", `{"eventId":"e2","as":"ben","conv":"c1","message":"m","action":"x"}`)
	f.Add("/api/actions", `{"eventId":"e2"}{}`)
	f.Add("/api/conversations/%00/messages", `[]`)
	a, err := web.New(web.Config{NoListen: true, Dir: f.TempDir(), Logger: quiet()})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { a.Close() })
	csrf := ""
	f.Fuzz(func(t *testing.T, path, body string) {
		if csrf == "" {
			csrf = csrfOf(t, a)
		}
		if u, err := url.ParseRequestURI(path); err != nil || !strings.HasPrefix(path, "/") || u.RawQuery != "" || strings.ContainsAny(path, " #") {
			return // not a path a browser sends
		}
		resp := do(a, postReq(path, body, map[string]string{"X-Parley-CSRF": csrf}))
		if resp.StatusCode >= 500 && resp.StatusCode != 503 {
			msg, _ := io.ReadAll(resp.Body)
			t.Errorf("POST %s %q: %s %s", path, body, resp.Status, msg)
		}
	})
}
