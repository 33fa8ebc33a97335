package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/parleybot/parley/adapters/web"
	"github.com/parleybot/parley/bot"
)

// openingInbox records the messages the bot is handed.
type openingInbox struct {
	nopInbox
	mu   sync.Mutex
	msgs []bot.Message
	// ctxErr is the error of the context each message came with.
	ctxErr []error
}

func (in *openingInbox) Message(ctx context.Context, m bot.Message) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.msgs = append(in.msgs, m)
	in.ctxErr = append(in.ctxErr, ctx.Err())
	return ctx.Err()
}

// startRecording starts a site whose bot records the messages it takes.
func startRecording(t *testing.T) (*web.Adapter, *browser, *openingInbox) {
	a, b := newSite(t, web.Config{Dir: t.TempDir()})
	in := &openingInbox{}
	a.Start(t.Context(), in)
	return a, b, in
}

// Two first messages sent at once to a new conversation: exactly one of
// them opens it.
func TestExactlyOneFirstMessageOpensAConversation(t *testing.T) {
	t.Parallel()
	_, b, in := startRecording(t)
	ctx := t.Context()
	for i := range 20 {
		b.conv = "race-" + itoa(uint64(i))
		var wg sync.WaitGroup
		for _, who := range []string{"ana", "ben"} {
			wg.Go(func() {
				if _, err := b.send(ctx, who, "hello from "+who); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
	opens := map[string]int{}
	in.mu.Lock()
	for _, m := range in.msgs {
		if m.Opens {
			opens[m.Address.Channel]++
		}
	}
	in.mu.Unlock()
	for i := range 20 {
		if c := "race-" + itoa(uint64(i)); opens[c] != 1 {
			t.Errorf("conversation %s: %d of its two first messages opened it; want 1", c, opens[c])
		}
	}
}

// A browser that sends a message and goes away at once (a reload) does
// not take the message with it: the bot gets it with a context the
// request's end does not cancel, and the page keeps it.
func TestAMessageIsTakenWhenTheBrowserLeavesAtOnce(t *testing.T) {
	t.Parallel()
	a, b, in := startRecording(t)
	csrf := csrfOf(t, a)
	gone, leave := context.WithCancel(context.Background())
	leave() // the browser is already gone when the bot takes it
	r := postReq("/api/conversations/"+b.conv+"/messages", `{"eventId":"e1","as":"ana","text":"deploy prod"}`, map[string]string{"X-Parley-CSRF": csrf})
	resp := do(a, r.WithContext(gone))
	in.mu.Lock()
	defer in.mu.Unlock()
	if len(in.ctxErr) != 1 || in.ctxErr[0] != nil {
		t.Fatalf("the bot was handed the message with context errors %v; want one, not cancelled", in.ctxErr)
	}
	if resp.StatusCode != 200 || len(b.state("ana").Messages) != 1 {
		t.Errorf("the page answered %s and shows %d messages; want the message kept", resp.Status, len(b.state("ana").Messages))
	}
}

// The status line is part of the state: a page opened during a tool's
// run shows it.
func TestAPageOpenedDuringAToolRunShowsTheStatus(t *testing.T) {
	t.Parallel()
	a, b := newSite(t, web.Config{Dir: t.TempDir()})
	ctx := context.Background()
	a.SetStatus(ctx, web.Address(b.conv), "is checking the build…")
	if got := b.state("ana").Status; got != "is checking the build…" {
		t.Errorf("the state's status is %q; want the latest status", got)
	}
	a.SetStatus(ctx, web.Address(b.conv), "")
	if got := b.state("ana").Status; got != "" {
		t.Errorf("after the status was cleared the state's status is %q", got)
	}
}

// Images come from the page itself or over https only: not from plain
// http: or data: URLs.
func TestThePageLoadsImagesOverHTTPSOnly(t *testing.T) {
	t.Parallel()
	a, _ := newSite(t, web.Config{Dir: t.TempDir()})
	csp := do(a, local(httptest.NewRequest("GET", "/", nil))).Header.Get("Content-Security-Policy")
	var img string
	for d := range strings.SplitSeq(csp, ";") {
		if d = strings.TrimSpace(d); strings.HasPrefix(d, "img-src ") {
			img = d
		}
	}
	if img != "img-src 'self' https:" {
		t.Errorf("the CSP's img-src is %q; want %q", img, "img-src 'self' https:")
	}
}

// Two playgrounds on one host, on different ports, each keep their own
// token cookie: cookies ignore ports, so the name carries it.
func TestTheTokenCookieIsNamedForThePort(t *testing.T) {
	t.Parallel()
	a, err := web.New(web.Config{NoListen: true, Token: "secret", Dir: t.TempDir(), Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	r := httptest.NewRequest("GET", "/?token=secret", nil)
	r.Host = "127.0.0.1:8081"
	cookies := do(a, r).Cookies()
	if len(cookies) != 1 || cookies[0].Name != "parley_token_8081" {
		t.Fatalf("opening the page on port 8081 set cookies %v; want one named parley_token_8081", cookies)
	}
	for port, want := range map[string]int{"8081": 200, "8080": 401} {
		r := httptest.NewRequest("GET", "/api/state", nil)
		r.Host = "127.0.0.1:" + port
		r.AddCookie(&http.Cookie{Name: cookies[0].Name, Value: cookies[0].Value})
		if got := do(a, r).StatusCode; got != want {
			t.Errorf("the cookie of port 8081 sent to port %s: %d; want %d", port, got, want)
		}
	}
}
