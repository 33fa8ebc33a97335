package adaptertest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
	"github.com/parleybot/parley/render"
)

// checks are the suite's subtests, each named for the behaviour it
// checks.
var checks = []struct {
	name string
	run  func(e *env)
}{
	{"text markdown and cards are shown as posted", checkPost},
	{"an update changes what is shown", checkUpdate},
	{"a message reaches the agent and its answer is shown in the conversation", checkAnswer},
	{"a streamed answer ends showing the whole answer once", checkStreaming},
	{"the thread's messages hold what people wrote and the bot's own answers", checkTranscript},
	{"platform history holds what people wrote and the bot's own answers", checkPlatformHistory},
	{"user lookup finds people and fails for an unknown id", checkLookup},
	{"an uploaded file is shown", checkFiles},
	{"an ephemeral message is shown to one person only", checkEphemeral},
	{"a reaction is shown on the person's message", checkReactions},
	{"a status is shown", checkStatus},
	{"a missing capability is ErrUnsupported naming platform and capability", checkUnsupported},
	{"a click on an action button reaches its handler", checkActionButton},
	{"a choice round trip decides once and closes its card", checkChoice},
	{"a click by someone not asked to approve is refused privately", checkNonApprover},
	{"a stopping bot refuses new messages and finishes the answer in flight", checkStopping},
	{"a redelivered message gets no second answer", checkRedelivery},
	{"a message not addressed to the bot is not answered", checkUnaddressed},
}

// requireCap skips the check unless the adapter has c.
func (e *env) requireCap(c bot.Capability) {
	e.t.Helper()
	if !e.caps.Has(c) {
		e.t.Skipf("the adapter lacks %v (see the check of missing capabilities)", c)
	}
}

func checkPost(e *env) {
	n := e.next()
	var refs [3]bot.MessageRef
	contents := [3]render.Node{
		render.Text("plain " + n),
		render.Markdown("**bold** " + n + " and `code`"),
		render.Card{Title: "Card " + n, Body: []render.Node{render.Fields(render.Field{Label: "Status", Value: "green"})}},
	}
	e.inRun(func(ctx context.Context, tc *bot.ToolContext) {
		for i, c := range contents {
			ref, err := tc.Thread.Post(ctx, c)
			if err != nil {
				e.t.Errorf("Post #%d: %v", i, err)
			}
			refs[i] = ref
		}
	})
	for i, ref := range refs {
		if ref.ID == "" || ref.Address != e.conv {
			e.t.Errorf("Post #%d returned %+v; want an id at %s", i, ref, e.conv)
		}
	}
	if e.t.Failed() {
		return
	}
	want := [][]string{{"plain " + n}, {"bold " + n + " and", "code"}, {"Card " + n, "Status", "green"}}
	for i, ref := range refs {
		s := e.shown(ref)
		for _, w := range want[i] {
			if !contains(s.Text, w) {
				e.t.Errorf("post #%d shows %q; want it to read %q", i, s.Text, w)
			}
		}
		if !s.FromBot || len(s.Options) > 0 {
			e.t.Errorf("post #%d is shown from the bot: %v, with options %q; want from the bot, none", i, s.FromBot, s.Options)
		}
	}
	// In the conversation, in the order posted.
	pos := func(ref bot.MessageRef) int {
		return slices.IndexFunc(e.p.Messages(), func(s Shown) bool { return s.FromBot && s.Ref.ID == ref.ID })
	}
	if a, b, c := pos(refs[0]), pos(refs[1]), pos(refs[2]); a < 0 || !(a < b && b < c) {
		e.t.Errorf("the conversation shows the posts at %d, %d, %d; want them in order: %s", a, b, c, describe(e.p.Messages()))
	}
}

