package discord_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/parleybot/parley/adapters/adaptertest"
	"github.com/parleybot/parley/adapters/discord"
	"github.com/parleybot/parley/adapters/discord/discordfake"
	"github.com/parleybot/parley/bot"
)

func TestConformance(t *testing.T) {
	adaptertest.Run(t, func(t *testing.T) (bot.Adapter, adaptertest.Platform) {
		f := newFake(t, nil)
		a := newAdapter(t, f, nil)
		return a, &platform{f: f, channel: discordfake.General, thread: testThread}
	}, adaptertest.Features{Redelivery: true, Unaddressed: true, StatusWithoutText: true})
}

// The suite again in a direct message.
func TestConformanceInADirectMessage(t *testing.T) {
	adaptertest.Run(t, func(t *testing.T) (bot.Adapter, adaptertest.Platform) {
		f := newFake(t, nil)
		a := newAdapter(t, f, nil)
		return a, &platform{f: f, channel: f.DM(discordfake.Ana), direct: true}
	}, adaptertest.Features{Redelivery: true, OnePerson: true, StatusWithoutText: true})
}

// platform is Discord as adaptertest sees it: people acting on the fake,
// which dispatches their events over the gateway.
type platform struct {
	f       *discordfake.Server
	channel string
	thread  string
	direct  bool
}

func (p *platform) Conversation() bot.Address {
	if p.direct {
		return bot.Address{Platform: discord.Platform, Channel: p.channel}
	}
	return bot.Address{Platform: discord.Platform, Workspace: p.f.Config().GuildID, Channel: p.channel, Thread: p.thread}
}

func (p *platform) People() []bot.User {
	if p.direct {
		return []bot.User{{ID: discordfake.Ana, Name: "ana"}}
	}
	return []bot.User{{ID: discordfake.Ana, Name: "ana"}, {ID: discordfake.Ben, Name: "ben"}}
}

func (p *platform) where() string {
	if p.thread != "" {
		return p.thread
	}
	return p.channel
}

func (p *platform) Send(_ context.Context, from bot.User, text string) (string, error) {
	var ev discordfake.Event
	if p.direct {
		ev = p.f.DirectMessage(from.ID, text)
	} else {
		ev = p.f.Mention(from.ID, p.thread, text)
	}
	return "msg:" + ev.ID, nil
}

func (p *platform) SendUnaddressed(_ context.Context, from bot.User, text string) error {
	p.f.ChannelMessage(from.ID, p.channel, text)
	return nil
}

func (p *platform) Redeliver(_ context.Context, eventID string) error {
	id := strings.TrimPrefix(eventID, "msg:")
	for _, ev := range p.f.Events() {
		if ev.ID == id {
			p.f.Dispatch(ev)
			return nil
		}
	}
	return errors.New("no such event")
}

func (p *platform) Click(_ context.Context, ref bot.MessageRef, label string, as bot.User) error {
	var last error = errors.New("no message")
	for _, id := range strings.Split(ref.ID, ",") {
		m, ok := p.f.Message(id)
		if !ok {
			continue
		}
		if opt, ok := optionByLabel(m, label); ok {
			_, err := p.f.Select(as.ID, id, opt.menu, opt.value)
			return err
		}
		for i, l := range m.Labels() {
			if l == label {
				_, err := p.f.Click(as.ID, id, m.CustomIDs()[i])
				return err
			}
		}
		last = errors.New("no button or option " + label)
	}
	return last
}

func (p *platform) shown(m discordfake.Msg) adaptertest.Shown {
	s := adaptertest.Shown{
		Ref:     bot.MessageRef{Address: p.Conversation(), ID: m.ID},
		FromBot: m.FromBot(),
		Text:    plainText(m),
		Options: options(m),
	}
	for _, r := range m.Reactions {
		name := discord.EmojiName(r.Emoji)
		if name == "" {
			name = r.Emoji
		}
		s.Reactions = append(s.Reactions, name)
	}
	if !s.FromBot {
		s.From = bot.User{ID: m.AuthorID}
		for _, u := range p.People() {
			if u.ID == m.AuthorID {
				s.From = u
			}
		}
		s.Text = strings.TrimSpace(strings.ReplaceAll(s.Text, "<@"+p.f.Config().BotUser.ID+">", ""))
	}
	return s
}

func (p *platform) Messages() []adaptertest.Shown {
	var out []adaptertest.Shown
	for _, m := range p.f.Messages(p.where()) {
		if m.Deleted || m.Ephemeral {
			continue
		}
		out = append(out, p.shown(m))
	}
	return out
}

func (p *platform) Shown(ref bot.MessageRef) (adaptertest.Shown, bool) {
	var out adaptertest.Shown
	found := false
	for _, id := range strings.Split(ref.ID, ",") {
		m, ok := p.f.Message(id)
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

// Private is what the bot showed one person only: ephemeral follow-ups
// and, where there was no interaction to follow, direct messages.
func (p *platform) Private(to bot.User) []adaptertest.Shown {
	var out []adaptertest.Shown
	for _, m := range p.f.Ephemerals(to.ID) {
		out = append(out, p.shown(m))
	}
	if !p.direct {
		for _, m := range p.f.Messages(p.f.DM(to.ID)) {
			if m.FromBot() {
				out = append(out, p.shown(m))
			}
		}
	}
	return out
}

func (p *platform) Files() []bot.File {
	var out []bot.File
	for _, m := range p.f.Messages(p.where()) {
		for _, f := range m.Attachments {
			out = append(out, bot.File{Name: f.Filename, Data: f.Data, Comment: m.Content})
		}
	}
	return out
}

// Statuses returns one entry per time the bot showed "… is typing" in the
// conversation: Discord shows no status text.
func (p *platform) Statuses() []string {
	return slices.Repeat([]string{"typing"}, p.f.Typing(p.where()))
}
