package slack

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/render"
)

// streamedText returns the text of the messages, in order: a native
// message's markdown_text, or the words of a posted one's blocks.
func streamedText(t *testing.T, msgs []fakeMsg) string {
	t.Helper()
	var b strings.Builder
	for _, m := range msgs {
		if m.Blocks == "" && m.Attachments == "" {
			b.WriteString(m.Text)
			continue
		}
		for _, txt := range blockTexts(t, m) {
			b.WriteString(txt + " ")
		}
	}
	return b.String()
}

// words returns n words "w0 w1 …", each with its space.
func words(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("w%d ", i)
	}
	return out
}

func TestStreamGathersAppendsIntoFewCalls(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	a := f.adapter(nil)
	a.out.flushEvery = 200 * time.Millisecond
	ctx := ctxT(t)
	st, err := a.StartStream(ctx, thread, bot.StreamOptions{Recipient: bot.User{ID: "U1"}})
	if err != nil {
		t.Fatalf("StartStream: %v", err)
	}
	ws := words(300)
	for i, w := range ws {
		if err := st.Append(ctx, w); err != nil {
			t.Fatalf("Append: %v", err)
		}
		if i == 150 {
			waitStreamStarted(ctx, t, f) // a model slower than a flush
		}
	}
	ref, err := st.Close(ctx)
	if err != nil {
		t.Fatalf("Close: %v", err)
	}
	starts, appends, stops := f.callsTo("chat.startStream"), f.callsTo("chat.appendStream"), f.callsTo("chat.stopStream")
	if len(starts) != 1 || len(starts)+len(appends) > 3 {
		t.Errorf("300 appends made %d chat.startStream and %d chat.appendStream calls; want one start and a handful in all", len(starts), len(appends))
	}
	form := starts[0].Form
	if form.Get("channel") != "C1" || form.Get("thread_ts") != thread.Thread || form.Get("recipient_user_id") != "U1" || form.Get("recipient_team_id") != "T1" {
		t.Errorf("chat.startStream sent %v; want C1, the thread, recipient U1 of T1", form)
	}
	shown := f.shown()
	if len(shown) != 1 || shown[0].Text != strings.Join(ws, "") || shown[0].Streaming {
		t.Errorf("the stream shows %+v; want one stopped message with every word", shown)
	}
	if len(stops) != 1 || stops[0].Form.Get("ts") != shown[0].TS {
		t.Errorf("chat.stopStream calls %v; want one, of the message", stops)
	}
	if ref != (bot.MessageRef{Address: thread, ID: shown[0].TS}) {
		t.Errorf("Close = %+v; want the message's ref", ref)
	}
}

func TestStreamSendsWithoutWaitingForClose(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	a := f.adapter(nil)
	ctx := ctxT(t)
	st, _ := a.StartStream(ctx, thread, bot.StreamOptions{})
	showing := func(text string) func() bool {
		return func() bool { s := f.shown(); return len(s) == 1 && s[0].Text == text }
	}
	_ = st.Append(ctx, "hello")
	f.waitFor("the first flush", showing("hello"))
	_ = st.Append(ctx, " world")
	f.waitFor("the second flush", showing("hello world"))
	if _, err := st.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if form := f.callsTo("chat.startStream")[0].Form; form.Has("recipient_user_id") {
		t.Errorf("chat.startStream sent a recipient without one: %v", form)
	}
	if err := st.Append(ctx, "late"); err == nil {
		t.Error("Append after Close succeeded; want an error")
	}
}

func TestStreamRotatesToANewMessage(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	a := f.adapter(func(c *Config) { c.StreamRotateAfter = time.Nanosecond })
	ctx := ctxT(t)
	st, _ := a.StartStream(ctx, thread, bot.StreamOptions{Recipient: bot.User{ID: "U1"}})
	_ = st.Append(ctx, "one ")
	f.waitFor("the first message", func() bool { return len(f.shown()) == 1 })
	_ = st.Append(ctx, "two ")
	f.waitFor("the second message", func() bool { return len(f.shown()) == 2 })
	ref, err := st.Close(ctx)
	if err != nil {
		t.Fatalf("Close: %v", err)
	}
	shown := f.shown()
	if len(shown) != 2 || shown[0].Text != "one " || shown[1].Text != "two " {
		t.Fatalf("the stream shows %+v; want %q then %q", shown, "one ", "two ")
	}
	for _, m := range shown {
		if m.Streaming || m.Thread != thread.Thread {
			t.Errorf("message %s: streaming %v, in thread %q; want stopped, in %q", m.TS, m.Streaming, m.Thread, thread.Thread)
		}
	}
	methods := f.methods()
	want := []string{"chat.startStream", "chat.stopStream", "chat.startStream", "chat.stopStream"}
	if !slices.Equal(methods, want) {
		t.Errorf("calls %v; want %v: the first message ended before the second began", methods, want)
	}
	if ref.ID != shown[0].TS+","+shown[1].TS {
		t.Errorf("Close = %q; want both messages", ref.ID)
	}
}

