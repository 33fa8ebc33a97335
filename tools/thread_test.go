package tools_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
	"github.com/parleybot/parley/tools"
)

// lastToolMessage returns the content of the last tool message the model
// was sent.
func lastToolMessage(t *testing.T, m *bottest.Model) string {
	t.Helper()
	reqs := m.Requests()
	msgs := reqs[len(reqs)-1].Messages
	last := msgs[len(msgs)-1]
	if last.Role != bot.RoleTool {
		t.Fatalf("last message is %+v, not a tool result", last)
	}
	return last.Content
}

func TestReadThread(t *testing.T) {
	t.Parallel()
	model := bottest.NewModel(bottest.Reply("hi ana"), bottest.Call("read_thread", map[string]int{"limit": 2}), bottest.Reply("read"))
	h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{tools.ReadThread()}})
	h.Send(bottest.Ana, "hello")
	h.Send(bottest.Ben, "what did we say?")
	var got []tools.ThreadMessage
	if err := json.Unmarshal([]byte(lastToolMessage(t, model)), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Text != "hi ana" || !got[0].Bot || got[1].From != "ben" || got[1].Text != "what did we say?" || got[1].Time.IsZero() {
		t.Errorf("read_thread returned %+v", got)
	}
}

// On a platform without history, read_thread reads the bot's own
// transcript of the thread.
func TestReadThreadWithoutPlatformHistory(t *testing.T) {
	t.Parallel()
	model := bottest.NewModel(bottest.Reply("hi ana"), bottest.Call("read_thread", struct{}{}), bottest.Reply("read"))
	h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{tools.ReadThread()}})
	h.Adapter.SetCapabilities(bot.AllCapabilities.Without(bot.CapHistory))
	h.Send(bottest.Ana, "hello")
	h.Send(bottest.Ben, "read it")
	var got []tools.ThreadMessage
	if err := json.Unmarshal([]byte(lastToolMessage(t, model)), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Text != "hello" || got[1].Text != "hi ana" || !got[1].Bot || got[2].From != "ben" {
		t.Errorf("read_thread returned %+v", got)
	}
}

func TestLookupUser(t *testing.T) {
	t.Parallel()
	model := bottest.NewModel(
		bottest.Call("lookup_user", tools.LookupUserArgs{UserID: bottest.Ben.ID}), bottest.Reply("ben"),
		bottest.Call("lookup_user", tools.LookupUserArgs{UserID: "U_NOBODY"}), bottest.Reply("nobody"),
	)
	h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{tools.LookupUser()}})
	h.Send(bottest.Ana, "who is U_BEN?")
	if got := lastToolMessage(t, model); got != `{"id":"U_BEN","name":"ben"}` {
		t.Errorf("tool message %s", got)
	}
	h.Send(bottest.Ana, "who is U_NOBODY?")
	if got := lastToolMessage(t, model); !strings.HasPrefix(got, `{"error":"bottest: no user`) {
		t.Errorf("tool message %s", got)
	}
}
