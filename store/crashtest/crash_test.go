package crashtest_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/parleybot/parley/adapters/slack/slackfake"
)

// interrupted is the sentence with which the bot ends, by default
// (bot.TellInterrupted), a run that a crash cut while it worked, as the
// thread shows it.
const interrupted = "⚠️ I was interrupted before I could finish. Please ask again."

func TestKillWhileWaitingSQLite(t *testing.T) {
	t.Parallel()
	killWhileWaiting(t, sqliteStore(t), 100)
}

func TestKillWhileWaitingPostgres(t *testing.T) {
	t.Parallel()
	killWhileWaiting(t, postgresStore(t), 100)
}

func TestKillMidAnswerSQLite(t *testing.T) {
	t.Parallel()
	killMidAnswer(t, sqliteStore(t), 20)
}

func TestKillMidAnswerPostgres(t *testing.T) {
	t.Parallel()
	killMidAnswer(t, postgresStore(t), 20)
}

// killWhileWaiting drives n conversations to a pending approval, kills
// the bot with SIGKILL, starts it again on the same Store and approves
// every card: every run completes, once — one card per thread, closed
// once with its outcome, one answer — and the model is not asked again
// for what the dead process's journal holds.
func killWhileWaiting(t *testing.T, store storeSpec, n int) {
	f := newFake(t)
	first := startChild(t, "first", f, store, behaveApprove)
	convs := cardsWaiting(t, f, first, n)
	// Every run waits for its person: each card is posted and the Store
	// knows where. (A kill in the instant between a card's post and that
	// record makes the next process post the card again, with the same
	// buttons: bot.Thread.postChoice's trade-off, which bot's own crash
	// tests cover.)
	first.idle()
	first.kill()

	second := startChild(t, "second", f, store, behaveApprove)
	var clicks []slackfake.Event
	for _, c := range convs {
		cards := openCards(f, c.thread)
		if len(cards) != 1 {
			t.Fatalf("%s: %d cards open before the clicks, want 1:\n%s", c.name, len(cards), shown(f, c.thread))
		}
		ev, err := f.Click(slackfake.Ana, channel, cards[0].TS, "Approve")
		if err != nil {
			t.Fatal(err)
		}
		clicks = append(clicks, ev)
	}
	sendAll(t, f, second.url, clicks)
	// Each thread ends with a message after its card, the answer; what it
	// says is checked once the bot has settled.
	answer := func(c conversation) string { return fmt.Sprintf("done %s: approved", c.name) }
	waitThreads(t, f, convs, "a message after the card in every thread", func(_ int, c conversation) bool { return ended(f, c.thread, 1) })
	second.idle()

	perThread := posts(f)
	for _, c := range convs {
		msgs := botMessages(f, c.thread)
		if len(msgs) != 2 || perThread[c.thread] != 2 {
			t.Errorf("%s: %d messages posted, the thread shows %d; want 2, the card and the answer:\n%s", c.name, perThread[c.thread], len(msgs), shown(f, c.thread))
			continue
		}
		card, ans := msgs[0], msgs[1]
		if text := card.PlainText(); len(card.Options()) != 0 || card.Edits != 1 ||
			!strings.Contains(text, "write "+c.name) || !strings.Contains(text, "Approve — chosen by @ana") {
			t.Errorf("%s: the card reads %q with options %q after %d edits; want it closed once, with the outcome", c.name, text, card.Options(), card.Edits)
		}
		if ans.PlainText() != answer(c) || ans.Streaming {
			t.Errorf("%s: the answer reads %q (still streaming: %v), want %q", c.name, ans.PlainText(), ans.Streaming, answer(c))
		}
		if got := first.count("model " + c.name + " 1"); got != 1 {
			t.Errorf("%s: the first process asked the model the first turn %d times, want 1", c.name, got)
		}
		if got := second.count("model " + c.name + " 1"); got != 0 {
			t.Errorf("%s: the second process asked the model the first turn again (%d times); the journal holds it", c.name, got)
		}
		if got := first.count("model "+c.name+" 2") + second.count("model "+c.name+" 2"); got != 1 {
			t.Errorf("%s: the model was asked the second turn %d times, want 1", c.name, got)
		}
	}
	if n := perThread[""]; n != 0 {
		t.Errorf("%d messages posted outside the threads, want none", n)
	}
	if got := f.Ephemerals(slackfake.Ana); len(got) != 0 {
		t.Errorf("ana was shown %d private notices, want none: the first %q", len(got), got[0].PlainText())
	}
	failedCalls(t, f)
	if got := second.stop(); got != "stopped" {
		t.Errorf("the second process stopped with %q, want a clean stop", got)
	}
}

