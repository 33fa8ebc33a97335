package slackfake_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/parleybot/parley/adapters/slack/slackfake"
)

// An app under test hears a mention and answers in its thread; the fake
// shows the thread as a person reads it.
func Example() {
	f := slackfake.New(slackfake.Config{})
	defer f.Close()
	api := slack.New(f.Config().BotToken, slack.OptionAPIURL(f.APIURL()))

	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		sv, err := slack.NewSecretsVerifier(r.Header, f.Config().SigningSecret)
		if err == nil {
			_, _ = sv.Write(body)
			err = sv.Ensure()
		}
		if err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		ev, _ := slackevents.ParseEvent(body, slackevents.OptionNoVerifyToken())
		m := ev.InnerEvent.Data.(*slackevents.AppMentionEvent)
		plain := func(s string) *slack.TextBlockObject {
			return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
		}
		_, _, _ = api.PostMessageContext(r.Context(), m.Channel, slack.MsgOptionTS(m.TimeStamp),
			slack.MsgOptionText("Deploy web-42?", false),
			slack.MsgOptionBlocks(
				slack.NewSectionBlock(plain("Deploy web-42?"), nil, nil),
				slack.NewActionBlock("", slack.NewButtonBlockElement("go", "go", plain("Deploy")), slack.NewButtonBlockElement("no", "no", plain("Cancel"))),
			))
	})

	mention, _ := f.Mention(slackfake.Ana, "C1", "ship it", "")
	if _, err := f.Send(context.Background(), app, mention); err != nil {
		fmt.Println(err)
	}
	for _, m := range f.Messages("C1", mention.TS) {
		fmt.Printf("%s: %q %q\n", m.User, m.PlainText(), m.Options())
	}
	fmt.Println(len(f.Calls("chat.postMessage")), "post")
	// Output:
	// U0ANA: "@fakebot ship it" []
	// U0BOT: "Deploy web-42?" ["Deploy" "Cancel"]
	// 1 post
}

// A person clicks a button; the app answers through the response_url,
// replacing the message.
func ExampleServer_Click() {
	f := slackfake.New(slackfake.Config{})
	defer f.Close()
	api := slack.New(f.Config().BotToken, slack.OptionAPIURL(f.APIURL()))
	plain := func(s string) *slack.TextBlockObject {
		return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
	}
	_, ts, _ := api.PostMessageContext(context.Background(), "C1", slack.MsgOptionText("Deploy?", false),
		slack.MsgOptionBlocks(slack.NewActionBlock("", slack.NewButtonBlockElement("deploy", "web-42", plain("Deploy")))))

	click, err := f.Click(slackfake.Ben, "C1", ts, "Deploy")
	if err != nil {
		fmt.Println(err)
		return
	}
	// What the app receives, as slack-go parses it.
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(click.Body))
	r.Header.Set("Content-Type", click.ContentType)
	cb, _ := slack.InteractionCallbackParse(r)
	a := cb.ActionCallback.BlockActions[0]
	fmt.Println(cb.User.ID, "clicked", a.ActionID, a.Value)

	_, _, _ = api.PostMessageContext(context.Background(), "", slack.MsgOptionReplaceOriginal(cb.ResponseURL), slack.MsgOptionText("Deployed by ben.", false))
	m, _ := f.Message("C1", ts)
	fmt.Printf("%q %q\n", m.PlainText(), m.Options())
	// Output:
	// U0BEN clicked deploy web-42
	// "Deployed by ben." []
}

// Faults are planned per method.
func ExampleServer_RateLimit() {
	f := slackfake.New(slackfake.Config{})
	defer f.Close()
	api := slack.New(f.Config().BotToken, slack.OptionAPIURL(f.APIURL()))

	f.RateLimit("chat.postMessage", time.Second, 1)
	_, _, err := api.PostMessageContext(context.Background(), "C1", slack.MsgOptionText("hi", false))
	var rl *slack.RateLimitedError
	fmt.Println(errors.As(err, &rl), rl.RetryAfter)

	f.Fail("chat.postMessage", "channel_not_found", 1)
	_, _, err = api.PostMessageContext(context.Background(), "C1", slack.MsgOptionText("hi", false))
	fmt.Println(err)

	_, _, err = api.PostMessageContext(context.Background(), "C1", slack.MsgOptionText("hi", false))
	fmt.Println(err, len(f.Messages("C1", "")))
	// Output:
	// true 1s
	// channel_not_found
	// <nil> 1
}
