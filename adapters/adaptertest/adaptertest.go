package adaptertest

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
)

// Platform is the platform side of an adapter under test: what people do on
// the platform and what the platform shows them. The adapter's own test
// provides it — a fake Slack or Discord server on loopback, a pipe for a
// terminal — and the suite never reaches into the adapter through it.
//
// Its methods are called from the test's goroutine and from the bot's
// (a tool reads what is shown while its run goes on), so it must be safe
// for concurrent use. What it shows reflects every call the adapter has
// returned from.
type Platform interface {
	// Conversation is where people write to the bot and where it
	// answers, as the adapter addresses it: the Address of the messages
	// it delivers and of the messages it posts.
	Conversation() bot.Address
	// People are the people who can write in the conversation, as the
	// platform knows them (LookupUser finds each, with the same ID and
	// Name): at least two, or one with [Features.OnePerson].
	People() []bot.User

	// Send writes text in the conversation as from, addressing the bot.
	// It returns the platform's id of the event, or "" where the
	// platform has none, and the error the platform saw, if any — an
	// HTTP 503 from a webhook while the bot stops, say. It may return
	// before the adapter has handed the message to the bot: the suite
	// waits for that itself.
	Send(ctx context.Context, from bot.User, text string) (eventID string, err error)
	// SendUnaddressed writes text as from without addressing the bot,
	// in a conversation the bot has not spoken in (the channel outside
	// any thread, say). Called only with [Features.Unaddressed].
	SendUnaddressed(ctx context.Context, from bot.User, text string) error
	// Redeliver delivers the event eventID again, as the platform does
	// when it did not hear the first delivery acknowledged, and returns
	// the error the platform saw: nil when the adapter acknowledged it.
	// Called only with [Features.Redelivery].
	Redeliver(ctx context.Context, eventID string) error
	// Click clicks, as the person as, the button or select option
	// labelled label in the message ref, as the platform shows it now.
	// Like Send, it may return before the click reached the bot.
	Click(ctx context.Context, ref bot.MessageRef, label string, as bot.User) error

	// Messages returns what the conversation shows everyone now, oldest
	// first: people's messages and the bot's, each as it stands now.
	Messages() []Shown
	// Shown returns what the platform shows now for one message, the
	// bot's or a person's, private or not; false if it shows none.
	Shown(ref bot.MessageRef) (Shown, bool)
	// Private returns what the bot showed to one person only — ephemeral
	// messages, private answers to their clicks — oldest first.
	Private(to bot.User) []Shown
	// Files returns the files the bot uploaded, as the platform received
	// them, in order. It is read only where the adapter reports
	// bot.CapFiles.
	Files() []bot.File
	// Statuses returns every status the platform showed in the
	// conversation ("is thinking…", a typing indicator's text), in order,
	// without the clearings. It is read only where the adapter reports
	// bot.CapStatus. Where the platform shows no words
	// (Features.StatusWithoutText) it returns one entry per showing.
	Statuses() []string
}

// Shown is one message as the platform shows it.
type Shown struct {
	// Ref locates the message. For a person's message it may lack the
	// ID, where the platform side cannot know it (a terminal).
	Ref bot.MessageRef
	// FromBot is set for messages the bot posted; From is the person
	// who wrote any other.
	FromBot bool
	From    bot.User
	// Text is the message as a person reads it, as plain text; the
	// suite compares words, not markup or spacing.
	Text string
	// Options are the labels of the buttons and select options a person
	// can click now, in reading order.
	Options []string
	// Reactions are the names of the emoji reactions on the message,
	// without colons ("eyes").
	Reactions []string
}

