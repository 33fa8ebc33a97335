package bottest_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/parleybot/parley/adapters/adaptertest"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
	"github.com/parleybot/parley/render"
)

// TestAdapterConformance runs the adapter conformance suite on the
// in-memory platform: with its default capabilities (streaming by post and
// edits), with every one (native streaming), and with none, where every
// capability's Thread method must be bot.ErrUnsupported.
func TestAdapterConformance(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		caps *bot.Capabilities
	}{
		{"default capabilities", nil},
		{"every capability", ptr(bot.AllCapabilities)},
		{"no capability", ptr(bot.Capabilities(0))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			adaptertest.Run(t, func(t *testing.T) (bot.Adapter, adaptertest.Platform) {
				chat := bottest.NewChat()
				if tc.caps != nil {
					chat.SetCapabilities(*tc.caps)
				}
				a := chat.Adapter()
				return a, &chatPlatform{a: a, sent: map[string]bot.Message{}}
			}, adaptertest.Features{Redelivery: true, RefusalVisible: true, Unaddressed: true})
		})
	}
}

func ptr[T any](v T) *T { return &v }

// aside is where people write without addressing the bot.
var aside = bot.Address{Platform: bottest.Platform, Channel: bottest.DefaultThread.Channel, Thread: "T_ASIDE"}

// chatPlatform is the platform side of a bottest.Adapter: its Chat.
type chatPlatform struct {
	a *bottest.Adapter

	mu   sync.Mutex
	sent map[string]bot.Message // by event id, for redelivery
}

func (p *chatPlatform) Conversation() bot.Address { return bottest.DefaultThread }

func (p *chatPlatform) People() []bot.User { return []bot.User{bottest.Ana, bottest.Ben} }

// acked is what the platform sees of the Inbox's answer: a duplicate is
// acknowledged like a success.
func acked(err error) error {
	if errors.Is(err, bot.ErrDuplicate) {
		return nil
	}
	return err
}

func (p *chatPlatform) Send(ctx context.Context, from bot.User, text string) (string, error) {
	m, err := p.a.Send(from, text)
	p.mu.Lock()
	p.sent[m.EventID] = m
	p.mu.Unlock()
	return m.EventID, acked(err)
}

func (p *chatPlatform) SendUnaddressed(ctx context.Context, from bot.User, text string) error {
	_, err := p.a.Deliver(bot.Message{Address: aside, User: from, Text: text})
	return acked(err)
}

func (p *chatPlatform) Redeliver(ctx context.Context, eventID string) error {
	p.mu.Lock()
	m, ok := p.sent[eventID]
	p.mu.Unlock()
	if !ok {
		return errors.New("no such event")
	}
	_, err := p.a.Deliver(m)
	return acked(err)
}

func (p *chatPlatform) Click(ctx context.Context, ref bot.MessageRef, label string, as bot.User) error {
	return acked(p.a.Click(ref, label, as))
}

func (p *chatPlatform) Messages() []adaptertest.Shown {
	// The platform's history is the conversation, whatever the adapter
	// reports it can read.
	hist, _ := p.a.Messages(context.Background(), bottest.DefaultThread, 0)
	out := make([]adaptertest.Shown, 0, len(hist))
	for _, m := range hist {
		out = append(out, p.shownMessage(m))
	}
	return out
}

func (p *chatPlatform) shownMessage(m bot.Message) adaptertest.Shown {
	ref := bot.MessageRef{Address: m.Address, ID: m.ID}
	if m.FromSelf {
		s, _ := p.Shown(ref)
		return s
	}
	s := adaptertest.Shown{Ref: ref, From: m.User, Text: m.Text}
	for _, r := range p.a.Reactions() {
		if r.Ref.ID == m.ID {
			s.Reactions = append(s.Reactions, r.Emoji)
		}
	}
	return s
}

func posted(p bottest.Posted) adaptertest.Shown {
	return adaptertest.Shown{Ref: p.Ref, FromBot: true, Text: p.Text(), Options: p.Options()}
}

func (p *chatPlatform) Shown(ref bot.MessageRef) (adaptertest.Shown, bool) {
	if m, ok := p.a.Lookup(ref); ok {
		return posted(m), true
	}
	hist, _ := p.a.Messages(context.Background(), ref.Address, 0)
	if i := slices.IndexFunc(hist, func(m bot.Message) bool { return m.ID == ref.ID }); i >= 0 {
		return p.shownMessage(hist[i]), true
	}
	return adaptertest.Shown{}, false
}

