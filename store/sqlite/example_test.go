package sqlite_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/store/sqlite"
)

// A bot keeps its state in one file: give the Store to bot.Config.Store.
// Here the Store is used directly, as the bot uses it: a choice is put to
// people, and the first click decides it.
func ExampleOpen() {
	dir, err := os.MkdirTemp("", "parley")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(dir, "parley.db"), sqlite.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	choice := bot.ChoiceRecord{
		ID:      "ch-1",
		Created: time.Now(),
		Options: []bot.OptionRecord{
			{ID: "ch-1/yes", Label: "Deploy", Value: json.RawMessage(`true`)},
			{ID: "ch-1/no", Label: "Cancel", Value: json.RawMessage(`false`)},
		},
	}
	if err := s.PutChoice(ctx, choice); err != nil {
		log.Fatal(err)
	}
	for _, user := range []string{"ana", "bo"} {
		c, won, err := s.Resolve(ctx, "ch-1", bot.Outcome{State: bot.ChoiceDecided, Value: json.RawMessage(`true`), User: bot.User{ID: user}, At: time.Now()})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s's click wins: %v (decided by %s)\n", user, won, c.Outcome.User.ID)
	}
	// Output:
	// ana's click wins: true (decided by ana)
	// bo's click wins: false (decided by ana)
}

// Bots in several processes that open one file share its state, and the
// Store carries notes between them: at once within a process, and by
// polling the file across processes.
func ExampleStore_Subscribe() {
	dir, err := os.MkdirTemp("", "parley")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	path := filepath.Join(dir, "parley.db")
	a, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer a.Close()
	b, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer b.Close()

	got := make(chan string)
	if err := b.Subscribe(ctx, func(note string) { got <- note }); err != nil {
		log.Fatal(err)
	}
	if err := a.Publish(ctx, "choice:ch-1"); err != nil {
		log.Fatal(err)
	}
	fmt.Println(<-got)
	// Output: choice:ch-1
}
