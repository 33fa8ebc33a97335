package web_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/adapters/web"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/render"
)

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

func TestNewRefusesAConfigItCannotServeSafely(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		cfg   web.Config
		field string
	}{
		{"every interface without a token", web.Config{Addr: ":8080"}, "Config.Token"},
		{"a LAN address without a token", web.Config{Addr: "192.168.1.5:8080"}, "Config.Token"},
		{"an address without a port", web.Config{Addr: "localhost"}, "Config.Addr"},
		{"a person without an id", web.Config{People: []bot.User{{Name: "x"}}}, "Config.People"},
		{"a person twice", web.Config{People: []bot.User{{ID: "a"}, {ID: "a"}}}, "Config.People"},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.cfg.Dir, c.cfg.Logger = t.TempDir(), quiet()
			_, err := web.New(c.cfg)
			if err == nil || !strings.Contains(err.Error(), c.field) {
				t.Errorf("New(%+v) = %v; want an error naming %s", c.cfg, err, c.field)
			}
		})
	}
	a, err := web.New(web.Config{Addr: "0.0.0.0:8080", Token: "secret", Dir: t.TempDir(), Logger: quiet()})
	if err != nil {
		t.Errorf("with a token, any address is allowed: %v", err)
	} else {
		a.Close()
	}
}

// local makes r a request to the page on loopback, as a browser there
// sends it.
func local(r *http.Request) *http.Request {
	r.Host = "127.0.0.1:8080"
	r.RemoteAddr = "127.0.0.1:50000"
	return r
}

// do sends a request to h and returns the answer.
func do(h http.Handler, r *http.Request) *http.Response {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Result()
}

func postReq(target, body string, header map[string]string) *http.Request {
	r := local(httptest.NewRequest("POST", target, strings.NewReader(body)))
	r.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		r.Header.Set(k, v)
	}
	return r
}

// csrfOf reads the page's secret as the page does.
func csrfOf(t *testing.T, h http.Handler) string {
	t.Helper()
	resp := do(h, local(httptest.NewRequest("GET", "/api/state", nil)))
	body, _ := io.ReadAll(resp.Body)
	i := bytes.Index(body, []byte(`"csrf":"`))
	if resp.StatusCode != 200 || i < 0 {
		t.Fatalf("state: %s %s", resp.Status, body)
	}
	rest := body[i+8:]
	return string(rest[:bytes.IndexByte(rest, '"')])
}

