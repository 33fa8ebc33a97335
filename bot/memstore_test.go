package bot_test

import (
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/store/storetest"
)

func TestMemoryStore(t *testing.T) {
	t.Parallel()
	storetest.Exercise(t, func(*testing.T) bot.Store { return bot.NewMemoryStore() })
}
