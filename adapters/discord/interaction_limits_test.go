package discord_test

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/adapters/discord"
	"github.com/parleybot/parley/adapters/discord/discordfake"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/render"
)

// Interactions leave no rate-limit bucket behind: discordgo's limiter
// (whose helpers would keep one per interaction for ever) gains none,
// and the adapter's own buckets are gone once the interactions are
// answered.
func TestInteractionBucketsStayBounded(t *testing.T) {
	t.Parallel()
	f := newFake(t, nil)
	a := newAdapter(t, f, nil)
	in := newRecorder()
	start(t, a, in)
	buckets := func() int {
		return reflect.ValueOf(a.Session().Ratelimiter).Elem().FieldByName("buckets").Len()
	}
	before := buckets()
	const n = 200
	for i := range n {
		if _, err := f.SlashCommand(discordfake.Ana, discordfake.General, "ask", map[string]any{"prompt": "q" + string(rune('a'+i%26))}); err != nil {
			t.Fatal(err)
		}
	}
	in.waitN(t, n)
	if grew := buckets() - before; grew > 2 {
		t.Errorf("discordgo's rate limiter holds %d more buckets after %d interactions", grew, n)
	}
	if kept := discord.InteractionBuckets(a); kept != 0 {
		t.Errorf("the adapter keeps %d interaction buckets after every interaction was answered", kept)
	}
}

// blockingRT holds the first PATCH of an interaction's @original until
// release is closed, and reports every such PATCH on seen.
type blockingRT struct {
	next    http.RoundTripper
	once    sync.Once
	release chan struct{}
	seen    chan string
}

func (b *blockingRT) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPatch && strings.Contains(r.URL.Path, "/messages/@original") {
		b.seen <- r.URL.Path
		first := false
		b.once.Do(func() { first = true })
		if first {
			<-b.release
		}
	}
	return b.next.RoundTrip(r)
}

// The answers of two slash commands go out side by side: one held at
// Discord does not hold the other.
func TestInteractionEditsOfDifferentInteractionsRunTogether(t *testing.T) {
	t.Parallel()
	f := newFake(t, nil)
	rt := &blockingRT{next: http.DefaultTransport, release: make(chan struct{}), seen: make(chan string, 8)}
	a := newAdapter(t, f, func(c *discord.Config) { c.HTTPClient = &http.Client{Transport: rt} })
	in := newRecorder()
	start(t, a, in)
	defer close(rt.release)
	if _, err := f.SlashCommand(discordfake.Ana, discordfake.General, "ask", map[string]any{"prompt": "one"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.SlashCommand(discordfake.Ben, discordfake.Random, "ask", map[string]any{"prompt": "two"}); err != nil {
		t.Fatal(err)
	}
	in.waitN(t, 2)
	g := f.Config().GuildID
	for _, ch := range []string{discordfake.General, discordfake.Random} {
		go a.Post(t.Context(), bot.Address{Platform: discord.Platform, Workspace: g, Channel: ch}, bot.Outgoing{Content: render.Text("answer in " + ch)})
	}
	<-rt.seen // the first is held
	select {
	case <-rt.seen:
	case <-time.After(flowTimeout):
		t.Fatal("the answer of the second slash command waits for the first one's edit to end")
	}
}

// An answer held back by Discord's limit on its interaction gives up when
// its context ends, rather than sleeping out retry_after.
func TestInteractionEditHeldByItsLimitHonoursContext(t *testing.T) {
	t.Parallel()
	f := newFake(t, nil)
	a := newAdapter(t, f, nil)
	in := newRecorder()
	start(t, a, in)
	f.RateLimit(discordfake.RouteEditOriginal, time.Hour, 1)
	if _, err := f.SlashCommand(discordfake.Ana, discordfake.General, "ask", map[string]any{"prompt": "one"}); err != nil {
		t.Fatal(err)
	}
	in.waitN(t, 1)
	pctx, pcancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := a.Post(pctx, bot.Address{Platform: discord.Platform, Workspace: f.Config().GuildID, Channel: discordfake.General}, bot.Outgoing{Content: render.Text("answer")})
		done <- err
	}()
	waitFor(t, f, "the answer's edit refused", func() bool { return len(f.Calls(discordfake.RouteEditOriginal)) > 0 })
	pcancel()
	select {
	case err := <-done:
		if err == nil {
			t.Error("Post cancelled while held back reported success")
		}
	case <-time.After(flowTimeout):
		t.Fatal("Post cancelled while its interaction is held back sleeps out retry_after")
	}
}
