package slackfake_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/parleybot/parley/adapters/slack/slackfake"
)

// runSocket runs slack-go's Socket Mode client against f until the test
// ends, and returns the requests it receives (the client's other events
// are drained).
func runSocket(t *testing.T, f *slackfake.Server) (*socketmode.Client, <-chan socketmode.Event) {
	t.Helper()
	cfg := f.Config()
	api := slack.New(cfg.BotToken, slack.OptionAPIURL(f.APIURL()), slack.OptionAppLevelToken(cfg.AppToken))
	smc := socketmode.New(api)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = smc.RunContext(ctx)
	}()
	reqs := make(chan socketmode.Event, 16)
	go func() {
		for {
			select {
			case ev := <-smc.Events:
				if ev.Request != nil && ev.Type != socketmode.EventTypeHello {
					reqs <- ev
				}
			case <-done:
				return
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return smc, reqs
}

func next(t *testing.T, reqs <-chan socketmode.Event) socketmode.Event {
	t.Helper()
	select {
	case ev := <-reqs:
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no Socket Mode request in 10s")
		return socketmode.Event{}
	}
}

func TestSocketMode(t *testing.T) {
	t.Parallel()
	f, _ := newFake(t, slackfake.Config{})
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()

	// Sent before any connection: queued until the app connects.
	mention, _ := f.Mention(slackfake.Ana, "C1", "hi", "")
	id := f.SendSocket(mention)
	smc, reqs := runSocket(t, f)
	got := next(t, reqs)
	if got.Type != socketmode.EventTypeEventsAPI || got.Request.EnvelopeID != id || got.Request.RetryAttempt != 0 {
		t.Fatalf("first request %s in envelope %s, retry_attempt %d; want events_api envelope %s", got.Type, got.Request.EnvelopeID, got.Request.RetryAttempt, id)
	}
	api := got.Data.(slackevents.EventsAPIEvent)
	if m, ok := api.InnerEvent.Data.(*slackevents.AppMentionEvent); !ok || m.Text != "<@U0BOT> hi" {
		t.Errorf("inner event %+v; want the mention", api.InnerEvent.Data)
	}
	if err := smc.Ack(*got.Request); err != nil {
		t.Fatal(err)
	}
	if ack, err := f.WaitAck(ctx, id); err != nil || ack.EnvelopeID != id {
		t.Fatalf("WaitAck = %+v, %v; want the ack of %s", ack, err, id)
	}

	// Not acked before a drop: sent again on the next connection.
	dm := f.DirectMessage(slackfake.Ben, "are you there?", "")
	id2 := f.SendSocket(dm)
	first := next(t, reqs)
	if first.Request.EnvelopeID != id2 {
		t.Fatalf("got envelope %s; want %s", first.Request.EnvelopeID, id2)
	}
	f.DropSockets()
	again := next(t, reqs)
	if again.Request.RetryAttempt != 1 || again.Request.RetryReason != "timeout" || again.Request.EnvelopeID == id2 {
		t.Errorf("redelivery in envelope %s, retry_attempt %d for %q; want a new envelope, retry_attempt 1 for timeout", again.Request.EnvelopeID, again.Request.RetryAttempt, again.Request.RetryReason)
	}
	cb := again.Data.(slackevents.EventsAPIEvent).Data.(*slackevents.EventsAPICallbackEvent)
	if cb.EventID != dm.ID {
		t.Errorf("the redelivered event is %s; want %s", cb.EventID, dm.ID)
	}
	if err := smc.Ack(*again.Request); err != nil {
		t.Fatal(err)
	}
	if ack, err := f.WaitAck(ctx, id2); err != nil || ack.EnvelopeID != again.Request.EnvelopeID {
		t.Fatalf("WaitAck = %+v, %v; want the ack of the redelivery", ack, err)
	}
	if open, opened := f.SocketConnections(); opened < 2 {
		t.Errorf("%d connections open, %d ever; want a reconnection", open, opened)
	}

	// Slack asks the app to reconnect.
	_, before := f.SocketConnections()
	f.Disconnect("refresh_requested")
	if err := f.WaitFor(ctx, func() bool { open, opened := f.SocketConnections(); return opened > before && open == 1 }); err != nil {
		t.Fatalf("the app did not reconnect after a disconnect: %v", err)
	}

	// A click and a slash command, whose ack carries an answer.
	ts := post(t, slack.New(f.Config().BotToken, slack.OptionAPIURL(f.APIURL())), "C1", slack.MsgOptionBlocks(card()...))
	click, err := f.Click(slackfake.Ana, "C1", ts, "Deploy")
	if err != nil {
		t.Fatal(err)
	}
	f.SendSocket(click)
	in := next(t, reqs)
	if cb, ok := in.Data.(slack.InteractionCallback); in.Type != socketmode.EventTypeInteractive || !ok || acts(cb).ActionID != "yes" {
		t.Errorf("interactive request %s %+v; want the Deploy click", in.Type, in.Data)
	}
	_ = smc.Ack(*in.Request)
	cmd := f.SlashCommand(slackfake.Ana, "C1", "/deploy", "web-42")
	id3 := f.SendSocket(cmd)
	sc := next(t, reqs)
	if c, ok := sc.Data.(slack.SlashCommand); sc.Type != socketmode.EventTypeSlashCommand || !ok || c.Text != "web-42" || !sc.Request.AcceptsResponsePayload {
		t.Errorf("slash command request %s %+v; want /deploy web-42, accepting a payload", sc.Type, sc.Data)
	}
	if err := smc.Ack(*sc.Request, map[string]any{"text": "On it."}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.WaitAck(ctx, id3); err != nil {
		t.Fatal(err)
	}
	if got := f.Ephemerals(slackfake.Ana); len(got) != 1 || got[0].PlainText() != "On it." {
		t.Errorf("after the ack ana privately sees %+v; want On it.", got)
	}
	if acks := f.Acks(); len(acks) != 4 {
		t.Errorf("%d acks recorded; want 4", len(acks))
	}
}

func TestSocketHandshake(t *testing.T) {
	t.Parallel()
	f, _ := newFake(t, slackfake.Config{})
	cfg := f.Config()
	_, url, err := slack.New(cfg.BotToken, slack.OptionAPIURL(f.APIURL()), slack.OptionAppLevelToken(cfg.AppToken)).StartSocketModeContext(t.Context())
	if err != nil || !strings.HasPrefix(url, "ws://") {
		t.Fatalf("apps.connections.open = %q, %v; want a ws:// URL", url, err)
	}
	ws, _, err := websocket.DefaultDialer.DialContext(t.Context(), url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	var hello socketmode.Request
	if err := ws.ReadJSON(&hello); err != nil || hello.Type != "hello" || hello.NumConnections != 1 || hello.ConnectionInfo.AppID != "A0FAKE" {
		t.Errorf("first message %+v, %v; want hello with one connection", hello, err)
	}
	if _, res, err := websocket.DefaultDialer.DialContext(t.Context(), url, nil); err == nil || res == nil || res.StatusCode != http.StatusUnauthorized {
		t.Errorf("dialing a used URL again: %v; want 401", err)
	}
	_, _, err = slack.New(cfg.BotToken, slack.OptionAPIURL(f.APIURL()), slack.OptionAppLevelToken(cfg.BotToken)).StartSocketModeContext(t.Context())
	if got := slackErr(err); got != "not_allowed_token_type" {
		t.Errorf("apps.connections.open with the bot token: %q; want not_allowed_token_type", got)
	}
	f.Close()
	if _, _, err := ws.NextReader(); err == nil || errors.Is(err, context.Canceled) {
		t.Errorf("reading after Close: %v; want the connection gone", err)
	}
}