func TestStreamGoesOnWhenSlackEndsTheMessage(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	a := f.adapter(nil)
	f.on("chat.appendStream", func(n int, w http.ResponseWriter, form url.Values) bool {
		if n > 1 {
			return false
		}
		f.mu.Lock()
		f.msgs[form.Get("ts")].Streaming = false // Slack timed it out
		f.mu.Unlock()
		slackError(w, "message_not_in_streaming_state")
		return true
	})
	ctx := ctxT(t)
	st, _ := a.StartStream(ctx, thread, bot.StreamOptions{})
	_ = st.Append(ctx, "one ")
	f.waitFor("the first message", func() bool { return len(f.shown()) == 1 })
	_ = st.Append(ctx, "two ")
	_ = st.Append(ctx, "three ")
	ref, err := st.Close(ctx)
	if err != nil {
		t.Fatalf("Close: %v", err)
	}
	shown := f.shown()
	if len(shown) != 2 || shown[0].Text != "one " || shown[1].Text != "two three " {
		t.Fatalf("the stream shows %+v; want %q, then what Slack refused in a new message", shown, "one ")
	}
	if ref.ID != shown[0].TS+","+shown[1].TS {
		t.Errorf("Close = %q; want both messages", ref.ID)
	}
}

func TestStreamFallsBackToThrottledEditsWithoutLosingText(t *testing.T) {
	t.Parallel()
	const every = 100 * time.Millisecond
	f := newFake(t)
	a := f.adapter(nil)
	a.cfg.UpdateInterval = every // below the minimum New allows, to keep the test short
	f.on("chat.startStream", func(_ int, w http.ResponseWriter, _ url.Values) bool {
		slackError(w, "feature_not_enabled")
		return true
	})
	ctx := ctxT(t)
	st, _ := a.StartStream(ctx, thread, bot.StreamOptions{})
	ws := words(60)
	for _, w := range ws {
		_ = st.Append(ctx, w)
		time.Sleep(5 * time.Millisecond) // a model writing: tokens over about 300 ms
	}
	ref, err := st.Close(ctx)
	if err != nil {
		t.Fatalf("Close: %v", err)
	}

	shown := f.shown()
	if len(shown) != 1 || shown[0].Thread != thread.Thread {
		t.Fatalf("the fallback shows %d messages; want one, in the thread", len(shown))
	}
	if got, want := strings.Fields(streamedText(t, shown)), strings.Fields(strings.Join(ws, "")); !slices.Equal(got, want) {
		t.Errorf("the message ends showing %q; want every word appended, %q", got, want)
	}
	if ref.ID != shown[0].TS {
		t.Errorf("Close = %+v; want the posted message", ref)
	}
	var at []time.Time
	f.mu.Lock()
	for _, c := range f.calls {
		if c.Method == "chat.postMessage" || c.Method == "chat.update" {
			at = append(at, c.At)
		}
	}
	f.mu.Unlock()
	if len(at) < 3 {
		t.Errorf("the fallback posted and edited %d times in all; want edits while the text came", len(at))
	}
	for i := 1; i < len(at)-1; i++ { // the last, from Close, is not throttled
		if d := at[i].Sub(at[i-1]); d < every {
			t.Errorf("edit %d came %v after the one before; want at least %v", i, d, every)
		}
	}

	// Slack said it does not stream: the next stream does not ask again.
	st, _ = a.StartStream(ctx, thread, bot.StreamOptions{})
	_ = st.Append(ctx, "again")
	if _, err := st.Close(ctx); err != nil {
		t.Fatalf("second stream's Close: %v", err)
	}
	if n := len(f.callsTo("chat.startStream")); n != 1 {
		t.Errorf("chat.startStream called %d times; want once, before Slack said feature_not_enabled", n)
	}
}

func TestStreamFallsBackMidwayAfterAFailure(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	a := f.adapter(nil)
	f.on("chat.appendStream", func(_ int, w http.ResponseWriter, _ url.Values) bool {
		slackError(w, "internal_error")
		return true
	})
	ctx := ctxT(t)
	st, _ := a.StartStream(ctx, thread, bot.StreamOptions{})
	_ = st.Append(ctx, "one ")
	f.waitFor("the first message", func() bool { return len(f.shown()) == 1 })
	_ = st.Append(ctx, "two")
	ref, err := st.Close(ctx)
	if err != nil {
		t.Fatalf("Close: %v", err)
	}
	shown := f.shown()
	if len(shown) != 2 || shown[0].Text != "one " || shown[0].Streaming || shown[1].Thread != thread.Thread {
		t.Fatalf("the stream shows %+v; want the native message stopped, then a post in the thread", shown)
	}
	if got := blockTexts(t, shown[1]); !slices.Equal(got, []string{"two"}) {
		t.Errorf("the post shows %q; want the text the native stream did not take", got)
	}
	if ref.ID != shown[0].TS+","+shown[1].TS {
		t.Errorf("Close = %q; want both messages", ref.ID)
	}
	if n := len(f.callsTo("chat.postMessage")); n != 1 {
		t.Errorf("chat.postMessage called %d times; want 1", n)
	}
}