func (p *chatPlatform) Private(to bot.User) []adaptertest.Shown {
	var out []adaptertest.Shown
	for _, m := range p.a.Posts() {
		if m.Ephemeral && m.To == to.ID {
			out = append(out, posted(m))
		}
	}
	return out
}

func (p *chatPlatform) Files() []bot.File { return p.a.Files() }

func (p *chatPlatform) Statuses() []string {
	var out []string
	for _, s := range p.a.Statuses() {
		if s.In == bottest.DefaultThread && s.Text != "" {
			out = append(out, s.Text)
		}
	}
	return out
}

// defects are ways an adapter breaks its contract, each with the check of
// the suite that must catch it and the capabilities it shows under.
var defects = []defectCase{
	{"posts land in another thread", "text markdown and cards are shown as posted", defaultCaps},
	{"updates are ignored", "an update changes what is shown", defaultCaps},
	{"messages come without their mention", "a message reaches the agent and its answer is shown in the conversation", defaultCaps},
	{"a native stream loses its end", "a streamed answer ends showing the whole answer once", bot.AllCapabilities},
	{"history lacks the bot's messages", "platform history holds what people wrote and the bot's own answers", defaultCaps},
	{"looked up users have no names", "user lookup finds people and fails for an unknown id", defaultCaps},
	{"files are not uploaded", "an uploaded file is shown", defaultCaps},
	{"ephemeral messages are shown to everyone", "an ephemeral message is shown to one person only", defaultCaps},
	{"reactions are ignored", "a reaction is shown on the person's message", defaultCaps},
	{"statuses are ignored", "a status is shown", defaultCaps},
	{"clicks lose their message", "a click on an action button reaches its handler", defaultCaps},
	{"clicks come from the wrong person", "a choice round trip decides once and closes its card", defaultCaps},
	{"click replies are shown to everyone", "a click by someone not asked to approve is refused privately", defaultCaps},
	{"posting stops when receiving does", "a stopping bot refuses new messages and finishes the answer in flight", defaultCaps},
	{"messages come without their event id", "a redelivered message gets no second answer", defaultCaps},
	{"every message is a mention", "a message not addressed to the bot is not answered", defaultCaps},
}

// defaultCaps are what a new Chat reports: all but native streaming.
var defaultCaps = bottest.NewAdapter().Capabilities(bot.Address{})

// TestAdapterConformanceCatchesDefects shows that the suite can fail: for
// each defect, it runs the check that must catch it, in a child process,
// over an adapter with the defect, and expects that check to fail.
func TestAdapterConformanceCatchesDefects(t *testing.T) {
	if name := os.Getenv("PARLEY_ADAPTER_DEFECT"); name != "" {
		i := slices.IndexFunc(defects, func(d defectCase) bool { return d.name == name })
		adaptertest.Run(t, func(t *testing.T) (bot.Adapter, adaptertest.Platform) {
			chat := bottest.NewChat()
			chat.SetCapabilities(defects[i].caps)
			a := chat.Adapter()
			return &defective{Adapter: a, defect: name}, &chatPlatform{a: a, sent: map[string]bot.Message{}}
		}, adaptertest.Features{Redelivery: true, RefusalVisible: true, Unaddressed: true})
		return
	}
	if testing.Short() {
		t.Skip("runs the suite in a child process per defect")
	}
	t.Parallel()
	for _, d := range defects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			sub := strings.ReplaceAll(d.check, " ", "_")
			cmd := exec.Command(os.Args[0], "-test.run=^TestAdapterConformanceCatchesDefects$/^"+regexp.QuoteMeta(sub)+"$", "-test.timeout=60s")
			cmd.Env = append(os.Environ(), "PARLEY_ADAPTER_DEFECT="+d.name)
			out, err := cmd.CombinedOutput()
			if err == nil || !strings.Contains(string(out), "--- FAIL: TestAdapterConformanceCatchesDefects/"+sub) {
				t.Errorf("the check %q did not catch an adapter whose %s (%v):\n%s", d.check, d.name, err, out)
			}
		})
	}
}

type defectCase struct {
	name, check string
	caps        bot.Capabilities
}

// defective is a bottest.Adapter with one defect.
type defective struct {
	*bottest.Adapter
	defect string

	mu   sync.Mutex
	recv context.Context
}

func (d *defective) Start(ctx context.Context, in bot.Inbox) error {
	d.mu.Lock()
	d.recv = ctx
	d.mu.Unlock()
	return d.Adapter.Start(ctx, &defectiveInbox{Inbox: in, d: d})
}

