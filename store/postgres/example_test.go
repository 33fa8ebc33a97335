package postgres_test

import (
	"context"
	"log"
	"os"

	"github.com/parleybot/parley/store/postgres"
)

// A bot's replicas open the same database and schema. The Store is also
// the bot's Notifier: bot.Config{Store: s} takes both.
func ExampleOpen() {
	ctx := context.Background()
	s, err := postgres.Open(ctx, os.Getenv("DATABASE_URL"), postgres.Options{Schema: "support_bot"})
	if err != nil {
		log.Fatal(err) // says which server could not be reached, never the password
	}
	defer s.Close()
	// bot.New(bot.Config{Store: s, ...})
}
