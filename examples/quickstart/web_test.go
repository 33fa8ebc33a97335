package main

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// pageURL waits for the line that tells where the page is and returns
// its URL.
func (s *session) pageURL() string {
	s.t.Helper()
	screen := s.wait("\nOpen http")
	m := regexp.MustCompile(`Open (http://\S+/) in your browser`).FindStringSubmatch(screen)
	if m == nil {
		s.t.Fatalf("no URL on the screen:\n%s", screen)
	}
	return m[1]
}

// fetch GETs url and returns its body; anything but 200 fails the test.
func fetch(t testing.TB, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %v", url, resp.Status, err)
	}
	return body
}

// By default the quickstart serves the web page, says where, says that
// the model is the offline demo and where the state is kept, and stops
// cleanly when its context ends (Ctrl-C).
func TestWebByDefault(t *testing.T) {
	db := useDB(t)
	s := start(t, nil, "-addr", "127.0.0.1:0")
	url := s.pageURL()
	screen := s.out.String()
	for _, want := range []string{"chat with a bot in your browser", "OFFLINE DEMO", "OPENAI_API_KEY=sk-... make run", "State:  " + db} {
		if !strings.Contains(screen, want) {
			t.Errorf("the banner lacks %q:\n%s", want, screen)
		}
	}
	page := fetch(t, url)
	if !strings.Contains(string(page), `id="composer"`) {
		t.Errorf("the page is not the playground:\n%s", page)
	}
	state := fetch(t, url+"api/state?as=ana")
	for _, who := range []string{`"ana"`, `"ben"`, `"cy"`} {
		if !strings.Contains(string(state), who) {
			t.Errorf("the page cannot sign in as %s: %s", who, state)
		}
	}
	s.interrupt()
	if !strings.Contains(s.out.String(), "Stopped serving "+url) {
		t.Errorf("no word on stopping:\n%s", s.out.String())
	}
}

// The page's weight: what a browser downloads to show it, all of it
// served by the bot.
func TestPageWeight(t *testing.T) {
	useDB(t)
	s := start(t, nil, "-addr", "127.0.0.1:0")
	url := s.pageURL()
	total := 0
	for _, p := range []string{"", "static/app.css", "static/app.js"} {
		n := len(fetch(t, url+p))
		total += n
		t.Logf("page weight: %-15s %6d bytes", "/"+p, n)
	}
	t.Logf("page weight: HTML+CSS+JS %d bytes (uncompressed, nothing fetched from elsewhere)", total)
	s.interrupt()
}

func TestUnknownFlag(t *testing.T) {
	useDB(t)
	s := start(t, nil, "-nope")
	if err := <-s.done; err == nil || !strings.Contains(err.Error(), "-nope") {
		t.Fatalf("run with -nope: %v", err)
	}
}

// PARLEY_ADDR chooses the address as -addr does; off loopback the page
// needs PARLEY_WEB_TOKEN, and without it the program says so.
func TestAddressFromTheEnvironment(t *testing.T) {
	useDB(t)
	s := start(t, map[string]string{"PARLEY_ADDR": "127.0.0.1:0"})
	if url := s.pageURL(); strings.Contains(url, ":8080/") {
		t.Errorf("PARLEY_ADDR was not used: %s", url)
	}
	s.interrupt()

	off := start(t, map[string]string{"PARLEY_ADDR": "0.0.0.0:0"})
	if err := <-off.done; err == nil || !strings.Contains(err.Error(), "Token") {
		t.Fatalf("off loopback without a token: %v", err)
	}
}
