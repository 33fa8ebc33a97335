package discord_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/parleybot/parley/adapters/discord/discordfake"
)

// Without the MESSAGE_CONTENT switch, Discord closes IDENTIFY with 4014:
// Start says what to switch on, where, and how to check it, and a second
// Start tries again rather than saying the adapter is started.
func TestStartWithoutMessageContentNamesTheSwitch(t *testing.T) {
	t.Parallel()
	f := newFake(t, func(c *discordfake.Config) { c.MessageContent = discordfake.Denied })
	a := newAdapter(t, f, nil)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	for try := range 2 {
		err := a.Start(ctx, newRecorder())
		if err == nil {
			t.Fatalf("Start %d succeeded with the intent denied", try+1)
		}
		for _, want := range []string{"MESSAGE_CONTENT", "Developer Portal", "parley discord check"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("Start %d: the error does not say %q: %v", try+1, want, err)
			}
		}
	}
}

// A Start that failed can be called again, and the adapter then takes
// each event once: the handlers are not added twice.
func TestStartAgainAfterAFailureTakesEventsOnce(t *testing.T) {
	t.Parallel()
	f := newFake(t, nil)
	a := newAdapter(t, f, nil)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	f.Fail(discordfake.RoutePutGuildCommands, http.StatusInternalServerError, 0, 1)
	if err := a.Start(ctx, newRecorder()); err == nil {
		t.Fatal("Start succeeded though registering the command failed")
	}
	in := newRecorder()
	if err := a.Start(ctx, in); err != nil {
		t.Fatalf("Start again: %v", err)
	}
	f.DirectMessage(discordfake.Ana, "one")
	f.DirectMessage(discordfake.Ana, "two") // same lane: after the first and its copy, if any
	got := in.waitN(t, 2)
	if got[0] != "one" || got[1] != "two" {
		t.Errorf("after a failed Start, the bot got %q, want [one two]", got)
	}
}