func checkUpdate(e *env) {
	n := e.next()
	var ref bot.MessageRef
	var before Shown
	e.inRun(func(ctx context.Context, tc *bot.ToolContext) {
		var err error
		if ref, err = tc.Thread.Post(ctx, render.Text("draft "+n)); err != nil {
			e.t.Errorf("Post: %v", err)
			return
		}
		before, _ = e.p.Shown(ref)
		if err := tc.Thread.Update(ctx, ref, render.Markdown("**final** "+n)); err != nil {
			e.t.Errorf("Update: %v", err)
		}
	})
	if e.t.Failed() {
		return
	}
	if !contains(before.Text, "draft "+n) {
		e.t.Errorf("before the update the message shows %q; want %q", before.Text, "draft "+n)
	}
	after := e.shown(ref)
	if !contains(after.Text, "final "+n) || contains(after.Text, "draft") {
		e.t.Errorf("after the update the message shows %q; want %q alone", after.Text, "final "+n)
	}
	count := 0
	for _, s := range e.botMessages() {
		if contains(s.Text, "final "+n) || contains(s.Text, "draft "+n) {
			count++
		}
	}
	if count != 1 {
		e.t.Errorf("the conversation shows the message %d times; want once, updated in place: %s", count, describe(e.p.Messages()))
	}
}

func checkAnswer(e *env) {
	n := e.next()
	from := e.people[0]
	answer := "Hello " + n + ", this is the answer."
	e.model.Add(bottest.Reply(answer))
	eventID, m := e.send(from, "hello bot "+n)

	// The message as the adapter delivered it.
	switch {
	case m.Address != e.conv:
		e.t.Errorf("the message was delivered at %s; want %s", m.Address, e.conv)
	case m.User.ID != from.ID || m.User.IsBot:
		e.t.Errorf("the message was delivered from %+v; want %+v", m.User, from)
	case !m.Mention:
		e.t.Error("a message addressing the bot was delivered without Mention")
	case m.FromSelf:
		e.t.Error("a person's message was delivered with FromSelf")
	case e.f.Redelivery && m.EventID == "":
		e.t.Error("the platform redelivers events, but the message came without an EventID")
	case eventID != "" && m.EventID != eventID:
		e.t.Errorf("the message came with EventID %q; the platform's event is %q", m.EventID, eventID)
	}
	// What the model was asked.
	reqs := e.model.Requests()
	if len(reqs) != 1 {
		e.t.Fatalf("the model was asked %d times; want once", len(reqs))
	}
	last := reqs[0].Messages[len(reqs[0].Messages)-1]
	if last.Role != bot.RoleUser || !same(last.Content, "hello bot "+n) {
		e.t.Errorf("the model was asked about %s %q; want the user's %q", last.Role, last.Content, "hello bot "+n)
	}
	// The answer, shown after the message, in the conversation.
	msgs := e.p.Messages()
	asked := slices.IndexFunc(msgs, func(s Shown) bool { return !s.FromBot && same(s.Text, "hello bot "+n) })
	answered := slices.IndexFunc(msgs, func(s Shown) bool { return s.FromBot && same(s.Text, answer) })
	switch {
	case answered < 0:
		e.t.Errorf("the conversation does not show the answer %q: %s", answer, describe(msgs))
	case msgs[answered].Ref.Address != e.conv:
		e.t.Errorf("the answer is at %s; want %s", msgs[answered].Ref.Address, e.conv)
	case asked < 0:
		e.t.Errorf("the conversation does not show the person's message: %s", describe(msgs))
	case asked > answered:
		e.t.Errorf("the answer is shown before the question: %s", describe(msgs))
	}
}

func checkStreaming(e *env) {
	n := e.next()
	answer := "This answer " + n + " arrives word by word, streamed as the model writes it, and ends whole."
	e.model.Add(bottest.Reply(answer))
	e.send(e.people[0], "stream "+n)
	var found []Shown
	for _, s := range e.botMessages() {
		if contains(s.Text, "answer "+n) {
			found = append(found, s)
		}
	}
	if len(found) != 1 || !same(found[0].Text, answer) {
		e.t.Errorf("after streaming (native: %v) the conversation shows %s; want the whole answer once: %q",
			e.caps.Has(bot.CapStreaming), describe(found), answer)
	}
}

