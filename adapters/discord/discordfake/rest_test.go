package discordfake_test

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/parleybot/parley/adapters/discord/discordfake"
)

// restError returns the Discord error of err, failing the test when err
// is not one.
func restError(t *testing.T, err error, status, code int) *discordgo.RESTError {
	t.Helper()
	var re *discordgo.RESTError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v, want a RESTError", err)
	}
	if re.Response.StatusCode != status || (re.Message != nil && re.Message.Code != code) || (re.Message == nil && code != 0) {
		t.Fatalf("err = %v, want %d with code %d", err, status, code)
	}
	return re
}

func button(label, id string) discordgo.Button {
	return discordgo.Button{Label: label, CustomID: id, Style: discordgo.PrimaryButton}
}

func row(cs ...discordgo.MessageComponent) discordgo.ActionsRow {
	return discordgo.ActionsRow{Components: cs}
}

// TestMessageRoundTrip: a message sent, edited and deleted through
// discordgo is what the fake shows, and every call is recorded.
func TestMessageRoundTrip(t *testing.T) {
	t.Parallel()
	f, dg := newFake(t, discordfake.Config{})
	m, err := dg.ChannelMessageSendComplex(discordfake.General, &discordgo.MessageSend{
		Content:    "Deploy web-42?",
		Embeds:     []*discordgo.MessageEmbed{{Title: "web-42", Description: "3 files"}},
		Components: []discordgo.MessageComponent{row(button("Deploy", "go"), button("Cancel", "no"))},
	})
	if err != nil {
		t.Fatal(err)
	}
	if m.ChannelID != discordfake.General || m.Author.ID != f.Config().BotUser.ID || m.Content != "Deploy web-42?" {
		t.Fatalf("answer = %+v", m)
	}
	got, ok := f.Message(m.ID)
	if !ok || !got.FromBot() || got.Embeds[0].Title != "web-42" || strings.Join(got.Labels(), ",") != "Deploy,Cancel" ||
		strings.Join(got.CustomIDs(), ",") != "go,no" {
		t.Fatalf("fake holds %+v", got)
	}

	empty := []discordgo.MessageComponent{}
	content := "Deployed."
	if _, err := dg.ChannelMessageEditComplex(&discordgo.MessageEdit{ID: m.ID, Channel: discordfake.General, Content: &content, Components: &empty}); err != nil {
		t.Fatal(err)
	}
	got, _ = f.Message(m.ID)
	if got.Content != "Deployed." || len(got.Components) != 0 || got.Edits != 1 || len(got.Embeds) != 1 {
		t.Fatalf("after the edit: %+v", got)
	}

	if err := dg.ChannelMessageDelete(discordfake.General, m.ID); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.Message(m.ID); ok || len(f.Messages(discordfake.General)) != 0 {
		t.Fatal("the message is still there after its delete")
	}
	calls := f.Calls(discordfake.RouteCreateMessage, discordfake.RouteEditMessage, discordfake.RouteDeleteMessage)
	if len(calls) != 3 || calls[0].Status != 200 || calls[2].Status != 204 || calls[0].Path != "/channels/"+discordfake.General+"/messages" {
		t.Fatalf("calls = %+v", calls)
	}
	var sent struct{ Content string }
	if err := calls[0].Decode(&sent); err != nil || sent.Content != "Deploy web-42?" || calls[0].Token != "Bot "+f.Config().Token {
		t.Fatalf("recorded %+v, %v", sent, err)
	}
}

