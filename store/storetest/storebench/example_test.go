package storebench_test

import (
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/store/storetest/storebench"
)

// A Store's benchmark runs a body on Stores it opens, one per
// sub-benchmark, as store/sqlite and store/postgres do with their own.
func ExampleJournalAppend() {
	var b *testing.B // the benchmark function's
	storebench.JournalAppend(b, func(b *testing.B, lanes int) bot.Store {
		return bot.NewMemoryStore()
	})
}

// Decide100 seeds the choices through one Store and decides them through
// another on the same database; the memory Store is its own second.
func ExampleDecide100() {
	var b *testing.B // the benchmark function's
	storebench.Decide100(b, func(b *testing.B) (bot.Store, func() bot.Store) {
		s := bot.NewMemoryStore()
		return s, func() bot.Store { return s }
	})
}

// Turn runs a bot over a Store and its Notifier.
func ExampleTurn() {
	var b *testing.B // the benchmark function's
	s := bot.NewMemoryStore()
	storebench.Turn(b, s, s)
}
