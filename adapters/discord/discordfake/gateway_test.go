package discordfake_test

import (
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/parleybot/parley/adapters/discord/discordfake"
)

const intents = discordgo.IntentGuilds | discordgo.IntentGuildMessages | discordgo.IntentDirectMessages | discordgo.IntentMessageContent

// TestGatewayReadyAndMessages: discordgo connects, identifies, gets
// READY and then the MESSAGE_CREATE and INTERACTION_CREATE the fake
// dispatches.
func TestGatewayReadyAndMessages(t *testing.T) {
	t.Parallel()
	f, dg := newFake(t, discordfake.Config{})
	ready := make(chan *discordgo.Ready, 1)
	msgs := make(chan *discordgo.MessageCreate, 10)
	clicks := make(chan *discordgo.InteractionCreate, 10)
	dg.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) { ready <- r })
	dg.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageCreate) { msgs <- m })
	dg.AddHandler(func(_ *discordgo.Session, i *discordgo.InteractionCreate) { clicks <- i })
	open(t, dg, intents)

	r := recv(t, ready, "READY")
	if r.User.ID != f.Config().BotUser.ID || r.SessionID == "" || len(r.Guilds) != 1 {
		t.Fatalf("READY = %+v", r)
	}
	ids := f.Identifies()
	if len(ids) != 1 || ids[0].Intents != intents || ids[0].Shard != [2]int{0, 1} {
		t.Fatalf("identifies = %+v", ids)
	}

	ev := f.Mention(discordfake.Ana, discordfake.General, "hello")
	m := recv(t, msgs, "MESSAGE_CREATE")
	if m.ID != ev.ID || m.Author.ID != discordfake.Ana || m.GuildID != f.Config().GuildID ||
		len(m.Mentions) != 1 || m.Mentions[0].ID != f.Config().BotUser.ID {
		t.Fatalf("MESSAGE_CREATE = %+v", m.Message)
	}

	sent, err := dg.ChannelMessageSendComplex(discordfake.General, &discordgo.MessageSend{
		Content: "Deploy?",
		Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.Button{Label: "Yes", CustomID: "yes", Style: discordgo.PrimaryButton},
		}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if own := recv(t, msgs, "the bot's own MESSAGE_CREATE"); own.ID != sent.ID || !own.Author.Bot {
		t.Fatalf("own message = %+v", own.Message)
	}
	click, err := f.Click(discordfake.Ben, sent.ID, "yes")
	if err != nil {
		t.Fatal(err)
	}
	ic := recv(t, clicks, "INTERACTION_CREATE")
	if ic.ID != click.ID || ic.Token != click.Token || ic.MessageComponentData().CustomID != "yes" || ic.Member.User.ID != discordfake.Ben {
		t.Fatalf("INTERACTION_CREATE = %+v", ic.Interaction)
	}
	if err := dg.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}); err != nil {
		t.Fatal(err)
	}
	if f.Heartbeats() == 0 {
		waitFor(t, f, "a heartbeat", func() bool { return f.Heartbeats() > 0 })
	}
}
