package slackfake_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/parleybot/parley/adapters/slack/slackfake"
)

// newFake starts a fake with cfg and returns it with a slack-go client
// pointed at it, with the bot token.
func newFake(t *testing.T, cfg slackfake.Config) (*slackfake.Server, *slack.Client) {
	t.Helper()
	f := slackfake.New(cfg)
	t.Cleanup(f.Close)
	return f, slack.New(f.Config().BotToken, slack.OptionAPIURL(f.APIURL()))
}

// slackErr returns the Slack error code of err, or "" if it has none.
func slackErr(err error) string {
	var e slack.SlackErrorResponse
	if errors.As(err, &e) {
		return e.Err
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

// card is a message with a header, a section with a button beside it, and
// a row of a button and a select.
func card() []slack.Block {
	plain := func(s string) *slack.TextBlockObject {
		return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
	}
	return []slack.Block{
		slack.NewHeaderBlock(plain("Deploy web-42?")),
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "Ships *3 commits* to <https://example.com|production>.", false, false), nil,
			slack.NewAccessory(slack.NewButtonBlockElement("details", "d1", plain("Details")))),
		slack.NewActionBlock("",
			slack.NewButtonBlockElement("yes", "v-yes", plain("Deploy")).WithStyle(slack.StylePrimary),
			slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Later…"), "later",
				slack.NewOptionBlockObject("1h", plain("In an hour"), nil),
				slack.NewOptionBlockObject("1d", plain("Tomorrow"), nil)),
		),
	}
}

