package slack

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/parleybot/parley/adapters/internal/platform"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/render"
)

var thread = bot.Address{Platform: Platform, Workspace: "T1", Channel: "C1", Thread: "1690000000.000001"}

// paragraphs returns n paragraphs of markdown, each naming its number,
// long enough that a few fill a Slack message.
func paragraphs(n int) (string, []string) {
	var b strings.Builder
	var names []string
	for i := range n {
		name := fmt.Sprintf("para%03d", i)
		names = append(names, name)
		fmt.Fprintf(&b, "%s %s\n\n", name, strings.Repeat("lorem ipsum ", 200))
	}
	return b.String(), names
}

// shownNames returns, in order, the paragraph names the messages show.
func shownNames(t *testing.T, msgs []fakeMsg) []string {
	t.Helper()
	var out []string
	for _, m := range msgs {
		for _, txt := range blockTexts(t, m) {
			for w := range strings.FieldsSeq(txt) {
				if strings.HasPrefix(w, "para") {
					out = append(out, w)
				}
			}
		}
	}
	return out
}

func TestPostSendsBlocksAndFallbackText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		to   bot.Address
	}{
		{"in a thread", thread},
		{"at the top of the channel", bot.Address{Platform: Platform, Workspace: "T1", Channel: "C1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			a := f.adapter(nil)
			ref, err := a.Post(ctxT(t), tt.to, bot.Outgoing{Content: render.Markdown("**hello** world")})
			if err != nil {
				t.Fatalf("Post: %v", err)
			}
			calls := f.callsTo("chat.postMessage")
			if len(calls) != 1 {
				t.Fatalf("chat.postMessage called %d times; want 1", len(calls))
			}
			form := calls[0].Form
			if form.Get("channel") != "C1" || form.Get("thread_ts") != tt.to.Thread || form.Has("thread_ts") != (tt.to.Thread != "") {
				t.Errorf("posted to channel %q thread %q (set: %v); want C1, %q", form.Get("channel"), form.Get("thread_ts"), form.Has("thread_ts"), tt.to.Thread)
			}
			if form.Get("text") != "hello world" {
				t.Errorf("fallback text %q; want %q", form.Get("text"), "hello world")
			}
			if !strings.Contains(form.Get("blocks"), `"type":"mrkdwn","text":"*hello* world"`) {
				t.Errorf("blocks %s; want a mrkdwn section *hello* world", form.Get("blocks"))
			}
			if form.Get("token") != "xoxb-test" {
				t.Errorf("token %q; want the bot token", form.Get("token"))
			}
			shown := f.shown()
			if ref.Address != tt.to || len(shown) != 1 || ref.ID != shown[0].TS {
				t.Errorf("Post returned %+v; want the ts of the message posted at %s", ref, tt.to)
			}
		})
	}
}

func TestPostSplitsLongContentAcrossMessages(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	a := f.adapter(nil)
	md, names := paragraphs(12) // about 29,000 characters: three messages or more
	ref, err := a.Post(ctxT(t), thread, bot.Outgoing{Content: render.Markdown(md)})
	if err != nil {
		t.Fatalf("Post: %v", err)
	}
	shown := f.shown()
	if len(shown) < 3 {
		t.Fatalf("posted %d messages; want 3 or more", len(shown))
	}
	var tss []string
	for _, m := range shown {
		tss = append(tss, m.TS)
		if m.Thread != thread.Thread {
			t.Errorf("message %s posted in thread %q; want %q", m.TS, m.Thread, thread.Thread)
		}
	}
	if ref.ID != strings.Join(tss, ",") {
		t.Errorf("ref ID %q; want every ts in order, comma-separated: %q", ref.ID, strings.Join(tss, ","))
	}
	if got := shownNames(t, shown); !slices.Equal(got, names) {
		t.Errorf("the messages show paragraphs %v; want %v", got, names)
	}
}

