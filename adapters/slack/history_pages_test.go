package slack

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/parleybot/parley/bot"
)

// On Slack's strictest tier (15 messages a call, one call a minute), the
// history of a channel or DM stops at five pages, as a thread's does,
// short of HistoryLimit.
func TestChannelHistoryReadsAtMostFivePages(t *testing.T) {
	f := newFake(t)
	a := f.adapter(nil)
	namesUsers(f)
	f.on("conversations.history", func(n int, w http.ResponseWriter, form url.Values) bool {
		var msgs []map[string]any
		for i := range 15 {
			msgs = append(msgs, slackMsg(fmt.Sprintf("%d.%06d", 2000-n, 15-i), "U1", "chatter"))
		}
		reply(w, map[string]any{"ok": true, "messages": msgs, "has_more": true, "response_metadata": map[string]any{"next_cursor": fmt.Sprint("c", n)}})
		return true
	})
	if _, err := a.Messages(ctxT(t), bot.Address{Platform: Platform, Workspace: "T1", Channel: "D1"}, 0); err != nil {
		t.Fatal(err)
	}
	if n := len(f.callsTo("conversations.history")); n > maxReplyPages {
		t.Errorf("conversations.history called %d times; the cap is %d", n, maxReplyPages)
	}
}
