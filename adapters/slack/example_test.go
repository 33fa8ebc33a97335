package slack_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"

	"github.com/parleybot/parley/adapters/slack"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
)

// A bot on Slack over HTTP: the adapter is the handler of the app's
// Request URL, beside whatever else the server serves.
func Example() {
	a, err := slack.New(slack.Config{}) // SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET
	if err != nil {
		log.Fatal(err)
	}
	b, err := bot.New(bot.Config{
		Store:    bot.NewMemoryStore(),                                  // nothing kept; leave Store nil to keep state in parley.db
		Model:    bottest.NewModel(bottest.Reply("Hello from Parley.")), // model/openai in a real bot
		Adapters: []bot.Adapter{a},
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := b.Start(ctx); err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /slack", a)
	srv := &http.Server{Addr: ":3000", Handler: mux}
	go func() { <-ctx.Done(); _ = srv.Shutdown(context.Background()) }()
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		log.Fatal(err)
	}
	_ = b.Stop(context.Background())
}

// Missing credentials are named in New's error.
func ExampleNew() {
	_, err := slack.New(slack.Config{Env: func(string) string { return "" }})
	fmt.Println(err)
	// Output:
	// slack: Config.BotToken is empty and SLACK_BOT_TOKEN is not set
	// slack: Config.SigningSecret is empty and SLACK_SIGNING_SECRET is not set; it is needed to receive events over HTTP (or set SLACK_APP_TOKEN for Socket Mode)
}