// Features declares what the suite may assume of a platform beyond what
// every platform does. A check that needs what a platform lacks is
// skipped, saying so. What an adapter can do for the bot — history, files,
// streaming… — is not declared here: the suite reads it from the adapter
// (bot.Capabilities) and checks that what it lacks is bot.ErrUnsupported.
type Features struct {
	// OnePerson says only one person uses the platform (a terminal):
	// People returns one, and the checks that need a second person
	// clicking are done with an approver who is not there instead.
	OnePerson bool
	// Redelivery says the platform delivers an event again, with the
	// same event id, when it did not hear it acknowledged; Redeliver
	// does. The adapter must then pass the id on (Message.EventID,
	// Action.EventID) so the bot answers once.
	Redelivery bool
	// RefusalVisible says the platform hears the bot refuse an event
	// while it stops: Send returns an error then (a webhook's 503), so
	// the platform delivers the message again later, elsewhere.
	RefusalVisible bool
	// Unaddressed says people can write where the bot is without
	// addressing it; SendUnaddressed does.
	Unaddressed bool
	// StatusWithoutText says the platform shows that the bot is busy but
	// not the status's words (Discord's "… is typing"): Statuses returns
	// one entry per showing, whatever its text, and the status check asks
	// only that a status was shown after SetStatus.
	StatusWithoutText bool
}

// Run checks that the adapter setup returns passes the adapter contract of
// package bot, as seen from its platform. Each check is a subtest, run in
// parallel with the others, with a new adapter and platform from setup and
// a new bot over them (a scripted model, an in-memory Store); setup
// registers the cleanup of what it started with t.Cleanup.
func Run(t *testing.T, setup func(t *testing.T) (bot.Adapter, Platform), f Features) {
	t.Helper()
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(newEnv(t, setup, f))
		})
	}
}

// settle bounds every wait of the suite; a check that needs it fails.
const settle = 10 * time.Second

// The tools and action the suite's bot has.
const (
	probeTool   = "adaptertest_probe"
	approveTool = "adaptertest_approve"
	ackAction   = "adaptertest_ack"
)

// env is one check's bot over one adapter and its platform.
type env struct {
	t      *testing.T
	f      Features
	p      Platform
	w      *watched
	bot    *bot.Bot
	model  *model
	conv   bot.Address
	people []bot.User
	caps   bot.Capabilities

	// deadline bounds the check: every wait of it ends by then.
	deadline context.Context

	mu      sync.Mutex
	nonce   int
	probe   func(ctx context.Context, tc *bot.ToolContext)
	stopped bool

	probed  chan struct{}
	choices chan choiceResult
	acks    chan bot.ActionEvent
}

// choiceResult is what the approve tool's AwaitChoice returned.
type choiceResult struct {
	choice bot.Choice[string]
	err    error
}

// approveArgs are the approve tool's arguments.
type approveArgs struct {
	Title    string `json:"title"`
	Approver string `json:"approver"`
}

