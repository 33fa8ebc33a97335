package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/parleybot/parley/adapters/web"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/render"
)

// A log that grew with updates (written by a version that never
// rewrote it, or cut short by a crash before a rewrite) is rewritten at
// start as its live state, through a temporary file renamed over it; the
// page shows the same conversations, and a stale temporary file left by
// a crash is no harm.
func TestTheLogIsRewrittenAtStartAsWhatThePageShows(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var lines []string
	lines = append(lines, `{"c":{"id":"c1","title":"deploy","time":"2025-01-01T00:00:00Z"}}`)
	lines = append(lines, `{"m":{"id":"u-1","conv":"c1","time":"2025-01-01T00:00:00Z","from":"ana","text":"deploy"}}`)
	for i := range 300 {
		lines = append(lines, `{"m":{"id":"b-1","conv":"c1","time":"2025-01-01T00:00:01Z","text":"step `+strconv.Itoa(i)+`","html":"<p>step `+strconv.Itoa(i)+`</p>"}}`)
	}
	path := filepath.Join(dir, "conversations.jsonl")
	if err := os.MkdirAll(filepath.Join(dir, "files"), 0o700); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600)
	os.WriteFile(path+".tmp", []byte("half a rewrite"), 0o600)
	before, _ := os.Stat(path)

	a, b := newSite(t, web.Config{Dir: dir})
	after, _ := os.Stat(path)
	if after.Size() > before.Size()/50 {
		t.Errorf("the log of %d bytes is %d bytes after the start; want it rewritten as its 3 live lines", before.Size(), after.Size())
	}
	b.conv = "c1"
	st := b.state("ana")
	if len(st.Conversations) != 1 || st.Conversations[0].Title != "deploy" || len(st.Messages) != 2 || st.Messages[1].Text != "step 299" {
		t.Errorf("after the rewrite the page shows %+v", st)
	}
	// What comes after is appended to the rewritten log.
	a.Post(context.Background(), web.Address("c1"), bot.Outgoing{Content: render.Text("after")})
	a.Close()
	_, b2 := newSite(t, web.Config{Dir: dir})
	b2.conv = "c1"
	if st := b2.state("ana"); len(st.Messages) != 3 || st.Messages[2].Text != "after" {
		t.Errorf("after a restart the page shows %+v", st.Messages)
	}
}
