package crashtest_test

import (
	"strings"
	"testing"

	"github.com/parleybot/parley/adapters/slack/slackfake"
)

func TestStopWithMessagesQueuedSQLite(t *testing.T) {
	t.Parallel()
	stopWithQueue(t, sqliteStore(t))
}

func TestStopWithMessagesQueuedPostgres(t *testing.T) {
	t.Parallel()
	stopWithQueue(t, postgresStore(t))
}

// stopWithQueue stops a process gracefully while a run works in a
// thread and two more messages of the thread wait behind it, accepted
// (Slack has its 200): the run is cut at the end of the grace period and
// says so, and the process started after answers what waited, in order,
// once, without taking the cut run up again.
func stopWithQueue(t *testing.T, store storeSpec) {
	f := newFake(t)
	first := startChild(t, "first", f, store, behaveQueue, envGrace+"=500ms")
	hold, _ := f.Mention(slackfake.Ana, channel, "hold conv-000", "")
	sendAll(t, f, first.url, []slackfake.Event{hold})
	first.waitLine("to be at work", func(l string) bool { return l == "hold conv-000" })
	a, _ := f.Mention(slackfake.Ana, channel, "first conv-000", hold.TS)
	b, _ := f.Mention(slackfake.Ben, channel, "second conv-000", hold.TS)
	sendAll(t, f, first.url, []slackfake.Event{a})
	sendAll(t, f, first.url, []slackfake.Event{b})
	if got := first.stop(); !strings.HasPrefix(got, "stopped") {
		t.Fatalf("the first process ended with %q", got)
	}

	second := startChild(t, "second", f, store, behaveQueue)
	answered := func() bool {
		for _, m := range botMessages(f, hold.TS) {
			if strings.Contains(m.PlainText(), "answer to second conv-000") && !m.Streaming {
				return true
			}
		}
		return false
	}
	if err := f.WaitFor(testCtx(t), answered); err != nil {
		t.Fatalf("the queued messages were not answered after the restart: %v; the thread shows:\n%s", err, shown(f, hold.TS))
	}
	second.idle()

	var got []string
	for _, m := range botMessages(f, hold.TS) {
		got = append(got, m.PlainText())
	}
	if n := posts(f)[hold.TS]; n != len(got) {
		t.Errorf("%d messages posted, the thread shows %d", n, len(got))
	}
	if len(got) == 0 || !strings.Contains(got[0], "I had to stop before finishing") {
		t.Errorf("the thread shows %q, want it to begin with the cut run saying it stopped", got)
	}
	// The queued messages are answered in one run (the latest, with the
	// one before it) or one by one in order.
	rest := strings.Join(got[1:], "|")
	if rest != "answer to second conv-000" && rest != "answer to first conv-000|answer to second conv-000" {
		t.Errorf("after the stop the thread shows %q, want the queued messages answered in order, once", got[1:])
	}
	if n := second.count("hold conv-000"); n != 0 {
		t.Errorf("the second process took the cut run up again (%d times)", n)
	}
	failedCalls(t, f)
}
