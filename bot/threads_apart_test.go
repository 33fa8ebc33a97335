package bot_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
)

// holdStore holds one kind of Store call made for one thread's work until
// released, as a slow database would: the call is held before it reaches
// the Store, so the Store itself is free meanwhile.
type holdStore struct {
	bot.Store
	method  string // "Accept", "Transcript" or "Complete"
	thread  string // the thread's key, Address.String()
	held    chan struct{}
	release chan struct{}
	once    sync.Once
}

func (s *holdStore) hold(method, thread string) {
	if method != s.method || thread != s.thread {
		return
	}
	s.once.Do(func() { close(s.held) })
	<-s.release
}

func (s *holdStore) Accept(ctx context.Context, a bot.Acceptance) (bot.Claimed, error) {
	s.hold("Accept", a.Thread)
	return s.Store.Accept(ctx, a)
}

func (s *holdStore) Transcript(ctx context.Context, thread string, limit int) ([]bot.Message, error) {
	s.hold("Transcript", thread)
	return s.Store.Transcript(ctx, thread, limit)
}

func (s *holdStore) Complete(ctx context.Context, l bot.Lease, c bot.Completion) (bot.Claimed, error) {
	s.hold("Complete", strings.TrimPrefix(l.Lane, "t:")) // a thread's lane is "t:" and its key
	return s.Store.Complete(ctx, l, c)
}

// Threads do not wait for each other: a message's Store call that is slow
// in one thread — taking the message, reading the thread, recording the
// run done — holds up neither the Inbox nor the answer in another. A lock
// over the whole bot on the path of a message would make every thread
// wait for the slowest.
func TestSlowStoreCallInOneThreadDoesNotHoldUpAnother(t *testing.T) {
	t.Parallel()
	slow := bot.Address{Platform: bottest.Platform, Channel: "C1", Thread: "T_SLOW"}
	other := bot.Address{Platform: bottest.Platform, Channel: "C1", Thread: "T_OTHER"}
	for _, method := range []string{"Accept", "Transcript", "Complete"} {
		t.Run(method, func(t *testing.T) {
			t.Parallel()
			s := &holdStore{Store: bot.NewMemoryStore(), method: method, thread: slow.String(), held: make(chan struct{}), release: make(chan struct{})}
			h := bottest.Start(t, bot.Config{Model: bottest.NewModel(bottest.Reply("ok")).Cycle(), Store: s})
			var once sync.Once
			free := func() { once.Do(func() { close(s.release) }) }
			t.Cleanup(free) // before the harness stops the bot

			slowDone := make(chan error, 1)
			go func() {
				_, err := h.Adapter.Deliver(bot.Message{Address: slow, User: bottest.Ana, Text: "slow", Mention: true})
				slowDone <- err
			}()
			select {
			case <-s.held:
			case <-time.After(5 * time.Second):
				t.Fatalf("the slow thread's %s was never called", method)
			}

			took := make(chan error, 1)
			go func() {
				_, err := h.Adapter.Deliver(bot.Message{Address: other, User: bottest.Ben, Text: "quick", Mention: true})
				took <- err
			}()
			select {
			case err := <-took:
				if err != nil {
					t.Fatalf("the other thread's message: %v", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("the Inbox did not take a message in another thread while one thread's %s was slow", method)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			answered := func(in bot.Address) func([]bottest.Posted) bool {
				return func(ps []bottest.Posted) bool {
					for _, p := range ps {
						if p.Ref.Address == in && p.Text() == "ok" {
							return true
						}
					}
					return false
				}
			}
			if err := h.Chat.WaitFor(ctx, answered(other)); err != nil {
				t.Fatalf("the other thread was not answered while one thread's %s was slow: %v; posted %q", method, err, h.Chat.Texts())
			}

			free()
			if err := <-slowDone; err != nil {
				t.Fatalf("the slow thread's message: %v", err)
			}
			h.Wait()
			if err := h.Chat.WaitFor(ctx, answered(slow)); err != nil {
				t.Errorf("the slow thread was not answered once its Store call returned: %v", err)
			}
		})
	}
}