func TestRequestsThatChangeSomethingNeedThePage(t *testing.T) {
	t.Parallel()
	a, err := web.New(web.Config{NoListen: true, Dir: t.TempDir(), Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	csrf := csrfOf(t, a)
	const msg = `{"eventId":"e1","as":"ana","text":"hi"}`
	for _, c := range []struct {
		name   string
		r      *http.Request
		status int
	}{
		{"no CSRF header", postReq("/api/conversations/c1/messages", msg, nil), 403},
		{"a stale CSRF header", postReq("/api/conversations/c1/messages", msg, map[string]string{"X-Parley-CSRF": "old"}), 403},
		{"from another site", postReq("/api/conversations/c1/messages", msg, map[string]string{"X-Parley-CSRF": csrf, "Sec-Fetch-Site": "cross-site"}), 403},
		{"from another origin", postReq("/api/conversations/c1/messages", msg, map[string]string{"X-Parley-CSRF": csrf, "Origin": "https://evil.example"}), 403},
		{"a form, not JSON", postReq("/api/conversations/c1/messages", msg, map[string]string{"X-Parley-CSRF": csrf, "Content-Type": "application/x-www-form-urlencoded"}), 400},
		{"someone not on the page", postReq("/api/conversations/c1/messages", `{"eventId":"e1","as":"mallory","text":"hi"}`, map[string]string{"X-Parley-CSRF": csrf}), 400},
		{"a bad conversation id", postReq("/api/conversations/c..1/messages", msg, map[string]string{"X-Parley-CSRF": csrf}), 400},
		{"an empty message", postReq("/api/conversations/c1/messages", `{"eventId":"e1","as":"ana","text":"  "}`, map[string]string{"X-Parley-CSRF": csrf}), 400},
		{"a click on no message", postReq("/api/actions", `{"eventId":"e2","as":"ana","conv":"c1","message":"nope","action":"x"}`, map[string]string{"X-Parley-CSRF": csrf}), 400},
		{"before the bot starts", postReq("/api/conversations/c1/messages", msg, map[string]string{"X-Parley-CSRF": csrf, "Sec-Fetch-Site": "same-origin"}), 503},
	} {
		if resp := do(a, c.r); resp.StatusCode != c.status {
			body, _ := io.ReadAll(resp.Body)
			t.Errorf("%s: %s %s; want %d", c.name, resp.Status, body, c.status)
		}
	}
	r := httptest.NewRequest("GET", "/api/state", nil)
	r.Host = "attacker.example:8080" // a name pointed at 127.0.0.1
	if resp := do(a, r); resp.StatusCode != 403 {
		t.Errorf("a request by a name that is not loopback got %s; want 403 without a token", resp.Status)
	}
}

func TestATokenIsNeededOnEveryRequest(t *testing.T) {
	t.Parallel()
	a, err := web.New(web.Config{NoListen: true, Addr: ":0", Token: "s3cret", Dir: t.TempDir(), Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	for _, path := range []string{"/", "/api/state", "/static/app.js", "/files/f-1", "/?token=wrong"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 {
			t.Errorf("GET %s without the token: %s; want 401", path, resp.Status)
		}
	}
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	resp, err := browser.Get(srv.URL + "/?token=s3cret")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Request.URL.RawQuery != "" {
		t.Errorf("opening the page with the token: %s at %s; want the page, the token gone from the address", resp.Status, resp.Request.URL)
	}
	if resp, err = browser.Get(srv.URL + "/api/state"); err != nil || resp.StatusCode != 200 {
		t.Errorf("with the cookie the token set: %v %v; want 200", resp.Status, err)
	}
	r, _ := http.NewRequest("GET", srv.URL+"/api/state", nil)
	r.Header.Set("Authorization", "Bearer s3cret")
	if resp, err = http.DefaultClient.Do(r); err != nil || resp.StatusCode != 200 {
		t.Errorf("with the token as a bearer: %v %v; want 200", resp.Status, err)
	}
}

func TestThePageIsServedUnderAPrefixAndNeedsNothingFromOutside(t *testing.T) {
	t.Parallel()
	a, err := web.New(web.Config{NoListen: true, Dir: t.TempDir(), Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	mux := http.NewServeMux()
	mux.Handle("/play/", http.StripPrefix("/play", a))
	mux.Handle("/play", http.StripPrefix("/play", a))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	resp, err := http.Get(srv.URL + "/play")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Request.URL.Path != "/play/" || !bytes.Contains(page, []byte(`id="composer"`)) {
		t.Fatalf("GET /play ended at %s with %.80q; want the page at /play/", resp.Request.URL.Path, page)
	}
	weight := len(page)
	for _, asset := range []string{"static/app.js", "static/app.css"} {
		if !bytes.Contains(page, []byte(`"`+asset+`"`)) {
			t.Errorf("the page does not load %s by a relative URL", asset)
		}
		resp, err := http.Get(srv.URL + "/play/" + asset)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET %s: %v %v", asset, resp.Status, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		weight += len(body)
		if bytes.Contains(body, []byte("http://")) || bytes.Contains(body, []byte("https://")) || bytes.Contains(body, []byte("fetch(\"/")) {
			t.Errorf("%s refers to an absolute URL: it would not work under a prefix, or offline", asset)
		}
	}
	t.Logf("page weight: %d bytes of HTML, CSS and JavaScript", weight)
	if resp, err := http.Get(srv.URL + "/play/api/state"); err != nil || resp.StatusCode != 200 {
		t.Errorf("the API under the prefix: %v %v", resp.Status, err)
	}
}

func TestEventsAreForThePagesThatMayShowThem(t *testing.T) {
	t.Parallel()
	a, ana := newSite(t, web.Config{Dir: t.TempDir()})
	ben := newBrowser(t, ana.base, ana.conv)
	base := ana.state("ana").Seq // events are numbered after it
	ana.listen("ana")
	ben.listen("ben")
	ctx := context.Background()
	to := web.Address(ana.conv)
	if err := a.PostEphemeral(ctx, to, "ben", bot.Outgoing{Content: render.Text("for ben")}); err != nil {
		t.Fatal(err)
	}
	s, err := a.StartStream(ctx, to, bot.StreamOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"Hel", "lo ", "there"} {
		if err := s.Append(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	mid := ana.state("ana").Messages
	if len(mid) != 1 || mid[0].Text != "Hello there" || !mid[0].Streaming {
		t.Errorf("a page opened mid-stream shows %+v; want the text so far, streaming", mid)
	}
	if _, err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	a.SetStatus(ctx, to, "is thinking…")
	ana.caughtUp()
	ben.caughtUp()
	kinds := func(b *browser) (out []string) {
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, ev := range b.events {
			out = append(out, ev.typ)
			if ev.typ == "message" && strings.Contains(ev.data, "for ben") {
				out[len(out)-1] = "private"
			}
		}
		return out
	}
	if got, want := strings.Join(kinds(ana), " "), "message delta delta message status"; got != want {
		t.Errorf("ana's page heard %q; want %q (the stream, not ben's private message)", got, want)
	}
	if got, want := strings.Join(kinds(ben), " "), "private message delta delta message status"; got != want {
		t.Errorf("ben's page heard %q; want %q", got, want)
	}

	// A page that reconnects with Last-Event-ID hears what it missed.
	var ids []uint64
	for _, ev := range reconnect(t, a, "as=ana", strconv.FormatUint(base+2, 10)) {
		ids = append(ids, ev.id)
	}
	if len(ids) != 4 || ids[0] != base+3 || ids[3] != base+6 {
		t.Errorf("after Last-Event-ID base+2 the page heard events %v; want base+3 to base+6 (base %d)", ids, base)
	}
}

func TestStartServesThePageOnLoopback(t *testing.T) {
	t.Parallel()
	a, err := web.New(web.Config{Addr: "127.0.0.1:0", Dir: t.TempDir(), Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	if err := a.Start(ctx, nopInbox{}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(a.URL(), "http://127.0.0.1:") {
		t.Fatalf("URL() = %q; want the loopback address it serves on", a.URL())
	}
	resp, err := http.Get(a.URL())
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %v %v", a.URL(), resp, err)
	}
	resp.Body.Close()
	cancel()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := http.Get(a.URL()); err != nil {
			break // closed with the context
		}
		if time.Now().After(deadline) {
			t.Fatal("the page is still served after Start's context ended")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// nopInbox takes every event and does nothing.
type nopInbox struct{}

func (nopInbox) Message(context.Context, bot.Message) error    { return nil }
func (nopInbox) Action(context.Context, bot.Action) error      { return nil }
func (nopInbox) Edited(context.Context, bot.Message) error     { return nil }
func (nopInbox) Deleted(context.Context, bot.MessageRef) error { return nil }
