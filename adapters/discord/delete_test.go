package discord_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/parleybot/parley/adapters/discord"
	"github.com/parleybot/parley/adapters/discord/discordfake"
	"github.com/parleybot/parley/bot"
)

// deleteCounter records Deleted calls.
type deleteCounter struct {
	*recorder
	mu      sync.Mutex
	deleted []bot.MessageRef
}

func (d *deleteCounter) Deleted(_ context.Context, r bot.MessageRef) error {
	d.mu.Lock()
	d.deleted = append(d.deleted, r)
	d.mu.Unlock()
	return nil
}

func (d *deleteCounter) refs() []bot.MessageRef {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.deleted)
}

// startDeletes starts an adapter on a fake, recording deletions.
func startDeletes(t *testing.T, mod func(*discord.Config)) (*discordfake.Server, *deleteCounter) {
	t.Helper()
	f := newFake(t, nil)
	a := newAdapter(t, f, mod)
	in := &deleteCounter{recorder: newRecorder()}
	start(t, a, in)
	return f, in
}

// Deleting chatter the bot never took does not reach the Inbox.
func TestDeletionOfChatterDoesNotReachTheInbox(t *testing.T) {
	t.Parallel()
	f, in := startDeletes(t, func(c *discord.Config) { c.NoThreads = true })
	ev := f.ChannelMessage(discordfake.Ana, discordfake.General, "chatter between people")
	if _, err := f.DeleteMessage(ev.ID); err != nil {
		t.Fatal(err)
	}
	f.Mention(discordfake.Ana, discordfake.General, "sentinel") // same channel, same lane: after the delete
	in.waitN(t, 1)
	if got := in.refs(); len(got) > 0 {
		t.Errorf("deleting a message the bot never took reached the Inbox: %+v", got)
	}
}

// Deleting a mention the bot took in the channel reaches the Inbox.
func TestDeletionOfATakenMentionReachesTheInbox(t *testing.T) {
	t.Parallel()
	f, in := startDeletes(t, func(c *discord.Config) { c.NoThreads = true })
	ev, got := deleteAMention(t, f, in)
	if len(got) != 1 || got[0].ID != ev.ID || got[0].Address.Channel != discordfake.General || got[0].Address.Thread != "" {
		t.Errorf("deleting a mention the bot took reached the Inbox as %+v, want %s in the channel", got, ev.ID)
	}
}

// Deleting a mention that opened a thread reaches the Inbox in the
// channel and in the thread, where its conversation lives.
func TestDeletionOfAThreadOpenerReachesItsThread(t *testing.T) {
	t.Parallel()
	f, in := startDeletes(t, nil)
	ev, got := deleteAMention(t, f, in)
	threads := []string{}
	for _, r := range got {
		if r.ID == ev.ID {
			threads = append(threads, r.Address.Thread)
		}
	}
	if !slices.Contains(threads, ev.ID) {
		t.Errorf("deleting a mention that opened a thread did not reach its thread: %+v", got)
	}
}

// deleteAMention sends a mention, deletes it once the bot took it, and
// returns it and the deletions the Inbox got by the next message.
func deleteAMention(t *testing.T, f *discordfake.Server, in *deleteCounter) (discordfake.Event, []bot.MessageRef) {
	t.Helper()
	ev := f.Mention(discordfake.Ana, discordfake.General, "a question")
	in.waitN(t, 1)
	if _, err := f.DeleteMessage(ev.ID); err != nil {
		t.Fatal(err)
	}
	f.Mention(discordfake.Ana, discordfake.General, "sentinel") // same lane: after the delete
	in.waitN(t, 2)
	return ev, in.refs()
}