func TestAuthTest(t *testing.T) {
	t.Parallel()
	f, api := newFake(t, slackfake.Config{})
	res, err := api.AuthTestContext(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if res.UserID != "U0BOT" || res.BotID != "B0BOT" || res.TeamID != "T0FAKE" || res.Team != "Fake Team" {
		t.Errorf("auth.test = %+v; want the bot U0BOT/B0BOT of T0FAKE", res)
	}
	for _, tc := range []struct{ token, want string }{
		{"xoxb-wrong", "invalid_auth"},
		{"xapp-fake", "not_allowed_token_type"},
		{"", "not_authed"},
	} {
		_, err := slack.New(tc.token, slack.OptionAPIURL(f.APIURL())).AuthTestContext(t.Context())
		if got := slackErr(err); got != tc.want {
			t.Errorf("auth.test with %q: error %q; want %q", tc.token, got, tc.want)
		}
	}
	calls := f.Calls("auth.test")
	if len(calls) != 4 || calls[0].Token != "xoxb-fake" || !calls[0].OK() || calls[1].Error != "invalid_auth" {
		t.Errorf("recorded auth.test calls %+v; want 4, the first ok with xoxb-fake, the second invalid_auth", calls)
	}
}

func TestPostUpdateDelete(t *testing.T) {
	t.Parallel()
	f, api := newFake(t, slackfake.Config{})
	ctx := t.Context()
	ch, ts, msg, err := api.PostMessageWithResponseContext(ctx, "C1", slack.MsgOptionText("Deploy web-42?", false), slack.MsgOptionBlocks(card()...))
	if err != nil {
		t.Fatal(err)
	}
	if ch != "C1" || ts == "" || msg.BotID != "B0BOT" || msg.Timestamp != ts {
		t.Fatalf("chat.postMessage answered %q %q %+v; want C1, a ts, the bot's message", ch, ts, msg.Msg)
	}
	m, ok := f.Message("C1", ts)
	if !ok || !m.FromBot() {
		t.Fatalf("the fake shows %+v, %v; want the bot's message", m, ok)
	}
	if want := "Deploy web-42?\nShips *3 commits* to production."; m.PlainText() != want {
		t.Errorf("PlainText = %q; want %q", m.PlainText(), want)
	}
	if want := []string{"Details", "Deploy", "In an hour", "Tomorrow"}; !slices.Equal(m.Options(), want) {
		t.Errorf("Options = %q; want %q", m.Options(), want)
	}
	for _, c := range m.Controls() {
		if c.BlockID == "" || c.ActionID == "" {
			t.Errorf("control %q has block_id %q action_id %q; want both (Slack generates missing ones)", c.Label, c.BlockID, c.ActionID)
		}
	}

	// An update giving only text keeps the blocks; one giving no blocks clears them.
	if _, _, _, err := api.UpdateMessageContext(ctx, "C1", ts, slack.MsgOptionText("Deployed.", false)); err != nil {
		t.Fatal(err)
	}
	if m, _ := f.Message("C1", ts); m.Text != "Deployed." || len(m.Options()) != 4 || m.Edits != 1 {
		t.Errorf("after a text update: text %q, options %q, edits %d; want the text, the blocks kept, 1 edit", m.Text, m.Options(), m.Edits)
	}
	if _, _, _, err := api.UpdateMessageContext(ctx, "C1", ts, slack.MsgOptionText("Deployed.", false), slack.MsgOptionBlocks()); err != nil {
		t.Fatal(err)
	}
	if m, _ := f.Message("C1", ts); m.PlainText() != "Deployed." || len(m.Options()) != 0 {
		t.Errorf("after clearing the blocks: %q with options %q; want the text alone", m.PlainText(), m.Options())
	}

	if _, _, err := api.DeleteMessageContext(ctx, "C1", ts); err != nil {
		t.Fatal(err)
	}
	if got := f.Messages("C1", ""); len(got) != 0 {
		t.Errorf("after chat.delete the channel shows %d messages; want none", len(got))
	}
	if m, ok := f.Message("C1", ts); !ok || !m.Deleted {
		t.Errorf("Message of a deleted message = %+v, %v; want it, Deleted", m, ok)
	}
	_, _, _, err = api.UpdateMessageContext(ctx, "C1", ts, slack.MsgOptionText("again", false))
	if got := slackErr(err); got != "message_not_found" {
		t.Errorf("updating a deleted message: %q; want message_not_found", got)
	}
}

func TestPostErrors(t *testing.T) {
	t.Parallel()
	f, api := newFake(t, slackfake.Config{})
	ctx := t.Context()
	person, _ := f.Mention(slackfake.Ana, "C1", "hello", "")
	many := make([]slack.Block, 51)
	for i := range many {
		many[i] = slack.NewDividerBlock()
	}
	for _, tc := range []struct {
		name string
		call func() error
		want string
	}{
		{"no text", func() error { _, _, err := api.PostMessageContext(ctx, "C1"); return err }, "no_text"},
		{"no channel", func() error {
			_, _, err := api.PostMessageContext(ctx, "", slack.MsgOptionText("x", false))
			return err
		}, "channel_not_found"},
		{"51 blocks", func() error {
			_, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionBlocks(many...))
			return err
		}, "invalid_blocks"},
		{"text too long", func() error {
			_, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText(strings.Repeat("a", 40001), false))
			return err
		}, "msg_too_long"},
		{"update a person's message", func() error {
			_, _, _, err := api.UpdateMessageContext(ctx, "C1", person.TS, slack.MsgOptionText("x", false))
			return err
		}, "cant_update_message"},
		{"delete a person's message", func() error { _, _, err := api.DeleteMessageContext(ctx, "C1", person.TS); return err }, "cant_delete_message"},
		{"update nothing", func() error {
			_, _, _, err := api.UpdateMessageContext(ctx, "C1", "1.000001", slack.MsgOptionText("x", false))
			return err
		}, "message_not_found"},
	} {
		if got := slackErr(tc.call()); got != tc.want {
			t.Errorf("%s: error %q; want %q", tc.name, got, tc.want)
		}
	}
}