func TestStreamAtTheTopUsesPostsAndEdits(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	a := f.adapter(nil)
	ctx := ctxT(t)
	dm := bot.Address{Platform: Platform, Workspace: "T1", Channel: "D1"}
	st, _ := a.StartStream(ctx, dm, bot.StreamOptions{})
	_ = st.Append(ctx, "   ") // white space alone shows nothing
	_ = st.Append(ctx, "hello **there**")
	ref, err := st.Close(ctx)
	if err != nil {
		t.Fatalf("Close: %v", err)
	}
	shown := f.shown()
	if len(shown) != 1 || shown[0].Thread != "" || ref.ID != shown[0].TS {
		t.Fatalf("the stream shows %+v, Close = %+v; want one top-level message", shown, ref)
	}
	if got := blockTexts(t, shown[0]); !slices.Equal(got, []string{"hello *there*"}) {
		t.Errorf("the message shows %q; want the text as mrkdwn", got)
	}
	if n := len(f.callsTo("chat.startStream")); n != 0 {
		t.Errorf("chat.startStream called %d times at the top of a DM; want none", n)
	}
}

func TestStreamRollsLongTextOverToNewMessages(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	a := f.adapter(nil)
	ctx := ctxT(t)
	a.out.flushEvery = 10 * time.Millisecond
	st, _ := a.StartStream(ctx, thread, bot.StreamOptions{})
	long := strings.Repeat("lorem ipsum dolor sit amet\n", 1000) // 27,000 characters
	_ = st.Append(ctx, long)
	waitStreamStarted(ctx, t, f)
	ref, err := st.Close(ctx)
	if err != nil {
		t.Fatalf("Close: %v", err)
	}
	shown := f.shown()
	if len(shown) < 3 {
		t.Fatalf("the stream shows %d messages; want 3 or more", len(shown))
	}
	var tss []string
	for _, m := range shown {
		tss = append(tss, m.TS)
		if n := render.Len(m.Text); n > streamText || m.Streaming {
			t.Errorf("message %s holds %d characters, streaming %v; want at most %d, stopped", m.TS, n, m.Streaming, streamText)
		}
	}
	if got := streamedText(t, shown); got != long {
		t.Error("the messages together do not show the text appended")
	}
	if ref.ID != strings.Join(tss, ",") {
		t.Errorf("Close = %q; want every message", ref.ID)
	}
}

func TestStreamWithNothingAppendedPostsNothing(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	a := f.adapter(nil)
	ctx := ctxT(t)
	for _, to := range []bot.Address{thread, {Platform: Platform, Channel: "D1"}} {
		st, err := a.StartStream(ctx, to, bot.StreamOptions{})
		if err != nil {
			t.Fatalf("StartStream: %v", err)
		}
		if ref, err := st.Close(ctx); err != nil || ref != (bot.MessageRef{}) {
			t.Errorf("Close = %+v, %v; want a zero ref", ref, err)
		}
	}
	if calls := f.methods(); len(calls) != 0 {
		t.Errorf("Slack was called: %v", calls)
	}
}

func TestShortAnswerClosedBeforeAFlushIsOnePost(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	a := f.adapter(nil)
	a.out.flushEvery = time.Hour
	ctx := ctxT(t)
	st, err := a.StartStream(ctx, thread, bot.StreamOptions{Recipient: bot.User{ID: "U1"}})
	if err != nil {
		t.Fatalf("StartStream: %v", err)
	}
	for _, w := range []string{"All ", "done."} {
		if err := st.Append(ctx, w); err != nil {
			t.Fatal(err)
		}
	}
	ref, err := st.Close(ctx)
	if err != nil {
		t.Fatalf("Close: %v", err)
	}
	if n := len(f.callsTo("chat.startStream")) + len(f.callsTo("chat.appendStream")) + len(f.callsTo("chat.stopStream")); n != 0 {
		t.Errorf("a short answer made %d stream calls", n)
	}
	posts := f.callsTo("chat.postMessage")
	shown := f.shown()
	if len(posts) != 1 || len(shown) != 1 || !strings.Contains(shown[0].Text, "All done.") || ref.ID != shown[0].TS {
		t.Errorf("want one post showing the answer, got %d posts, shown %+v, ref %v", len(posts), shown, ref)
	}
}

// waitStreamStarted waits for a flush to begin a native stream.
func waitStreamStarted(ctx context.Context, t *testing.T, f *fakeSlack) {
	t.Helper()
	for len(f.callsTo("chat.startStream")) == 0 {
		if ctx.Err() != nil {
			t.Fatal("no flush began the stream")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
