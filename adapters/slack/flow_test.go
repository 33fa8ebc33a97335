package slack_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/adapters/slack"
	"github.com/parleybot/parley/adapters/slack/slackfake"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
)

// End-to-end tests: a real bot.Bot, with a scripted model, receives from
// and posts to slackfake through the Slack adapter, over loopback HTTP or
// Socket Mode, as it would with Slack. Each test proves one promise of
// issue 9 from the outside: what the people in the workspace see, what
// Slack was called with, and what the model was asked.

// The whole flow of an approval: a mention, a tool asking for approval on
// a card in the mention's thread, a click by someone who may not decide,
// the approver's click, the card closed in place, and the answer streamed
// natively to the person who asked.
func TestFlowApprovalFromMentionToStreamedAnswer(t *testing.T) {
	t.Parallel()
	f := flowFake(t)
	a := flowAdapter(t, f, nil)
	const final = "Done: the staging table is dropped."
	script := bottest.NewModel(
		bottest.Call("confirm_write", bottest.ApprovalArgs{Action: "drop the staging table"}),
		bottest.Reply(final),
	)
	// The final answer pauses after its first word until Slack shows it,
	// so that it reaches Slack as a stream begun, appended to and
	// stopped, not in one call.
	ctx := flowCtx(t)
	model := flowPausing{Model: script, pause: func() {
		_ = f.WaitFor(ctx, func() bool { return len(f.Calls("chat.startStream")) > 0 })
	}}
	b := flowBot(t, bot.Config{Model: model, Adapters: []bot.Adapter{a}, Tools: []*bot.Tool{bottest.ApprovalTool(slackfake.Ana)}})

	mention, _ := f.Mention(slackfake.Ana, flowChannel, "please drop the staging table", "")
	flowSend(t, f, a, mention)

	// The card, in the thread of the mention.
	flowWait(t, f, "the approval card", func() bool { return len(flowCards(f, flowChannel, mention.TS)) > 0 })
	card := flowCards(f, flowChannel, mention.TS)[0]
	if got, want := card.Options(), []string{"Approve", "Deny"}; !slices.Equal(got, want) {
		t.Fatalf("card options = %q, want %q", got, want)
	}
	if card.ThreadTS != mention.TS {
		t.Errorf("card posted in thread %q, want the mention's thread %q", card.ThreadTS, mention.TS)
	}
	if text := card.PlainText(); !strings.Contains(text, "Approve write?") || !strings.Contains(text, "drop the staging table") {
		t.Errorf("card reads %q, want its title and the action", text)
	}

	// Ben may not decide: he is told so, privately, and the wait goes on.
	click, err := f.Click(slackfake.Ben, flowChannel, card.TS, "Approve")
	if err != nil {
		t.Fatal(err)
	}
	flowSend(t, f, a, click)
	flowWait(t, f, "ben's notice", func() bool { return len(f.Ephemerals(slackfake.Ben)) > 0 })
	flowIdle(t, b)
	if got := f.Ephemerals(slackfake.Ben); len(got) != 1 || got[0].Channel != flowChannel || got[0].ThreadTS != mention.TS || strings.TrimSpace(got[0].PlainText()) == "" {
		t.Errorf("ben's notices = %+v, want one, in the thread %s/%s, saying something", got, flowChannel, mention.TS)
	}
	if got := f.Ephemerals(slackfake.Ana); len(got) != 0 {
		t.Errorf("ana was shown %d notices, want none", len(got))
	}
	if now, _ := f.Message(flowChannel, card.TS); !slices.Equal(now.Options(), []string{"Approve", "Deny"}) || now.Edits != 0 {
		t.Errorf("after ben's click the card shows %q after %d edits, want it untouched", now.Options(), now.Edits)
	}
	if n := len(script.Requests()); n != 1 {
		t.Errorf("the model was asked %d times after ben's click, want 1 (nothing decided)", n)
	}

	// Ana approves: the card is closed in place, and the answer streams.
	click, err = f.Click(slackfake.Ana, flowChannel, card.TS, "Approve")
	if err != nil {
		t.Fatal(err)
	}
	flowSend(t, f, a, click)
	flowWait(t, f, "the card to close", func() bool {
		m, _ := f.Message(flowChannel, card.TS)
		return len(m.Options()) == 0
	})
	flowIdle(t, b)
	closed, _ := f.Message(flowChannel, card.TS)
	if text := closed.PlainText(); !strings.Contains(text, "Approve — chosen by @ana") || !strings.Contains(text, "drop the staging table") {
		t.Errorf("closed card reads %q, want the card with the outcome line", text)
	}
	if n := len(f.Ephemerals(slackfake.Ana)); n != 0 {
		t.Errorf("ana, who decided, was shown %d notices, want none", n)
	}
	if n := len(f.Ephemerals(slackfake.Ben)); n != 1 {
		t.Errorf("ben was shown %d notices in all, want the one", n)
	}
	if n := len(flowCards(f, flowChannel, mention.TS)); n != 0 {
		t.Errorf("%d cards still open in the thread, want none", n)
	}
	reqs := script.Requests()
	if len(reqs) != 2 {
		t.Fatalf("model asked %d times, want 2", len(reqs))
	}
	if last := flowLastMessage(reqs[1]); last.Role != bot.RoleTool || last.Content != "approve" {
		t.Errorf("the model's second request ends with %+v, want the tool's result, approve", last)
	}

	// The answer: one native stream, to ana in her workspace, reading as
	// the model's text.
	starts, appends, stops := f.Calls("chat.startStream"), f.Calls("chat.appendStream"), f.Calls("chat.stopStream")
	if len(starts) != 1 || len(appends) == 0 || len(stops) != 1 {
		t.Fatalf("stream calls: %d start, %d append, %d stop; want 1, at least 1, 1", len(starts), len(appends), len(stops))
	}
	start := starts[0].Params
	if start.Get("thread_ts") != mention.TS || start.Get("recipient_user_id") != slackfake.Ana || start.Get("recipient_team_id") != f.Config().TeamID {
		t.Errorf("chat.startStream params %v, want thread %s, recipient %s of %s", start, mention.TS, slackfake.Ana, f.Config().TeamID)
	}
	streamed := start.Get("markdown_text")
	for _, c := range appends {
		streamed += c.Params.Get("markdown_text")
	}
	if streamed != final {
		t.Errorf("text streamed = %q, want %q", streamed, final)
	}
	msgs := flowBotMsgs(f, flowChannel, mention.TS)
	if len(msgs) != 2 {
		t.Fatalf("the bot's messages in the thread: %d, want the card and the answer:\n%s", len(msgs), flowShown(f, flowChannel, mention.TS))
	}
	answer := msgs[1]
	if !answer.Streamed || answer.Streaming || answer.Markdown != final || answer.PlainText() != final {
		t.Errorf("answer: streamed %v, still streaming %v, markdown %q, reads %q; want %q, stream ended",
			answer.Streamed, answer.Streaming, answer.Markdown, answer.PlainText(), final)
	}
}

