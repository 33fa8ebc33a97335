package slackfake_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/parleybot/parley/adapters/slack/slackfake"
)

// parse parses an Events API body as an app does, checking its
// verification token.
func parse(t *testing.T, f *slackfake.Server, body []byte) slackevents.EventsAPIEvent {
	t.Helper()
	ev, err := slackevents.ParseEvent(body, slackevents.OptionVerifyToken(&slackevents.TokenComparator{VerificationToken: f.Config().VerificationToken}))
	if err != nil {
		t.Fatalf("ParseEvent(%s): %v", body, err)
	}
	return ev
}

func TestEventsParse(t *testing.T) {
	t.Parallel()
	f, api := newFake(t, slackfake.Config{})
	root := f.ChannelMessage(slackfake.Ana, "C1", "root", "")
	mention, message := f.Mention(slackfake.Ana, "C1", "deploy please", root.TS)
	if mention.ID == message.ID || !strings.HasPrefix(mention.ID, "Ev") || mention.TS != message.TS {
		t.Errorf("a mention's two events have ids %q %q and ts %q %q; want two Ev… ids, one message", mention.ID, message.ID, mention.TS, message.TS)
	}
	m := parse(t, f, mention.Body).InnerEvent.Data.(*slackevents.AppMentionEvent)
	if m.User != slackfake.Ana || m.Text != "<@U0BOT> deploy please" || m.Channel != "C1" || m.ThreadTimeStamp != root.TS || m.TimeStamp != mention.TS {
		t.Errorf("app_mention = %+v; want ana's mention in the thread", m)
	}
	cb := parse(t, f, mention.Body).Data.(*slackevents.EventsAPICallbackEvent)
	if cb.EventID != mention.ID || cb.TeamID != "T0FAKE" || cb.APIAppID != "A0FAKE" || len(cb.Authorizations) != 1 || cb.Authorizations[0].UserID != "U0BOT" || cb.EventTime == 0 {
		t.Errorf("envelope = %+v; want the event id, team, app and the bot's authorization", cb)
	}
	msg := parse(t, f, message.Body).InnerEvent.Data.(*slackevents.MessageEvent)
	if msg.ChannelType != "channel" || msg.Text != "<@U0BOT> deploy please" || msg.ThreadTimeStamp != root.TS || msg.SubType != "" {
		t.Errorf("message = %+v; want the same message as a channel message", msg)
	}
	if got := f.Messages("C1", root.TS); len(got) != 2 || got[1].PlainText() != "@fakebot deploy please" {
		t.Errorf("the thread shows %d messages, the reply reading %q; want 2, \"@fakebot deploy please\"", len(got), got[len(got)-1].PlainText())
	}

	dm := f.DirectMessage(slackfake.Ben, "hi there", "")
	d := parse(t, f, dm.Body).InnerEvent.Data.(*slackevents.MessageEvent)
	if !d.IsIM() || d.Channel != "D0BEN" || d.User != slackfake.Ben || d.Text != "hi there" || len(d.Blocks.BlockSet) != 1 {
		t.Errorf("message.im = %+v; want ben's DM with its rich_text block", d)
	}

	edit, err := f.Edit("C1", root.TS, "root, edited")
	if err != nil {
		t.Fatal(err)
	}
	e := parse(t, f, edit.Body).InnerEvent.Data.(*slackevents.MessageEvent)
	if e.SubType != "message_changed" || e.Message == nil || e.Message.Text != "root, edited" || e.Message.Edited == nil || e.PreviousMessage.Text != "root" {
		t.Errorf("message_changed = %+v; want the new text and the previous one", e)
	}
	del, err := f.Delete("C1", root.TS)
	if err != nil {
		t.Fatal(err)
	}
	x := parse(t, f, del.Body).InnerEvent.Data.(*slackevents.MessageEvent)
	if x.SubType != "message_deleted" || x.DeletedTimeStamp != root.TS || x.PreviousMessage == nil {
		t.Errorf("message_deleted = %+v; want the deleted ts", x)
	}
	if _, err := f.Edit("C1", root.TS, "again"); err == nil {
		t.Error("editing a deleted message succeeded")
	}

	started := f.AssistantThreadStarted(slackfake.Ana, "C1")
	a := parse(t, f, started.Body).InnerEvent.Data.(*slackevents.AssistantThreadStartedEvent)
	if a.AssistantThread.UserID != slackfake.Ana || a.AssistantThread.ChannelID != "D0ANA" || a.AssistantThread.ThreadTimeStamp != started.ThreadTS || a.AssistantThread.Context.ChannelID != "C1" {
		t.Errorf("assistant_thread_started = %+v; want ana's thread in D0ANA, looking at C1", a)
	}
	changed := f.AssistantContextChanged(slackfake.Ana, started.ThreadTS, "C2")
	c := parse(t, f, changed.Body).InnerEvent.Data.(*slackevents.AssistantThreadContextChangedEvent)
	if c.AssistantThread.Context.ChannelID != "C2" || c.AssistantThread.ThreadTimeStamp != started.ThreadTS {
		t.Errorf("assistant_thread_context_changed = %+v; want C2 in the same thread", c)
	}

	_, bts, err := api.PostMessageContext(t.Context(), "C1", slack.MsgOptionText("on it", false))
	if err != nil {
		t.Fatal(err)
	}
	echo, err := f.Echo("C1", bts)
	if err != nil {
		t.Fatal(err)
	}
	if b := parse(t, f, echo.Body).InnerEvent.Data.(*slackevents.MessageEvent); b.BotID != "B0BOT" || b.User != "U0BOT" || b.Text != "on it" {
		t.Errorf("the echo of the bot's post = %+v; want its message event, with its bot_id", b)
	}

	if got, ok := f.Event(mention.ID); !ok || !bytes.Equal(got.Body, mention.Body) {
		t.Errorf("Event(%q) = %v; want the mention", mention.ID, ok)
	}
	uv := parse(t, f, f.URLVerification("abc").Body)
	if uv.Type != slackevents.URLVerification || uv.Data.(*slackevents.EventsAPIURLVerificationEvent).Challenge != "abc" {
		t.Errorf("url_verification = %+v; want challenge abc", uv)
	}
}

