package bottest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
)

// Harness is a started bot on an in-memory platform.
type Harness struct {
	// Bot is the bot running now: a new one after Restart or Crash.
	Bot *bot.Bot
	// Adapter is Bot's connection to Chat.
	Adapter *Adapter
	// Chat is the platform, the same across restarts.
	Chat *Chat
	// Store is the Store every bot of the harness shares.
	Store bot.Store

	t     testing.TB
	cfg   bot.Config
	store *KillableStore
	model *killableModel
	dying sync.WaitGroup // bots killed by Crash, ending in the background
}

// settle bounds how long the harness waits for the bot to finish.
const settle = 10 * time.Second

// Start creates a bot from cfg on a new [Chat] (its adapter added to
// cfg.Adapters), starts it, and stops it when the test ends. A zero
// StreamInterval becomes a millisecond so tests see streaming edits
// without waiting, a nil Logger logs to the test ([Logger]), and a nil
// Store is a new bot.MemoryStore, kept across [Harness.Restart].
func Start(t testing.TB, cfg bot.Config) *Harness {
	t.Helper()
	if cfg.StreamInterval == 0 {
		cfg.StreamInterval = time.Millisecond
	}
	if cfg.Logger == nil {
		cfg.Logger = Logger(t)
	}
	if cfg.Store == nil {
		cfg.Store = bot.NewMemoryStore()
	}
	h := &Harness{Chat: NewChat(), Store: cfg.Store, t: t, cfg: cfg}
	h.start()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), settle)
		defer cancel()
		if err := h.Bot.Stop(ctx); err != nil {
			t.Errorf("bottest: stopping the bot: %v", err)
		}
		h.dying.Wait()
	})
	return h
}

// start starts a new bot over the harness's Store and Chat.
func (h *Harness) start() {
	h.t.Helper()
	h.Adapter = h.Chat.Adapter()
	h.store = NewKillableStore(h.cfg.Store)
	h.model = &killableModel{Model: h.cfg.Model}
	cfg := h.cfg
	cfg.Adapters = append(append([]bot.Adapter(nil), cfg.Adapters...), h.Adapter)
	cfg.Store = h.store
	if cfg.Model != nil {
		cfg.Model = h.model
	}
	if cfg.Notifier == nil {
		cfg.Notifier, _ = h.cfg.Store.(bot.Notifier)
	}
	b, err := bot.New(cfg)
	if err != nil {
		h.t.Fatalf("bottest: %v", err)
	}
	if err := b.Start(context.Background()); err != nil {
		h.t.Fatalf("bottest: %v", err)
	}
	h.Bot = b
}

// Restart stops the bot gracefully — runs waiting for a person park, work
// not begun stays queued in the Store — and starts a new bot over the same
// Store and Chat, as a process restarting would.
func (h *Harness) Restart() {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), settle)
	defer cancel()
	if err := h.Bot.Stop(ctx); err != nil {
		h.t.Errorf("bottest: stopping the bot: %v", err)
	}
	h.start()
}

// Crash kills the bot as a SIGKILL would: from now on nothing it does
// reaches the Store, the platform or the model, and its leases lapse on
// their own (after Config.LeaseTTL). Then it starts a new bot over the same Store
// and Chat, which takes the dead one's work over once the leases lapse.
func (h *Harness) Crash() {
	h.t.Helper()
	old, oldStore := h.Bot, h.store
	h.Adapter.kill()
	oldStore.Kill()
	h.model.dead.Store(true)
	// Its goroutines end in the background; nothing they do arrives
	// anywhere.
	h.dying.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
		defer cancel()
		old.Stop(ctx)
	})
	h.start()
}

// Send delivers text from u addressed to the bot and waits until the bot
// has settled (see [Harness.Wait]). It fails the test if the bot does not
// accept the message.
func (h *Harness) Send(u bot.User, text string) bot.Message {
	h.t.Helper()
	m, err := h.Adapter.Send(u, text)
	if err != nil {
		h.t.Fatalf("bottest: Send(%q): %v", text, err)
	}
	h.Wait()
	return m
}

// Click clicks the button labelled label in ref as u and waits until the
// bot has settled.
func (h *Harness) Click(ref bot.MessageRef, label string, u bot.User) {
	h.t.Helper()
	if err := h.Adapter.Click(ref, label, u); err != nil {
		h.t.Fatal(err)
	}
	h.Wait()
}

// Wait waits until the bot has settled — everything delivered to it
// handled, every run over or waiting for a person — failing the test after
// ten seconds.
func (h *Harness) Wait() {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), settle)
	defer cancel()
	if err := h.Bot.Idle(ctx); err != nil {
		h.t.Fatalf("bottest: the bot did not settle: %v", err)
	}
}

// Card returns card n (from 0) of those bots posted, waiting up to ten
// seconds for it; see [Chat.Cards].
func (h *Harness) Card(n int) Posted {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), settle)
	defer cancel()
	p, err := h.Chat.WaitForCard(ctx, n)
	if err != nil {
		h.t.Fatal(err)
	}
	return p
}
