package discord_test

import (
	"context"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/adapters/discord/discordfake"
	"github.com/parleybot/parley/bot"
)

// laneInbox records the texts of the messages it is given per channel;
// a message whose text starts with "slow" is held until release closes.
type laneInbox struct {
	*recorder
	release chan struct{}
	held    chan struct{} // closed when a slow message is held

	mu   sync.Mutex
	by   map[string][]string // channel → texts, in the order taken
	once sync.Once
}

func newLaneInbox() *laneInbox {
	return &laneInbox{recorder: newRecorder(), release: make(chan struct{}), held: make(chan struct{}), by: map[string][]string{}}
}

func (in *laneInbox) Message(ctx context.Context, m bot.Message) error {
	if strings.HasPrefix(m.Text, "slow") {
		in.once.Do(func() { close(in.held) })
		select {
		case <-in.release:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	runtime.Gosched() // as a Store call would, let another event overtake
	in.mu.Lock()
	ch := m.Address.Channel
	if m.Address.Thread != "" {
		ch = m.Address.Thread
	}
	in.by[ch] = append(in.by[ch], m.Text)
	in.mu.Unlock()
	return in.recorder.Message(ctx, m)
}

func (in *laneInbox) texts(ch string) []string {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]string(nil), in.by[ch]...)
}

// Many messages in a row in two conversations reach the Inbox in the order
// each conversation had them, although the adapter handles the two at
// once.
func TestMessagesOfAChannelReachTheInboxInOrder(t *testing.T) {
	t.Parallel()
	f := newFake(t, nil)
	a := newAdapter(t, f, nil)
	in := newLaneInbox()
	close(in.release)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := a.Start(ctx, in); err != nil {
		t.Fatal(err)
	}
	thread := openThread(t, f, in)
	const n = 300
	dm := f.DM(discordfake.Ana)
	for i := range n {
		f.ChannelMessage(discordfake.Ben, thread, strconv.Itoa(i))
		f.DirectMessage(discordfake.Ana, strconv.Itoa(i))
	}
	in.waitN(t, 2*n+1)
	for _, ch := range []string{thread, dm} {
		got := in.texts(ch)
		if ch == thread {
			got = got[1:] // the mention that opened it
		}
		if len(got) != n {
			t.Fatalf("%s: %d messages reached the Inbox; want %d", ch, len(got), n)
		}
		for i, s := range got {
			if s != strconv.Itoa(i) {
				t.Fatalf("%s: message %d to reach the Inbox was %q; want %q (order %q)", ch, i, s, strconv.Itoa(i), got)
			}
		}
	}
}

// openThread has ben mention the bot in general, which opens a thread the
// bot is part of, and returns its id once the mention reached in.
func openThread(t *testing.T, f *discordfake.Server, in *laneInbox) string {
	t.Helper()
	m := f.Mention(discordfake.Ben, discordfake.General, "open")
	in.waitN(t, 1)
	return m.ID
}

// A message the Store is slow to take holds up the messages after it in
// its channel, and no other channel's.
func TestASlowMessageHoldsUpItsChannelOnly(t *testing.T) {
	t.Parallel()
	f := newFake(t, nil)
	a := newAdapter(t, f, nil)
	in := newLaneInbox()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := a.Start(ctx, in); err != nil {
		t.Fatal(err)
	}
	thread := openThread(t, f, in)
	f.ChannelMessage(discordfake.Ben, thread, "slow one")
	f.ChannelMessage(discordfake.Ben, thread, "after the slow one")
	select {
	case <-in.held:
	case <-time.After(flowTimeout):
		t.Fatal("the slow message never reached the Inbox")
	}
	for i := range 20 {
		f.DirectMessage(discordfake.Ana, strconv.Itoa(i))
	}
	in.waitN(t, 21) // the DMs pass while the thread waits
	if got := in.texts(thread); len(got) != 1 {
		t.Errorf("the thread's messages passed the slow one: %q", got)
	}
	close(in.release)
	in.waitN(t, 23)
	if got := in.texts(thread)[1:]; len(got) != 2 || got[0] != "slow one" {
		t.Errorf("the thread's messages reached the Inbox as %q; want the slow one first", got)
	}
}
