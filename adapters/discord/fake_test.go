package discord_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/parleybot/parley/adapters/discord"
	"github.com/parleybot/parley/adapters/discord/discordfake"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
	"github.com/parleybot/parley/render"
)

// testThread is a thread of the fake's general channel that conversations
// happen in.
const testThread = "1200000000000000401"

// flowTimeout bounds every wait of a test on the fake: far more than any
// needs, so that a test fails rather than hangs when something is lost.
const flowTimeout = 15 * time.Second

// newFake starts a fake Discord with a thread in general, closed when the
// test ends.
func newFake(t testing.TB, mod func(*discordfake.Config)) *discordfake.Server {
	t.Helper()
	cfg := discordfake.Config{
		Token: testToken, HeartbeatInterval: 200 * time.Millisecond,
		Channels: []discordfake.Channel{
			{ID: discordfake.General, Name: "general"},
			{ID: discordfake.Random, Name: "random"},
			{ID: testThread, Name: "a thread", Type: discordgo.ChannelTypeGuildPublicThread, ParentID: discordfake.General},
		},
	}
	if mod != nil {
		mod(&cfg)
	}
	f := discordfake.New(cfg)
	t.Cleanup(f.Close)
	return f
}

// newAdapter returns an adapter talking to f; mod, if not nil, changes its
// configuration first.
func newAdapter(t testing.TB, f *discordfake.Server, mod func(*discord.Config)) *discord.Adapter {
	t.Helper()
	fc := f.Config()
	cfg := discord.Config{
		BotToken: fc.Token, AppID: fc.ApplicationID, PublicKey: f.PublicKeyHex(), GuildID: fc.GuildID,
		APIURL: f.APIURL(), Env: func(string) string { return "" },
		Logger: slog.New(slog.DiscardHandler),
	}
	if mod != nil {
		mod(&cfg)
	}
	a, err := discord.New(cfg)
	if err != nil {
		t.Fatalf("discord.New: %v", err)
	}
	return a
}

// start starts a with in, until the test ends.
func start(t testing.TB, a *discord.Adapter, in bot.Inbox) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := a.Start(ctx, in); err != nil {
		t.Fatal(err)
	}
}

// startBot starts a bot from cfg for the test, over an in-memory Store
// unless cfg names one (bottest.Start, whose in-memory chat sits beside
// the Discord adapter, unused), and stops it when the test ends.
func startBot(t testing.TB, cfg bot.Config) *bot.Bot {
	t.Helper()
	return bottest.Start(t, cfg).Bot
}

// waitFor waits until cond holds on f, failing the test otherwise.
func waitFor(t testing.TB, f *discordfake.Server, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), flowTimeout)
	defer cancel()
	if err := f.WaitFor(ctx, cond); err != nil {
		for _, c := range f.Calls() {
			t.Logf("call %s %s → %d %s", c.Method, c.Path, c.Status, c.Answer)
		}
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

// walk calls fn for every button and select in cs.
func walk(cs []discordgo.MessageComponent, fn func(discordgo.MessageComponent)) {
	for _, c := range cs {
		switch c := c.(type) {
		case discordgo.ActionsRow:
			walk(c.Components, fn)
		case *discordgo.ActionsRow:
			walk(c.Components, fn)
		default:
			fn(c)
		}
	}
}

// choice is a select option a person can pick: the menu's custom_id and
// the option's value.
type choice struct{ menu, value string }

// optionByLabel finds the select option labelled label in m.
func optionByLabel(m discordfake.Msg, label string) (choice, bool) {
	var out choice
	found := false
	walk(m.Components, func(c discordgo.MessageComponent) {
		if s, ok := asSelect(c); ok && !found {
			for _, o := range s.Options {
				if o.Label == label {
					out, found = choice{s.CustomID, o.Value}, true
				}
			}
		}
	})
	return out, found
}

func asSelect(c discordgo.MessageComponent) (discordgo.SelectMenu, bool) {
	switch s := c.(type) {
	case discordgo.SelectMenu:
		return s, true
	case *discordgo.SelectMenu:
		return *s, true
	}
	return discordgo.SelectMenu{}, false
}

func asButton(c discordgo.MessageComponent) (discordgo.Button, bool) {
	switch b := c.(type) {
	case discordgo.Button:
		return b, true
	case *discordgo.Button:
		return *b, true
	}
	return discordgo.Button{}, false
}

// options returns the labels of what a person can click in m: buttons
// with a custom_id and select options, in reading order.
func options(m discordfake.Msg) []string {
	var out []string
	walk(m.Components, func(c discordgo.MessageComponent) {
		if b, ok := asButton(c); ok && b.CustomID != "" && !b.Disabled {
			out = append(out, b.Label)
		}
		if s, ok := asSelect(c); ok {
			for _, o := range s.Options {
				out = append(out, o.Label)
			}
		}
	})
	return out
}

// plainText returns what a person reads in m: its content, its embeds'
// text and its attachments' names.
func plainText(m discordfake.Msg) string {
	parts := []string{m.Content}
	for _, e := range m.Embeds {
		if e == nil {
			continue
		}
		parts = append(parts, e.Title, e.Description)
		for _, f := range e.Fields {
			parts = append(parts, f.Name, f.Value)
		}
		if e.Footer != nil {
			parts = append(parts, e.Footer.Text)
		}
	}
	for _, f := range m.Attachments {
		parts = append(parts, f.Filename) // Discord shows an attachment under its name
	}
	return strings.Join(parts, "\n")
}

// lastUserText returns the last user message of a model request.
func lastUserText(r bot.ModelRequest) string {
	for i := len(r.Messages) - 1; i >= 0; i-- {
		if r.Messages[i].Role == bot.RoleUser {
			return r.Messages[i].Content
		}
	}
	return ""
}

// recorder is an Inbox that records the texts of the messages it is given.
type recorder struct {
	mu    sync.Mutex
	texts []string
	more  chan struct{}
}

func newRecorder() *recorder { return &recorder{more: make(chan struct{}, 1<<16)} }

func (r *recorder) Message(_ context.Context, m bot.Message) error {
	r.mu.Lock()
	r.texts = append(r.texts, m.Text)
	r.mu.Unlock()
	r.more <- struct{}{}
	return nil
}
func (r *recorder) Action(context.Context, bot.Action) error      { return nil }
func (r *recorder) Edited(context.Context, bot.Message) error     { return nil }
func (r *recorder) Deleted(context.Context, bot.MessageRef) error { return nil }

// waitN waits until n messages arrived and returns their texts.
func (r *recorder) waitN(t testing.TB, n int) []string {
	t.Helper()
	timeout := time.NewTimer(flowTimeout)
	defer timeout.Stop()
	for {
		r.mu.Lock()
		got := append([]string(nil), r.texts...)
		r.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-r.more:
		case <-timeout.C:
			t.Fatalf("%d messages arrived, want %d: %q", len(got), n, got)
		}
	}
}

// cardOut is a card with two buttons, as the bot posts one.
func cardOut() bot.Outgoing {
	yes, no := render.Button("Yes", "y"), render.Button("No", "n")
	return bot.Outgoing{
		Content: render.Card{Title: "Approve?", Actions: render.Actions(yes, no)},
		IDs:     render.IDs{yes: "id-yes", no: "id-no"},
	}
}
