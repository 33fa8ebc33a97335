package discordfake_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/parleybot/parley/adapters/discord/discordfake"
)

// clock is a fake's clock that a test moves.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// card posts a message with two buttons and a select, and returns it.
func card(t *testing.T, dg *discordgo.Session, channelID string) *discordgo.Message {
	t.Helper()
	m, err := dg.ChannelMessageSendComplex(channelID, &discordgo.MessageSend{
		Content: "Deploy web-42?",
		Components: []discordgo.MessageComponent{
			row(button("Approve", "approve"), button("Deny", "deny")),
			row(discordgo.SelectMenu{CustomID: "env", Options: []discordgo.SelectMenuOption{
				{Label: "Staging", Value: "staging"}, {Label: "Production", Value: "prod"},
			}}),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// interactionOf decodes an event's payload as discordgo does.
func interactionOf(t *testing.T, ev discordfake.Event) *discordgo.Interaction {
	t.Helper()
	var ia discordgo.Interaction
	if err := json.Unmarshal(ev.Data, &ia); err != nil {
		t.Fatal(err)
	}
	return &ia
}

// TestComponentInteraction: a click is answered once with a deferred
// update, the card is edited through @original, and an ephemeral
// follow-up reaches the clicker alone.
func TestComponentInteraction(t *testing.T) {
	t.Parallel()
	f, dg := newFake(t, discordfake.Config{})
	m := card(t, dg, discordfake.General)
	ev, err := f.Click(discordfake.Ben, m.ID, "approve")
	if err != nil {
		t.Fatal(err)
	}
	ia := interactionOf(t, ev)
	if ia.Type != discordgo.InteractionMessageComponent || ia.Message.ID != m.ID || ia.Member.User.ID != discordfake.Ben ||
		ia.MessageComponentData().CustomID != "approve" || ia.AppID != f.Config().ApplicationID || ia.GuildID != f.Config().GuildID {
		t.Fatalf("interaction = %+v", ia)
	}
	if _, err := f.Click(discordfake.Ben, m.ID, "nope"); err == nil {
		t.Fatal("a click on a missing button worked")
	}

	if err := dg.InteractionRespond(ia, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}); err != nil {
		t.Fatal(err)
	}
	err = dg.InteractionRespond(ia, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate})
	restError(t, err, 400, 40060)

	done := "Approved by @ben"
	if _, err := dg.InteractionResponseEdit(ia, &discordgo.WebhookEdit{Content: &done, Components: &[]discordgo.MessageComponent{}}); err != nil {
		t.Fatal(err)
	}
	got, _ := f.Message(m.ID)
	if got.Content != done || len(got.Components) != 0 || got.Edits != 1 {
		t.Fatalf("card after the edit = %+v", got)
	}

	if _, err := dg.FollowupMessageCreate(ia, true, &discordgo.WebhookParams{Content: "only you", Flags: discordgo.MessageFlagsEphemeral}); err != nil {
		t.Fatal(err)
	}
	if e := f.Ephemerals(discordfake.Ben); len(e) != 1 || e[0].Content != "only you" || e[0].InteractionID != ia.ID {
		t.Fatalf("ephemerals = %+v", e)
	}
	if n := len(f.Messages(discordfake.General)); n != 1 {
		t.Fatalf("the ephemeral shows in the channel: %d messages", n)
	}

	if _, err := f.Click(discordfake.Ben, m.ID, "approve"); err == nil {
		t.Fatal("a click on a button removed by the edit worked")
	}
	m = card(t, dg, discordfake.General)
	sel, err := f.Select(discordfake.Ana, m.ID, "env", "prod")
	if err != nil {
		t.Fatal(err)
	}
	if v := interactionOf(t, sel).MessageComponentData().Values; len(v) != 1 || v[0] != "prod" {
		t.Fatalf("values = %v", v)
	}
	if _, err := f.Select(discordfake.Ana, m.ID, "env", "moon"); err == nil {
		t.Fatal("a value not among the options was chosen")
	}
}

// TestInteractionDeadlines: the first response must come within 3
// seconds, follow-ups within the token's 15 minutes.
func TestInteractionDeadlines(t *testing.T) {
	t.Parallel()
	c := newClock()
	f, dg := newFake(t, discordfake.Config{Now: c.Now})
	m := card(t, dg, discordfake.General)

	late, _ := f.Click(discordfake.Ben, m.ID, "deny")
	c.Add(3*time.Second + time.Millisecond)
	err := dg.InteractionRespond(interactionOf(t, late), &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate})
	restError(t, err, 404, 10062)

	ontime, _ := f.Click(discordfake.Ben, m.ID, "deny")
	ia := interactionOf(t, ontime)
	_, err = dg.FollowupMessageCreate(ia, true, &discordgo.WebhookParams{Content: "too soon"})
	restError(t, err, 404, 10015)
	c.Add(2900 * time.Millisecond)
	if err := dg.InteractionRespond(ia, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}); err != nil {
		t.Fatal(err)
	}
	c.Add(14 * time.Minute)
	if _, err := dg.FollowupMessageCreate(ia, true, &discordgo.WebhookParams{Content: "still valid"}); err != nil {
		t.Fatal(err)
	}
	c.Add(time.Minute)
	_, err = dg.FollowupMessageCreate(ia, true, &discordgo.WebhookParams{Content: "expired"})
	restError(t, err, 401, 50027)
}

