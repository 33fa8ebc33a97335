package discord_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/adapters/discord/discordfake"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
)

// answered reports whether the bot's message text is in ch.
func answered(f *discordfake.Server, ch, text string) bool {
	return slices.ContainsFunc(f.Messages(ch), func(m discordfake.Msg) bool { return m.FromBot() && m.Content == text })
}

// The bot's answer meets a route's 429: it goes out once, no sooner than
// the retry_after the fake gave.
func TestFlowARouteRateLimitIsHonoured(t *testing.T) {
	t.Parallel()
	f := newFake(t, nil)
	a := newAdapter(t, f, nil)
	const wait = 300 * time.Millisecond
	f.RateLimit(discordfake.RouteCreateMessage, wait, 1)
	startBot(t, bot.Config{Model: bottest.NewModel(bottest.Reply("It is noon.")), Adapters: []bot.Adapter{a}})
	dm := f.DM(discordfake.Ana)
	f.DirectMessage(discordfake.Ana, "what time is it?")
	waitFor(t, f, "the answer", func() bool { return answered(f, dm, "It is noon.") })

	calls := f.Calls(discordfake.RouteCreateMessage)
	if len(calls) != 2 || calls[0].Status != 429 || !calls[1].OK() {
		t.Fatalf("POST messages answered %d calls; want a 429 then a success", len(calls))
	}
	if gap := calls[1].Time.Sub(calls[0].Time); gap < wait {
		t.Errorf("the refused post was sent again %v after the 429; retry_after was %v", gap, wait)
	}
	if n := len(slices.DeleteFunc(f.Messages(dm), func(m discordfake.Msg) bool { return !m.FromBot() })); n != 1 {
		t.Errorf("the bot posted %d messages; want its answer once", n)
	}
}

// A streamed answer past Discord's 2,000 characters goes on in new
// messages, as the fake holds them: each within the limit, no word,
// grapheme or code block cut, the text whole and in order.
func TestFlowAStreamedAnswerRollsOverPast2000Characters(t *testing.T) {
	t.Parallel()
	f := newFake(t, nil)
	a := newAdapter(t, f, nil)
	vocab := []string{"alpha", "bravo", "charlie", "delta", "echo", "👩‍👩‍👧‍👦", "foxtrot", "golf", "🏳️‍🌈"}
	code := "```go\n" + strings.Repeat("fmt.Println(\"one line of the block\")\n", 20) + "```"
	var b strings.Builder
	for i := range 900 {
		if i == 300 {
			b.WriteString("\n\n" + code + "\n\n")
		}
		b.WriteString(vocab[i%len(vocab)] + " ")
	}
	answer := strings.TrimSpace(b.String())
	startBot(t, bot.Config{Model: bottest.NewModel(bottest.Reply(answer)), Adapters: []bot.Adapter{a}})
	dm := f.DM(discordfake.Ana)
	f.DirectMessage(discordfake.Ana, "tell me a long story")
	var msgs []discordfake.Msg
	waitFor(t, f, "the whole answer", func() bool {
		msgs = slices.DeleteFunc(f.Messages(dm), func(m discordfake.Msg) bool { return !m.FromBot() })
		var all []string
		for _, m := range msgs {
			all = append(all, m.Content)
		}
		return strings.Join(strings.Fields(strings.Join(all, " ")), " ") == strings.Join(strings.Fields(answer), " ")
	})
	if len(msgs) < 3 {
		t.Fatalf("%d characters streamed into %d messages", len(answer), len(msgs))
	}
	words := map[string]bool{}
	for _, w := range strings.Fields(strings.ReplaceAll(answer, code, "")) {
		words[w] = true
	}
	blocks := 0
	for i, m := range msgs {
		if n := len([]rune(m.Content)); n > 2000 {
			t.Errorf("message %d holds %d characters", i, n)
		}
		text := m.Content
		if strings.Contains(text, code) {
			blocks++
			text = strings.ReplaceAll(text, code, "")
		}
		for _, w := range strings.Fields(text) {
			if !words[w] {
				t.Errorf("message %d holds %q, a word or grapheme cut, or a piece of the code block", i, w)
			}
		}
	}
	if blocks != 1 {
		t.Errorf("the code block shows whole in %d messages; want 1", blocks)
	}
}