func checkTranscript(e *env) {
	n := e.next()
	from := e.people[0]
	e.model.Add(bottest.Reply("Noted " + n + "."))
	e.send(from, "remember "+n)
	var hist []bot.Message
	e.inRun(func(ctx context.Context, tc *bot.ToolContext) {
		var err error
		if hist, err = tc.Thread.Messages(ctx, 0); err != nil {
			e.t.Errorf("Thread.Messages: %v", err)
		}
	})
	checkHistory(e, "Thread.Messages", hist, from, "remember "+n, "Noted "+n+".")
}

// checkHistory checks that hist holds the person's message, then the
// bot's answer.
func checkHistory(e *env, what string, hist []bot.Message, from bot.User, said, answer string) {
	e.t.Helper()
	asked := slices.IndexFunc(hist, func(m bot.Message) bool { return !m.FromSelf && same(m.Text, said) })
	answered := slices.IndexFunc(hist, func(m bot.Message) bool { return m.FromSelf && same(m.Text, answer) })
	var b strings.Builder
	for _, m := range hist {
		fmt.Fprintf(&b, "\n\t%s self=%v %q", m.User.ID, m.FromSelf, m.Text)
	}
	switch {
	case asked < 0:
		e.t.Errorf("%s lacks the person's %q: %s", what, said, b.String())
	case answered < 0:
		e.t.Errorf("%s lacks the bot's own %q with FromSelf: %s", what, answer, b.String())
	case hist[asked].User.ID != from.ID:
		e.t.Errorf("%s has %q from %q; want %q", what, said, hist[asked].User.ID, from.ID)
	case asked > answered:
		e.t.Errorf("%s is not oldest first: %s", what, b.String())
	}
}

func checkPlatformHistory(e *env) {
	e.requireCap(bot.CapHistory)
	n := e.next()
	from := e.people[0]
	e.model.Add(bottest.Reply("Noted " + n + "."))
	e.send(from, "remember "+n)
	hist, err := e.w.Adapter.(bot.HistoryReader).Messages(e.ctx(), e.conv, 10)
	if err != nil {
		e.t.Fatalf("HistoryReader.Messages: %v", err)
	}
	checkHistory(e, "HistoryReader.Messages", hist, from, "remember "+n, "Noted "+n+".")
	if len(hist) > 10 {
		e.t.Errorf("HistoryReader.Messages returned %d messages; the limit is 10", len(hist))
	}
}

func checkLookup(e *env) {
	e.requireCap(bot.CapUserLookup)
	var found []bot.User
	var unknownErr error
	e.inRun(func(ctx context.Context, tc *bot.ToolContext) {
		for _, u := range e.people {
			got, err := tc.Thread.LookupUser(ctx, u.ID)
			if err != nil {
				e.t.Errorf("LookupUser(%q): %v", u.ID, err)
			}
			found = append(found, got)
		}
		_, unknownErr = tc.Thread.LookupUser(ctx, "adaptertest-nobody")
	})
	for i, u := range e.people {
		if i < len(found) && (found[i].ID != u.ID || found[i].Name != u.Name) {
			e.t.Errorf("LookupUser(%q) = %+v; want %+v", u.ID, found[i], u)
		}
	}
	if unknownErr == nil || errors.Is(unknownErr, bot.ErrUnsupported) {
		e.t.Errorf("LookupUser of an unknown id: %v; want an error", unknownErr)
	}
}