func TestSign(t *testing.T) {
	t.Parallel()
	f, _ := newFake(t, slackfake.Config{})
	body := []byte(`{"type":"event_callback"}`)
	verify := func(h http.Header) error {
		v, err := slack.NewSecretsVerifier(h, "fake-signing-secret")
		if err != nil {
			return err
		}
		_, _ = v.Write(body)
		return v.Ensure()
	}
	if err := verify(f.Sign(body, time.Now())); err != nil {
		t.Errorf("slack-go refuses the fake's signature: %v", err)
	}
	if err := verify(f.Sign(body, time.Now().Add(-10*time.Minute))); err == nil {
		t.Error("slack-go accepts a signature ten minutes old")
	}
	h := f.Sign(body, time.Now())
	h.Set(slackfake.HeaderSignature, "v0=00")
	if err := verify(h); err == nil {
		t.Error("slack-go accepts a forged signature")
	}
	if got := f.Sign(body, time.Unix(1712345678, 0)).Get(slackfake.HeaderTimestamp); got != "1712345678" {
		t.Errorf("timestamp header %q; want 1712345678", got)
	}
}

// recorder is an app's HTTP endpoint that checks signatures as
// slack-go does and keeps what it received.
type recorder struct {
	mu      sync.Mutex
	reqs    []*http.Request
	bodies  [][]byte
	answer  func(w http.ResponseWriter, r *http.Request)
	refused int
}