// killMidAnswer kills the bot while n runs are at work — the model
// thinking, half of them with part of the answer already streamed — and
// starts it again on the same Store: each thread is told once, plainly,
// that the bot was interrupted, and nothing else happens (the model is
// not asked again, no card appears).
func killMidAnswer(t *testing.T, store storeSpec, n int) {
	f := newFake(t)
	first := startChild(t, "first", f, store, behaveHold)
	convs, mentions := mention(f, n)
	sendAll(t, f, first.url, mentions)
	first.waitLines("to be at work in every conversation", func(lines []string) bool {
		held := map[string]bool{}
		for _, l := range lines {
			if conv, ok := strings.CutPrefix(l, "hold "); ok {
				held[conv] = true
			}
		}
		return len(held) == n
	})
	// The adapter gathers streamed text for a moment before it sends it:
	// the kill comes once the start of each answer is on screen.
	partial := func(i int) bool { return i%2 == 0 }
	waitThreads(t, f, convs, "the start of the answer in every other thread", func(i int, c conversation) bool {
		msgs := botMessages(f, c.thread)
		return !partial(i) || (len(msgs) > 0 && msgs[0].PlainText() == "Working on "+c.name+"…")
	})
	first.kill()

	second := startChild(t, "second", f, store, behaveApprove)
	waitThreads(t, f, convs, "a word in every thread", func(i int, c conversation) bool {
		if partial(i) {
			return ended(f, c.thread, 1)
		}
		return ended(f, c.thread, 0)
	})
	second.idle()

	perThread := posts(f)
	for i, c := range convs {
		msgs := botMessages(f, c.thread)
		want := 1
		if partial(i) {
			want = 2
		}
		if len(msgs) != want || perThread[c.thread] != want || msgs[len(msgs)-1].PlainText() != interrupted {
			t.Errorf("%s: %d messages posted, the thread shows\n%s\nwant %d, the last telling it was interrupted", c.name, perThread[c.thread], shown(f, c.thread), want)
			continue
		}
		if partial(i) && msgs[0].PlainText() != "Working on "+c.name+"…" {
			t.Errorf("%s: the start of the answer the crash cut reads %q after the restart, want it as it was", c.name, msgs[0].PlainText())
		}
		if got := first.count("model " + c.name + " 1"); got != 1 {
			t.Errorf("%s: the first process asked the model %d times, want 1", c.name, got)
		}
		if got := second.count("model " + c.name + " 1"); got != 0 {
			t.Errorf("%s: the second process asked the model %d times, want none: an interrupted run is not asked again", c.name, got)
		}
	}
	if n := perThread[""]; n != 0 {
		t.Errorf("%d messages posted outside the threads, want none", n)
	}
	failedCalls(t, f)
	if got := second.stop(); got != "stopped" {
		t.Errorf("the second process stopped with %q, want a clean stop", got)
	}

	// A native stream the dead process began is never stopped: nothing
	// records it where the process after the crash looks (the adapter
	// starts it on its own, after the journal's last write), so Slack
	// shows it as still being written until it ends it itself, after
	// about five minutes.
	t.Run("cut streams are ended", func(t *testing.T) {
		var open []string
		for i, c := range convs {
			if msgs := botMessages(f, c.thread); partial(i) && len(msgs) > 0 && msgs[0].Streaming {
				open = append(open, c.name)
			}
		}
		if len(open) == 0 {
			return
		}
		if knownOpenStreams {
			t.Skipf("known limitation: the answers cut by the crash in %d threads are still streaming after the restart (%s…)", len(open), open[0])
		}
		t.Errorf("the answers cut by the crash in %d threads are still streaming after the restart: %q", len(open), open)
	})
}

// knownOpenStreams says that a native stream a crash cut is left open
// after the restart, a limitation of the bot reported with these tests:
// set it to false once the bot (or the Slack adapter) ends such streams,
// and the test above holds it to that.
const knownOpenStreams = true

// ended reports whether the bot posted more than n messages in the
// thread, the last of them whole (not still streaming).
func ended(f *slackfake.Server, thread string, n int) bool {
	msgs := botMessages(f, thread)
	return len(msgs) > n && !msgs[len(msgs)-1].Streaming
}

// failedCalls fails the test for each call the bot made that Slack
// refused.
func failedCalls(t *testing.T, f *slackfake.Server) {
	t.Helper()
	for _, c := range f.Calls() {
		if !c.OK() {
			t.Errorf("a call failed: %s %v: %d %s", c.Method, c.Params, c.Status, c.Error)
		}
	}
}