func checkFiles(e *env) {
	e.requireCap(bot.CapFiles)
	n := e.next()
	f := bot.File{Name: "report-" + n + ".txt", Title: "Report " + n, ContentType: "text/plain", Data: []byte("42 widgets\n"), Comment: "Here is report " + n + "."}
	var ref bot.MessageRef
	e.inRun(func(ctx context.Context, tc *bot.ToolContext) {
		var err error
		if ref, err = tc.Thread.PostFile(ctx, f); err != nil {
			e.t.Errorf("PostFile: %v", err)
		}
	})
	if e.t.Failed() {
		return
	}
	if !slices.ContainsFunc(e.p.Files(), func(g bot.File) bool { return g.Name == f.Name && string(g.Data) == string(f.Data) }) {
		e.t.Errorf("the platform did not receive %s with its data; it has %d files", f.Name, len(e.p.Files()))
	}
	if ref.Address != e.conv {
		e.t.Errorf("PostFile returned a ref at %s; want %s", ref.Address, e.conv)
	}
	s := e.shown(ref)
	if !s.FromBot || !contains(s.Text, f.Name) && !contains(s.Text, f.Title) {
		e.t.Errorf("the file's message shows %q; want it from the bot, naming the file", s.Text)
	}
	if !slices.ContainsFunc(e.botMessages(), func(s Shown) bool { return contains(s.Text, f.Comment) }) {
		e.t.Errorf("the conversation does not show the comment %q: %s", f.Comment, describe(e.p.Messages()))
	}
}

func checkEphemeral(e *env) {
	e.requireCap(bot.CapEphemeral)
	n := e.next()
	to := e.another()
	e.inRun(func(ctx context.Context, tc *bot.ToolContext) {
		if err := tc.Thread.PostEphemeral(ctx, to.ID, render.Text("psst "+n)); err != nil {
			e.t.Errorf("PostEphemeral: %v", err)
		}
	})
	has := func(ss []Shown) bool {
		return slices.ContainsFunc(ss, func(s Shown) bool { return contains(s.Text, "psst "+n) })
	}
	if !has(e.p.Private(to)) {
		e.t.Errorf("%s was not shown the ephemeral message; privately they see: %s", to.ID, describe(e.p.Private(to)))
	}
	if !e.f.OnePerson && has(e.p.Private(e.people[0])) {
		e.t.Errorf("%s was shown the ephemeral message meant for %s", e.people[0].ID, to.ID)
	}
	if has(e.p.Messages()) {
		e.t.Errorf("the conversation shows the ephemeral message to everyone: %s", describe(e.p.Messages()))
	}
}

func checkReactions(e *env) {
	e.requireCap(bot.CapReactions)
	var said string
	e.inRun(func(ctx context.Context, tc *bot.ToolContext) {
		said = tc.Message.Text
		ref := bot.MessageRef{Address: tc.Message.Address, ID: tc.Message.ID}
		if err := tc.Thread.React(ctx, ref, "eyes"); err != nil {
			e.t.Errorf("React: %v", err)
		}
	})
	msgs := e.p.Messages()
	i := slices.IndexFunc(msgs, func(s Shown) bool { return !s.FromBot && same(s.Text, said) })
	if i < 0 || !slices.Contains(msgs[i].Reactions, "eyes") {
		e.t.Errorf("the person's %q does not show the reaction :eyes:: %s", said, describe(msgs))
	}
}

func checkStatus(e *env) {
	e.requireCap(bot.CapStatus)
	n := e.next()
	if e.f.StatusWithoutText {
		e.inRun(func(ctx context.Context, tc *bot.ToolContext) {
			// The bot's own "is thinking…" may be showing already: clear
			// it, so that the status set next must be shown anew.
			if err := tc.Thread.SetStatus(ctx, ""); err != nil {
				e.t.Errorf("SetStatus(\"\"): %v", err)
			}
			before := len(e.p.Statuses())
			if err := tc.Thread.SetStatus(ctx, "is checking "+n+"…"); err != nil {
				e.t.Errorf("SetStatus: %v", err)
			}
			if after := len(e.p.Statuses()); after <= before {
				e.t.Errorf("the platform showed no status after SetStatus: %d showings before it, %d after", before, after)
			}
		})
		return
	}
	e.inRun(func(ctx context.Context, tc *bot.ToolContext) {
		if err := tc.Thread.SetStatus(ctx, "is checking "+n+"…"); err != nil {
			e.t.Errorf("SetStatus: %v", err)
		}
	})
	if !slices.ContainsFunc(e.p.Statuses(), func(s string) bool { return contains(s, "checking "+n) }) {
		e.t.Errorf("the platform never showed the status %q; it showed %q", "is checking "+n+"…", e.p.Statuses())
	}
}

