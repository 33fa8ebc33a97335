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
	h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{tools.ReadThread(tools.ReadThreadConfig{})}})
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
	h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{tools.ReadThread(tools.ReadThreadConfig{})}})
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

// By default read_thread reads the current conversation only: its schema
// has no way to name another, and a call that tries is refused before the
// handler runs.
func TestReadThreadRefusesOtherThreadsByDefault(t *testing.T) {
	t.Parallel()
	tool := tools.ReadThread(tools.ReadThreadConfig{})
	if s := string(tool.Schema()); strings.Contains(s, "channel") || strings.Contains(s, `"thread"`) {
		t.Errorf("the default schema offers other conversations: %s", s)
	}
	model := bottest.NewModel(
		bottest.Call("read_thread", map[string]string{"channel": "C_SECRET"}), bottest.Reply("refused"),
		bottest.Call("read_thread", map[string]string{"thread": "T2"}), bottest.Reply("refused"),
	)
	h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{tool}})
	deliver(t, h, secret, "the password is hunter2")
	deliver(t, h, otherThread, "the launch moved to friday")
	for _, ask := range []string{"read C_SECRET", "read T2"} {
		h.Send(bottest.Ana, ask)
		got := lastToolMessage(t, model)
		if !strings.Contains(got, `"error":"invalid arguments`) || strings.Contains(got, "hunter2") || strings.Contains(got, "friday") {
			t.Errorf("%s: tool message %s", ask, got)
		}
	}
}

var (
	otherThread = bot.Address{Platform: bottest.Platform, Channel: bottest.DefaultThread.Channel, Thread: "T2"}
	secret      = bot.Address{Platform: bottest.Platform, Channel: "C_SECRET", Thread: "T3"}
)

// deliver delivers a message the bot is not asked to answer.
func deliver(t *testing.T, h *bottest.Harness, to bot.Address, text string) {
	t.Helper()
	if _, err := h.Adapter.Deliver(bot.Message{Address: to, User: bottest.Ben, Text: text}); err != nil {
		t.Fatal(err)
	}
	h.Wait()
}

// Configured wider, read_thread reads what Allow allows — in the current
// platform and workspace only — and refuses the rest with an error the
// model can act on.
func TestReadThreadConfiguredWider(t *testing.T) {
	t.Parallel()
	var h *bottest.Harness
	tool := tools.ReadThread(tools.ReadThreadConfig{
		Allow: tools.SameChannel,
		Open:  func(a bot.Address) (*bot.Thread, error) { return h.Bot.Thread(a) },
	})
	tests := []struct {
		name string
		args map[string]string
		want string // in the tool message
		not  string // never in it
	}{
		{"another thread of the channel", map[string]string{"thread": "T2"}, "the launch moved to friday", "hunter2"},
		{"the same channel named", map[string]string{"channel": bottest.DefaultThread.Channel, "thread": "T2"}, "the launch moved to friday", "hunter2"},
		{"the current conversation named", map[string]string{"thread": bottest.DefaultThread.Thread}, "read them", "friday"},
		{"another channel", map[string]string{"channel": "C_SECRET", "thread": "T3"}, "tools: read_thread may not read that conversation", "hunter2"},
	}
	var steps []bottest.Step
	for _, tt := range tests {
		steps = append(steps, bottest.Call("read_thread", tt.args), bottest.Reply("ok"))
	}
	model := bottest.NewModel(steps...)
	h = bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{tool}})
	deliver(t, h, secret, "the password is hunter2")
	deliver(t, h, otherThread, "the launch moved to friday")
	for _, tt := range tests {
		h.Send(bottest.Ana, "read them")
		got := lastToolMessage(t, model)
		if !strings.Contains(got, tt.want) || strings.Contains(got, tt.not) {
			t.Errorf("%s: tool message %s", tt.name, got)
		}
	}
}

// The allow functions compare channels only: the tool fills in the
// platform and workspace from the current conversation.
func TestAllowFuncs(t *testing.T) {
	t.Parallel()
	here := bot.Address{Platform: "slack", Workspace: "T1", Channel: "C1", Thread: "1.0"}
	tests := []struct {
		name  string
		allow func(current, other bot.Address) bool
		other string
		want  bool
	}{
		{"same channel: another thread", tools.SameChannel, "C1", true},
		{"same channel: another channel", tools.SameChannel, "C2", false},
		{"listed channel", tools.InChannels("C2", "C3"), "C3", true},
		{"unlisted channel", tools.InChannels("C2", "C3"), "C1", false},
	}
	for _, tt := range tests {
		other := here
		other.Channel, other.Thread = tt.other, "2.0"
		if got := tt.allow(here, other); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestReadThreadWiderNeedsOpen(t *testing.T) {
	t.Parallel()
	if err := tools.ReadThread(tools.ReadThreadConfig{Allow: tools.SameChannel}).Err(); err == nil {
		t.Error("Allow without Open: no error")
	}
}