func (a *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	v, err := slack.NewSecretsVerifier(r.Header, "fake-signing-secret")
	if err == nil {
		_, _ = v.Write(body)
		err = v.Ensure()
	}
	a.mu.Lock()
	a.reqs, a.bodies = append(a.reqs, r), append(a.bodies, body)
	if err != nil {
		a.refused++
	}
	a.mu.Unlock()
	if err != nil {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if a.answer != nil {
		a.answer(w, r)
	}
}

func TestSend(t *testing.T) {
	t.Parallel()
	f, _ := newFake(t, slackfake.Config{})
	// Another fake, impatient, for apps that never answer.
	impatient, _ := newFake(t, slackfake.Config{AckTimeout: 100 * time.Millisecond})
	ctx := t.Context()
	app := &recorder{}
	ev := f.DirectMessage(slackfake.Ana, "hello", "")
	if r, err := f.Send(ctx, app, ev); err != nil || r.Status != http.StatusOK {
		t.Fatalf("Send = %+v, %v; want 200", r, err)
	}
	if _, err := f.Send(ctx, app, ev, slackfake.Retry(1, "http_timeout")); err != nil {
		t.Fatal(err)
	}
	if h := app.reqs[1].Header; h.Get(slackfake.HeaderRetryNum) != "1" || h.Get(slackfake.HeaderRetryReason) != "http_timeout" || !bytes.Equal(app.bodies[0], app.bodies[1]) {
		t.Errorf("a retry came with headers %v; want retry 1 for http_timeout, the same body", h)
	}
	for _, tc := range []struct {
		name string
		opt  slackfake.SendOption
	}{
		{"forged", slackfake.Signature("v0=deadbeef")},
		{"unsigned", slackfake.Signature("")},
		{"stale", slackfake.SignedAt(time.Now().Add(-time.Hour))},
	} {
		_, err := f.Send(ctx, app, ev, tc.opt)
		var se *slackfake.StatusError
		if !errors.As(err, &se) || se.Status != http.StatusUnauthorized {
			t.Errorf("%s: Send = %v; want the app's 401 as a *StatusError", tc.name, err)
		}
	}
	if app.refused != 3 {
		t.Errorf("the app refused %d requests; want the 3 badly signed", app.refused)
	}

	slow := &recorder{answer: func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }}
	if _, err := impatient.Send(ctx, slow, impatient.DirectMessage(slackfake.Ana, "hello?", "")); !errors.Is(err, slackfake.ErrNoAnswer) {
		t.Errorf("Send to an app that never answers = %v; want ErrNoAnswer", err)
	}

	srv := httptest.NewServer(app)
	t.Cleanup(srv.Close)
	if r, err := f.SendURL(ctx, srv.URL+"/slack/events", ev); err != nil || r.Status != http.StatusOK {
		t.Errorf("SendURL = %+v, %v; want 200", r, err)
	}
	slowSrv := httptest.NewServer(slow)
	t.Cleanup(slowSrv.Close)
	if _, err := impatient.SendURL(ctx, slowSrv.URL, impatient.DirectMessage(slackfake.Ana, "hello?", "")); !errors.Is(err, slackfake.ErrNoAnswer) {
		t.Errorf("SendURL to an app that never answers = %v; want ErrNoAnswer", err)
	}
}

