package main

import (
	"bufio"
	"context"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
)

// Ctrl-C with the page open in a browser (an open event stream) must not
// hold the program for the whole shutdown timeout.
func TestCtrlCStopsPromptlyWithThePageOpen(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	listening := make(chan string, 1)
	done := make(chan error, 1)
	env := map[string]string{"PARLEY_ADDR": "127.0.0.1:0", "PARLEY_WEB_DIR": filepath.Join(t.TempDir(), "web")}
	go func() {
		done <- run(ctx, func(k string) string { return env[k] }, &logs{}, options{Store: bot.NewMemoryStore(), Listening: listening})
	}()
	url := <-listening
	resp, err := http.Get(url + "/api/events?as=ana&since=0")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	bufio.NewReader(resp.Body).ReadByte() // the stream is open
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Error(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("run still running 5s after Ctrl-C: the open event stream holds srv.Shutdown until its 10s timeout")
	}
}
