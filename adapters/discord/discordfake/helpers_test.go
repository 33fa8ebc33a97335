package discordfake_test

import (
	"context"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/parleybot/parley/adapters/discord/discordfake"
)

// newFake starts a fake and a discordgo session pointed at it through
// its Client.
func newFake(t *testing.T, cfg discordfake.Config) (*discordfake.Server, *discordgo.Session) {
	t.Helper()
	f := discordfake.New(cfg)
	t.Cleanup(f.Close)
	dg, err := f.Session()
	if err != nil {
		t.Fatal(err)
	}
	return f, dg
}

// waitFor waits for cond on f, failing the test after 10 seconds.
func waitFor(t *testing.T, f *discordfake.Server, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := f.WaitFor(ctx, cond); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

// recv receives from ch, failing the test after 10 seconds.
func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("no %s within 10s", what)
		panic("unreachable")
	}
}

// open connects dg to the fake's gateway with intents, and closes it at
// the test's end.
func open(t *testing.T, dg *discordgo.Session, intents discordgo.Intent) {
	t.Helper()
	dg.Identify.Intents = intents
	dg.ShouldReconnectOnError = true
	// Handlers in order, one at a time: by default discordgo runs each in
	// its own goroutine, and a test could see a later event first.
	dg.SyncEvents = true
	if err := dg.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dg.Close() })
}
