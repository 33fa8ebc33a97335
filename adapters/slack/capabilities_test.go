package slack

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/render"
)

// answerUploads answers the external upload's calls: the upload URL on the
// fake's own host, and files.info with the share ts (none when "").
func (f *fakeSlack) answerUploads(share string) {
	f.on("files.getUploadURLExternal", func(_ int, w http.ResponseWriter, _ url.Values) bool {
		reply(w, map[string]any{"ok": true, "upload_url": f.srv.URL + "/upload/F1", "file_id": "F1"})
		return true
	})
	f.on("files.completeUploadExternal", func(_ int, w http.ResponseWriter, form url.Values) bool {
		var files []map[string]any
		_ = json.Unmarshal([]byte(form.Get("files")), &files)
		reply(w, map[string]any{"ok": true, "files": files})
		return true
	})
	f.on("files.info", func(_ int, w http.ResponseWriter, form url.Values) bool {
		shares := map[string]any{}
		if share != "" {
			shares["public"] = map[string]any{
				"C1": []map[string]any{
					{"ts": "1690000000.000900", "thread_ts": "elsewhere"},
					{"ts": share, "thread_ts": thread.Thread},
				},
			}
		}
		reply(w, map[string]any{"ok": true, "file": map[string]any{"id": form.Get("file"), "shares": shares}})
		return true
	})
}

func TestPostFileUploadsAndShares(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	a := f.adapter(nil)
	f.answerUploads("1690000000.000500")
	file := bot.File{Name: "report.txt", Title: "Report", Data: []byte("42 widgets\n"), Comment: "Here it is."}
	ref, err := a.PostFile(ctxT(t), thread, file)
	if err != nil {
		t.Fatalf("PostFile: %v", err)
	}
	if want := (bot.MessageRef{Address: thread, ID: "1690000000.000500"}); ref != want {
		t.Errorf("PostFile = %+v; want the ts of the share in the thread, %+v", ref, want)
	}
	get := f.callsTo("files.getUploadURLExternal")
	if len(get) != 1 || get[0].Form.Get("filename") != "report.txt" || get[0].Form.Get("length") != "11" {
		t.Errorf("files.getUploadURLExternal calls %v; want one for report.txt of 11 bytes", get)
	}
	f.mu.Lock()
	data := string(f.uploads["/upload/F1"])
	f.mu.Unlock()
	if data != "42 widgets\n" {
		t.Errorf("uploaded %q; want the file's data", data)
	}
	done := f.callsTo("files.completeUploadExternal")
	if len(done) != 1 {
		t.Fatalf("files.completeUploadExternal called %d times; want 1", len(done))
	}
	form := done[0].Form
	if form.Get("channel_id") != "C1" || form.Get("thread_ts") != thread.Thread || form.Get("initial_comment") != "Here it is." ||
		form.Get("files") != `[{"id":"F1","title":"Report"}]` {
		t.Errorf("files.completeUploadExternal sent %v; want C1, the thread, the comment and F1 titled Report", form)
	}
}

func TestPostFileWithoutAShareReportedReturnsTheFileID(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	a := f.adapter(nil)
	a.out.shareWaits = []time.Duration{0, time.Millisecond}
	f.answerUploads("")
	ref, err := a.PostFile(ctxT(t), thread, bot.File{Name: "a.txt", Data: []byte("x")})
	if err != nil || ref.ID != "F1" {
		t.Errorf("PostFile = %+v, %v; want the file's id", ref, err)
	}
	if n := len(f.callsTo("files.info")); n != 2 {
		t.Errorf("files.info called %d times; want 2", n)
	}
}

func TestPostFileRefusesWhatSlackWould(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	a := f.adapter(nil)
	for _, file := range []bot.File{{Name: "empty.txt"}, {Data: []byte("x")}} {
		if _, err := a.PostFile(ctxT(t), thread, file); err == nil || !strings.HasPrefix(err.Error(), "slack: ") {
			t.Errorf("PostFile(%+v): %v; want an error", file, err)
		}
	}
	if calls := f.methods(); len(calls) != 0 {
		t.Errorf("Slack was called: %v", calls)
	}
}

