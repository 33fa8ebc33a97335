package discord

import (
	"context"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Discord shows no status text, only "… is typing", for ten seconds after
// each POST /channels/{id}/typing or until the bot posts. The adapter
// shows it by itself: from a message the bot took until the bot's next
// post in that channel, refreshed every typingEvery, for at most
// Config.TypingFor.

// typingEvery is how often the indicator is refreshed: within Discord's
// ten seconds.
const typingEvery = 8 * time.Second

// typing keeps the indicator up in the channels where the bot works.
type typing struct {
	a  *Adapter
	mu sync.Mutex
	on map[string]chan struct{} // channel → closed to stop
}

func (t *typing) init(a *Adapter) { t.a, t.on = a, map[string]chan struct{}{} }

// start shows the indicator in channel ch until stop(ch) or
// Config.TypingFor.
func (t *typing) start(ch string) {
	t.mu.Lock()
	if _, ok := t.on[ch]; ok {
		t.mu.Unlock()
		return
	}
	done := make(chan struct{})
	t.on[ch] = done
	t.mu.Unlock()
	go func() {
		defer t.stopIf(ch, done)
		ctx, cancel := context.WithTimeout(context.Background(), t.a.cfg.TypingFor)
		defer cancel()
		tick := time.NewTicker(typingEvery)
		defer tick.Stop()
		for {
			if err := t.a.s.ChannelTyping(ch, discordgo.WithContext(ctx)); err != nil && ctx.Err() == nil {
				t.a.cfg.Logger.Debug("discord: typing indicator", "channel", ch, "err", err)
			}
			select {
			case <-tick.C:
			case <-done:
				return
			case <-ctx.Done():
				return
			}
		}
	}()
}

// stop ends the indicator in ch, if it is on.
func (t *typing) stop(ch string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if done, ok := t.on[ch]; ok {
		close(done)
		delete(t.on, ch)
	}
}

func (t *typing) stopIf(ch string, done chan struct{}) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.on[ch] == done {
		close(done)
		delete(t.on, ch)
	}
}
