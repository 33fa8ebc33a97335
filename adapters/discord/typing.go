package discord

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/parleybot/parley/bot"
)

// Discord shows no status text, only "… is typing", for about ten seconds
// after each POST /channels/{id}/typing or until the bot posts. A status
// is shown as that indicator: SetStatus with a text starts it (or keeps
// it) in the conversation's channel, refreshed every typingEvery while the
// status is set; SetStatus("") or a post by the bot there ends it, and so
// does Config.TypingFor after the last SetStatus, in case nobody clears it.

var _ bot.StatusSetter = (*Adapter)(nil)

// SetStatus shows that the bot is busy at in — Discord's typing indicator;
// the words of status are not shown, Discord having no place for them —
// until SetStatus(ctx, in, ""), the bot's next post there, or
// Config.TypingFor after the last call with a status. It returns once
// Discord was told, with its error if it refused.
func (a *Adapter) SetStatus(ctx context.Context, in bot.Address, status string) error {
	if in.Channel == "" {
		return fmt.Errorf("discord: SetStatus needs an address with a Channel; got %s", in)
	}
	ch := target(in)
	if status == "" {
		a.typing.stop(ch)
		return nil
	}
	if !a.typing.keep(ch) {
		return nil // already shown, and now kept up longer
	}
	if err := a.s.ChannelTyping(ch, discordgo.WithContext(ctx)); err != nil {
		a.typing.stop(ch)
		return fmt.Errorf("discord: POST /channels/%s/typing: %w", ch, err)
	}
	return nil
}

// typingEvery is how often the indicator is refreshed: within Discord's
// ten seconds.
const typingEvery = 8 * time.Second

// typing keeps the indicator up in the channels where the bot is busy.
type typing struct {
	a     *Adapter
	every time.Duration // typingEvery; shorter in the package's tests
	mu    sync.Mutex
	on    map[string]*indicator // channel → its indicator
}

// indicator is the typing indicator of one channel.
type indicator struct {
	done  chan struct{} // closed to end it
	cap   *time.Timer   // fires Config.TypingFor after the last SetStatus
	ended chan struct{} // closed once it refreshes no more
}

func (t *typing) init(a *Adapter) {
	t.a, t.every, t.on = a, typingEvery, map[string]*indicator{}
}

// keep keeps the indicator of ch up for another Config.TypingFor and
// reports whether it was off: the caller then shows it the first time,
// and it is refreshed every t.every from then on.
func (t *typing) keep(ch string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if in, ok := t.on[ch]; ok {
		in.cap.Reset(t.a.cfg.TypingFor)
		return false
	}
	in := &indicator{done: make(chan struct{}), cap: time.NewTimer(t.a.cfg.TypingFor), ended: make(chan struct{})}
	t.on[ch] = in
	go t.refresh(ch, in)
	return true
}

// refresh shows the indicator of ch again every t.every until it ends.
func (t *typing) refresh(ch string, in *indicator) {
	defer close(in.ended)
	defer t.end(ch, in)
	tick := time.NewTicker(t.every)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
		case <-in.done:
			return
		case <-in.cap.C:
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), t.every)
		err := t.a.s.ChannelTyping(ch, discordgo.WithContext(ctx))
		cancel()
		if err != nil {
			t.a.cfg.Logger.Debug("discord: refreshing the typing indicator", "channel", ch, "err", err)
		}
	}
}

// stop ends the indicator of ch, if it is on.
func (t *typing) stop(ch string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if in, ok := t.on[ch]; ok {
		t.endLocked(ch, in)
	}
}

// end ends in, if it is still the indicator of ch.
func (t *typing) end(ch string, in *indicator) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.on[ch] == in {
		t.endLocked(ch, in)
	}
}

func (t *typing) endLocked(ch string, in *indicator) {
	close(in.done)
	in.cap.Stop()
	delete(t.on, ch)
}

// indicatorOf returns the indicator of ch, nil when it is off.
func (t *typing) indicatorOf(ch string) *indicator {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.on[ch]
}
