package slack_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/parleybot/parley/adapters/adaptertest"
	"github.com/parleybot/parley/adapters/slack"
	"github.com/parleybot/parley/adapters/slack/slackfake"
	"github.com/parleybot/parley/bot"
)

func TestConformance(t *testing.T) {
	adaptertest.Run(t, func(t *testing.T) (bot.Adapter, adaptertest.Platform) {
		fake, a := onFake(t)
		p := &platform{fake: fake, h: a, channel: "C0TEST"}
		// The conversation is a thread in a channel, opened by a
		// person's message, as most conversations with a bot are.
		root := fake.ChannelMessage(slackfake.Ana, p.channel, "a thread to talk to the bot in", "")
		p.thread = root.TS
		return a, p
	}, adaptertest.Features{Redelivery: true, RefusalVisible: true, Unaddressed: true})
}

// The suite again in Slack's assistant pane: a thread of a direct message,
// where the adapter shows statuses too.
func TestConformanceInTheAssistantPane(t *testing.T) {
	adaptertest.Run(t, func(t *testing.T) (bot.Adapter, adaptertest.Platform) {
		fake, a := onFake(t)
		start := fake.AssistantThreadStarted(slackfake.Ana, "C0TEST")
		p := &platform{fake: fake, h: a, channel: fake.DM(slackfake.Ana), thread: start.ThreadTS, direct: true}
		return a, p
	}, adaptertest.Features{Redelivery: true, RefusalVisible: true, OnePerson: true})
}

// onFake returns a new fake Slack and an adapter on it.
func onFake(t *testing.T) (*slackfake.Server, *slack.Adapter) {
	fake := slackfake.New(slackfake.Config{})
	t.Cleanup(fake.Close)
	cfg := fake.Config()
	a, err := slack.New(slack.Config{
		BotToken: cfg.BotToken, SigningSecret: cfg.SigningSecret, APIURL: fake.APIURL(),
		Env: func(string) string { return "" }, PostInterval: -1,
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	return fake, a
}

// platform is Slack, as adaptertest sees it: people acting on the fake,
// which delivers their events to the adapter's handler.
type platform struct {
	fake    *slackfake.Server
	h       http.Handler
	channel string
	thread  string
	direct  bool // the conversation is a thread of ana's direct messages
}

func (p *platform) Conversation() bot.Address {
	return bot.Address{Platform: slack.Platform, Workspace: p.fake.Config().TeamID, Channel: p.channel, Thread: p.thread}
}

func (p *platform) People() []bot.User {
	if p.direct {
		return []bot.User{{ID: slackfake.Ana, Name: "ana"}}
	}
	return []bot.User{{ID: slackfake.Ana, Name: "ana"}, {ID: slackfake.Ben, Name: "ben"}}
}

// deliver sends ev as Slack does and reports what Slack would make of the
// answer: an error unless it was a 2xx.
func (p *platform) deliver(ctx context.Context, ev slackfake.Event, opts ...slackfake.SendOption) error {
	_, err := p.fake.Send(ctx, p.h, ev, opts...)
	return err
}

func (p *platform) Send(ctx context.Context, from bot.User, text string) (string, error) {
	if p.direct {
		ev := p.fake.DirectMessage(from.ID, text, p.thread)
		return ev.ID, p.deliver(ctx, ev)
	}
	mention, message := p.fake.Mention(from.ID, p.channel, text, p.thread)
	if err := p.deliver(ctx, mention); err != nil {
		return mention.ID, err
	}
	// Slack sends the message event too; the adapter must make one
	// message of the two.
	return mention.ID, p.deliver(ctx, message)
}

func (p *platform) SendUnaddressed(ctx context.Context, from bot.User, text string) error {
	return p.deliver(ctx, p.fake.ChannelMessage(from.ID, p.channel, text, ""))
}

func (p *platform) Redeliver(ctx context.Context, eventID string) error {
	ev, ok := p.fake.Event(eventID)
	if !ok {
		return errors.New("no such event")
	}
	return p.deliver(ctx, ev, slackfake.Retry(1, "http_timeout"))
}

func (p *platform) Click(ctx context.Context, ref bot.MessageRef, label string, as bot.User) error {
	var last error
	for _, ts := range strings.Split(ref.ID, ",") {
		ev, err := p.fake.Click(as.ID, ref.Channel, ts, label)
		if err != nil {
			last = err
			continue
		}
		return p.deliver(ctx, ev)
	}
	return last
}

func (p *platform) shown(m slackfake.Msg) adaptertest.Shown {
	s := adaptertest.Shown{
		Ref:       bot.MessageRef{Address: p.Conversation(), ID: m.TS},
		FromBot:   m.FromBot(),
		Text:      m.PlainText(),
		Options:   m.Options(),
		Reactions: m.ReactionNames(),
	}
	if m.Channel != p.channel || (m.ThreadTS != p.thread && m.TS != p.thread) {
		s.Ref.Address = bot.Address{Platform: slack.Platform, Workspace: p.fake.Config().TeamID, Channel: m.Channel, Thread: m.ThreadTS}
	}
	if !s.FromBot {
		s.From = bot.User{ID: m.User}
		for _, u := range p.People() {
			if u.ID == m.User {
				s.From = u
			}
		}
		s.Text = strings.TrimSpace(strings.Replace(s.Text, "@"+p.fake.Config().BotName, "", 1))
	}
	return s
}

func (p *platform) Messages() []adaptertest.Shown {
	var out []adaptertest.Shown
	for _, m := range p.fake.Messages(p.channel, p.thread) {
		if m.Deleted || m.Subtype == "assistant_app_thread" {
			continue
		}
		out = append(out, p.shown(m))
	}
	return out
}

// Shown reads a message the bot posted as one, though Slack may show it
// as several (a long card): the adapter's ref names them all.
func (p *platform) Shown(ref bot.MessageRef) (adaptertest.Shown, bool) {
	var out adaptertest.Shown
	found := false
	for _, ts := range strings.Split(ref.ID, ",") {
		m, ok := p.fake.Message(ref.Channel, ts)
		if !ok || m.Deleted {
			continue
		}
		s := p.shown(m)
		if !found {
			out, found = s, true
			out.Ref = ref
			continue
		}
		out.Text += "\n" + s.Text
		out.Options = append(out.Options, s.Options...)
		out.Reactions = append(out.Reactions, s.Reactions...)
	}
	return out, found
}

func (p *platform) Private(to bot.User) []adaptertest.Shown {
	var out []adaptertest.Shown
	for _, m := range p.fake.Ephemerals(to.ID) {
		out = append(out, p.shown(m))
	}
	return out
}

func (p *platform) Files() []bot.File {
	var out []bot.File
	for _, f := range p.fake.Files() {
		if !f.Completed {
			continue
		}
		out = append(out, bot.File{Name: f.Name, Title: f.Title, Data: f.Data, Comment: f.Comment})
	}
	return out
}

func (p *platform) Statuses() []string {
	var out []string
	for _, s := range p.fake.Statuses(p.channel, p.thread) {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