func TestRepliesPaginate(t *testing.T) {
	t.Parallel()
	f, api := newFake(t, slackfake.Config{})
	ctx := t.Context()
	root, _ := f.Mention(slackfake.Ana, "C1", "start", "")
	want := []string{root.TS}
	for i := range 5 {
		_, ts, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText(fmt.Sprint("reply ", i), false), slack.MsgOptionTS(root.TS))
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, ts)
	}
	f.ChannelMessage(slackfake.Ben, "C1", "elsewhere", "")
	var got []string
	cursor, pages := "", 0
	for {
		msgs, more, next, err := api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{ChannelID: "C1", Timestamp: want[2], Limit: 2, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, m := range msgs {
			got = append(got, m.Timestamp)
			if m.ThreadTimestamp != root.TS {
				t.Errorf("message %s has thread_ts %q; want %q", m.Timestamp, m.ThreadTimestamp, root.TS)
			}
		}
		if more != (next != "") {
			t.Errorf("has_more %v with next_cursor %q", more, next)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if !slices.Equal(got, want) || pages != 3 {
		t.Errorf("replies in %d pages: %q; want 3 pages of %q", pages, got, want)
	}
	var shown []string
	for _, m := range f.Messages("C1", root.TS) {
		shown = append(shown, m.TS)
	}
	if !slices.Equal(shown, want) {
		t.Errorf("Messages of the thread = %q; want %q", shown, want)
	}
	if top := f.Messages("C1", ""); len(top) != 2 {
		t.Errorf("the channel's top level shows %d messages; want the root and the other", len(top))
	}
	_, _, _, err := api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{ChannelID: "C1", Timestamp: "9.000000"})
	if got := slackErr(err); got != "thread_not_found" {
		t.Errorf("replies of nothing: %q; want thread_not_found", got)
	}
}

func TestEphemeral(t *testing.T) {
	t.Parallel()
	f, api := newFake(t, slackfake.Config{})
	ts, err := api.PostEphemeralContext(t.Context(), "C1", slackfake.Ana, slack.MsgOptionText("psst", false))
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Ephemerals(slackfake.Ana); len(got) != 1 || got[0].TS != ts || got[0].PlainText() != "psst" || !got[0].Ephemeral {
		t.Errorf("ana privately sees %+v; want psst at %s", got, ts)
	}
	if got := f.Ephemerals(slackfake.Ben); len(got) != 0 || len(f.Messages("C1", "")) != 0 {
		t.Errorf("ben sees %d private messages, the channel %d; want none", len(got), len(f.Messages("C1", "")))
	}
	_, err = api.PostEphemeralContext(t.Context(), "C1", "U0NOBODY", slack.MsgOptionText("psst", false))
	if got := slackErr(err); got != "user_not_in_channel" {
		t.Errorf("ephemeral to nobody: %q; want user_not_in_channel", got)
	}
}

func TestStreaming(t *testing.T) {
	t.Parallel()
	f, api := newFake(t, slackfake.Config{})
	ctx := t.Context()
	root, _ := f.Mention(slackfake.Ana, "C1", "write", "")
	to := slack.MsgOptionCompose(slack.MsgOptionRecipientUserID(slackfake.Ana), slack.MsgOptionRecipientTeamID("T0FAKE"))
	_, ts, err := api.StartStreamContext(ctx, "C1", slack.MsgOptionTS(root.TS), to, slack.MsgOptionMarkdownText("Hello"))
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := f.Message("C1", ts); !m.Streaming || m.ThreadTS != root.TS {
		t.Fatalf("after startStream the message is %+v; want streaming in the thread", m)
	}
	if _, _, err := api.AppendStreamContext(ctx, "C1", ts, slack.MsgOptionMarkdownText(" **world**")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := api.StopStreamContext(ctx, "C1", ts, slack.MsgOptionChunks(slack.NewMarkdownTextChunk("!"))); err != nil {
		t.Fatal(err)
	}
	m, _ := f.Message("C1", ts)
	if m.Streaming || !m.Streamed || m.Markdown != "Hello **world**!" || m.PlainText() != "Hello **world**!" {
		t.Errorf("after stopStream: streaming %v, markdown %q; want stopped, the text streamed", m.Streaming, m.Markdown)
	}

	for _, tc := range []struct {
		name string
		call func() error
		want string
	}{
		{"append after stop", func() error {
			_, _, err := api.AppendStreamContext(ctx, "C1", ts, slack.MsgOptionMarkdownText("x"))
			return err
		}, "message_not_in_streaming_state"},
		{"no recipient in a channel", func() error {
			_, _, err := api.StartStreamContext(ctx, "C1", slack.MsgOptionTS(root.TS))
			return err
		}, "invalid_arguments"},
		{"no recipient in a DM", func() error {
			_, _, err := api.StartStreamContext(ctx, f.DM(slackfake.Ana), slack.MsgOptionMarkdownText("hi"))
			return err
		}, ""},
		{"ended by Slack", func() error {
			_, ts, err := api.StartStreamContext(ctx, "C1", slack.MsgOptionTS(root.TS), to)
			if err != nil {
				return err
			}
			if !f.EndStream("C1", ts) {
				return errors.New("EndStream found no stream")
			}
			_, _, err = api.AppendStreamContext(ctx, "C1", ts, slack.MsgOptionMarkdownText("x"))
			return err
		}, "message_not_in_streaming_state"},
	} {
		if got := slackErr(tc.call()); got != tc.want {
			t.Errorf("%s: error %q; want %q", tc.name, got, tc.want)
		}
	}
	f.DisableStreaming()
	_, _, err = api.StartStreamContext(ctx, "C1", slack.MsgOptionTS(root.TS), to)
	if got := slackErr(err); got != "feature_not_enabled" {
		t.Errorf("startStream with streaming disabled: %q; want feature_not_enabled", got)
	}
}

func TestAssistantThreads(t *testing.T) {
	t.Parallel()
	f, api := newFake(t, slackfake.Config{})
	ctx := t.Context()
	started := f.AssistantThreadStarted(slackfake.Ana, "C1")
	ch, th := started.Channel, started.ThreadTS
	if err := api.SetAssistantThreadsSuggestedPromptsContext(ctx, slack.AssistantThreadsSetSuggestedPromptsParameters{
		ChannelID: ch, ThreadTS: th, Title: "Try:", Prompts: []slack.AssistantThreadsPrompt{{Title: "Summarise", Message: "Summarise the channel"}},
	}); err != nil {
		t.Fatal(err)
	}
	if p := f.SuggestedPrompts(ch, th); p.Title != "Try:" || len(p.Prompts) != 1 || p.Prompts[0].Message != "Summarise the channel" {
		t.Errorf("suggested prompts %+v; want the one set", p)
	}
	if err := api.SetAssistantThreadsTitleContext(ctx, slack.AssistantThreadsSetTitleParameters{ChannelID: ch, ThreadTS: th, Title: "Deploys"}); err != nil {
		t.Fatal(err)
	}
	if f.Title(ch, th) != "Deploys" {
		t.Errorf("title %q; want Deploys", f.Title(ch, th))
	}
	for _, st := range []string{"is thinking…", "", "is searching…"} {
		if err := api.SetAssistantThreadsStatusContext(ctx, slack.AssistantThreadsSetStatusParameters{ChannelID: ch, ThreadTS: th, Status: st}); err != nil {
			t.Fatal(err)
		}
	}
	if got := f.Statuses(ch, th); !slices.Equal(got, []string{"is thinking…", "is searching…"}) || f.Status(ch, th) != "is searching…" {
		t.Errorf("statuses %q, now %q; want both set, the last shown", got, f.Status(ch, th))
	}
	if _, _, err := api.PostMessageContext(ctx, ch, slack.MsgOptionText("Found it.", false), slack.MsgOptionTS(th)); err != nil {
		t.Fatal(err)
	}
	if f.Status(ch, th) != "" {
		t.Errorf("after the bot's reply the thread shows status %q; want none (Slack clears it)", f.Status(ch, th))
	}
	err := api.SetAssistantThreadsStatusContext(ctx, slack.AssistantThreadsSetStatusParameters{ChannelID: ch, Status: "x"})
	if got := slackErr(err); got != "invalid_arguments" {
		t.Errorf("setStatus without thread_ts: %q; want invalid_arguments", got)
	}
}

func TestUsers(t *testing.T) {
	t.Parallel()
	f, api := newFake(t, slackfake.Config{})
	ctx := t.Context()
	u, err := api.GetUserInfoContext(ctx, slackfake.Ana)
	if err != nil || u.Name != "ana" || u.Profile.Email != "ana@example.com" || u.IsBot {
		t.Errorf("users.info ana = %+v, %v; want ana, ana@example.com", u, err)
	}
	u, err = api.GetUserByEmailContext(ctx, "BEN@example.com")
	if err != nil || u.ID != slackfake.Ben {
		t.Errorf("users.lookupByEmail ben = %+v, %v; want U0BEN", u, err)
	}
	if u, err := api.GetUserInfoContext(ctx, "U0BOT"); err != nil || !u.IsBot {
		t.Errorf("users.info of the bot = %+v, %v; want a bot", u, err)
	}
	if us, err := api.GetUsersInfoContext(ctx, slackfake.Ana, slackfake.Ben); err != nil || len(*us) != 2 || (*us)[1].ID != slackfake.Ben {
		t.Errorf("users.info of ana and ben = %v, %v; want both", us, err)
	}
	_, err = api.GetUserInfoContext(ctx, "U0NOBODY")
	if got := slackErr(err); got != "user_not_found" {
		t.Errorf("users.info of nobody: %q; want user_not_found", got)
	}
	_, err = api.GetUserByEmailContext(ctx, "nobody@example.com")
	if got := slackErr(err); got != "users_not_found" {
		t.Errorf("users.lookupByEmail of nobody: %q; want users_not_found", got)
	}
	ch, _, _, err := api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{slackfake.Ana}})
	if err != nil || ch.ID != f.DM(slackfake.Ana) {
		t.Errorf("conversations.open with ana = %+v, %v; want %s", ch, err, f.DM(slackfake.Ana))
	}
	info, err := api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: f.DM(slackfake.Ana)})
	if err != nil || !info.IsIM || info.User != slackfake.Ana {
		t.Errorf("conversations.info of the DM = %+v, %v; want an IM with ana", info, err)
	}
}

