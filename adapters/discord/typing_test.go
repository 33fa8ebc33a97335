package discord

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/parleybot/parley/adapters/discord/discordfake"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/render"
)

// fakeAdapter returns an adapter on a new fake, not started, refreshing
// its typing indicator every `every` and keeping it up typingFor, and the
// address of the fake's general channel.
func fakeAdapter(t *testing.T, every, typingFor time.Duration) (*Adapter, *discordfake.Server, bot.Address) {
	t.Helper()
	f := discordfake.New(discordfake.Config{Token: "MTA1.Gx1a2b.abcdefghijklmnopqrstuvwxyz"})
	t.Cleanup(f.Close)
	fc := f.Config()
	a, err := New(Config{
		BotToken: fc.Token, AppID: fc.ApplicationID, APIURL: f.APIURL(), TypingFor: typingFor,
		Env: func(string) string { return "" }, Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	a.typing.every = every
	return a, f, bot.Address{Platform: Platform, Workspace: fc.GuildID, Channel: discordfake.General}
}

// waitTyping waits until the bot showed the indicator n times in ch.
func waitTyping(t *testing.T, f *discordfake.Server, ch string, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := f.WaitFor(ctx, func() bool { return f.Typing(ch) >= n }); err != nil {
		t.Fatalf("the indicator was shown %d times; want %d: %v", f.Typing(ch), n, err)
	}
}

// waitEnded waits until in refreshes no more.
func waitEnded(t *testing.T, in *indicator) {
	t.Helper()
	select {
	case <-in.ended:
	case <-time.After(10 * time.Second):
		t.Fatal("the typing indicator is still refreshed")
	}
}

func TestStatusShowsTypingRefreshedUntilCleared(t *testing.T) {
	t.Parallel()
	a, f, at := fakeAdapter(t, 5*time.Millisecond, time.Hour)
	ctx := context.Background()
	if err := a.SetStatus(ctx, at, "is thinking…"); err != nil {
		t.Fatal(err)
	}
	if n := f.Typing(at.Channel); n != 1 {
		t.Fatalf("after SetStatus the indicator was shown %d times; want 1 at once", n)
	}
	in := a.typing.indicatorOf(at.Channel)
	waitTyping(t, f, at.Channel, 4) // refreshed while set
	if err := a.SetStatus(ctx, at, ""); err != nil {
		t.Fatal(err)
	}
	waitEnded(t, in)
	if a.typing.indicatorOf(at.Channel) != nil {
		t.Error("the indicator is still on after SetStatus(\"\")")
	}
}

func TestStatusKeptWhileSetShowsOnce(t *testing.T) {
	t.Parallel()
	a, f, at := fakeAdapter(t, time.Hour, time.Hour)
	ctx := context.Background()
	for _, s := range []string{"is thinking…", "is using search…", "is using search…"} {
		if err := a.SetStatus(ctx, at, s); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.Typing(at.Channel); n != 1 {
		t.Errorf("three statuses in a row showed the indicator %d times; want 1, kept up", n)
	}
	t.Cleanup(func() { _ = a.SetStatus(ctx, at, "") })
}

func TestStatusEndsWhenTheBotPosts(t *testing.T) {
	t.Parallel()
	a, f, at := fakeAdapter(t, 5*time.Millisecond, time.Hour)
	ctx := context.Background()
	if err := a.SetStatus(ctx, at, "is thinking…"); err != nil {
		t.Fatal(err)
	}
	in := a.typing.indicatorOf(at.Channel)
	if _, err := a.Post(ctx, at, bot.Outgoing{Content: render.Text("done")}); err != nil {
		t.Fatal(err)
	}
	waitEnded(t, in)
	if a.typing.indicatorOf(at.Channel) != nil {
		t.Error("the indicator is still on after the bot posted")
	}
	// A new status after the post shows it again.
	before := f.Typing(at.Channel)
	if err := a.SetStatus(ctx, at, "is using search…"); err != nil {
		t.Fatal(err)
	}
	if f.Typing(at.Channel) != before+1 {
		t.Error("a status after the post did not show the indicator again")
	}
	t.Cleanup(func() { _ = a.SetStatus(ctx, at, "") })
}

func TestStatusEndsAfterTypingFor(t *testing.T) {
	t.Parallel()
	a, _, at := fakeAdapter(t, 5*time.Millisecond, 30*time.Millisecond)
	if err := a.SetStatus(context.Background(), at, "is thinking…"); err != nil {
		t.Fatal(err)
	}
	in := a.typing.indicatorOf(at.Channel)
	waitEnded(t, in) // nobody clears it: Config.TypingFor does
	if a.typing.indicatorOf(at.Channel) != nil {
		t.Error("the indicator is still on after Config.TypingFor")
	}
}

func TestStatusNeedsAChannel(t *testing.T) {
	t.Parallel()
	a, _, _ := fakeAdapter(t, time.Hour, time.Hour)
	if err := a.SetStatus(context.Background(), bot.Address{Platform: Platform}, "is thinking…"); err == nil {
		t.Error("SetStatus without a channel: no error")
	}
}