func TestPostGroupMarksButtonsWithTheGroupID(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	a := f.adapter(nil)
	md, _ := paragraphs(6)
	card := render.Card{Title: "Approve?", Body: []render.Node{render.Markdown(md)}}
	card.Actions = render.Actions(render.Button("Yes", true), render.Button("No", false))
	ids := render.IDs{}
	for i, el := range render.Interactives(card) {
		ids[el] = fmt.Sprintf("act%d", i)
	}
	ref, err := a.Post(ctxT(t), thread, bot.Outgoing{Content: card, IDs: ids})
	if err != nil {
		t.Fatalf("Post: %v", err)
	}
	shown := f.shown()
	if len(shown) < 2 {
		t.Fatalf("posted %d messages; want the card split over 2 or more", len(shown))
	}
	last := shown[len(shown)-1]
	bids := blockIDs(t, last)
	if len(bids) != 1 {
		t.Fatalf("the last message has block_ids %q; want one on its actions block", bids)
	}
	if got := messageIDOf(last.TS, bids[0]); got != ref.ID {
		t.Errorf("messageIDOf(%q, %q) = %q; want the group's ID %q", last.TS, bids[0], got, ref.ID)
	}
	if ups := f.callsTo("chat.update"); len(ups) != 1 || ups[0].Form.Get("ts") != last.TS {
		t.Errorf("chat.update called %d times; want once, on the message with the buttons", len(ups))
	}
	for _, m := range shown[:len(shown)-1] {
		if b := blockIDs(t, m); len(b) != 0 {
			t.Errorf("message %s without buttons has block_ids %q", m.TS, b)
		}
	}
}

func TestMessageIDOf(t *testing.T) {
	t.Parallel()
	tests := []struct{ ts, blockID, want string }{
		{"1.2", "", "1.2"},
		{"1.2", "other", "1.2"},
		{"1.3", "parley:1.2,1.3:0", "1.2,1.3"},
		{"1.9", "parley:1.2:4", "1.2"},
		{"1.2", "parley:", "1.2"},
		{"1.2", "parley::1", "1.2"},
	}
	for _, tt := range tests {
		if got := messageIDOf(tt.ts, tt.blockID); got != tt.want {
			t.Errorf("messageIDOf(%q, %q) = %q; want %q", tt.ts, tt.blockID, got, tt.want)
		}
	}
}

func TestPostFailingMidwayDeletesWhatItPosted(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	a := f.adapter(nil)
	f.on("chat.postMessage", func(n int, w http.ResponseWriter, _ url.Values) bool {
		if n == 2 {
			slackError(w, "msg_too_long")
			return true
		}
		return false
	})
	md, _ := paragraphs(12)
	_, err := a.Post(ctxT(t), thread, bot.Outgoing{Content: render.Markdown(md)})
	if err == nil || !strings.HasPrefix(err.Error(), "slack: ") || !strings.Contains(err.Error(), "msg_too_long") {
		t.Fatalf("Post: %v; want an error naming msg_too_long", err)
	}
	if shown := f.shown(); len(shown) != 0 {
		t.Errorf("after the failure %d messages are shown; want the first deleted again", len(shown))
	}
	if dels := f.callsTo("chat.delete"); len(dels) != 1 {
		t.Errorf("chat.delete called %d times; want 1", len(dels))
	}
}

func TestPostNothingToShow(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	a := f.adapter(nil)
	if _, err := a.Post(ctxT(t), thread, bot.Outgoing{Content: render.Card{}}); err == nil {
		t.Error("Post of an empty card succeeded; want an error")
	}
	if err := a.Update(ctxT(t), bot.MessageRef{Address: thread, ID: "1.1"}, bot.Outgoing{Content: render.Card{}}); err == nil {
		t.Error("Update to an empty card succeeded; want an error")
	}
	if err := a.Update(ctxT(t), bot.MessageRef{Address: thread}, bot.Outgoing{Content: render.Text("x")}); err == nil {
		t.Error("Update of a ref without ID succeeded; want an error")
	}
	if err := a.Update(ctxT(t), bot.MessageRef{Address: thread, ID: "F0123"}, bot.Outgoing{Content: render.Text("x")}); err == nil {
		t.Error("Update of a file's id succeeded; want an error")
	}
	if calls := f.methods(); len(calls) != 0 {
		t.Errorf("Slack was called: %v; want no call", calls)
	}
}

