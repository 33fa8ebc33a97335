package adaptertest

import (
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
)

// TestWatchedKeepsEveryCapability guards the wrapper the suite hands the
// bot: an adapter with every capability keeps them all through it. A
// capability added to package bot and not forwarded here would silently
// go unchecked.
func TestWatchedKeepsEveryCapability(t *testing.T) {
	t.Parallel()
	a := bottest.NewAdapter()
	a.SetCapabilities(bot.AllCapabilities)
	if got := watch(a).Capabilities(bottest.DefaultThread); got != bot.AllCapabilities {
		t.Errorf("through the wrapper: %v; want %v", got, bot.AllCapabilities)
	}
	a.SetCapabilities(bot.AllCapabilities.Without(bot.CapFiles))
	if got := watch(a).Capabilities(bottest.DefaultThread); got.Has(bot.CapFiles) {
		t.Errorf("through the wrapper: %v; the adapter reports no files", got)
	}
}
