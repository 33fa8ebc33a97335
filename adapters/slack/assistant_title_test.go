package slack

import "testing"

// A thread's title is set once, from its first message: the person
// switching channel (assistant_thread_context_changed) or Slack delivering
// assistant_thread_started again does not make the next message rename
// the thread.
func TestAssistantThreadIsTitledOnceWhateverFollows(t *testing.T) {
	t.Parallel()
	var c contexts
	th := &assistantThread{UserID: "U0ANA", ChannelID: "D0ANA", ThreadTS: "1730000000.000100"}
	th.Context.ChannelID = "C0GEN"
	key := th.ChannelID + "/" + th.ThreadTS
	c.set(th, true)
	if !c.claimTitle(key) {
		t.Fatal("a thread begun here could not be titled")
	}
	moved := *th
	moved.Context.ChannelID = "C0DEPLOYS"
	c.set(&moved, false)
	if got := c.get(key); got != "C0DEPLOYS" {
		t.Errorf("context %q after the change, want C0DEPLOYS", got)
	}
	if !c.began(key) {
		t.Error("the thread no longer counts as begun here after a context change")
	}
	if c.claimTitle(key) {
		t.Error("the thread was titled again after a context change")
	}
	c.set(th, true)
	if c.claimTitle(key) {
		t.Error("the thread was titled again after assistant_thread_started came again")
	}
}