func newEnv(t *testing.T, setup func(t *testing.T) (bot.Adapter, Platform), f Features) *env {
	t.Helper()
	a, p := setup(t)
	if a == nil || p == nil {
		t.Fatal("adaptertest: setup returned no adapter or no platform")
	}
	e := &env{
		t: t, f: f, p: p, w: watch(a),
		model:   &model{Model: bottest.NewModel(), called: make(chan struct{}, 16)},
		conv:    p.Conversation(),
		people:  p.People(),
		probed:  make(chan struct{}, 1),
		choices: make(chan choiceResult, 2),
		acks:    make(chan bot.ActionEvent, 4),
	}
	switch {
	case e.conv.Platform != a.Platform():
		t.Fatalf("adaptertest: the conversation %s is not on the adapter's platform %q", e.conv, a.Platform())
	case len(e.people) == 0, len(e.people) == 1 && !f.OnePerson:
		t.Fatalf("adaptertest: the platform knows %d people; the suite needs two, or Features.OnePerson", len(e.people))
	}
	for i, u := range e.people {
		if u.ID == "" || slices.ContainsFunc(e.people[:i], func(v bot.User) bool { return v.ID == u.ID }) {
			t.Fatalf("adaptertest: People() has an empty or repeated id: %+v", e.people)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), settle)
	t.Cleanup(cancel)
	e.deadline = ctx
	e.caps = e.w.Capabilities(e.conv)
	t.Logf("adaptertest: %s adapter, capabilities: %v", a.Platform(), e.caps)

	probe := bot.DefineTool(bot.ToolSpec[struct{}]{
		Name: probeTool, Description: "Checks the platform.",
		Handler: func(ctx context.Context, _ struct{}, tc *bot.ToolContext) (any, error) {
			e.mu.Lock()
			fn := e.probe
			e.probe = nil
			e.mu.Unlock()
			if fn != nil {
				fn(ctx, tc)
				tell(e.probed, struct{}{})
			}
			return "checked", nil
		},
	})
	approve := bot.DefineTool(bot.ToolSpec[approveArgs]{
		Name: approveTool, Description: "Asks for approval.",
		Handler: func(ctx context.Context, args approveArgs, tc *bot.ToolContext) (any, error) {
			c, err := bot.AwaitChoice[string](ctx, tc.Thread, choiceCard(args.Title), bot.Approvers(args.Approver))
			if errors.Is(err, bot.ErrParked) {
				return nil, err // the run resumes by replay, and this call returns again
			}
			tell(e.choices, choiceResult{c, err})
			return c.Value, err
		},
	})
	b, err := bot.New(bot.Config{
		Model:          e.model,
		Adapters:       []bot.Adapter{e.w},
		Tools:          []*bot.Tool{probe, approve},
		Logger:         bottest.Logger(t),
		Store:          bot.NewMemoryStore(),
		StreamInterval: time.Millisecond,
	})
	if err != nil {
		t.Fatalf("adaptertest: %v", err)
	}
	b.OnAction(ackAction, func(ctx context.Context, th *bot.Thread, ev bot.ActionEvent) error {
		tell(e.acks, ev)
		return th.Update(ctx, ev.Message, ackedContent(ev.User))
	})
	if err := b.Start(context.Background()); err != nil {
		t.Fatalf("adaptertest: starting the bot: %v", err)
	}
	e.bot = b
	t.Cleanup(func() {
		e.mu.Lock()
		stopped := e.stopped
		e.mu.Unlock()
		if stopped {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), settle)
		defer cancel()
		if err := b.Stop(ctx); err != nil {
			t.Errorf("adaptertest: stopping the bot: %v", err)
		}
	})
	return e
}

// tell hands v to the test without blocking the bot: a broken adapter
// may make the bot do something twice, which the checks see as a value
// left over, and must not hang Stop.
func tell[T any](ch chan<- T, v T) {
	select {
	case ch <- v:
	default:
	}
}

// next returns a new number, to tell this check's texts apart.
func (e *env) next() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.nonce++
	return strconv.Itoa(e.nonce)
}

// ctx returns the check's deadline.
func (e *env) ctx() context.Context { return e.deadline }

// deliver sends text as from and waits until the adapter has handed it
// to the bot, failing unless the bot took it. It returns the platform's
// event id and the message as the adapter delivered it.
func (e *env) deliver(from bot.User, text string) (string, bot.Message) {
	e.t.Helper()
	n := e.w.rec.len()
	id, err := e.p.Send(e.ctx(), from, text)
	if err != nil {
		e.t.Fatalf("adaptertest: the platform failed sending %q: %v", text, err)
	}
	ev, err := e.w.rec.wait(e.ctx(), n, func(ev event) bool {
		return ev.kind == "message" && ev.message.User.ID == from.ID && same(ev.message.Text, text)
	})
	if err != nil {
		e.t.Fatalf("adaptertest: the adapter never delivered %q from %s to the bot; it delivered: %s", text, from.ID, e.w.rec.describe(n))
	}
	if ev.err != nil {
		e.t.Fatalf("adaptertest: the bot did not take %q: %v", text, ev.err)
	}
	return id, ev.message
}

