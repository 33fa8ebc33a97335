package discord_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/parleybot/parley/adapters/discord/discordfake"
	"github.com/parleybot/parley/bot"
)

// editRecorder is a recorder that records edits too.
type editRecorder struct {
	*recorder
	mu    sync.Mutex
	edits []bot.Message
}

func (r *editRecorder) Edited(_ context.Context, m bot.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.edits = append(r.edits, m)
	return nil
}

func (r *editRecorder) edited() []bot.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.edits)
}

// Chatter in a thread the bot is not part of does not reach the Inbox; a
// mention there does, and makes the bot part of it: the chatter after it
// does too.
func TestOnlyThreadsTheBotIsPartOfAreRead(t *testing.T) {
	t.Parallel()
	f := newFake(t, nil)
	a := newAdapter(t, f, nil)
	in := newRecorder()
	startAdapter(t, a, in)
	f.ThreadMessage(discordfake.Ana, testThread, "chatter between people")
	f.Mention(discordfake.Ana, testThread, "a question for the bot")
	got := in.waitN(t, 1) // the thread's events are handled in order: the chatter was, before
	f.ThreadMessage(discordfake.Ana, testThread, "a follow-up")
	got = in.waitN(t, 2)
	if len(got) != 2 || !strings.Contains(got[0], "a question for the bot") || got[1] != "a follow-up" {
		t.Errorf("the Inbox got %q; want the mention and the follow-up after it, not the chatter before", got)
	}
}

// An edit of a message the bot would not have taken does not reach the
// Inbox; an edit of a mention that opened a thread reaches it for the
// channel and for the thread.
func TestOnlyEditsOfMessagesTheBotTakesReachTheInbox(t *testing.T) {
	t.Parallel()
	f := newFake(t, nil)
	a := newAdapter(t, f, nil)
	in := &editRecorder{recorder: newRecorder()}
	startAdapter(t, a, in)
	chatter := f.ChannelMessage(discordfake.Ben, discordfake.General, "lunch?")
	if _, err := f.EditMessage(chatter.ID, "lunch at noon?"); err != nil {
		t.Fatal(err)
	}
	mention := f.Mention(discordfake.Ana, discordfake.General, "what is the time?")
	in.waitN(t, 1) // general's events are handled in order: the edit was, before
	if got := in.edited(); len(got) != 0 {
		t.Fatalf("an edit of chatter reached the Inbox: %+v", got)
	}
	if _, err := f.EditMessage(mention.ID, "what is the time in Paris?"); err != nil {
		t.Fatal(err)
	}
	f.Mention(discordfake.Ana, discordfake.General, "sentinel")
	in.waitN(t, 2)
	got := in.edited()
	if len(got) != 2 || got[0].Address.Thread != "" || got[1].Address.Thread != mention.ID {
		t.Fatalf("edits of the mention: %+v; want one for the channel, one for its thread", got)
	}
}

// "@Bot" written as a mention of the bot's managed role, as people's
// clients often do, is a mention of the bot: it reaches the Inbox, without
// the mention, and opens a thread.
func TestAMentionOfTheBotsRoleIsAMention(t *testing.T) {
	t.Parallel()
	f := newFake(t, nil)
	a := newAdapter(t, f, nil)
	in := newRecorder()
	startAdapter(t, a, in)
	m := f.ChannelMessage(discordfake.Ana, discordfake.General, "<@&"+discordfake.BotRole+"> what time is it?")
	if got := in.waitN(t, 1); got[0] != "what time is it?" {
		t.Errorf("the Inbox got %q; want the question without the mention", got[0])
	}
	if th, ok := f.Channel(m.ID); !ok || th.ParentID != discordfake.General {
		t.Errorf("no thread opened on the mention: %+v", th)
	}
}
