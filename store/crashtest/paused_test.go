package crashtest_test

import (
	"context"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parleybot/parley/adapters/slack/slackfake"
	"github.com/parleybot/parley/store/sqlite"
)

// freeze stops the child with SIGSTOP, and lets it go on again when the
// test ends. A SQLite file stays locked by a process frozen in the middle
// of a write, for every other process (as with any process that holds
// the lock and does not go on): the child is frozen again, a moment
// later, until the file can be opened.
func freeze(t *testing.T, c *child, store storeSpec) {
	t.Helper()
	t.Cleanup(func() { c.cmd.Process.Signal(syscall.SIGCONT) })
	for deadline := time.Now().Add(testTimeout); ; {
		if err := c.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
		if store.kind != "sqlite" {
			return
		}
		s, err := sqlite.Open(context.Background(), store.db, sqlite.Options{BusyTimeout: 200 * time.Millisecond})
		if err == nil {
			s.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the SQLite file stays locked: %v", err)
		}
		c.cmd.Process.Signal(syscall.SIGCONT)
		time.Sleep(20 * time.Millisecond)
	}
}

func TestPausedProcessPastItsLeasePostsNothingSQLite(t *testing.T) {
	t.Parallel()
	pausedPastLease(t, sqliteStore(t), 6)
}

func TestPausedProcessPastItsLeasePostsNothingPostgres(t *testing.T) {
	t.Parallel()
	pausedPastLease(t, postgresStore(t), 6)
}

// pausedPastLease freezes (SIGSTOP) a process whose n runs wait for a
// person, for longer than its leases last; a second process takes the
// runs over and they are approved there. When the first process wakes
// (SIGCONT) it has lost every lease: it posts nothing, edits nothing and
// answers nothing; each thread shows the card, closed once, and one
// answer.
func pausedPastLease(t *testing.T, store storeSpec, n int) {
	const lease = envLease + "=2s"
	f := newFake(t)
	first := startChild(t, "first", f, store, behaveApprove, lease)
	convs := cardsWaiting(t, f, first, n)
	first.idle()
	freeze(t, first, store)

	second := startChild(t, "second", f, store, behaveApprove, lease)
	var clicks []slackfake.Event
	for _, c := range convs {
		ev, err := f.Click(slackfake.Ana, channel, openCards(f, c.thread)[0].TS, "Approve")
		if err != nil {
			t.Fatal(err)
		}
		clicks = append(clicks, ev)
	}
	sendAll(t, f, second.url, clicks)
	waitThreads(t, f, convs, "an answer in every thread", func(_ int, c conversation) bool { return ended(f, c.thread, 1) })
	second.idle()
	calls := len(f.Calls())

	if err := first.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	// The woken process finds its leases lapsed, and stops its waiting
	// runs.
	first.waitLog("run stopped here; another process took its thread over", n)
	first.idle()
	second.idle()
	if got := f.Calls()[calls:]; len(got) != 0 {
		var names []string
		for _, c := range got {
			names = append(names, c.Method+" "+c.Params.Get("text"))
		}
		t.Errorf("after it woke, the paused process (or the other) called Slack %d times: %q", len(got), names)
	}
	perThread := posts(f)
	for _, c := range convs {
		msgs := botMessages(f, c.thread)
		if len(msgs) != 2 || perThread[c.thread] != 2 {
			t.Errorf("%s: %d messages posted, the thread shows:\n%s\nwant the card and the answer", c.name, perThread[c.thread], shown(f, c.thread))
			continue
		}
		if text := msgs[0].PlainText(); msgs[0].Edits != 1 || !strings.Contains(text, "Approve — chosen by @ana") {
			t.Errorf("%s: the card reads %q after %d edits, want it closed once", c.name, text, msgs[0].Edits)
		}
		if got, want := msgs[1].PlainText(), "done "+c.name+": approved"; got != want {
			t.Errorf("%s: the answer reads %q, want %q", c.name, got, want)
		}
	}
	failedCalls(t, f)
	for _, ch := range []*child{first, second} {
		if got := ch.stop(); got != "stopped" {
			t.Errorf("the %s process stopped with %q, want a clean stop", ch.name, got)
		}
	}
}

func TestPausedProcessPastItsLeaseDoesNotAnswerSQLite(t *testing.T) {
	t.Parallel()
	pausedMidAnswer(t, sqliteStore(t))
}

func TestPausedProcessPastItsLeaseDoesNotAnswerPostgres(t *testing.T) {
	t.Parallel()
	pausedMidAnswer(t, postgresStore(t))
}

// pausedMidAnswer freezes (SIGSTOP) a process while its model thinks,
// for longer than its lease lasts; a second process takes the run over
// and, as bot.TellInterrupted says, tells the thread it was interrupted.
// When the first process wakes (SIGCONT), its model's answer arrives at
// once: it has lost the lease, and posts nothing.
func pausedMidAnswer(t *testing.T, store storeSpec) {
	const lease = envLease + "=2s"
	f := newFake(t)
	first := startChild(t, "first", f, store, behaveRelease, lease)
	convs, mentions := mention(f, 1)
	c := convs[0]
	sendAll(t, f, first.url, mentions)
	first.waitLine("to ask the model", func(l string) bool { return l == "model "+c.name+" 1" })
	freeze(t, first, store)

	second := startChild(t, "second", f, store, behaveRelease, lease)
	waitThreads(t, f, convs, "the interrupted sentence", func(_ int, c conversation) bool { return ended(f, c.thread, 0) })
	second.idle()

	// The answer waits in the frozen process: it comes the moment it
	// wakes.
	if _, err := first.stdin.Write([]byte("release\n")); err != nil {
		t.Fatal(err)
	}
	if err := first.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	first.waitLog("run stopped here; another process took its thread over", 1)
	first.idle()
	second.idle()

	if msgs := botMessages(f, c.thread); len(msgs) != 1 || posts(f)[c.thread] != 1 || msgs[0].PlainText() != interrupted {
		t.Errorf("%d messages posted, the thread shows:\n%s\nwant only the sentence telling it was interrupted", posts(f)[c.thread], shown(f, c.thread))
	}
	failedCalls(t, f)
	for _, ch := range []*child{first, second} {
		if got := ch.stop(); got != "stopped" {
			t.Errorf("the %s process stopped with %q, want a clean stop", ch.name, got)
		}
	}
}