// closed reports whether posting fails, for the defect that ties posting
// to receiving.
func (d *defective) closed() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.defect == "posting stops when receiving does" && d.recv != nil && d.recv.Err() != nil
}

func (d *defective) Post(ctx context.Context, to bot.Address, m bot.Outgoing) (bot.MessageRef, error) {
	if d.closed() {
		return bot.MessageRef{}, errors.New("defective: connection closed")
	}
	if d.defect == "posts land in another thread" {
		to.Thread = "T_ELSEWHERE"
	}
	return d.Adapter.Post(ctx, to, m)
}

func (d *defective) Update(ctx context.Context, ref bot.MessageRef, m bot.Outgoing) error {
	if d.closed() {
		return errors.New("defective: connection closed")
	}
	if d.defect == "updates are ignored" {
		return nil
	}
	return d.Adapter.Update(ctx, ref, m)
}

func (d *defective) StartStream(ctx context.Context, to bot.Address, opts bot.StreamOptions) (bot.TextStream, error) {
	s, err := d.Adapter.StartStream(ctx, to, opts)
	if err != nil || d.defect != "a native stream loses its end" {
		return s, err
	}
	return &shortStream{TextStream: s}, nil
}

// shortStream drops every piece after the third.
type shortStream struct {
	bot.TextStream
	n int
}

func (s *shortStream) Append(ctx context.Context, delta string) error {
	if s.n++; s.n > 3 {
		return nil
	}
	return s.TextStream.Append(ctx, delta)
}

func (d *defective) Messages(ctx context.Context, in bot.Address, limit int) ([]bot.Message, error) {
	hist, err := d.Adapter.Messages(ctx, in, limit)
	if d.defect == "history lacks the bot's messages" {
		hist = slices.DeleteFunc(hist, func(m bot.Message) bool { return m.FromSelf })
	}
	return hist, err
}

func (d *defective) LookupUser(ctx context.Context, in bot.Address, id string) (bot.User, error) {
	u, err := d.Adapter.LookupUser(ctx, in, id)
	if d.defect == "looked up users have no names" {
		u.Name = ""
	}
	return u, err
}

func (d *defective) PostFile(ctx context.Context, to bot.Address, f bot.File) (bot.MessageRef, error) {
	if d.defect == "files are not uploaded" {
		return d.Adapter.Post(ctx, to, bot.Outgoing{Content: render.Text(f.Comment + "\n📎 " + f.Name)})
	}
	return d.Adapter.PostFile(ctx, to, f)
}

func (d *defective) PostEphemeral(ctx context.Context, to bot.Address, userID string, m bot.Outgoing) error {
	if d.defect == "ephemeral messages are shown to everyone" {
		_, err := d.Adapter.Post(ctx, to, m)
		return err
	}
	return d.Adapter.PostEphemeral(ctx, to, userID, m)
}

func (d *defective) React(ctx context.Context, ref bot.MessageRef, emoji string) error {
	if d.defect == "reactions are ignored" {
		return nil
	}
	return d.Adapter.React(ctx, ref, emoji)
}

func (d *defective) SetStatus(ctx context.Context, in bot.Address, status string) error {
	if d.defect == "statuses are ignored" {
		return nil
	}
	return d.Adapter.SetStatus(ctx, in, status)
}

type defectiveInbox struct {
	bot.Inbox
	d *defective
}

func (in *defectiveInbox) Message(ctx context.Context, m bot.Message) error {
	switch in.d.defect {
	case "messages come without their event id":
		m.EventID = ""
	case "messages come without their mention":
		m.Mention = false
	case "every message is a mention":
		m.Mention = true
	}
	return in.Inbox.Message(ctx, m)
}

func (in *defectiveInbox) Action(ctx context.Context, a bot.Action) error {
	switch in.d.defect {
	case "clicks lose their message":
		a.Message.ID = ""
	case "clicks come from the wrong person":
		a.User = bottest.Ana
	case "click replies are shown to everyone":
		a.Reply = &publicReply{d: in.d, ref: a.Message}
	}
	return in.Inbox.Action(ctx, a)
}

// publicReply answers a click in the conversation, for everyone to see.
type publicReply struct {
	d   *defective
	ref bot.MessageRef
}

func (r *publicReply) Ephemeral(ctx context.Context, m bot.Outgoing) error {
	_, err := r.d.Adapter.Post(ctx, r.ref.Address, m)
	return err
}

func (r *publicReply) Update(ctx context.Context, m bot.Outgoing) error {
	return r.d.Adapter.Update(ctx, r.ref, m)
}