func checkUnsupported(e *env) {
	ops := []struct {
		c  bot.Capability
		do func(ctx context.Context, th *bot.Thread, tc *bot.ToolContext) error
	}{
		{bot.CapUserLookup, func(ctx context.Context, th *bot.Thread, tc *bot.ToolContext) error {
			_, err := th.LookupUser(ctx, tc.User.ID)
			return err
		}},
		{bot.CapFiles, func(ctx context.Context, th *bot.Thread, _ *bot.ToolContext) error {
			_, err := th.PostFile(ctx, bot.File{Name: "x.txt", Data: []byte("x")})
			return err
		}},
		{bot.CapStatus, func(ctx context.Context, th *bot.Thread, _ *bot.ToolContext) error {
			return th.SetStatus(ctx, "is busy…")
		}},
		{bot.CapEphemeral, func(ctx context.Context, th *bot.Thread, tc *bot.ToolContext) error {
			return th.PostEphemeral(ctx, tc.User.ID, render.Text("psst"))
		}},
		{bot.CapReactions, func(ctx context.Context, th *bot.Thread, tc *bot.ToolContext) error {
			return th.React(ctx, bot.MessageRef{Address: tc.Message.Address, ID: tc.Message.ID}, "eyes")
		}},
	}
	var missing []bot.Capability
	for _, op := range ops {
		if !e.caps.Has(op.c) {
			missing = append(missing, op.c)
		}
	}
	if len(missing) == 0 {
		e.t.Skip("the adapter has every capability a Thread method needs (history and streaming have none)")
	}
	errs := map[bot.Capability]error{}
	var threadCaps bot.Capabilities
	e.inRun(func(ctx context.Context, tc *bot.ToolContext) {
		threadCaps = tc.Thread.Capabilities()
		for _, op := range ops {
			if !threadCaps.Has(op.c) {
				errs[op.c] = op.do(ctx, tc.Thread, tc)
			}
		}
	})
	if threadCaps != e.caps {
		e.t.Errorf("the Thread reports %v; the adapter %v", threadCaps, e.caps)
	}
	platform := e.w.Platform()
	for _, c := range missing {
		err := errs[c]
		var ue *bot.UnsupportedError
		switch {
		case !errors.Is(err, bot.ErrUnsupported):
			e.t.Errorf("without %v: %v; want an error matching bot.ErrUnsupported", c, err)
		case !errors.As(err, &ue) || ue.Platform != platform || ue.Capability != c:
			e.t.Errorf("without %v: %#v; want a *bot.UnsupportedError for %s and %v", c, err, platform, c)
		case !strings.Contains(err.Error(), platform) || !strings.Contains(err.Error(), c.String()):
			e.t.Errorf("without %v: %q; want the error to name %s and %v", c, err, platform, c)
		}
	}
}

// ackedContent is what the action handler updates a clicked card to.
func ackedContent(u bot.User) render.Node { return render.Text("Acknowledged by " + u.ID + ".") }