func TestReactions(t *testing.T) {
	t.Parallel()
	f, api := newFake(t, slackfake.Config{})
	ctx := t.Context()
	ev := f.ChannelMessage(slackfake.Ana, "C1", "look", "")
	ref := slack.NewRefToMessage("C1", ev.TS)
	if err := api.AddReactionContext(ctx, "eyes", ref); err != nil {
		t.Fatal(err)
	}
	if m, _ := f.Message("C1", ev.TS); !slices.Equal(m.ReactionNames(), []string{"eyes"}) || m.Reactions[0].Users[0] != "U0BOT" {
		t.Errorf("reactions %+v; want eyes by the bot", m.Reactions)
	}
	if got := slackErr(api.AddReactionContext(ctx, "eyes", ref)); got != "already_reacted" {
		t.Errorf("reacting twice: %q; want already_reacted", got)
	}
	if err := api.RemoveReactionContext(ctx, "eyes", ref); err != nil {
		t.Fatal(err)
	}
	if got := slackErr(api.RemoveReactionContext(ctx, "eyes", ref)); got != "no_reaction" {
		t.Errorf("removing a reaction twice: %q; want no_reaction", got)
	}
	if got := slackErr(api.AddReactionContext(ctx, "eyes", slack.NewRefToMessage("C1", "1.000000"))); got != "message_not_found" {
		t.Errorf("reacting to nothing: %q; want message_not_found", got)
	}
}