// post posts a card of buttons as the bot and returns its ts.
func post(t *testing.T, api *slack.Client, channel string, opts ...slack.MsgOption) string {
	t.Helper()
	_, ts, err := api.PostMessageContext(t.Context(), channel, append([]slack.MsgOption{slack.MsgOptionText("Deploy web-42?", false)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// interaction parses a click's HTTP body as an app does.
func interaction(t *testing.T, ev slackfake.Event) slack.InteractionCallback {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(ev.Body))
	r.Header.Set("Content-Type", ev.ContentType)
	cb, err := slack.InteractionCallbackParse(r)
	if err != nil {
		t.Fatalf("InteractionCallbackParse: %v", err)
	}
	return cb
}

func TestClick(t *testing.T) {
	t.Parallel()
	f, api := newFake(t, slackfake.Config{})
	ctx := t.Context()
	root := f.ChannelMessage(slackfake.Ana, "C1", "deploy?", "")
	ts := post(t, api, "C1", slack.MsgOptionBlocks(card()...), slack.MsgOptionTS(root.TS))

	ev, err := f.Click(slackfake.Ben, "C1", ts, "Deploy")
	if err != nil {
		t.Fatal(err)
	}
	cb := interaction(t, ev)
	if cb.Type != slack.InteractionTypeBlockActions || cb.User.ID != slackfake.Ben || cb.Channel.ID != "C1" || cb.Team.ID != "T0FAKE" || cb.TriggerID != ev.ID {
		t.Errorf("callback %+v; want ben's block_actions in C1", cb)
	}
	if cb.Container.MessageTs != ts || cb.Container.ThreadTs != root.TS || cb.Container.IsEphemeral || cb.Message.Timestamp != ts || cb.Message.Text != "Deploy web-42?" {
		t.Errorf("container %+v, message ts %q; want the clicked message in the thread", cb.Container, cb.Message.Timestamp)
	}
	if acts := cb.ActionCallback.BlockActions; len(acts) != 1 || acts[0].ActionID != "yes" || acts[0].Value != "v-yes" || acts[0].BlockID == "" || acts[0].Text.Text != "Deploy" {
		t.Errorf("actions %+v; want the Deploy button's", acts)
	}

	sel, err := f.Click(slackfake.Ben, "C1", ts, "Tomorrow")
	if err != nil {
		t.Fatal(err)
	}
	scb := interaction(t, sel)
	if acts := scb.ActionCallback.BlockActions; len(acts) != 1 || acts[0].Type != "static_select" || acts[0].ActionID != "later" || acts[0].SelectedOption.Value != "1d" {
		t.Errorf("select actions %+v; want Tomorrow (1d) chosen in later", acts)
	}
	if st := scb.BlockActionState; st == nil || st.Values[acts(scb).BlockID]["later"].SelectedOption.Value != "1d" {
		t.Errorf("select state %+v; want 1d", st)
	}

	if _, err := f.Click(slackfake.Ben, "C1", ts, "Nope"); err == nil || !strings.Contains(err.Error(), "Deploy") {
		t.Errorf("clicking what is not there: %v; want an error listing what is", err)
	}

	// The app answers through the response_url: privately, then in place.
	if _, _, err := api.PostMessageContext(ctx, "", slack.MsgOptionResponseURL(cb.ResponseURL, slack.ResponseTypeEphemeral), slack.MsgOptionText("Only you see this.", false)); err != nil {
		t.Fatal(err)
	}
	if got := f.Ephemerals(slackfake.Ben); len(got) != 1 || got[0].PlainText() != "Only you see this." || got[0].ThreadTS != root.TS {
		t.Errorf("ben privately sees %+v; want the answer in the thread", got)
	}
	if _, _, err := api.PostMessageContext(ctx, "", slack.MsgOptionReplaceOriginal(cb.ResponseURL), slack.MsgOptionText("Deployed by ben.", false)); err != nil {
		t.Fatal(err)
	}
	if m, _ := f.Message("C1", ts); m.PlainText() != "Deployed by ben." || len(m.Options()) != 0 {
		t.Errorf("after replace_original the card reads %q with options %q; want the answer alone", m.PlainText(), m.Options())
	}
	if calls := f.Calls(slackfake.MethodResponseURL); len(calls) != 2 || !calls[1].OK() || calls[1].Params.Get("replace_original") != "true" {
		t.Errorf("response_url calls %+v; want 2, the second replacing", calls)
	}

	// An ephemeral card: only its person can click it; the click has no message.
	ets, err := api.PostEphemeralContext(ctx, "C1", slackfake.Ana, slack.MsgOptionText("Sure?", false), slack.MsgOptionBlocks(card()...))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Click(slackfake.Ben, "C1", ets, "Deploy"); err == nil {
		t.Error("ben clicked in ana's ephemeral message")
	}
	eev, err := f.Click(slackfake.Ana, "C1", ets, "Details")
	if err != nil {
		t.Fatal(err)
	}
	if ecb := interaction(t, eev); !ecb.Container.IsEphemeral || ecb.Message.Timestamp != "" || ecb.ActionCallback.BlockActions[0].ActionID != "details" {
		t.Errorf("ephemeral click %+v; want is_ephemeral, no message, the details button", ecb.Container)
	}

	// Blocks in an attachment (a card with an accent colour).
	ats := post(t, api, "C1", slack.MsgOptionAttachments(slack.Attachment{Color: "#2eb67d", Blocks: slack.Blocks{BlockSet: card()}}))
	aev, err := f.Click(slackfake.Ana, "C1", ats, "Deploy")
	if err != nil {
		t.Fatal(err)
	}
	if acb := interaction(t, aev); acb.Container.AttachmentID.String() != "1" || acts(acb).ActionID != "yes" {
		t.Errorf("attachment click container %+v; want attachment 1", acb.Container)
	}
}

func acts(cb slack.InteractionCallback) *slack.BlockAction {
	if len(cb.ActionCallback.BlockActions) == 0 {
		return &slack.BlockAction{}
	}
	return cb.ActionCallback.BlockActions[0]
}

func TestSlashCommand(t *testing.T) {
	t.Parallel()
	f, api := newFake(t, slackfake.Config{})
	ctx := t.Context()
	ev := f.SlashCommand(slackfake.Ana, "C1", "/deploy", "web-42")
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(ev.Body))
	r.Header.Set("Content-Type", ev.ContentType)
	cmd, err := slack.SlashCommandParse(r)
	if err != nil {
		t.Fatal(err)
	}
	if cmd.Command != "/deploy" || cmd.Text != "web-42" || cmd.UserID != slackfake.Ana || cmd.ChannelID != "C1" || cmd.TeamID != "T0FAKE" || cmd.TriggerID != ev.ID || cmd.ResponseURL == "" {
		t.Errorf("slash command %+v; want ana's /deploy web-42", cmd)
	}
	var sock slack.SlashCommand
	if err := json.Unmarshal(ev.Payload, &sock); err != nil || sock != cmd {
		t.Errorf("the Socket Mode payload decodes to %+v, %v; want the same command", sock, err)
	}

	for _, tc := range []struct {
		name, ct, body string
		check          func() bool
	}{
		{"plain text is private", "text/plain", "Working on it.", func() bool {
			got := f.Ephemerals(slackfake.Ana)
			return len(got) == 1 && got[0].PlainText() == "Working on it."
		}},
		{"in_channel JSON is public", "application/json", `{"response_type":"in_channel","text":"Deploying web-42."}`, func() bool {
			got := f.Messages("C1", "")
			return len(got) == 1 && got[0].PlainText() == "Deploying web-42." && got[0].FromBot()
		}},
	} {
		app := &recorder{answer: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", tc.ct)
			_, _ = io.WriteString(w, tc.body)
		}}
		if _, err := f.Send(ctx, app, ev); err != nil {
			t.Fatal(err)
		}
		if !tc.check() {
			t.Errorf("%s: after the answer %q ana sees %+v privately, the channel %+v", tc.name, tc.body, f.Ephemerals(slackfake.Ana), f.Messages("C1", ""))
		}
	}
	if _, _, err := api.PostMessageContext(ctx, "", slack.MsgOptionResponseURL(cmd.ResponseURL, slack.ResponseTypeInChannel), slack.MsgOptionText("Done.", false)); err != nil {
		t.Fatal(err)
	}
	if got := f.Messages("C1", ""); len(got) != 2 || got[1].PlainText() != "Done." {
		t.Errorf("after the response_url post the channel shows %+v; want Done. last", got)
	}
}
