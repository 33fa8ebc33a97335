package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/model/openai/openaitest"
)

type screen struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// session runs the program with args, its input a pipe; say types a line
// and waits for want.
type session struct {
	t      testing.TB
	in     *io.PipeWriter
	out    *screen
	done   chan error
	cancel context.CancelFunc
}

func start(t testing.TB, env map[string]string, args ...string) *session {
	inR, inW := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	s := &session{t: t, in: inW, out: &screen{}, done: make(chan error, 1), cancel: cancel}
	logs := &screen{}
	getenv := func(k string) string {
		if v, ok := env[k]; ok || k != "PARLEY_DB" {
			return v
		}
		return os.Getenv(k) // useDB's, which the bot's default store reads too
	}
	go func() { s.done <- run(ctx, args, inR, s.out, logs, getenv) }()
	t.Cleanup(func() {
		cancel()
		if l := logs.String(); l != "" {
			t.Logf("logs:\n%s", l)
		}
	})
	return s
}

// wait waits until the screen shows want, and returns the screen.
func (s *session) wait(want string) string {
	s.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		screen := s.out.String()
		if strings.Contains(screen, want) {
			return screen
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the screen never showed %q:\n%s", want, screen)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (s *session) say(line, want string) {
	s.t.Helper()
	before := len(s.out.String())
	io.WriteString(s.in, line+"\n")
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(s.out.String()[before:], want) {
		if time.Now().After(deadline) {
			s.t.Fatalf("after %q the screen never showed %q:\n%s", line, want, s.out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// quit ends the terminal's input, as Ctrl-D does, and waits for the end.
func (s *session) quit() {
	s.t.Helper()
	s.in.Close()
	s.ended()
}

// interrupt ends the program's context, as Ctrl-C does, and waits for the
// end.
func (s *session) interrupt() {
	s.t.Helper()
	s.cancel()
	s.ended()
}

func (s *session) ended() {
	s.t.Helper()
	select {
	case err := <-s.done:
		if err != nil {
			s.t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		s.t.Fatal("the program did not end")
	}
}

// useDB points the bot's default store at a file of the test's own; the
// tests that call it cannot run in parallel (the environment is shared).
func useDB(t testing.TB) string {
	path := filepath.Join(t.TempDir(), "parley.db")
	t.Setenv("PARLEY_DB", path)
	return path
}

func TestOfflineDemoInTheTerminal(t *testing.T) {
	useDB(t)
	s := start(t, nil, "-terminal")
	s.say("What's the weather in Paris?", "degrees celsius")
	screen := s.out.String()
	for _, want := range []string{"OFFLINE DEMO", "OPENAI_API_KEY=sk-... make run", "bot: Weather in Paris\n  Temperature: ", "[1] Refresh", "(demo data, not a forecast)"} {
		if !strings.Contains(screen, want) {
			t.Errorf("screen lacks %q:\n%s", want, screen)
		}
	}
	s.say("1", "(edited) bot: Weather in Paris")
	s.say("what time is it in Tokyo?", "in Asia/Tokyo.")
	s.say("what time is it in Narnia/Castle?", "That didn't work: unknown time zone")
	s.say("deploy web to production", "[1] Approve")
	s.say("1", "Deployed web to production, approved by you")
	screen = s.out.String()
	for _, want := range []string{"I'll ask you to approve deploying web to production.", "Deploy web to production?", "✅ Approve — chosen by @you"} {
		if !strings.Contains(screen, want) {
			t.Errorf("screen lacks %q:\n%s", want, screen)
		}
	}
	s.say("hello", "only know three tricks")
	s.quit()
}

func TestRealModelFromEnvironment(t *testing.T) {
	useDB(t)
	srv := openaitest.NewServer(t)
	srv.Enqueue(
		openaitest.Response{ToolCalls: []openaitest.ToolCall{{ID: "c1", Name: "weather", Arguments: `{"city":"Oslo","units":"fahrenheit"}`}}},
		openaitest.Response{Text: "Chilly in Oslo."},
	)
	s := start(t, map[string]string{"OPENAI_BASE_URL": srv.URL, "OPENAI_MODEL": "test-model"}, "-terminal")
	s.say("weather in oslo, in fahrenheit", "bot: Chilly in Oslo.")
	s.quit()
	if !strings.Contains(s.out.String(), "Model: test-model at "+srv.URL) {
		t.Errorf("banner does not name the model:\n%s", s.out.String())
	}
	if !strings.Contains(s.out.String(), "°F") {
		t.Errorf("the card did not use the requested units:\n%s", s.out.String())
	}
	reqs := srv.Requests()
	if len(reqs) != 2 || len(reqs[0].Tools) != 3 {
		t.Fatalf("requests: %d", len(reqs))
	}
	if !strings.Contains(string(reqs[0].Tools[0].Parameters), `"enum":["celsius","fahrenheit"]`) {
		t.Errorf("weather schema %s lacks the units enum", reqs[0].Tools[0].Parameters)
	}
}

// The quickstart keeps its state in the SQLite file PARLEY_DB names: run
// again on the same file, it answers the new session's messages (whose
// ids must not repeat the last session's, or they would be dropped as
// duplicates) and finds the last session's card still there.
func TestSecondSessionOnTheSameFileIsAnswered(t *testing.T) {
	path := useDB(t)
	first := start(t, nil, "-terminal")
	first.say("What's the weather in Paris?", "degrees celsius")
	first.quit()
	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
		t.Fatalf("the first session left no database at %s: %v", path, err)
	}
	second := start(t, nil, "-terminal")
	second.say("hello", "only know three tricks")
	second.say("what time is it in Tokyo?", "in Asia/Tokyo.")
	second.quit()
}