func TestUploadFile(t *testing.T) {
	t.Parallel()
	f, api := newFake(t, slackfake.Config{})
	ctx := t.Context()
	root, _ := f.Mention(slackfake.Ana, "C1", "the notes?", "")
	data := []byte("line one\nline two\n")
	sum, err := api.UploadFileContext(ctx, slack.UploadFileParameters{
		Filename: "notes.txt", FileSize: len(data), Reader: bytes.NewReader(data), Title: "Meeting notes",
		Channel: "C1", ThreadTimestamp: root.TS, InitialComment: "Here they are.",
	})
	if err != nil {
		t.Fatal(err)
	}
	files := f.Files()
	if len(files) != 1 || files[0].ID != sum.ID || string(files[0].Data) != string(data) || files[0].Name != "notes.txt" || files[0].Title != "Meeting notes" {
		t.Fatalf("the fake holds %+v; want notes.txt with its data", files)
	}
	m, ok := f.Message("C1", files[0].TS)
	if !ok || !m.FromBot() || m.ThreadTS != root.TS {
		t.Fatalf("the file's message %+v, %v; want the bot's, in the thread", m, ok)
	}
	if want := "Here they are.\nMeeting notes\nnotes.txt"; m.PlainText() != want {
		t.Errorf("the file's message reads %q; want %q", m.PlainText(), want)
	}
	info, _, _, err := api.GetFileInfoContext(ctx, sum.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if shares := info.Shares.Public["C1"]; len(shares) != 1 || shares[0].Ts != m.TS || shares[0].ThreadTs != root.TS {
		t.Errorf("files.info shares %+v; want the message %s in the thread", info.Shares, m.TS)
	}
	var got bytes.Buffer
	if err := api.GetFileContext(ctx, info.URLPrivateDownload, &got); err != nil || got.String() != string(data) {
		t.Errorf("downloading url_private: %q, %v; want the data", got.String(), err)
	}
	if methods := methodsOf(f.Calls()); !slices.Equal(methods[len(methods)-4:], []string{"files.getUploadURLExternal", slackfake.MethodUpload, "files.completeUploadExternal", "files.info"}) {
		t.Errorf("calls %q; want the three steps of the upload, then files.info", methods)
	}
}

func methodsOf(calls []slackfake.Call) []string {
	var out []string
	for _, c := range calls {
		out = append(out, c.Method)
	}
	return out
}

func TestFaults(t *testing.T) {
	t.Parallel()
	f, api := newFake(t, slackfake.Config{})
	ctx := t.Context()
	f.RateLimit("chat.postMessage", 1500*time.Millisecond, 1)
	_, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("hi", false))
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != 2*time.Second {
		t.Fatalf("a rate-limited post failed with %v; want a *slack.RateLimitedError after 2s (rounded up)", err)
	}
	if _, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("hi", false)); err != nil {
		t.Errorf("the next post failed: %v; want it to pass", err)
	}
	f.Fail("users.info", "fatal_error", 2)
	for i, want := range []string{"fatal_error", "fatal_error", ""} {
		_, err := api.GetUserInfoContext(ctx, slackfake.Ana)
		if got := slackErr(err); got != want {
			t.Errorf("users.info #%d: %q; want %q", i, got, want)
		}
	}
	calls := f.Calls("chat.postMessage")
	if len(calls) != 2 || calls[0].Status != 429 || calls[0].OK() || !calls[1].OK() || calls[1].Params.Get("text") != "hi" {
		t.Errorf("recorded posts %+v; want a 429 then an ok post of hi", calls)
	}
	if len(f.Messages("C1", "")) != 1 {
		t.Errorf("the channel shows %d messages; want only the post that passed", len(f.Messages("C1", "")))
	}
	f.Fail(slackfake.MethodUpload, "boom", 1)
	_, err = api.UploadFileContext(ctx, slack.UploadFileParameters{Filename: "a.txt", FileSize: 1, Content: "a", Channel: "C1"})
	if err == nil {
		t.Error("an upload planned to fail passed")
	}
}

func TestUnknownMethod(t *testing.T) {
	t.Parallel()
	f, api := newFake(t, slackfake.Config{})
	_, err := api.GetTeamInfoContext(t.Context())
	if got := slackErr(err); got != "unknown_method" {
		t.Errorf("team.info: %q; want unknown_method", got)
	}
	if calls := f.Calls("team.info"); len(calls) != 1 {
		t.Errorf("recorded %d team.info calls; want 1", len(calls))
	}
}

func TestWaitFor(t *testing.T) {
	t.Parallel()
	f, api := newFake(t, slackfake.Config{})
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	go func() { _, _, _ = api.PostMessageContext(ctx, "C1", slack.MsgOptionText("later", false)) }()
	if err := f.WaitFor(ctx, func() bool { return len(f.Messages("C1", "")) == 1 }); err != nil {
		t.Fatal(err)
	}
	short, cancel2 := context.WithTimeout(t.Context(), 10*time.Millisecond)
	defer cancel2()
	if err := f.WaitFor(short, func() bool { return false }); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitFor of what never happens: %v; want the deadline", err)
	}
}
