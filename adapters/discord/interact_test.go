package discord_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/parleybot/parley/adapters/discord"
	"github.com/parleybot/parley/adapters/discord/discordfake"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/render"
)

// startAdapter starts a on its own, with in as its Inbox.
func startAdapter(t *testing.T, a *discord.Adapter, in bot.Inbox) context.Context {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := a.Start(ctx, in); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// Two people ask with /ask in one channel before either is answered: each
// answer replaces its own command's "thinking…", in turn.
func TestTwoSlashCommandsInOneChannelAreAnsweredInTurn(t *testing.T) {
	t.Parallel()
	f := newFake(t, nil)
	a := newAdapter(t, f, nil)
	in := newRecorder()
	ctx := startAdapter(t, a, in)
	s1, err := f.SlashCommand(discordfake.Ana, discordfake.General, "ask", map[string]any{"prompt": "q ana"})
	if err != nil {
		t.Fatal(err)
	}
	in.waitN(t, 1)
	s2, err := f.SlashCommand(discordfake.Ben, discordfake.General, "ask", map[string]any{"prompt": "q ben"})
	if err != nil {
		t.Fatal(err)
	}
	in.waitN(t, 2)
	to := bot.Address{Platform: discord.Platform, Workspace: f.Config().GuildID, Channel: discordfake.General}
	for _, text := range []string{"answer to ana", "answer to ben"} {
		if _, err := a.Post(ctx, to, bot.Outgoing{Content: render.Text(text)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct{ id, want string }{{s1.ID, "answer to ana"}, {s2.ID, "answer to ben"}} {
		i := slices.IndexFunc(f.Messages(discordfake.General), func(m discordfake.Msg) bool { return m.InteractionID == c.id })
		if i < 0 {
			t.Fatalf("no answer to interaction %s", c.id)
		}
		if m := f.Messages(discordfake.General)[i]; m.Loading() || m.Content != c.want {
			t.Errorf("interaction %s's answer reads %q (still thinking: %v); want %q", c.id, m.Content, m.Loading(), c.want)
		}
	}
}

// A private notice to someone whose /ask is not answered yet goes by DM:
// the command's first follow-up would become its public answer.
func TestAPrivateNoticeBeforeASlashCommandsAnswerGoesByDM(t *testing.T) {
	t.Parallel()
	f := newFake(t, nil)
	a := newAdapter(t, f, nil)
	in := newRecorder()
	ctx := startAdapter(t, a, in)
	if _, err := f.SlashCommand(discordfake.Ana, discordfake.General, "ask", map[string]any{"prompt": "q"}); err != nil {
		t.Fatal(err)
	}
	in.waitN(t, 1)
	to := bot.Address{Platform: discord.Platform, Workspace: f.Config().GuildID, Channel: discordfake.General}
	if err := a.PostEphemeral(ctx, to, discordfake.Ana, bot.Outgoing{Content: render.Text("just for you")}); err != nil {
		t.Fatal(err)
	}
	if n := len(f.Calls(discordfake.RouteCreateFollowup)); n != 0 {
		t.Errorf("%d follow-ups of the unanswered command; want none", n)
	}
	dm := f.DM(discordfake.Ana)
	if !slices.ContainsFunc(f.Messages(dm), func(m discordfake.Msg) bool { return m.FromBot() && m.Content == "just for you" }) {
		t.Error("the notice is not in ana's DM")
	}
}

// slowWriter holds the answer to an interaction until hold is closed or a
// second passes: a network slower than loopback between the adapter and
// Discord.
type slowWriter struct {
	http.ResponseWriter
	hold <-chan struct{}
}

func (w slowWriter) wait() {
	select {
	case <-w.hold:
	case <-time.After(300 * time.Millisecond):
	}
}
func (w slowWriter) WriteHeader(code int)        { w.wait(); w.ResponseWriter.WriteHeader(code) }
func (w slowWriter) Write(b []byte) (int, error) { w.wait(); return w.ResponseWriter.Write(b) }

// clickInbox answers every click at once, from another goroutine, with a
// private notice, as the bot does to someone who may not decide.
type clickInbox struct {
	*recorder
	sent chan error
}

func (in clickInbox) Action(_ context.Context, act bot.Action) error {
	go func() {
		in.sent <- act.Reply.Ephemeral(context.Background(), bot.Outgoing{Content: render.Text("not yours to decide")})
	}()
	return nil
}

// Over the HTTP endpoint, a click's private notice waits until Discord has
// the deferred update: a follow-up sent before it would be refused.
func TestAnHTTPClicksNoticeWaitsForItsAcknowledgement(t *testing.T) {
	t.Parallel()
	f := newFake(t, func(c *discordfake.Config) { c.HTTPInteractions = true })
	a := newAdapter(t, f, nil)
	in := clickInbox{recorder: newRecorder(), sent: make(chan error, 1)}
	ctx := startAdapter(t, a, in)
	card, err := a.Post(ctx, bot.Address{Platform: discord.Platform, Workspace: f.Config().GuildID, Channel: discordfake.General}, cardOut())
	if err != nil {
		t.Fatal(err)
	}
	followed := make(chan struct{})
	go func() {
		_ = f.WaitFor(ctx, func() bool { return len(f.Calls(discordfake.RouteCreateFollowup)) > 0 })
		close(followed)
	}()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.ServeHTTP(slowWriter{w, followed}, r)
	}))
	t.Cleanup(srv.Close)
	m, _ := f.Message(card.ID)
	ev, err := f.Click(discordfake.Ben, card.ID, m.CustomIDs()[0])
	if err != nil {
		t.Fatal(err)
	}
	reply, err := f.PostInteraction(ctx, srv.URL, ev)
	if err != nil || reply.Status != http.StatusOK {
		t.Fatalf("posting the click: %v, %+v", err, reply)
	}
	if err := <-in.sent; err != nil {
		t.Errorf("the notice failed: %v", err)
	}
	if got := f.Ephemerals(discordfake.Ben); len(got) != 1 || !strings.Contains(got[0].Content, "not yours") {
		t.Errorf("ben's ephemeral notices: %+v; want the one", got)
	}
}

// Registering /ask at Start leaves the application's other commands in
// the guild as they were.
func TestRegisteringTheSlashCommandKeepsTheOthers(t *testing.T) {
	t.Parallel()
	f := newFake(t, nil)
	dg, err := f.Session()
	if err != nil {
		t.Fatal(err)
	}
	fc := f.Config()
	other := &discordgo.ApplicationCommand{Name: "weather", Description: "The weather", Type: discordgo.ChatApplicationCommand}
	if _, err := dg.ApplicationCommandBulkOverwrite(fc.ApplicationID, fc.GuildID, []*discordgo.ApplicationCommand{other}); err != nil {
		t.Fatal(err)
	}
	startAdapter(t, newAdapter(t, f, nil), newRecorder())
	var names []string
	for _, c := range f.Commands() {
		names = append(names, c.Name)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"ask", "weather"}) {
		t.Errorf("the guild's commands after Start: %q; want ask and weather", names)
	}
}
