package bot_test

import (
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
)

// An event is a duplicate only of an event with its id in its workspace:
// a ':' inside a workspace's or an event's id does not make two events of
// different workspaces one, as an address's key never makes two
// conversations one.
func TestEventsOfOtherWorkspacesAreNotDuplicatesWhateverTheirIDs(t *testing.T) {
	t.Parallel()
	model := bottest.NewModel(bottest.Reply("one"), bottest.Reply("two"))
	h := bottest.Start(t, bot.Config{Model: model})
	here := bot.Address{Platform: bottest.Platform, Workspace: "T1", Channel: "C1", Thread: "1"}
	there := bot.Address{Platform: bottest.Platform, Workspace: "T1:message:E", Channel: "C1", Thread: "1"}
	if _, err := h.Adapter.Deliver(bot.Message{ID: "m1", EventID: "E:message:1", Address: here, User: bottest.Ana, Text: "hello", Mention: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Adapter.Deliver(bot.Message{ID: "m2", EventID: "1", Address: there, User: bottest.Ben, Text: "hello from elsewhere", Mention: true}); err != nil {
		t.Errorf("an event of another workspace: %v", err)
	}
	h.Wait()
	if n := len(model.Requests()); n != 2 {
		t.Errorf("%d runs for two events of two workspaces, want 2", n)
	}
}
