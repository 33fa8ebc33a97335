package slack

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/parleybot/parley/adapters/slack/slackfake"
	"github.com/parleybot/parley/bot"
)

// slackMsg is a message as the history methods return it.
func slackMsg(ts, user, text string, extra ...string) map[string]any {
	m := map[string]any{"type": "message", "ts": ts, "text": text}
	if user != "" {
		m["user"] = user
	}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i]] = extra[i+1]
	}
	return m
}

func namesUsers(f *fakeSlack) {
	f.on("users.info", func(_ int, w http.ResponseWriter, form url.Values) bool {
		reply(w, userJSON(form.Get("user"), "name-"+form.Get("user"), "", "", false))
		return true
	})
}

func TestMessagesReadsTheThreadPageByPage(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	a := f.adapter(nil)
	namesUsers(f)
	pages := [][]map[string]any{
		{
			slackMsg("100.000001", "U1", "<@UBOT> can you help?"),
			slackMsg("100.000002", "U2", "", "subtype", "channel_join"),
			slackMsg("100.000003", "UBOT", "Sure.", "bot_id", "BBOT"),
		},
		{
			slackMsg("100.000004", "U2", "me too, <@UBOT|bot>"),
			slackMsg("100.000005", "", "From another bot", "bot_id", "BOTHER", "subtype", "bot_message", "username", "Other"),
			slackMsg("100.000006", "", "Mine, without a user", "bot_id", "BBOT"),
		},
	}
	f.on("conversations.replies", func(n int, w http.ResponseWriter, form url.Values) bool {
		res := map[string]any{"ok": true, "messages": pages[n-1], "has_more": n < len(pages)}
		if n < len(pages) {
			res["response_metadata"] = map[string]any{"next_cursor": "page2"}
		}
		reply(w, res)
		return true
	})
	got, err := a.Messages(ctxT(t), thread, 4)
	if err != nil {
		t.Fatalf("Messages: %v", err)
	}

	calls := f.callsTo("conversations.replies")
	if len(calls) != 2 {
		t.Fatalf("conversations.replies called %d times; want 2 pages", len(calls))
	}
	for i, c := range calls {
		wantCursor := []string{"", "page2"}[i]
		if c.Form.Get("channel") != "C1" || c.Form.Get("ts") != thread.Thread || c.Form.Get("cursor") != wantCursor || c.Form.Get("limit") == "" {
			t.Errorf("page %d asked with %v; want channel C1, ts %s, cursor %q and a limit", i+1, c.Form, thread.Thread, wantCursor)
		}
	}
	want := []bot.Message{
		{ID: "100.000003", Text: "Sure.", User: bot.User{ID: "UBOT", IsBot: true}, FromSelf: true},
		{ID: "100.000004", Text: "me too, @bot", User: bot.User{ID: "U2", Name: "name-U2"}, Mention: true},
		{ID: "100.000005", Text: "From another bot", User: bot.User{ID: "BOTHER", Name: "Other", IsBot: true}},
		{ID: "100.000006", Text: "Mine, without a user", User: bot.User{ID: "UBOT", IsBot: true}, FromSelf: true},
	}
	if len(got) != len(want) {
		t.Fatalf("Messages returned %d messages; want the last %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		w.Address = thread
		w.Time = tsTime(w.ID)
		if !got[i].Time.Equal(w.Time) {
			t.Errorf("message %d at %v; want %v", i, got[i].Time, w.Time)
		}
		got[i].Time = w.Time
		if got[i] != w {
			t.Errorf("message %d = %+v\n\twant %+v", i, got[i], w)
		}
	}
}

func TestMessagesStripsTheBotsMentionAndMarksItAsAddressed(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	a := f.adapter(nil)
	namesUsers(f)
	f.on("conversations.replies", func(_ int, w http.ResponseWriter, _ url.Values) bool {
		reply(w, map[string]any{"ok": true, "messages": []map[string]any{slackMsg("100.000001", "U1", "<@UBOT> can you help?")}})
		return true
	})
	got, err := a.Messages(ctxT(t), thread, 0)
	if err != nil || len(got) != 1 {
		t.Fatalf("Messages = %+v, %v; want one message", got, err)
	}
	if m := got[0]; m.Text != "can you help?" || !m.Mention || m.FromSelf || m.User.Name != "name-U1" {
		t.Errorf("Messages = %+v; want the text without the mention, Mention set, from name-U1", m)
	}
}

func TestMessagesOfAChannelAreOldestFirst(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	a := f.adapter(func(c *Config) { c.HistoryLimit = 3 })
	namesUsers(f)
	// Newest first, as conversations.history pages.
	pages := [][]map[string]any{
		{slackMsg("100.000005", "U1", "five"), slackMsg("100.000004", "U1", "", "subtype", "channel_topic")},
		{slackMsg("100.000003", "U1", "three"), slackMsg("100.000002", "U1", "two"), slackMsg("100.000001", "U1", "one")},
	}
	f.on("conversations.history", func(n int, w http.ResponseWriter, _ url.Values) bool {
		reply(w, map[string]any{"ok": true, "messages": pages[n-1], "has_more": true, "response_metadata": map[string]any{"next_cursor": "more"}})
		return true
	})
	dm := bot.Address{Platform: Platform, Workspace: "T1", Channel: "D1"}
	got, err := a.Messages(ctxT(t), dm, 50) // HistoryLimit caps it at 3
	if err != nil {
		t.Fatalf("Messages: %v", err)
	}
	var texts []string
	for _, m := range got {
		texts = append(texts, m.Text)
		if !m.Direct || !m.Mention || m.Address != dm {
			t.Errorf("message %q in a DM: Direct %v, Mention %v, at %s; want both set, at %s", m.Text, m.Direct, m.Mention, m.Address, dm)
		}
	}
	if want := []string{"two", "three", "five"}; !slices.Equal(texts, want) {
		t.Errorf("Messages returned %q; want %q", texts, want)
	}
	calls := f.callsTo("conversations.history")
	if len(calls) != 2 || calls[0].Form.Get("limit") != "3" || calls[1].Form.Get("cursor") != "more" || calls[0].Form.Get("channel") != "D1" {
		t.Errorf("conversations.history calls %v; want two pages of D1, the first asking for 3, the second from the cursor", calls)
	}
}

func TestTSTime(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ts   string
		want time.Time
	}{
		{"1712345678.000100", time.Unix(1712345678, 100_000)},
		{"1712345678.5", time.Unix(1712345678, 500_000_000)},
		{"1712345678", time.Unix(1712345678, 0)},
		{"junk", time.Time{}},
	}
	for _, tt := range tests {
		if got := tsTime(tt.ts); !got.Equal(tt.want) {
			t.Errorf("tsTime(%q) = %v; want %v", tt.ts, got, tt.want)
		}
	}
}