// TestMessageLimits: what Discord refuses, the fake refuses with
// Discord's error.
func TestMessageLimits(t *testing.T) {
	t.Parallel()
	f, dg := newFake(t, discordfake.Config{})
	five := []discordgo.MessageComponent{button("1", "a"), button("2", "b"), button("3", "c"), button("4", "d"), button("5", "e")}
	for name, tc := range map[string]struct {
		send *discordgo.MessageSend
		code int
		path string
	}{
		"content over 2000": {&discordgo.MessageSend{Content: strings.Repeat("é", 2001)}, 50035, `"content"`},
		"empty":             {&discordgo.MessageSend{}, 50006, ""},
		"11 embeds":         {&discordgo.MessageSend{Embeds: make11()}, 50035, `"embeds"`},
		"embed title":       {&discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Title: strings.Repeat("x", 257)}}}, 50035, `"title"`},
		"embeds over 6000": {&discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{
			{Description: strings.Repeat("x", 4000)}, {Description: strings.Repeat("x", 2001)}}}, 50035, "MAX_EMBED_SIZE_EXCEEDED"},
		"six buttons in a row": {&discordgo.MessageSend{Components: []discordgo.MessageComponent{
			row(append(five, button("6", "f"))...)}}, 50035, "BASE_TYPE_BAD_LENGTH"},
		"six rows": {&discordgo.MessageSend{Components: []discordgo.MessageComponent{
			row(button("1", "a")), row(button("2", "b")), row(button("3", "c")), row(button("4", "d")), row(button("5", "e")), row(button("6", "f"))}}, 50035, `"components"`},
		"custom_id over 100": {&discordgo.MessageSend{Components: []discordgo.MessageComponent{
			row(button("x", strings.Repeat("i", 101)))}}, 50035, `"custom_id"`},
		"duplicate custom_id": {&discordgo.MessageSend{Components: []discordgo.MessageComponent{
			row(button("x", "same"), button("y", "same"))}}, 50035, "COMPONENT_CUSTOM_ID_DUPLICATED"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := dg.ChannelMessageSendComplex(discordfake.General, tc.send)
			re := restError(t, err, 400, tc.code)
			if !bytes.Contains(re.ResponseBody, []byte(tc.path)) {
				t.Fatalf("body %s does not name %s", re.ResponseBody, tc.path)
			}
		})
	}
	if n := len(f.Messages(discordfake.General)); n != 0 {
		t.Fatalf("%d refused messages were kept", n)
	}
	// 2000 characters exactly is fine.
	if _, err := dg.ChannelMessageSend(discordfake.General, strings.Repeat("é", 2000)); err != nil {
		t.Fatal(err)
	}
}

func make11() []*discordgo.MessageEmbed {
	var out []*discordgo.MessageEmbed
	for range 11 {
		out = append(out, &discordgo.MessageEmbed{Title: "t"})
	}
	return out
}

// TestUnknownAndUnauthorized: Discord's errors for what does not exist
// and for a wrong token.
func TestUnknownAndUnauthorized(t *testing.T) {
	t.Parallel()
	f, dg := newFake(t, discordfake.Config{})
	_, err := dg.ChannelMessageSend("404", "hi")
	restError(t, err, 404, 10003)
	_, err = dg.ChannelMessageEdit(discordfake.General, "1", "hi")
	restError(t, err, 404, 10008)
	_, err = dg.User("42")
	restError(t, err, 404, 10013)

	anon, _ := discordgo.New("Bot wrong")
	anon.Client = f.Client()
	_, err = anon.ChannelMessageSend(discordfake.General, "hi")
	restError(t, err, 401, 0)

	// A person's message is not the bot's to edit.
	ev := f.ChannelMessage(discordfake.Ana, discordfake.General, "mine")
	_, err = dg.ChannelMessageEdit(discordfake.General, ev.ID, "yours")
	restError(t, err, 403, 50005)
}

// TestHistoryPages: GET messages pages newest first with before, after
// and limit.
func TestHistoryPages(t *testing.T) {
	t.Parallel()
	f, dg := newFake(t, discordfake.Config{})
	var ids []string
	for _, text := range []string{"one", "two", "three", "four", "five"} {
		ids = append(ids, f.ChannelMessage(discordfake.Ana, discordfake.General, text).ID)
	}
	contents := func(ms []*discordgo.Message) string {
		var out []string
		for _, m := range ms {
			out = append(out, m.Content)
		}
		return strings.Join(out, ",")
	}
	for _, tc := range []struct {
		limit         int
		before, after string
		want          string
	}{
		{0, "", "", "five,four,three,two,one"},
		{2, "", "", "five,four"},
		{2, ids[2], "", "two,one"},
		{2, "", ids[1], "four,three"},
		{10, ids[0], "", ""},
	} {
		ms, err := dg.ChannelMessages(discordfake.General, tc.limit, tc.before, tc.after, "")
		if err != nil {
			t.Fatal(err)
		}
		if got := contents(ms); got != tc.want {
			t.Errorf("limit %d before %s after %s: %q, want %q", tc.limit, tc.before, tc.after, got, tc.want)
		}
	}
	_, err := dg.ChannelMessages(discordfake.General, 101, "", "", "")
	restError(t, err, 400, 50035)
}