// Slack delivers an event again when it did not hear the answer in time,
// and the deliveries may land on different replicas of the bot. Two bots
// sharing one Store, each with its own adapter, get a mention four times
// (and its message event twin): each delivery is acknowledged, and the
// mention is answered once.
func TestFlowRetriesAcrossReplicasAreAnsweredOnce(t *testing.T) {
	t.Parallel()
	f := flowFake(t)
	store := bot.NewMemoryStore()
	// One script for both replicas, started over for every run, so that
	// an event answered twice shows as a second answer.
	model := bottest.NewModel(bottest.Reply("It is noon.")).Cycle()
	a1, a2 := flowAdapter(t, f, nil), flowAdapter(t, f, nil)
	b1 := flowBot(t, bot.Config{Model: model, Adapters: []bot.Adapter{a1}, Store: store})
	b2 := flowBot(t, bot.Config{Model: model, Adapters: []bot.Adapter{a2}, Store: store})

	mention, twin := f.Mention(slackfake.Ana, flowChannel, "what time is it?", "")
	replicas := []http.Handler{a1, a2}
	for n := range 4 {
		var opts []slackfake.SendOption
		if n > 0 {
			opts = append(opts, slackfake.Retry(n, "http_timeout"))
		}
		flowSend(t, f, replicas[n%2], mention, opts...) // fails unless 200
	}
	flowSend(t, f, a2, twin)
	flowWait(t, f, "the answer", func() bool { return flowAnswers(f, flowChannel, mention.TS) > 0 })
	flowIdle(t, b1, b2)

	if n := flowAnswers(f, flowChannel, mention.TS); n != 1 {
		t.Errorf("%d messages posted in the thread, want 1:\n%s", n, flowShown(f, flowChannel, mention.TS))
	}
	if n := len(model.Requests()); n != 1 {
		t.Errorf("the model was asked %d times, want 1", n)
	}
	if got := flowShown(f, flowChannel, mention.TS); got != "It is noon." {
		t.Errorf("the thread shows %q from the bot, want the one answer", got)
	}
}