func checkActionButton(e *env) {
	n := e.next()
	var ref bot.MessageRef
	e.inRun(func(ctx context.Context, tc *bot.ToolContext) {
		var err error
		ref, err = tc.Thread.Post(ctx, render.Card{Title: "Alert " + n, Actions: render.Actions(render.Button("Acknowledge", 7).OnAction(ackAction))})
		if err != nil {
			e.t.Errorf("Post: %v", err)
		}
	})
	if e.t.Failed() {
		return
	}
	if s := e.shown(ref); !slices.Equal(s.Options, []string{"Acknowledge"}) {
		e.t.Fatalf("the card shows options %q; want [Acknowledge]", s.Options)
	}
	clicker := e.another()
	act := e.click(ref, "Acknowledge", clicker)
	if act.User.ID != clicker.ID || act.Message.ID != ref.ID || act.Message.Address != e.conv {
		e.t.Errorf("the click was delivered as by %q on %q at %s; want by %q on %q at %s", act.User.ID, act.Message.ID, act.Message.Address, clicker.ID, ref.ID, e.conv)
	}
	if e.f.Redelivery && act.EventID == "" {
		e.t.Error("the platform redelivers events, but the click came without an EventID")
	}
	select {
	case ev := <-e.acks:
		var v int
		if err := ev.Decode(&v); err != nil || v != 7 || ev.Label != "Acknowledge" || ev.User.ID != clicker.ID || ev.Message.ID != ref.ID {
			e.t.Errorf("the handler got %+v (value %d, %v)", ev, v, err)
		}
	default:
		e.t.Fatal("the click never reached the action handler")
	}
	if len(e.acks) > 0 {
		e.t.Errorf("one click ran the action handler %d times", 1+len(e.acks))
	}
	s := e.shown(ref)
	if !contains(s.Text, "Acknowledged by "+clicker.ID) || len(s.Options) > 0 {
		e.t.Errorf("after the handler's update the card shows %q with options %q; want the update, no options", s.Text, s.Options)
	}
}

// choiceCard is the card the approve tool asks with.
func choiceCard(title string) render.Card {
	return render.Card{
		Title:   title,
		Body:    []render.Node{render.Text("Version 1.2 goes to production.")},
		Actions: render.Actions(render.Button("Ship", "ship").Primary(), render.Button("Hold", "hold")),
	}
}

// askChoice starts a run whose tool waits in AwaitChoice with approver,
// and returns the card as shown once the bot has settled.
func (e *env) askChoice(title string, approver string) Shown {
	e.t.Helper()
	e.model.Add(bottest.Call(approveTool, approveArgs{Title: title, Approver: approver}), bottest.Reply("Done with "+title))
	e.send(e.people[0], "please ask: "+title)
	i := slices.IndexFunc(e.botMessages(), func(s Shown) bool { return contains(s.Text, title) })
	if i < 0 {
		e.t.Fatalf("the conversation does not show the choice %q: %s", title, describe(e.p.Messages()))
	}
	card := e.botMessages()[i]
	if !slices.Equal(card.Options, []string{"Ship", "Hold"}) || !contains(card.Text, "Version 1.2 goes to production.") {
		e.t.Fatalf("the choice is shown as %q with options %q; want its text and [Ship Hold]", card.Text, card.Options)
	}
	if card.Ref.Address != e.conv {
		e.t.Errorf("the choice is at %s; want %s", card.Ref.Address, e.conv)
	}
	return card
}

// refused clicks Ship in card as someone who may not decide, and checks
// that only they are told, and that the choice still waits.
func (e *env) refused(card Shown, clicker bot.User) {
	e.t.Helper()
	before := len(e.botMessages())
	privBefore := len(e.p.Private(clicker))
	var othersBefore []int
	for _, u := range e.people {
		othersBefore = append(othersBefore, len(e.p.Private(u)))
	}
	act := e.click(card.Ref, "Ship", clicker)
	select {
	case r := <-e.choices:
		e.t.Fatalf("a click by %s, who may not decide, decided the choice: %q by %s (%v)", clicker.ID, r.choice.Value, r.choice.User.ID, r.err)
	default:
	}
	if s := e.shown(card.Ref); !slices.Equal(s.Options, []string{"Ship", "Hold"}) {
		e.t.Errorf("after a refused click the card shows options %q; want them still", s.Options)
	}
	if act.Reply != nil || e.caps.Has(bot.CapEphemeral) {
		// The platform can answer privately: it must.
		if len(e.p.Private(clicker)) <= privBefore {
			e.t.Errorf("%s was not told privately why the click changed nothing; privately they see: %s", clicker.ID, describe(e.p.Private(clicker)))
		}
		if after := len(e.botMessages()); after != before {
			e.t.Errorf("the refusal was shown to everyone: %s", describe(e.botMessages()[before:]))
		}
		for i, u := range e.people {
			if u.ID != clicker.ID && len(e.p.Private(u)) != othersBefore[i] {
				e.t.Errorf("%s was told of %s's refused click", u.ID, clicker.ID)
			}
		}
		return
	}
	// Else the bot answers in the conversation, naming who clicked.
	name := clicker.Name
	if name == "" {
		name = clicker.ID
	}
	if !slices.ContainsFunc(e.botMessages()[before:], func(s Shown) bool { return strings.Contains(s.Text, name) }) {
		e.t.Errorf("the platform has no private messages, and %s was not told in the conversation: %s", name, describe(e.botMessages()[before:]))
	}
}

