package discord

import (
	"context"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/adapters/discord/discordfake"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
)

// A global 429 met by one conversation's call holds every call of the
// bot's until its retry_after — here another conversation's, begun once
// the adapter had read the 429 — and both answers go out once. (Inside
// the package, to know when the adapter has read it.)
func TestFlowAGlobalRateLimitHoldsEveryRoute(t *testing.T) {
	t.Parallel()
	a, f, _ := fakeAdapter(t, typingEvery, time.Minute)
	b, err := bot.New(bot.Config{Store: bot.NewMemoryStore(), Model: bottest.NewModel(bottest.Reply("Hello.")).Cycle(),
		Adapters: []bot.Adapter{a}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		defer cancel()
		stop, done := context.WithTimeout(context.Background(), 10*time.Second)
		defer done()
		_ = b.Stop(stop)
	})
	const wait = 500 * time.Millisecond
	f.GlobalRateLimit(wait, 1)
	anaDM, benDM := f.DM(discordfake.Ana), f.DM(discordfake.Ben)
	f.DirectMessage(discordfake.Ana, "hi")
	tr := a.s.Client.Transport.(*transport)
	for held := false; !held; runtime.Gosched() {
		tr.mu.Lock()
		held = !tr.global.IsZero()
		tr.mu.Unlock()
	}
	i := slices.IndexFunc(f.Calls(), func(c discordfake.Call) bool { return c.Status == 429 })
	if i < 0 {
		t.Fatal("the adapter holds its calls, but the fake answered no 429")
	}
	refused := f.Calls()[i]
	f.DirectMessage(discordfake.Ben, "hi")
	answered := func(ch string) bool {
		return slices.ContainsFunc(f.Messages(ch), func(m discordfake.Msg) bool { return m.FromBot() && m.Content == "Hello." })
	}
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	if err := f.WaitFor(wctx, func() bool { return answered(anaDM) && answered(benDM) }); err != nil {
		t.Fatalf("waiting for both answers: %v", err)
	}
	for _, c := range f.Calls() {
		if strings.Contains(c.Path, "/channels/"+benDM+"/") && c.Time.Sub(refused.Time) < wait {
			t.Errorf("%s %s went out %v after a global 429 with retry_after %v", c.Method, c.Path, c.Time.Sub(refused.Time), wait)
		}
	}
	for _, ch := range []string{anaDM, benDM} {
		if n := len(slices.DeleteFunc(f.Messages(ch), func(m discordfake.Msg) bool { return !m.FromBot() })); n != 1 {
			t.Errorf("the bot posted %d messages in %s; want its answer once", n, ch)
		}
	}
}
