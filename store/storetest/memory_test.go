package storetest_test

import (
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/store/storetest"
)

func TestMemoryStore(t *testing.T) {
	storetest.Exercise(t, func(*testing.T) bot.Store { return bot.NewMemoryStore() }, storetest.Features{
		Notifier: func(_ *testing.T, s bot.Store) bot.Notifier { return s.(*bot.MemoryStore) },
	})
}