// The acknowledgement does not wait for the model: the event is answered
// 200 while the model is still thinking, and the answer comes after.
func TestFlowAckReturnsWhileTheModelThinks(t *testing.T) {
	t.Parallel()
	f := flowFake(t)
	a := flowAdapter(t, f, nil)
	model := newFlowGate("Sorry for the wait: 42.")
	b := flowBot(t, bot.Config{Model: model, Adapters: []bot.Adapter{a}})

	mention, _ := f.Mention(slackfake.Ana, flowChannel, "the answer, please", "")
	// The model cannot answer before its gate opens, below: a send that
	// waited for it would run out of Slack's three seconds.
	flowSend(t, f, a, mention)
	model.waitCalled(t)
	if n := flowAnswers(f, flowChannel, mention.TS); n != 0 {
		t.Fatalf("%d messages posted while the model had not answered", n)
	}

	model.open()
	flowWait(t, f, "the answer", func() bool { return flowAnswers(f, flowChannel, mention.TS) > 0 })
	flowIdle(t, b)
	if got := flowShown(f, flowChannel, mention.TS); got != "Sorry for the wait: 42." {
		t.Errorf("the thread shows %q from the bot, want the model's answer", got)
	}
}

// A bot that is stopping refuses new events with 503, so that Slack
// delivers them again elsewhere; the run it is working on still posts its
// answer, after the adapter stopped receiving.
func TestFlowStoppingBotAnswers503AndFinishesItsRun(t *testing.T) {
	t.Parallel()
	f := flowFake(t)
	a := flowAdapter(t, f, nil)
	model := newFlowGate("Finished, even though I am stopping.")
	b := flowBot(t, bot.Config{Model: model, Adapters: []bot.Adapter{a}})

	first, _ := f.Mention(slackfake.Ana, flowChannel, "a long job", "")
	flowSend(t, f, a, first)
	model.waitCalled(t)

	stopped := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), flowTimeout)
		defer cancel()
		stopped <- b.Stop(ctx)
	}()

	// Stop has begun once the adapter refuses what it would otherwise
	// acknowledge without the bot: a message to nobody, outside a thread.
	probe := f.ChannelMessage(slackfake.Ben, "C0OTHER", "lunch, anyone?", "")
	ctx := flowCtx(t)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		_, err := f.Send(ctx, a, probe)
		if flowStatus(err) == http.StatusServiceUnavailable {
			break
		}
		if err != nil {
			t.Fatalf("probe while stopping: %v", err)
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			t.Fatal("the adapter never refused events while the bot stopped")
		}
	}

	second, _ := f.Mention(slackfake.Ben, flowChannel, "are you there?", "")
	_, err := f.Send(ctx, a, second)
	if got := flowStatus(err); got != http.StatusServiceUnavailable {
		t.Fatalf("a mention while stopping got %v (status %d), want 503", err, got)
	}

	model.open()
	select {
	case err := <-stopped:
		if err != nil {
			t.Errorf("Stop: %v", err)
		}
	case <-ctx.Done():
		t.Fatal("Stop did not return")
	}
	if got := flowShown(f, flowChannel, first.TS); got != "Finished, even though I am stopping." {
		t.Errorf("the first thread shows %q from the bot, want the answer of the run in flight", got)
	}
	if n := flowAnswers(f, flowChannel, second.TS); n != 0 {
		t.Errorf("%d messages posted for the mention refused with 503", n)
	}
	if n := model.calls.Load(); n != 1 {
		t.Errorf("the model was called %d times, want 1", n)
	}
}