func TestWithoutMention(t *testing.T) {
	t.Parallel()
	tests := []struct{ text, want string }{
		{"<@UBOT> hi", "hi"},
		{"<@UBOT|bot>: hi", "hi"},
		{"hi <@UBOT>", "hi <@UBOT>"},
		{"<@UBOTX> hi", "<@UBOTX> hi"},
		{"<@U2> hi", "<@U2> hi"},
	}
	for _, tt := range tests {
		if got := withoutMention(tt.text, "UBOT"); got != tt.want {
			t.Errorf("withoutMention(%q) = %q; want %q", tt.text, got, tt.want)
		}
	}
}

func TestMessagesLooksEachPersonUpOnce(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	a := f.adapter(nil)
	f.on("users.info", func(_ int, w http.ResponseWriter, _ url.Values) bool {
		slackError(w, "missing_scope")
		return true
	})
	f.on("conversations.replies", func(_ int, w http.ResponseWriter, _ url.Values) bool {
		reply(w, map[string]any{"ok": true, "messages": []map[string]any{
			slackMsg("100.000001", "U1", "one"), slackMsg("100.000002", "U1", "two"), slackMsg("100.000003", "U1", "three"),
		}})
		return true
	})
	got, err := a.Messages(ctxT(t), thread, 0)
	if err != nil || len(got) != 3 || got[2].User != (bot.User{ID: "U1"}) {
		t.Fatalf("Messages = %+v, %v; want three messages from U1, unnamed", got, err)
	}
	if n := len(f.callsTo("users.info")); n != 1 {
		t.Errorf("users.info called %d times; want once for the one person", n)
	}
}

func TestMessagesReadsAtMostFivePagesOfAThread(t *testing.T) {
	t.Parallel()
	fake := slackfake.New(slackfake.Config{})
	t.Cleanup(fake.Close)
	cfg := fake.Config()
	a, err := New(Config{BotToken: cfg.BotToken, SigningSecret: cfg.SigningSecret, APIURL: fake.APIURL(), Env: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	root := fake.ChannelMessage(slackfake.Ana, "C1", "root", "")
	for i := range maxReplyPages*historyPage + 50 {
		fake.ChannelMessage(slackfake.Ben, "C1", fmt.Sprint("reply ", i), root.TS)
	}
	got, err := a.Messages(context.Background(), bot.Address{Platform: Platform, Channel: "C1", Thread: root.TS}, 20)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(fake.Calls("conversations.replies")); n != maxReplyPages {
		t.Fatalf("%d conversations.replies calls; want the cap, %d", n, maxReplyPages)
	}
	if len(got) != 20 {
		t.Fatalf("%d messages; want 20", len(got))
	}
	if got[0].Text != "root" || got[19].Text != fmt.Sprint("reply ", maxReplyPages*historyPage-2) {
		t.Fatalf("first %q, last %q; want the thread's root, then the last replies read", got[0].Text, got[19].Text)
	}
}