// TestSlashCommandDeferred: /ask arrives over the gateway with its
// options; a deferred response shows "thinking" until @original is
// edited.
func TestSlashCommandDeferred(t *testing.T) {
	t.Parallel()
	f, dg := newFake(t, discordfake.Config{})
	got := make(chan *discordgo.InteractionCreate, 1)
	dg.AddHandler(func(_ *discordgo.Session, i *discordgo.InteractionCreate) { got <- i })
	open(t, dg, intents)
	_, err := dg.ApplicationCommandBulkOverwrite(f.Config().ApplicationID, f.Config().GuildID, []*discordgo.ApplicationCommand{{
		Name: "ask", Description: "Ask the bot",
		Options: []*discordgo.ApplicationCommandOption{{Name: "question", Description: "q", Type: discordgo.ApplicationCommandOptionString}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.SlashCommand(discordfake.Ana, discordfake.General, "nope", nil); err == nil {
		t.Fatal("an unregistered command ran")
	}
	ev, err := f.SlashCommand(discordfake.Ana, discordfake.General, "ask", map[string]any{"question": "why?"})
	if err != nil {
		t.Fatal(err)
	}
	ic := recv(t, got, "INTERACTION_CREATE")
	data := ic.ApplicationCommandData()
	if ic.ID != ev.ID || data.Name != "ask" || data.Options[0].StringValue() != "why?" || ic.Member.User.ID != discordfake.Ana {
		t.Fatalf("interaction = %+v %+v", ic.Interaction, data)
	}
	if err := dg.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}); err != nil {
		t.Fatal(err)
	}
	ms := f.Messages(discordfake.General)
	if len(ms) != 1 || !ms[0].Loading() || ms[0].Type != discordgo.MessageTypeChatInputCommand {
		t.Fatalf("messages = %+v", ms)
	}
	answer := "Because."
	if _, err := dg.InteractionResponseEdit(ic.Interaction, &discordgo.WebhookEdit{Content: &answer}); err != nil {
		t.Fatal(err)
	}
	m, _ := f.Message(ms[0].ID)
	if m.Loading() || m.Content != answer || m.InteractionID != ev.ID {
		t.Fatalf("answer = %+v", m)
	}
}

// endpoint is an application's Interactions Endpoint URL: it verifies
// each request with discordgo.VerifyInteraction, answers PONG to a PING
// and a message to anything else.
func endpoint(t *testing.T, f *discordfake.Server) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !discordgo.VerifyInteraction(r, f.PublicKey()) {
			http.Error(w, "invalid request signature", http.StatusUnauthorized)
			return
		}
		body, _ := io.ReadAll(r.Body)
		var ia discordgo.Interaction
		if err := json.Unmarshal(body, &ia); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if ia.Type == discordgo.InteractionPing {
			_, _ = w.Write([]byte(`{"type":1}`))
			return
		}
		_, _ = w.Write([]byte(`{"type":4,"data":{"content":"got it","flags":64}}`))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestPostInteractionSigned: an interaction posted over HTTP verifies
// with discordgo.VerifyInteraction and the fake's public key; the
// answer is the response; forged and tampered requests are refused.
func TestPostInteractionSigned(t *testing.T) {
	t.Parallel()
	f, dg := newFake(t, discordfake.Config{HTTPInteractions: true})
	url := endpoint(t, f)
	ctx := context.Background()

	r, err := f.PostInteraction(ctx, url, f.Ping())
	if err != nil || r.Status != 200 || !r.Applied || string(r.Body) != `{"type":1}` {
		t.Fatalf("PING: %+v, %v", r, err)
	}

	m := card(t, dg, discordfake.General)
	click, _ := f.Click(discordfake.Ben, m.ID, "approve")
	for name, opt := range map[string]discordfake.SendOption{
		"forged":   discordfake.Signature("00" + f.PublicKeyHex()[2:] + f.PublicKeyHex()),
		"unsigned": discordfake.Signature(""),
		"tampered": discordfake.Body([]byte(`{"type":1}`)),
	} {
		r, err := f.PostInteraction(ctx, url, click, opt)
		if err != nil || r.Status != 401 || r.Applied {
			t.Errorf("%s: %+v, %v", name, r, err)
		}
	}
	r, err = f.PostInteraction(ctx, url, click)
	if err != nil || r.Status != 200 || !r.Applied {
		t.Fatalf("click: %+v, %v", r, err)
	}
	if e := f.Ephemerals(discordfake.Ben); len(e) != 1 || e[0].Content != "got it" {
		t.Fatalf("ephemerals = %+v", e)
	}
	// The response was the HTTP answer: a callback now is a second one.
	err = dg.InteractionRespond(interactionOf(t, click), &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate})
	restError(t, err, 400, 40060)
}
