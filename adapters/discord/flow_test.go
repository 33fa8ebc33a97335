package discord_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/parleybot/parley/adapters/discord/discordfake"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
)

// End-to-end tests: a real bot.Bot with a scripted model, the adapter, and
// discordfake between them over loopback — the gateway and the REST API.

// botCards returns the bot's messages with buttons in channel.
func botCards(f *discordfake.Server, channel string) []discordfake.Msg {
	var out []discordfake.Msg
	for _, m := range f.Messages(channel) {
		if m.FromBot() && len(m.Components) > 0 {
			out = append(out, m)
		}
	}
	return out
}

// The whole flow: a mention opens a thread; a tool asks for approval on a
// card there; ben, who may not decide, clicks and is told so in an
// ephemeral follow-up; ana approves; each click is acknowledged with a
// deferred update within Discord's 3 s (the fake refuses a later one); the
// card is edited to its outcome; the final answer is posted.
func TestFlowMentionToolApprovalAnswer(t *testing.T) {
	t.Parallel()
	f := newFake(t, nil)
	a := newAdapter(t, f, nil)
	const final = "Done: the staging table is dropped."
	script := bottest.NewModel(
		bottest.Call("confirm_write", bottest.ApprovalArgs{Action: "drop the staging table"}),
		bottest.Reply(final),
	)
	startBot(t, bot.Config{Model: script, Adapters: []bot.Adapter{a}, Tools: []*bot.Tool{bottest.ApprovalTool(discordfake.Ana)}})

	mention := f.Mention(discordfake.Ana, discordfake.General, "please drop the staging table")
	// The mention opens a thread, whose id is the mention's.
	waitFor(t, f, "the approval card in the mention's thread", func() bool { return len(botCards(f, mention.ID)) > 0 })
	if th, ok := f.Channel(mention.ID); !ok || th.ParentID != discordfake.General {
		t.Fatalf("no thread %s in general: %+v", mention.ID, th)
	}
	card := botCards(f, mention.ID)[0]
	if got := options(card); !slices.Equal(got, []string{"Approve", "Deny"}) {
		t.Fatalf("card options = %q", got)
	}
	if text := plainText(card); !strings.Contains(text, "Approve write?") || !strings.Contains(text, "drop the staging table") {
		t.Errorf("card reads %q", text)
	}
	idOf := func(label string) string {
		i := slices.Index(card.Labels(), label)
		return card.CustomIDs()[i]
	}

	// Ben may not decide: an ephemeral follow-up tells him, nothing else.
	benClick, err := f.Click(discordfake.Ben, card.ID, idOf("Approve"))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, f, "ben's notice", func() bool { return len(f.Ephemerals(discordfake.Ben)) > 0 })
	if got := f.Ephemerals(discordfake.Ben); len(got) != 1 || got[0].InteractionID != benClick.ID || strings.TrimSpace(got[0].Content) == "" {
		t.Errorf("ben's notices = %+v, want one follow-up of his click", got)
	}
	if now, _ := f.Message(card.ID); now.Edits != 0 || len(options(now)) != 2 {
		t.Errorf("after ben's click the card changed: %d edits, options %q", now.Edits, options(now))
	}

	// Ana approves: the card closes, the answer comes.
	if _, err := f.Click(discordfake.Ana, card.ID, idOf("Approve")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, f, "the final answer", func() bool {
		for _, m := range f.Messages(mention.ID) {
			if m.FromBot() && strings.Contains(m.Content, "staging table is dropped") {
				return true
			}
		}
		return false
	})
	closed, _ := f.Message(card.ID)
	if len(options(closed)) != 0 || !strings.Contains(plainText(closed), "ana") {
		t.Errorf("the card reads %q with options %q; want it closed, naming ana", plainText(closed), options(closed))
	}
	// Both clicks were acknowledged with a deferred update (type 6), each
	// once and in time: the fake answers a late or second callback with an
	// error.
	var acks int
	for _, c := range f.Calls(discordfake.RouteInteractionCallback) {
		var body struct {
			Type int `json:"type"`
		}
		if err := c.Decode(&body); err != nil || !c.OK() || body.Type != 6 {
			t.Errorf("interaction callback %s: type %d, status %d", c.Path, body.Type, c.Status)
		}
		acks++
	}
	if acks != 2 {
		t.Errorf("%d interaction callbacks, want 2 deferred updates", acks)
	}
	if n := len(script.Requests()); n != 2 {
		t.Errorf("the model was asked %d times, want 2", n)
	}
}