func checkChoice(e *env) {
	n := e.next()
	approver := e.people[0]
	card := e.askChoice("Ship release "+n+"?", approver.ID)
	if !e.f.OnePerson {
		e.refused(card, e.another())
	}
	act := e.click(card.Ref, "Ship", approver)
	if act.User.ID != approver.ID || act.Message.ID != card.Ref.ID {
		e.t.Errorf("the click was delivered as by %q on %q; want by %q on %q", act.User.ID, act.Message.ID, approver.ID, card.Ref.ID)
	}
	select {
	case r := <-e.choices:
		if r.err != nil || r.choice.Value != "ship" || r.choice.User.ID != approver.ID || r.choice.TimedOut {
			e.t.Errorf("AwaitChoice returned %+v, %v; want ship, chosen by %s", r.choice, r.err, approver.ID)
		}
	default:
		e.t.Fatal("the approver's click did not end the wait")
	}
	select {
	case r := <-e.choices:
		e.t.Errorf("AwaitChoice returned twice; the second time %q by %s (%v)", r.choice.Value, r.choice.User.ID, r.err)
	default:
	}
	s := e.shown(card.Ref)
	line := bot.DefaultOutcomeLine("Ship", bot.Outcome{State: bot.ChoiceDecided, User: approver})
	if len(s.Options) > 0 || !contains(s.Text, "Ship release "+n+"?") || !contains(s.Text, line) {
		e.t.Errorf("the decided card shows %q with options %q; want its title and %q, no options", s.Text, s.Options, line)
	}
	if !slices.ContainsFunc(e.botMessages(), func(s Shown) bool { return same(s.Text, "Done with Ship release "+n+"?") }) {
		e.t.Errorf("the run's answer after the choice is not shown: %s", describe(e.p.Messages()))
	}
}

func checkNonApprover(e *env) {
	approver, clicker := e.people[0].ID, e.another()
	if e.f.OnePerson {
		approver = "adaptertest-absent" // the one person is not asked
	}
	card := e.askChoice("Ship hotfix "+e.next()+"?", approver)
	e.refused(card, clicker)
}

func checkStopping(e *env) {
	n := e.next()
	release := make(chan struct{})
	e.model.Add(bottest.Step{Text: "Finished " + n + ".", Wait: release})
	e.deliver(e.people[0], "slow "+n)
	select {
	case <-e.model.called:
	case <-e.ctx().Done():
		e.t.Fatal("the model was never asked")
	}
	e.mu.Lock()
	e.stopped = true
	e.mu.Unlock()
	stopped := make(chan error, 1)
	go func() { stopped <- e.bot.Stop(e.ctx()) }()
	select {
	case <-e.w.receiving().Done():
	case <-e.ctx().Done():
		e.t.Fatal("Stop did not end the adapter's Start context")
	}

	from := e.rec()
	_, err := e.p.Send(e.ctx(), e.people[0], "late "+n)
	if e.f.RefusalVisible && err == nil {
		e.t.Error("the platform saw no error for a message sent while the bot stopped; it will not deliver it again")
	}
	close(release)
	if err := <-stopped; err != nil {
		e.t.Errorf("Stop: %v", err)
	}
	for _, ev := range e.w.rec.all()[from:] {
		if ev.kind == "message" && !errors.Is(ev.err, bot.ErrStopping) {
			e.t.Errorf("while stopping, the bot answered %v to a delivery; want ErrStopping", ev.err)
		}
	}
	if reqs := e.model.Requests(); len(reqs) != 1 {
		e.t.Errorf("the model was asked %d times; the message sent while stopping must not reach it", len(reqs))
	}
	// The run in flight finished after the adapter stopped receiving.
	if !slices.ContainsFunc(e.botMessages(), func(s Shown) bool { return same(s.Text, "Finished "+n+".") }) {
		e.t.Errorf("the answer in flight at Stop is not shown (an adapter must go on posting after its Start context ends): %s", describe(e.p.Messages()))
	}
}