// Over Socket Mode the adapter connects in Start, answers what comes in
// and acknowledges each envelope; when the connection drops it connects
// again, and an event sent meanwhile, or one whose envelope was not
// acknowledged when the connection dropped and comes again, is answered
// once.
func TestFlowSocketModeSurvivesADroppedConnection(t *testing.T) {
	t.Parallel()
	f := flowFake(t)
	a := flowAdapter(t, f, func(c *slack.Config) {
		c.AppToken = f.Config().AppToken
		c.SigningSecret = ""
	})
	model := bottest.NewModel(bottest.Reply("Heard you.")).Cycle()
	b := flowBot(t, bot.Config{Model: model, Adapters: []bot.Adapter{a}})
	ctx := flowCtx(t)
	// Start returned once slack-go dialled; the fake counts the
	// connection once it has said hello on it.
	flowWait(t, f, "the connection Start opened", func() bool { open, opened := f.SocketConnections(); return open == 1 && opened == 1 })
	answered := func(thread string) func() bool {
		return func() bool { return flowAnswers(f, flowChannel, thread) > 0 }
	}
	reconnected := func(before int) func() bool {
		return func() bool { open, opened := f.SocketConnections(); return open > 0 && opened > before }
	}

	// An event over the socket: acknowledged and answered.
	first, _ := f.Mention(slackfake.Ana, flowChannel, "hello over the socket", "")
	if _, err := f.WaitAck(ctx, f.SendSocket(first)); err != nil {
		t.Fatal(err)
	}
	flowWait(t, f, "the answer to the first event", answered(first.TS))

	// The connection drops; an event sent at once waits for the next.
	_, before := f.SocketConnections()
	f.DropSockets()
	second, _ := f.Mention(slackfake.Ana, flowChannel, "are you still there?", "")
	id := f.SendSocket(second)
	flowWait(t, f, "a new connection", reconnected(before))
	if _, err := f.WaitAck(ctx, id); err != nil {
		t.Fatal(err)
	}
	flowWait(t, f, "the answer to the event sent during the drop", answered(second.TS))

	// An envelope the adapter is still working on when the connection
	// drops: it holds the event while it looks up its author (ben, not
	// looked up yet), which Slack rate-limits, for up to half a second.
	f.RateLimit("users.info", time.Second, 1)
	third, _ := f.Mention(slackfake.Ben, flowChannel, "and now?", "")
	id = f.SendSocket(third)
	flowWait(t, f, "the lookup of ben", func() bool {
		return slices.ContainsFunc(f.Calls("users.info"), func(c slackfake.Call) bool {
			return c.Params.Get("user") == slackfake.Ben && c.Status == http.StatusTooManyRequests
		})
	})
	_, before = f.SocketConnections()
	f.DropSockets()
	for _, ack := range f.Acks() {
		if ack.EnvelopeID == id {
			t.Fatal("the envelope was acknowledged before the adapter handed its event to the bot")
		}
	}
	flowWait(t, f, "a new connection", reconnected(before))
	ack, err := f.WaitAck(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if ack.EnvelopeID == id {
		t.Errorf("the first envelope %s was acknowledged; want the one that came again after the drop", id)
	}
	flowWait(t, f, "the answer to the event cut by the drop", answered(third.TS))
	flowIdle(t, b)

	for _, ev := range []slackfake.Event{first, second, third} {
		if n := flowAnswers(f, flowChannel, ev.TS); n != 1 {
			t.Errorf("%q answered %d times, want once:\n%s", ev.TS, n, flowShown(f, flowChannel, ev.TS))
		}
	}
	if n := len(model.Requests()); n != 3 {
		t.Errorf("the model was asked %d times, want 3", n)
	}
}

// Slack answers 429 to the card's post: the adapter posts it again after
// Retry-After, and the card appears once, and works.
func TestFlowRateLimitedCardIsPostedOnce(t *testing.T) {
	t.Parallel()
	f := flowFake(t)
	a := flowAdapter(t, f, nil)
	model := bottest.NewModel(
		bottest.Call("confirm_write", bottest.ApprovalArgs{Action: "rotate the keys"}),
		bottest.Reply("Keys rotated."),
	)
	b := flowBot(t, bot.Config{Model: model, Adapters: []bot.Adapter{a}, Tools: []*bot.Tool{bottest.ApprovalTool(slackfake.Ana)}})

	f.RateLimit("chat.postMessage", time.Second, 1)
	mention, _ := f.Mention(slackfake.Ana, flowChannel, "rotate the keys", "")
	flowSend(t, f, a, mention)
	flowWait(t, f, "the card", func() bool { return len(flowCards(f, flowChannel, mention.TS)) > 0 })
	flowIdle(t, b)

	posts := f.Calls("chat.postMessage")
	if len(posts) != 2 || posts[0].Status != http.StatusTooManyRequests || !posts[1].OK() {
		t.Fatalf("chat.postMessage calls: %+v; want a 429, then one that succeeded", posts)
	}
	if wait := posts[1].Time.Sub(posts[0].Time); wait < time.Second {
		t.Errorf("the post was sent again %v after the 429, before its Retry-After of 1s", wait)
	}
	msgs := flowBotMsgs(f, flowChannel, mention.TS)
	if len(msgs) != 1 || !slices.Equal(msgs[0].Options(), []string{"Approve", "Deny"}) {
		t.Fatalf("the thread shows, from the bot:\n%s\nwant the card once", flowShown(f, flowChannel, mention.TS))
	}

	click, err := f.Click(slackfake.Ana, flowChannel, msgs[0].TS, "Approve")
	if err != nil {
		t.Fatal(err)
	}
	flowSend(t, f, a, click)
	flowWait(t, f, "the answer", func() bool { return len(flowBotMsgs(f, flowChannel, mention.TS)) == 2 })
	flowIdle(t, b)
	if got := flowShown(f, flowChannel, mention.TS); !strings.Contains(got, "chosen by @ana") || !strings.HasSuffix(got, "\nKeys rotated.") {
		t.Errorf("the thread shows, from the bot:\n%s\nwant the closed card, then the answer", got)
	}
}

// Slack's markup in a mention — a person, a channel, a link, an entity —
// reaches the model as markdown.
func TestFlowSlackMarkupReachesTheModelAsMarkdown(t *testing.T) {
	t.Parallel()
	f := flowFake(t)
	a := flowAdapter(t, f, nil)
	model := bottest.NewModel(bottest.Reply("Noted."))
	b := flowBot(t, bot.Config{Model: model, Adapters: []bot.Adapter{a}})

	mention, _ := f.Mention(slackfake.Ana, flowChannel,
		"ask <@U0BEN> about <#C1|general> and <https://x.example|label> for R&amp;D", "")
	flowSend(t, f, a, mention)
	flowWait(t, f, "the answer", func() bool { return flowAnswers(f, flowChannel, mention.TS) > 0 })
	flowIdle(t, b)

	reqs := model.Requests()
	if len(reqs) != 1 {
		t.Fatalf("the model was asked %d times, want 1", len(reqs))
	}
	last := flowLastMessage(reqs[0])
	if want := "ask @ben about #general and [label](https://x.example) for R&D"; last.Role != bot.RoleUser || last.Content != want {
		t.Errorf("the model read %s %q, want user %q", last.Role, last.Content, want)
	}
	if last.Name != "ana" {
		t.Errorf("the model read the message as %q's, want ana's", last.Name)
	}
}

// A person edits, then deletes, their reply in a thread the bot is in:
// the model reads the thread as it stands on the next turn.
func TestFlowEditsAndDeletionsReachTheModel(t *testing.T) {
	t.Parallel()
	f := flowFake(t)
	a := flowAdapter(t, f, nil)
	model := bottest.NewModel(bottest.Reply("Noted.")).Cycle()
	b := flowBot(t, bot.Config{Model: model, Adapters: []bot.Adapter{a}})
	// turn sends ev and returns what the model read, one message a line,
	// when it was asked in answer.
	turn := func(ev slackfake.Event) string {
		t.Helper()
		asked := len(model.Requests())
		flowSend(t, f, a, ev)
		flowIdle(t, b)
		reqs := model.Requests()
		if len(reqs) != asked+1 {
			t.Fatalf("the model was asked %d times for %s, want once", len(reqs)-asked, ev.ID)
		}
		var lines []string
		for _, m := range reqs[len(reqs)-1].Messages {
			lines = append(lines, string(m.Role)+": "+m.Content)
		}
		return strings.Join(lines, "\n")
	}

	root, _ := f.Mention(slackfake.Ana, flowChannel, "let's plan the launch", "")
	turn(root)
	// A reply in the thread reaches the bot unaddressed; it answers in a
	// thread it is in.
	reply := f.ChannelMessage(slackfake.Ana, flowChannel, "the launch is on March 3", root.TS)
	if read := turn(reply); !strings.Contains(read, "user: the launch is on March 3") {
		t.Fatalf("after the reply the model read:\n%s\nwant the reply", read)
	}

	edit, err := f.Edit(flowChannel, reply.TS, "the launch is on March 5")
	if err != nil {
		t.Fatal(err)
	}
	flowSend(t, f, a, edit)
	ask, _ := f.Mention(slackfake.Ana, flowChannel, "when is the launch?", root.TS)
	if read := turn(ask); !strings.Contains(read, "the launch is on March 5") || strings.Contains(read, "March 3") {
		t.Errorf("after the edit the model read:\n%s\nwant the edited reply only", read)
	}

	del, err := f.Delete(flowChannel, reply.TS)
	if err != nil {
		t.Fatal(err)
	}
	flowSend(t, f, a, del)
	ask, _ = f.Mention(slackfake.Ana, flowChannel, "and now?", root.TS)
	if read := turn(ask); strings.Contains(read, "the launch is on") || !strings.Contains(read, "let's plan the launch") {
		t.Errorf("after the deletion the model read:\n%s\nwant the thread without the deleted reply", read)
	}
}