// TestThreadsReactionsTypingDM: the other channel routes a bot uses.
func TestThreadsReactionsTypingDM(t *testing.T) {
	t.Parallel()
	f, dg := newFake(t, discordfake.Config{})
	mention := f.Mention(discordfake.Ana, discordfake.General, "help")
	th, err := dg.MessageThreadStartComplex(discordfake.General, mention.ID, &discordgo.ThreadStart{Name: "help", AutoArchiveDuration: 1440})
	if err != nil {
		t.Fatal(err)
	}
	if th.ID != mention.ID || th.ParentID != discordfake.General || th.Type != discordgo.ChannelTypeGuildPublicThread {
		t.Fatalf("thread = %+v", th)
	}
	_, err = dg.MessageThreadStartComplex(discordfake.General, mention.ID, &discordgo.ThreadStart{Name: "again"})
	restError(t, err, 400, 160004)
	other, err := dg.ThreadStartComplex(discordfake.General, &discordgo.ThreadStart{Name: "side", Type: discordgo.ChannelTypeGuildPublicThread})
	if err != nil {
		t.Fatal(err)
	}
	if ths := f.Threads(); len(ths) != 2 || ths[0].ID != th.ID || ths[1].ID != other.ID {
		t.Fatalf("threads = %+v", ths)
	}
	if _, err := dg.ChannelMessageSend(th.ID, "in the thread"); err != nil {
		t.Fatal(err)
	}
	if ms := f.Messages(th.ID); len(ms) != 1 || ms[0].GuildID != f.Config().GuildID {
		t.Fatalf("thread messages = %+v", ms)
	}

	if err := dg.MessageReactionAdd(discordfake.General, mention.ID, "👀"); err != nil {
		t.Fatal(err)
	}
	if err := dg.MessageReactionAdd(discordfake.General, mention.ID, ":eyes:"); err == nil {
		t.Fatal("a reaction by name was accepted")
	}
	if rs := f.Reactions(mention.ID); len(rs) != 1 || rs[0].Emoji != "👀" || rs[0].Users[0] != f.Config().BotUser.ID {
		t.Fatalf("reactions = %+v", rs)
	}
	if err := dg.MessageReactionRemove(discordfake.General, mention.ID, "👀", "@me"); err != nil {
		t.Fatal(err)
	}
	if rs := f.Reactions(mention.ID); len(rs) != 0 {
		t.Fatalf("reactions after the removal = %+v", rs)
	}

	for range 2 {
		if err := dg.ChannelTyping(th.ID); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.Typing(th.ID); n != 2 {
		t.Fatalf("typing = %d", n)
	}

	dm, err := dg.UserChannelCreate(discordfake.Ben)
	if err != nil {
		t.Fatal(err)
	}
	if dm.ID != f.DM(discordfake.Ben) || dm.Type != discordgo.ChannelTypeDM || dm.Recipients[0].ID != discordfake.Ben {
		t.Fatalf("DM = %+v", dm)
	}
	if _, err := dg.ChannelMessageSend(dm.ID, "psst"); err != nil {
		t.Fatal(err)
	}
	if ms := f.Messages(dm.ID); len(ms) != 1 || ms[0].GuildID != "" {
		t.Fatalf("DM messages = %+v", ms)
	}
}

// TestUsersMembersApplication: users, members, their search, and the
// application's flags.
func TestUsersMembersApplication(t *testing.T) {
	t.Parallel()
	f, dg := newFake(t, discordfake.Config{MessageContent: discordfake.GrantedLimited})
	me, err := dg.User("@me")
	if err != nil || me.ID != f.Config().BotUser.ID || !me.Bot {
		t.Fatalf("@me = %+v, %v", me, err)
	}
	ana, err := dg.User(discordfake.Ana)
	if err != nil || ana.Username != "ana" || ana.GlobalName != "Ana Alves" {
		t.Fatalf("ana = %+v, %v", ana, err)
	}
	mem, err := dg.GuildMember(f.Config().GuildID, discordfake.Ben)
	if err != nil || mem.User.Username != "ben" {
		t.Fatalf("member = %+v, %v", mem, err)
	}
	_, err = dg.GuildMember(f.Config().GuildID, "42")
	restError(t, err, 404, 10007)
	found, err := dg.GuildMembersSearch(f.Config().GuildID, "BEN", 10)
	if err != nil || len(found) != 1 || found[0].User.ID != discordfake.Ben {
		t.Fatalf("search = %+v, %v", found, err)
	}
	app, err := dg.Application("@me")
	if err != nil || app.ID != f.Config().ApplicationID || app.Flags&(1<<19) == 0 || app.Flags&(1<<18) != 0 {
		t.Fatalf("application = %+v, %v", app, err)
	}
}

// TestCommandsOverwrite: a bulk overwrite replaces the commands and
// keeps the id of one that stays.
func TestCommandsOverwrite(t *testing.T) {
	t.Parallel()
	f, dg := newFake(t, discordfake.Config{})
	app, guild := f.Config().ApplicationID, f.Config().GuildID
	ask := &discordgo.ApplicationCommand{Name: "ask", Description: "Ask the bot", Options: []*discordgo.ApplicationCommandOption{
		{Name: "question", Description: "What to ask", Type: discordgo.ApplicationCommandOptionString, Required: true},
	}}
	first, err := dg.ApplicationCommandBulkOverwrite(app, guild, []*discordgo.ApplicationCommand{ask})
	if err != nil || len(first) != 1 || first[0].ID == "" || first[0].GuildID != guild {
		t.Fatalf("overwrite = %+v, %v", first, err)
	}
	again, err := dg.ApplicationCommandBulkOverwrite(app, guild, []*discordgo.ApplicationCommand{ask, {Name: "ping", Description: "Ping"}})
	if err != nil || len(again) != 2 || again[0].ID != first[0].ID {
		t.Fatalf("second overwrite = %+v, %v", again, err)
	}
	if _, err := dg.ApplicationCommandBulkOverwrite(app, "", []*discordgo.ApplicationCommand{{Name: "Bad Name", Description: "x"}}); err == nil {
		t.Fatal("an invalid name was accepted")
	}
	if cmds := f.Commands(); len(cmds) != 2 || cmds[0].Name != "ask" {
		t.Fatalf("commands = %+v", cmds)
	}
}

// TestUpload: a multipart message with files keeps them as attachments
// the fake serves.
func TestUpload(t *testing.T) {
	t.Parallel()
	f, dg := newFake(t, discordfake.Config{})
	m, err := dg.ChannelMessageSendComplex(discordfake.General, &discordgo.MessageSend{
		Content: "the report",
		Files:   []*discordgo.File{{Name: "report.csv", ContentType: "text/csv", Reader: strings.NewReader("a,b\n1,2\n")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Attachments) != 1 || m.Attachments[0].Filename != "report.csv" {
		t.Fatalf("attachments = %+v", m.Attachments)
	}
	got, _ := f.Message(m.ID)
	if string(got.Attachments[0].Data) != "a,b\n1,2\n" || got.Content != "the report" {
		t.Fatalf("fake holds %+v", got)
	}
	resp, err := http.Get(m.Attachments[0].URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	if b.String() != "a,b\n1,2\n" {
		t.Fatalf("download = %q", b.String())
	}
	if c := f.Calls(discordfake.RouteCreateMessage)[0]; len(c.Files) != 1 || c.Files[0].Field != "files[0]" {
		t.Fatalf("call files = %+v", c.Files)
	}
}