func TestPostEphemeral(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	a := f.adapter(nil)
	if err := a.PostEphemeral(ctxT(t), thread, "U2", bot.Outgoing{Content: render.Text("psst")}); err != nil {
		t.Fatalf("PostEphemeral: %v", err)
	}
	calls := f.callsTo("chat.postEphemeral")
	if len(calls) != 1 {
		t.Fatalf("chat.postEphemeral called %d times; want 1", len(calls))
	}
	form := calls[0].Form
	if form.Get("channel") != "C1" || form.Get("user") != "U2" || form.Get("thread_ts") != thread.Thread ||
		form.Get("text") != "psst" || !strings.Contains(form.Get("blocks"), "psst") {
		t.Errorf("chat.postEphemeral sent %v; want C1, U2, the thread, text and blocks", form)
	}
	if len(f.shown()) != 0 {
		t.Error("the ephemeral message is shown to everyone")
	}
}

func TestReact(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, emoji, answer string
		wantErr             bool
	}{
		{"a name", "eyes", "", false},
		{"colons are dropped", ":eyes:", "", false},
		{"already reacted is done", "eyes", "already_reacted", false},
		{"another refusal is an error", "eyes", "invalid_name", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			a := f.adapter(nil)
			if tt.answer != "" {
				f.on("reactions.add", func(_ int, w http.ResponseWriter, _ url.Values) bool {
					slackError(w, tt.answer)
					return true
				})
			}
			err := a.React(ctxT(t), bot.MessageRef{Address: thread, ID: "1.000001,1.000002"}, tt.emoji)
			if (err != nil) != tt.wantErr {
				t.Errorf("React: %v; want an error: %v", err, tt.wantErr)
			}
			calls := f.callsTo("reactions.add")
			if len(calls) != 1 {
				t.Fatalf("reactions.add called %d times; want 1", len(calls))
			}
			form := calls[0].Form
			if form.Get("name") != "eyes" || form.Get("channel") != "C1" || form.Get("timestamp") != "1.000001" {
				t.Errorf("reactions.add sent %v; want eyes on the group's first message in C1", form)
			}
		})
	}
}

func TestSetStatusInAnAssistantThread(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	a := f.adapter(nil)
	in := bot.Address{Platform: Platform, Workspace: "T1", Channel: "D1", Thread: "1.000001"}
	ctx := ctxT(t)
	for _, status := range []string{"is thinking…", ""} {
		if err := a.SetStatus(ctx, in, status); err != nil {
			t.Fatalf("SetStatus(%q): %v", status, err)
		}
	}
	calls := f.callsTo("assistant.threads.setStatus")
	if len(calls) != 2 {
		t.Fatalf("assistant.threads.setStatus called %d times; want 2", len(calls))
	}
	for i, want := range []string{"is thinking…", ""} {
		form := calls[i].Form
		if form.Get("channel_id") != "D1" || form.Get("thread_ts") != "1.000001" || form.Get("status") != want || !form.Has("status") {
			t.Errorf("call %d sent %v; want D1, the thread and status %q", i, form, want)
		}
	}
}

func TestStatusElsewhereIsUnsupported(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	a := f.adapter(nil)
	for _, in := range []bot.Address{thread, {Platform: Platform, Channel: "D1"}} {
		err := a.SetStatus(ctxT(t), in, "is thinking…")
		var ue *bot.UnsupportedError
		if !errors.Is(err, bot.ErrUnsupported) || !errors.As(err, &ue) || ue.Platform != Platform || ue.Capability != bot.CapStatus {
			t.Errorf("SetStatus at %s: %v; want a *bot.UnsupportedError for slack and status", in, err)
		}
	}
	if calls := f.methods(); len(calls) != 0 {
		t.Errorf("Slack was called: %v", calls)
	}
}

func TestCapabilities(t *testing.T) {
	t.Parallel()
	a := newFake(t).adapter(nil)
	everywhere := []bot.Capability{bot.CapHistory, bot.CapUserLookup, bot.CapFiles, bot.CapStreaming, bot.CapEphemeral, bot.CapReactions}
	tests := []struct {
		in     bot.Address
		status bool
	}{
		{bot.Address{Channel: "D1", Thread: "1.1"}, true},
		{bot.Address{Channel: "D1"}, false},
		{bot.Address{Channel: "C1", Thread: "1.1"}, false},
		{bot.Address{Channel: "G1"}, false},
	}
	for _, tt := range tests {
		cs := a.Capabilities(tt.in)
		for _, c := range everywhere {
			if !cs.Has(c) {
				t.Errorf("Capabilities(%s) = %v; want %v", tt.in, cs, c)
			}
		}
		if cs.Has(bot.CapStatus) != tt.status {
			t.Errorf("Capabilities(%s) = %v; want status: %v", tt.in, cs, tt.status)
		}
	}
}
