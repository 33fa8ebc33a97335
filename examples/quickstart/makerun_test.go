package main

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// makeRun runs `make run` at the repository's root on a terminal of its
// own (script(1) gives it one, as a person's shell does), waits for the
// page it serves, then types Ctrl-C on that terminal. It returns the time
// from the start to the page served, and what the terminal showed.
func makeRun(t *testing.T, root, db string) (time.Duration, string) {
	t.Helper()
	cmd := exec.Command("script", "-qefc", "make run ARGS=-addr=127.0.0.1:0", "/dev/null")
	cmd.Dir = root
	for _, kv := range os.Environ() {
		switch k, _, _ := strings.Cut(kv, "="); k {
		case "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "OPENAI_API_KEY", "OPENAI_BASE_URL", "PARLEY_DB":
		default:
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "PARLEY_DB="+db)
	keys, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out := &screen{}
	cmd.Stdout, cmd.Stderr = out, out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill() // its terminal closes: the bot is hung up on
		}
	})

	// The first run builds the binary: on a cold cache that takes minutes.
	url := regexp.MustCompile(`Open (http://\S+/) in your browser`)
	var page string
	for deadline := time.Now().Add(5 * time.Minute); page == ""; time.Sleep(5 * time.Millisecond) {
		if m := url.FindStringSubmatch(out.String()); m != nil {
			page = m[1]
			break
		}
		select {
		case err := <-done:
			t.Fatalf("make run ended before serving the page: %v\n%s", err, out)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("make run served no page in 5 minutes:\n%s", out)
		}
	}
	resp, err := http.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	took := time.Since(start)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", page, resp.Status)
	}

	io.WriteString(keys, "\x03") // Ctrl-C, typed on the terminal
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("make run did not exit 0 on Ctrl-C: %v\n%s", err, out)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("make run did not stop on Ctrl-C:\n%s", out)
	}
	return took, out.String()
}

// `make run` serves the page and says where; Ctrl-C stops the bot
// cleanly: make exits 0 and reports no error. The log gives the time from
// `make run` to the page served, on the first run (which may build the
// binary) and on a warm cache.
func TestMakeRunServesThePageAndCtrlCStopsIt(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: make run builds the quickstart")
	}
	for _, tool := range []string{"make", "script"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed: it is needed to run make run on a terminal", tool)
		}
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "parley.db")
	var took []time.Duration
	for range 2 {
		d, screen := makeRun(t, root, db)
		took = append(took, d)
		if strings.Contains(screen, "make: ***") || !strings.Contains(screen, "Stopped serving") {
			t.Errorf("Ctrl-C did not stop make run cleanly:\n%s", screen)
		}
	}
	t.Logf("make run → page served: %v on the first run, %v on a warm cache", took[0].Round(time.Millisecond), took[1].Round(time.Millisecond))
}