// send delivers text as from and waits until the bot has settled.
func (e *env) send(from bot.User, text string) (string, bot.Message) {
	e.t.Helper()
	id, m := e.deliver(from, text)
	e.idle()
	return id, m
}

// click clicks label in ref as as, waits until the adapter has handed the
// click to the bot and the bot has settled, and returns the click as
// delivered.
func (e *env) click(ref bot.MessageRef, label string, as bot.User) bot.Action {
	e.t.Helper()
	n := e.w.rec.len()
	if err := e.p.Click(e.ctx(), ref, label, as); err != nil {
		e.t.Fatalf("adaptertest: clicking %q in %s as %s: %v", label, ref.ID, as.ID, err)
	}
	ev, err := e.w.rec.wait(e.ctx(), n, func(ev event) bool { return ev.kind == "action" })
	if err != nil {
		e.t.Fatalf("adaptertest: the adapter never delivered the click on %q to the bot; it delivered: %s", label, e.w.rec.describe(n))
	}
	if ev.err != nil {
		e.t.Fatalf("adaptertest: the bot did not take the click on %q: %v", label, ev.err)
	}
	e.idle()
	return ev.action
}

// idle waits until the bot has settled: every run over or waiting for a
// person.
func (e *env) idle() {
	e.t.Helper()
	if err := e.bot.Idle(e.ctx()); err != nil {
		e.t.Fatalf("adaptertest: the bot did not settle: %v", err)
	}
}

// inRun runs fn in a tool of a run started by a message from the first
// person, and waits until the run is over. fn may report failures with
// t.Error, not t.Fatal: it runs on the bot's goroutine.
func (e *env) inRun(fn func(ctx context.Context, tc *bot.ToolContext)) {
	e.t.Helper()
	n := e.next()
	e.mu.Lock()
	e.probe = fn
	e.mu.Unlock()
	e.model.Add(bottest.Call(probeTool, struct{}{}), bottest.Reply("Checked "+n+"."))
	e.send(e.people[0], "check "+n)
	select {
	case <-e.probed:
	default:
		e.t.Fatalf("adaptertest: the model called %s, but it did not run", probeTool)
	}
}

// botMessages returns the bot's messages the conversation shows.
func (e *env) botMessages() []Shown {
	var out []Shown
	for _, s := range e.p.Messages() {
		if s.FromBot {
			out = append(out, s)
		}
	}
	return out
}

// shown returns what the platform shows for ref, failing if nothing.
func (e *env) shown(ref bot.MessageRef) Shown {
	e.t.Helper()
	s, ok := e.p.Shown(ref)
	if !ok {
		e.t.Fatalf("adaptertest: the platform shows nothing for message %q; the conversation shows: %s", ref.ID, describe(e.p.Messages()))
	}
	return s
}

// another returns the person who is not the first, or the first with
// OnePerson.
func (e *env) another() bot.User { return e.people[len(e.people)-1] }

// markup is the characters of markdown emphasis and code, which platforms
// write differently ("**bold**", "*bold*") or drop.
var markup = strings.NewReplacer("*", "", "_", "", "`", "", "~", "")

// words collapses s's spacing and drops emphasis marks, so texts compare
// as a person reads them.
func words(s string) string { return strings.Join(strings.Fields(markup.Replace(s)), " ") }

func same(a, b string) bool { return words(a) == words(b) }

func contains(s, sub string) bool { return strings.Contains(words(s), words(sub)) }

// describe lists shown messages, for a failure message.
func describe(ss []Shown) string {
	if len(ss) == 0 {
		return "nothing"
	}
	var b strings.Builder
	for _, s := range ss {
		who := "bot"
		if !s.FromBot {
			who = s.From.ID
		}
		b.WriteString("\n\t" + who + " [" + s.Ref.ID + "]: " + strconv.Quote(s.Text))
		if len(s.Options) > 0 {
			b.WriteString(" options " + strings.Join(s.Options, "|"))
		}
	}
	return b.String()
}
