package bottest

import (
	"context"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
)

// Harness is a started bot on an in-memory platform.
type Harness struct {
	Bot     *bot.Bot
	Adapter *Adapter
	t       testing.TB
}

// settle bounds how long the harness waits for the bot to finish.
const settle = 10 * time.Second

// Start creates a bot from cfg on a new [Adapter] (added to cfg.Adapters),
// starts it, and stops it when the test ends. A zero StreamInterval becomes
// a millisecond so tests see streaming edits without waiting, and a nil
// Logger logs to the test ([Logger]).
func Start(t testing.TB, cfg bot.Config) *Harness {
	t.Helper()
	a := NewAdapter()
	cfg.Adapters = append(cfg.Adapters, a)
	if cfg.StreamInterval == 0 {
		cfg.StreamInterval = time.Millisecond
	}
	if cfg.Logger == nil {
		cfg.Logger = Logger(t)
	}
	b, err := bot.New(cfg)
	if err != nil {
		t.Fatalf("bottest: %v", err)
	}
	if err := b.Start(context.Background()); err != nil {
		t.Fatalf("bottest: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), settle)
		defer cancel()
		if err := b.Stop(ctx); err != nil {
			t.Errorf("bottest: stopping the bot: %v", err)
		}
	})
	return &Harness{Bot: b, Adapter: a, t: t}
}

// Send delivers text from u addressed to the bot and waits until the bot
// has handled it. It fails the test if the bot is not receiving.
func (h *Harness) Send(u bot.User, text string) bot.Message {
	h.t.Helper()
	if !h.Adapter.Receiving() {
		h.t.Fatalf("bottest: Send(%q): the bot is not receiving", text)
	}
	m := h.Adapter.Send(u, text)
	h.Wait()
	return m
}

// Click clicks the button labelled label in ref as u and waits until the
// bot has handled it.
func (h *Harness) Click(ref bot.MessageRef, label string, u bot.User) {
	h.t.Helper()
	if err := h.Adapter.Click(ref, label, u); err != nil {
		h.t.Fatal(err)
	}
	h.Wait()
}

// Wait waits until the bot has handled everything delivered to it, failing
// the test after ten seconds.
func (h *Harness) Wait() {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), settle)
	defer cancel()
	if err := h.Bot.Idle(ctx); err != nil {
		h.t.Fatalf("bottest: the bot did not settle: %v", err)
	}
}
