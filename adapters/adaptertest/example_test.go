package adaptertest_test

import (
	"testing"

	"github.com/parleybot/parley/adapters/adaptertest"
	"github.com/parleybot/parley/bot"
)

// An adapter's test hands the suite a new adapter with its platform's side
// for each check, and says what that platform can express.
func ExampleRun() {
	var t *testing.T                                                       // the test function's
	var newPlatform func(t *testing.T) (bot.Adapter, adaptertest.Platform) // the adapter's fake platform
	adaptertest.Run(t, newPlatform, adaptertest.Features{Redelivery: true, RefusalVisible: true})
}