// rec returns how many events the adapter has delivered so far.
func (e *env) rec() int { return e.w.rec.len() }

func checkRedelivery(e *env) {
	if !e.f.Redelivery {
		e.t.Skip("the platform does not redeliver events (Features.Redelivery)")
	}
	n := e.next()
	e.model.Add(bottest.Reply("Once " + n + "."))
	eventID, m := e.send(e.people[0], "once "+n)
	if eventID == "" || m.EventID == "" {
		e.t.Fatalf("the platform's event id is %q and the adapter delivered %q; want both", eventID, m.EventID)
	}
	from := e.rec()
	if err := e.p.Redeliver(e.ctx(), eventID); err != nil {
		e.t.Errorf("the platform saw %v for a redelivery; want it acknowledged", err)
	}
	ev, err := e.w.rec.wait(e.ctx(), from, func(ev event) bool { return ev.kind == "message" && ev.message.EventID == eventID })
	if err != nil {
		e.t.Fatalf("the adapter never delivered the redelivered event; it delivered: %s", e.w.rec.describe(from))
	}
	if !errors.Is(ev.err, bot.ErrDuplicate) {
		e.t.Errorf("the bot answered %v to the redelivery; want ErrDuplicate", ev.err)
	}
	e.idle()
	if reqs := e.model.Requests(); len(reqs) != 1 {
		e.t.Errorf("the model was asked %d times; want once", len(reqs))
	}
	count := 0
	for _, s := range e.botMessages() {
		if contains(s.Text, "Once "+n) {
			count++
		}
	}
	if count != 1 {
		e.t.Errorf("the answer is shown %d times; want once: %s", count, describe(e.p.Messages()))
	}
}

func checkUnaddressed(e *env) {
	if !e.f.Unaddressed {
		e.t.Skip("people cannot write without addressing the bot (Features.Unaddressed)")
	}
	n := e.next()
	from := e.rec()
	if err := e.p.SendUnaddressed(e.ctx(), e.people[0], "aside "+n); err != nil {
		e.t.Fatalf("SendUnaddressed: %v", err)
	}
	// A message that addresses the bot, after it: once it is answered,
	// the aside, delivered first, has been handled too.
	e.model.Add(bottest.Reply("Addressed " + n + "."))
	e.send(e.people[0], "addressed "+n)
	for _, ev := range e.w.rec.all()[from:] {
		if ev.kind == "message" && same(ev.message.Text, "aside "+n) && (ev.message.Mention || ev.message.Direct) {
			e.t.Errorf("the aside was delivered with Mention %v, Direct %v; want neither", ev.message.Mention, ev.message.Direct)
		}
	}
	reqs := e.model.Requests()
	if len(reqs) != 1 {
		e.t.Fatalf("the model was asked %d times; want once, for the addressed message", len(reqs))
	}
	if last := reqs[0].Messages[len(reqs[0].Messages)-1]; !same(last.Content, "addressed "+n) {
		e.t.Errorf("the model was asked about %q; want %q", last.Content, "addressed "+n)
	}
	for _, to := range e.w.postAddresses() {
		if to != e.conv {
			e.t.Errorf("the bot posted at %s, answering the aside", to)
		}
	}
}