// The slash command: registered at Start in the configured guild, answered
// with a deferred response, which the run's answer then replaces.
func TestFlowSlashCommand(t *testing.T) {
	t.Parallel()
	f := newFake(t, nil)
	a := newAdapter(t, f, nil)
	script := bottest.NewModel(bottest.Reply("It is 42."))
	startBot(t, bot.Config{Model: script, Adapters: []bot.Adapter{a}})
	cmds := f.Commands()
	if len(cmds) != 1 || cmds[0].Name != "ask" || cmds[0].GuildID != f.Config().GuildID {
		t.Fatalf("commands registered: %+v, want /ask in the guild", cmds)
	}
	ev, err := f.SlashCommand(discordfake.Ana, discordfake.General, "ask", map[string]any{"prompt": "what is the answer?"})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, f, "the command's answer", func() bool {
		for _, m := range f.Messages(discordfake.General) {
			if m.InteractionID == ev.ID && !m.Loading() && strings.Contains(m.Content, "42") {
				return true
			}
		}
		return false
	})
	var body struct {
		Type int `json:"type"`
	}
	calls := f.Calls(discordfake.RouteInteractionCallback)
	if len(calls) != 1 || calls[0].Decode(&body) != nil || body.Type != 5 {
		t.Errorf("callbacks %d, first of type %d; want one deferred response (type 5)", len(calls), body.Type)
	}
	reqs := script.Requests()
	if len(reqs) != 1 || !strings.Contains(lastUserText(reqs[0]), "what is the answer?") {
		t.Errorf("the model was asked %d times, not with the question", len(reqs))
	}
}

// A dropped socket: discordgo resumes the session, and the messages sent
// while it was down arrive, each once, in order.
func TestFlowResumeAfterADroppedSocket(t *testing.T) {
	t.Parallel()
	f := newFake(t, nil)
	a := newAdapter(t, f, nil)
	in := newRecorder()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := a.Start(ctx, in); err != nil {
		t.Fatal(err)
	}
	f.DirectMessage(discordfake.Ana, "before")
	in.waitN(t, 1)
	f.DropSocket()
	f.DirectMessage(discordfake.Ana, "while down 1")
	f.DirectMessage(discordfake.Ana, "while down 2")
	waitFor(t, f, "the resume", func() bool { return len(f.Resumes()) > 0 })
	f.DirectMessage(discordfake.Ana, "after")
	in.waitN(t, 4)
	// A last message, after which any event delivered twice would have
	// come too.
	f.DirectMessage(discordfake.Ana, "last")
	got := in.waitN(t, 5)
	if want := []string{"before", "while down 1", "while down 2", "after", "last"}; !slices.Equal(got, want) {
		t.Errorf("delivered %q, want each of %q once, in order", got, want)
	}
	if n := len(f.Identifies()); n != 1 {
		t.Errorf("%d IDENTIFYs, want 1: the session resumed", n)
	}
}

// A card too long for one Discord message is a group of messages; after a
// restart — the process that posted it gone — a click on its buttons names
// the whole group, and the card is closed in every message of it.
func TestFlowCardOfSeveralMessagesClosedAfterARestart(t *testing.T) {
	t.Parallel()
	f := newFake(t, nil)
	store := bot.NewMemoryStore()
	long := strings.Repeat("drop the staging table, ", 450) // past the 6,000 characters of one message's embeds
	first := bottest.NewModel(bottest.Call("confirm_write", bottest.ApprovalArgs{Action: long}))
	ctx1, cancel1 := context.WithCancel(context.Background())
	b1, err := bot.New(bot.Config{Model: first, Adapters: []bot.Adapter{newAdapter(t, f, nil)}, Store: store,
		Tools: []*bot.Tool{bottest.ApprovalTool(discordfake.Ana)}, Logger: bottest.Logger(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := b1.Start(ctx1); err != nil {
		t.Fatal(err)
	}
	mention := f.Mention(discordfake.Ana, discordfake.General, "please drop the staging table")
	waitFor(t, f, "the approval card", func() bool { return len(botCards(f, mention.ID)) > 0 })
	var group []discordfake.Msg
	for _, m := range f.Messages(mention.ID) {
		if m.FromBot() {
			group = append(group, m)
		}
	}
	if len(group) < 2 {
		t.Fatalf("the card is %d messages; the test needs several", len(group))
	}
	stop, cancel := context.WithTimeout(context.Background(), flowTimeout)
	defer cancel()
	if err := b1.Stop(stop); err != nil {
		t.Fatalf("stopping the first bot: %v", err)
	}
	cancel1()

	// A new process: a new adapter and bot over the same Store.
	const final = "Done: the staging table is dropped."
	startBot(t, bot.Config{Model: bottest.NewModel(bottest.Reply(final)), Adapters: []bot.Adapter{newAdapter(t, f, nil)}, Store: store,
		Tools: []*bot.Tool{bottest.ApprovalTool(discordfake.Ana)}})
	card := botCards(f, mention.ID)[0]
	approve := card.CustomIDs()[slices.Index(card.Labels(), "Approve")]
	if _, err := f.Click(discordfake.Ana, card.ID, approve); err != nil {
		t.Fatal(err)
	}
	waitFor(t, f, "the final answer", func() bool {
		return slices.ContainsFunc(f.Messages(mention.ID), func(m discordfake.Msg) bool { return m.FromBot() && m.Content == final })
	})
	for i, m := range group {
		// Closed once, as the card it is part of: a click naming the
		// clicked message alone would have it closed a second time, on its
		// own, as a card the bot does not know.
		now, ok := f.Message(m.ID)
		if !ok || now.Edits != 1 || len(options(now)) != 0 {
			t.Errorf("message %d of %d of the card: edited %d times, options %q; want it closed, once", i+1, len(group), now.Edits, options(now))
		}
	}
	if last, _ := f.Message(group[len(group)-1].ID); !strings.Contains(plainText(last), "ana") {
		t.Errorf("the closed card ends %q; want it naming ana", plainText(last))
	}
}
