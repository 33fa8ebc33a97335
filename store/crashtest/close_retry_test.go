package crashtest_test

import (
	"strings"
	"testing"

	"github.com/parleybot/parley/adapters/slack/slackfake"
)

func TestFailedCardCloseIsRetriedAfterKillSQLite(t *testing.T) {
	t.Parallel()
	failedCloseAcrossRestart(t, sqliteStore(t), true)
}

func TestFailedCardCloseIsRetriedAfterKillPostgres(t *testing.T) {
	t.Parallel()
	failedCloseAcrossRestart(t, postgresStore(t), true)
}

func TestFailedCardCloseIsRetriedAfterStopSQLite(t *testing.T) {
	t.Parallel()
	failedCloseAcrossRestart(t, sqliteStore(t), false)
}

func TestFailedCardCloseIsRetriedAfterStopPostgres(t *testing.T) {
	t.Parallel()
	failedCloseAcrossRestart(t, postgresStore(t), false)
}

// failedCloseAcrossRestart approves a card whose closing edit Slack
// refuses, twice, and ends the process before the next retry (with
// SIGKILL, or gracefully): the process started after it closes the card,
// once, with the outcome, and nothing else is posted again. (A graceful
// stop may close it itself: its retries are work the stop waits for.)
func failedCloseAcrossRestart(t *testing.T, store storeSpec, kill bool) {
	f := newFake(t)
	first := startChild(t, "first", f, store, behaveApprove)
	convs, mentions := mention(f, 1)
	c := convs[0]
	sendAll(t, f, first.url, mentions)
	waitThreads(t, f, convs, "a card", func(_ int, c conversation) bool { return len(openCards(f, c.thread)) > 0 })
	first.idle()
	card := openCards(f, c.thread)[0]

	// The first try and the first retry (a quarter of a second later)
	// fail; the next retry comes a second after that.
	f.Fail("chat.update", "internal_error", 2)
	ev, err := f.Click(slackfake.Ana, channel, card.TS, "Approve")
	if err != nil {
		t.Fatal(err)
	}
	sendAll(t, f, first.url, []slackfake.Event{ev})
	failed := func() int {
		n := 0
		for _, call := range f.Calls("chat.update") {
			if !call.OK() {
				n++
			}
		}
		return n
	}
	if err := f.WaitFor(testCtx(t), func() bool { return failed() == 2 && ended(f, c.thread, 1) }); err != nil {
		t.Fatalf("waiting for two failed closes and the answer: %v; the thread shows:\n%s", err, shown(f, c.thread))
	}
	if kill {
		first.kill()
		if n := len(openCards(f, c.thread)); n != 1 {
			t.Fatalf("%d cards open when the first process died, want 1 (its closing edits failed):\n%s", n, shown(f, c.thread))
		}
	} else if got := first.stop(); got != "stopped" {
		// A graceful stop lets the retry come, or leaves it to the next
		// process.
		t.Errorf("the first process stopped with %q, want a clean stop", got)
	}

	second := startChild(t, "second", f, store, behaveApprove)
	if err := f.WaitFor(testCtx(t), func() bool { return len(openCards(f, c.thread)) == 0 }); err != nil {
		t.Fatalf("the card whose closing failed is still open after the restart: %v; the thread shows:\n%s", err, shown(f, c.thread))
	}
	second.idle()
	msgs := botMessages(f, c.thread)
	if len(msgs) != 2 || posts(f)[c.thread] != 2 {
		t.Fatalf("%d messages posted, the thread shows:\n%s\nwant 2, the card and the answer", posts(f)[c.thread], shown(f, c.thread))
	}
	if text := msgs[0].PlainText(); !strings.Contains(text, "Approve — chosen by @ana") || msgs[0].Edits != 1 {
		t.Errorf("the card reads %q after %d edits, want it closed once with the outcome", text, msgs[0].Edits)
	}
	if got := second.stop(); got != "stopped" {
		t.Errorf("the second process stopped with %q, want a clean stop", got)
	}
}
