package discord_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/adapters/discord/discordfake"
	"github.com/parleybot/parley/bot"
)

// BenchmarkInteractionRoundTrip measures, over loopback, the time from the
// fake dispatching INTERACTION_CREATE to its receiving the deferred
// update: p50 and p99 over b.N interactions (run with -benchtime=10000x).
// The end is the time the fake recorded the callback at, so the wait for
// it adds nothing to the measure.
func BenchmarkInteractionRoundTrip(b *testing.B) {
	f := newFake(b, func(c *discordfake.Config) { c.HeartbeatInterval = time.Second })
	a := newAdapter(b, f, nil)
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	in := &clickCounter{recorder: newRecorder(), clicks: make(chan struct{}, 1)}
	if err := a.Start(ctx, in); err != nil {
		b.Fatal(err)
	}
	card, err := a.Post(ctx, bot.Address{Platform: "discord", Workspace: f.Config().GuildID, Channel: discordfake.General}, cardOut())
	if err != nil {
		b.Fatal(err)
	}
	m, _ := f.Message(card.ID)
	id := m.CustomIDs()[0]
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		sent := time.Now()
		ev, err := f.Click(discordfake.Ana, card.ID, id)
		if err != nil {
			b.Fatal(err)
		}
		<-in.clicks // the adapter hands the click to the Inbox after the acknowledgement
		at := ackedAt(f, ev.ID)
		if at.IsZero() {
			b.Fatalf("interaction %s reached the Inbox unacknowledged", ev.ID)
		}
		lat = append(lat, at.Sub(sent))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// clickCounter is a recorder that signals each click it is given.
type clickCounter struct {
	*recorder
	clicks chan struct{}
}

func (c *clickCounter) Action(context.Context, bot.Action) error {
	c.clicks <- struct{}{}
	return nil
}

// ackedAt returns when the fake received the callback of interaction id,
// or the zero time.
func ackedAt(f *discordfake.Server, id string) time.Time {
	calls := f.Calls(discordfake.RouteInteractionCallback)
	for i := len(calls) - 1; i >= 0 && i >= len(calls)-4; i-- {
		if strings.HasPrefix(calls[i].Path, "/interactions/"+id+"/") {
			return calls[i].Time
		}
	}
	return time.Time{}
}

// BenchmarkGatewayMessageToInbox measures how many MESSAGE_CREATE the
// adapter hands to the Inbox a second: the fake dispatches b.N direct
// messages and the benchmark ends when the last reached the Inbox.
func BenchmarkGatewayMessageToInbox(b *testing.B) {
	f := newFake(b, func(c *discordfake.Config) { c.HeartbeatInterval = time.Second })
	a := newAdapter(b, f, nil)
	in := newRecorder()
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	if err := a.Start(ctx, in); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		f.DirectMessage(discordfake.Ana, "hello")
	}
	in.waitN(b, b.N)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
}
