package discordfake_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/parleybot/parley/adapters/discord/discordfake"
)

// A bot on discordgo hears a mention over the gateway and answers in the
// channel; the fake shows the channel as a person reads it.
func Example() {
	f := discordfake.New(discordfake.Config{})
	defer f.Close()
	dg, _ := f.Session() // its Client leads to the fake, the gateway too
	dg.Identify.Intents = discordgo.IntentGuildMessages | discordgo.IntentMessageContent
	dg.AddHandler(func(s *discordgo.Session, m *discordgo.MessageCreate) {
		if m.Author.Bot {
			return // the bot's own posts come back too, as on Discord
		}
		_, _ = s.ChannelMessageSendReply(m.ChannelID, "On it.", m.Reference())
	})
	if err := dg.Open(); err != nil {
		fmt.Println(err)
		return
	}
	defer dg.Close()

	f.Mention(discordfake.Ana, discordfake.General, "deploy web-42")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = f.WaitFor(ctx, func() bool { return len(f.Messages(discordfake.General)) == 2 })
	for _, m := range f.Messages(discordfake.General) {
		fmt.Printf("bot=%v %q\n", m.FromBot(), m.Content)
	}
	fmt.Println(len(f.Calls(discordfake.RouteCreateMessage)), "post")
	// Output:
	// bot=false "<@1200000000000000001> deploy web-42"
	// bot=true "On it."
	// 1 post
}

// A person clicks a button; the bot acknowledges with a deferred update
// and edits the card through the interaction.
func ExampleServer_Click() {
	f := discordfake.New(discordfake.Config{})
	defer f.Close()
	dg, _ := f.Session()
	m, _ := dg.ChannelMessageSendComplex(discordfake.General, &discordgo.MessageSend{
		Content: "Deploy web-42?",
		Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.Button{Label: "Deploy", CustomID: "deploy", Style: discordgo.PrimaryButton},
		}}},
	})

	click, _ := f.Click(discordfake.Ben, m.ID, "deploy")
	var ia discordgo.Interaction // what INTERACTION_CREATE carries
	_ = json.Unmarshal(click.Data, &ia)
	fmt.Println(ia.Member.User.Username, "clicked", ia.MessageComponentData().CustomID)

	_ = dg.InteractionRespond(&ia, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate})
	done := "Deployed by ben."
	_, _ = dg.InteractionResponseEdit(&ia, &discordgo.WebhookEdit{Content: &done, Components: &[]discordgo.MessageComponent{}})
	card, _ := f.Message(m.ID)
	fmt.Printf("%q %q\n", card.Content, card.Labels())

	err := dg.InteractionRespond(&ia, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate})
	var re *discordgo.RESTError
	if errors.As(err, &re) {
		fmt.Println(re.Message.Code, re.Message.Message)
	}
	// Output:
	// ben clicked deploy
	// "Deployed by ben." []
	// 40060 Interaction has already been acknowledged.
}

// Faults are planned per route; discordgo waits out a 429 by itself.
func ExampleServer_RateLimit() {
	f := discordfake.New(discordfake.Config{})
	defer f.Close()
	dg, _ := f.Session()

	f.RateLimit(discordfake.RouteCreateMessage, 50*time.Millisecond, 1)
	_, err := dg.ChannelMessageSend(discordfake.General, "hi")
	for _, c := range f.Calls(discordfake.RouteCreateMessage) {
		fmt.Println(c.Status)
	}
	fmt.Println(err)

	f.Fail(discordfake.RouteCreateMessage, http.StatusForbidden, 50013, 1)
	_, err = dg.ChannelMessageSend(discordfake.General, "hi")
	var re *discordgo.RESTError
	if errors.As(err, &re) {
		fmt.Println(re.Response.StatusCode, re.Message.Code, re.Message.Message)
	}
	// Output:
	// 429
	// 200
	// <nil>
	// 403 50013 Missing Permissions
}

// An application that takes interactions over HTTP checks Discord's
// signature; the fake signs with the application's key.
func ExampleServer_PostInteraction() {
	f := discordfake.New(discordfake.Config{HTTPInteractions: true})
	defer f.Close()
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !discordgo.VerifyInteraction(r, f.PublicKey()) {
			http.Error(w, "invalid request signature", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"type":1}`)) // PONG
	}))
	defer app.Close()

	ok, _ := f.PostInteraction(context.Background(), app.URL, f.Ping())
	forged, _ := f.PostInteraction(context.Background(), app.URL, f.Ping(), discordfake.Signature("00"))
	fmt.Println(ok.Status, ok.Applied, forged.Status)
	// Output:
	// 200 true 401
}
