package crashtest_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/parleybot/parley/adapters/slack/slackfake"
)

func TestKillRightAfterClicksAcceptedSQLite(t *testing.T) {
	t.Parallel()
	killAfterClicks(t, sqliteStore(t), 20)
}

func TestKillRightAfterClicksAcceptedPostgres(t *testing.T) {
	t.Parallel()
	killAfterClicks(t, postgresStore(t), 20)
}

// killAfterClicks approves n waiting cards on the process that waits
// for them and kills it with SIGKILL as soon as Slack has its 200 for
// every click — each run somewhere between the decision in the Store and
// its end. The process started after it finishes what the dead one left:
// every card is closed with the approval, and every thread ends with one
// answer or, where the crash cut the model's turn, with the sentence that
// says so (bot.TellInterrupted, the default); nothing is posted twice.
func killAfterClicks(t *testing.T, store storeSpec, n int) {
	f := newFake(t)
	first := startChild(t, "first", f, store, behaveApprove)
	convs := cardsWaiting(t, f, first, n)
	first.idle()
	var clicks []slackfake.Event
	for _, c := range convs {
		ev, err := f.Click(slackfake.Ana, channel, openCards(f, c.thread)[0].TS, "Approve")
		if err != nil {
			t.Fatal(err)
		}
		clicks = append(clicks, ev)
	}
	sendAll(t, f, first.url, clicks)
	first.kill()

	second := startChild(t, "second", f, store, behaveApprove)
	waitThreads(t, f, convs, "a word after the card in every thread", func(_ int, c conversation) bool {
		return ended(f, c.thread, 1) && len(openCards(f, c.thread)) == 0
	})
	second.idle()

	perThread := posts(f)
	var answeredThenTold []string
	for _, c := range convs {
		msgs := botMessages(f, c.thread)
		var after []string
		for _, m := range msgs[1:] {
			after = append(after, m.PlainText())
		}
		answer := fmt.Sprintf("done %s: approved", c.name)
		switch got := strings.Join(after, "|"); {
		case perThread[c.thread] != len(msgs):
			t.Errorf("%s: %d messages posted, the thread shows %d:\n%s", c.name, perThread[c.thread], len(msgs), shown(f, c.thread))
		case got == answer, got == interrupted:
		case got == answer+"|"+interrupted:
			answeredThenTold = append(answeredThenTold, c.name)
		default:
			t.Errorf("%s: after the card the thread shows %q, want the answer or the sentence telling it was interrupted:\n%s", c.name, after, shown(f, c.thread))
		}
		if text := msgs[0].PlainText(); !strings.Contains(text, "Approve — chosen by @ana") {
			t.Errorf("%s: the card reads %q, want it closed with the approval", c.name, text)
		}
	}
	if got := f.Ephemerals(slackfake.Ana); len(got) != 0 {
		t.Errorf("ana was shown %d private notices, want none: the first %q", len(got), got[0].PlainText())
	}
	failedCalls(t, f)
	if got := second.stop(); got != "stopped" {
		t.Errorf("the second process stopped with %q, want a clean stop", got)
	}

	// A run killed after its answer was whole on screen, before the run
	// ended, is told it was interrupted after the answer: the model's
	// last response reaches the journal only at the run's end, after the
	// answer's stream is closed — the trade-off bot.TellInterrupted
	// documents. Killed right after the clicks, several runs of twenty
	// fall in that window.
	t.Run("an answer is not followed by the interrupted sentence", func(t *testing.T) {
		if len(answeredThenTold) == 0 {
			return
		}
		if knownToldAfterAnswer {
			t.Skipf("known limitation: %d threads were told they were interrupted after their whole answer (%s…)", len(answeredThenTold), answeredThenTold[0])
		}
		t.Errorf("%d threads were told they were interrupted after their whole answer: %q", len(answeredThenTold), answeredThenTold)
	})
}

// knownToldAfterAnswer says that a run killed between its whole answer
// and its end is told, after the restart, that it was interrupted (see
// bot.TellInterrupted): set it to false once the answer's end on screen
// waits for its record in the journal, and the test above holds the bot
// to that.
const knownToldAfterAnswer = true