func TestUpdateEditsTheWholeGroup(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	a := f.adapter(nil)
	ctx := ctxT(t)
	md, names := paragraphs(12)
	ref, err := a.Post(ctx, thread, bot.Outgoing{Content: render.Markdown(md)})
	if err != nil {
		t.Fatalf("Post: %v", err)
	}
	group := platform.SplitID(ref.ID)

	// Shrinking: the first message shows the new content, the rest go.
	if err := a.Update(ctx, ref, bot.Outgoing{Content: render.Markdown("para999 short")}); err != nil {
		t.Fatalf("Update (shrink): %v", err)
	}
	shown := f.shown()
	if len(shown) != 1 || shown[0].TS != group[0] {
		t.Fatalf("after shrinking, %d messages are shown; want the first alone", len(shown))
	}
	if got := shownNames(t, shown); !slices.Equal(got, []string{"para999"}) {
		t.Errorf("after shrinking the message shows %v; want [para999]", got)
	}
	if dels := f.callsTo("chat.delete"); len(dels) != len(group)-1 {
		t.Errorf("chat.delete called %d times; want %d", len(dels), len(group)-1)
	}

	// Growing again from the same ref, as after a restart: the deleted
	// messages are posted again as replies in the thread.
	if err := a.Update(ctx, ref, bot.Outgoing{Content: render.Markdown(md)}); err != nil {
		t.Fatalf("Update (grow): %v", err)
	}
	shown = f.shown()
	if got := shownNames(t, shown); !slices.Equal(got, names) {
		t.Errorf("after growing the messages show %v; want %v", got, names)
	}
	for _, m := range shown {
		if m.Thread != thread.Thread {
			t.Errorf("message %s is in thread %q; want %q", m.TS, m.Thread, thread.Thread)
		}
	}
}

func TestUpdateOfATopLevelMessageRepliesUnderIt(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	a := f.adapter(nil)
	ctx := ctxT(t)
	top := bot.Address{Platform: Platform, Workspace: "T1", Channel: "C1"}
	ref, err := a.Post(ctx, top, bot.Outgoing{Content: render.Text("short")})
	if err != nil {
		t.Fatalf("Post: %v", err)
	}
	md, names := paragraphs(12)
	if err := a.Update(ctx, ref, bot.Outgoing{Content: render.Markdown(md)}); err != nil {
		t.Fatalf("Update: %v", err)
	}
	shown := f.shown()
	if got := shownNames(t, shown); !slices.Equal(got, names) {
		t.Errorf("the messages show %v; want %v", got, names)
	}
	if shown[0].TS != ref.ID {
		t.Errorf("the first message is %s; want the one posted, %s", shown[0].TS, ref.ID)
	}
	for _, m := range shown[1:] {
		if m.Thread != ref.ID {
			t.Errorf("extra message %s is in thread %q; want a reply under %s", m.TS, m.Thread, ref.ID)
		}
	}
}

func TestUpdateClearsWhatTheNewContentLacks(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	a := f.adapter(nil)
	ctx := ctxT(t)
	card := render.Card{Title: "Status", Accent: render.Green, Body: []render.Node{render.Text("green")}}
	ref, err := a.Post(ctx, thread, bot.Outgoing{Content: card})
	if err != nil {
		t.Fatalf("Post: %v", err)
	}
	if m, _ := f.msg(ref.ID); !strings.Contains(m.Attachments, `"color"`) {
		t.Fatalf("the card was posted with attachments %q; want its accent's", m.Attachments)
	}
	if err := a.Update(ctx, ref, bot.Outgoing{Content: render.Text("plain now")}); err != nil {
		t.Fatalf("Update: %v", err)
	}
	form := f.callsTo("chat.update")[0].Form
	if form.Get("attachments") != "[]" || !strings.Contains(form.Get("blocks"), "plain now") || form.Get("ts") != ref.ID || form.Get("channel") != "C1" {
		t.Errorf("chat.update sent ts %q channel %q attachments %q blocks %q; want the attachments cleared and the new blocks",
			form.Get("ts"), form.Get("channel"), form.Get("attachments"), form.Get("blocks"))
	}
}
