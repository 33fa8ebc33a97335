package storetest_test

import (
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/store/storetest"
)

// A Store's own tests run the suite on fresh stores, one per subtest. A
// store shared by several processes also opens a second handle on the same
// data (Features.Replica), so the races run across them.
func ExampleExercise() {
	var t *testing.T // the test function's
	storetest.Exercise(t, func(t *testing.T) bot.Store {
		return bot.NewMemoryStore()
	}, storetest.Features{
		Notifier: func(t *testing.T, s bot.Store) bot.Notifier { return s.(*bot.MemoryStore) },
	})
}
