package web_test

// What the page guarantees to the people using it and to whoever can reach
// its port: each test here failed on an earlier version of the adapter.

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/parleybot/parley/adapters/web"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/render"
)

// Mounted with NoListen on a server of one's own (the allinone example),
// a page without a token answers only clients on this machine: the Host
// header, which a client elsewhere writes as it likes, is not enough.
func TestARemoteClientIsRefusedWithoutAToken(t *testing.T) {
	t.Parallel()
	a, err := web.New(web.Config{NoListen: true, Dir: t.TempDir(), Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := a.Start(ctx, nopInbox{}); err != nil {
		t.Fatal(err)
	}
	remote := func(r *http.Request) *http.Request {
		r.Host = "127.0.0.1:8080"         // the client's own choice
		r.RemoteAddr = "203.0.113.7:4711" // somewhere on the internet
		return r
	}
	resp := do(a, remote(httptest.NewRequest("GET", "/api/state", nil)))
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == 200 {
		t.Errorf("a client at 203.0.113.7 read the page's state (and its CSRF secret): %s %.80s", resp.Status, body)
	}
	csrf := csrfOf(t, a)
	r := remote(httptest.NewRequest("POST", "/api/conversations/c1/messages", strings.NewReader(`{"eventId":"e1","as":"ana","text":"deploy prod"}`)))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Parley-CSRF", csrf)
	if resp := do(a, r); resp.StatusCode == 200 {
		t.Errorf("a client at 203.0.113.7 wrote to the bot as ana: %s", resp.Status)
	}
}

// events opens api/events with the query and Last-Event-ID a browser's
// EventSource sends when it reconnects, and returns what it heard before
// the request ended.
func reconnect(t *testing.T, a http.Handler, query, lastID string) []sseEvent {
	t.Helper()
	req := local(httptest.NewRequest("GET", "/api/events?"+query, nil))
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.ServeHTTP(w, req.WithContext(ctx))
	}()
	cancel()
	<-done
	var evs []sseEvent
	readEvents(w.Body, func(ev sseEvent) { evs = append(evs, ev) })
	return evs
}

// A page that reconnects hears, once, what it missed: the Last-Event-ID
// its browser sends wins over the since= of its first connection.
func TestAReconnectingPageHearsWhatItMissedOnce(t *testing.T) {
	t.Parallel()
	a, b := newSite(t, web.Config{Dir: t.TempDir()})
	ctx, to := context.Background(), web.Address(b.conv)
	// Events are numbered after the process's base, the seq a page that
	// loads now reads.
	base := b.state("ana").Seq
	// The page loads at seq base and listens with since=base; it hears the
	// stream's first message (base+1) and delta (base+2), then the
	// connection drops.
	s, _ := a.StartStream(ctx, to, bot.StreamOptions{})
	s.Append(ctx, "Hel")
	s.Append(ctx, "lo ")
	// While it is away: deltas 3 and 4.
	s.Append(ctx, "the")
	s.Append(ctx, "re")
	var ids []uint64
	for _, ev := range reconnect(t, a, "as=ana&since="+itoa(base), itoa(base+2)) {
		ids = append(ids, ev.id)
	}
	if len(ids) != 2 || ids[0] != base+3 {
		t.Errorf("a page loaded at seq base reconnecting after event base+2 heard %v; want base+3 and base+4 (base %d; the stream shows %q instead of %q)", ids, base, "Hello ", "Hello there")
	}
	// Loaded at seq base+2, heard base+3 and base+4 live, dropped: they
	// must not come again.
	ids = nil
	for _, ev := range reconnect(t, a, "as=ana&since="+itoa(base+2), itoa(base+4)) {
		if ev.typ == "delta" {
			ids = append(ids, ev.id)
		}
	}
	if len(ids) != 0 {
		t.Errorf("a page that heard up to 4 was sent deltas %v again: its script appends them twice", ids)
	}
}

// A page left open across a restart of the bot is told to reload, rather
// than taking the new process's event numbers for ones it has seen.
func TestAPageReconnectingAfterARestartIsToldToReload(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a1, b1 := newSite(t, web.Config{Dir: dir})
	ctx, to := context.Background(), web.Address(b1.conv)
	for range 5 {
		a1.Post(ctx, to, bot.Outgoing{Content: render.Text("before")})
	}
	last := b1.state("ana").Seq // 5: what the page heard last
	a1.Close()

	a2, _ := newSite(t, web.Config{Dir: dir})
	a2.Post(ctx, to, bot.Outgoing{Content: render.Text("the resumed run's answer")}) // event 1 of the new process
	evs := reconnect(t, a2, "as=ana&since="+itoa(last), itoa(last))
	var reset, heard bool
	for _, ev := range evs {
		reset = reset || ev.typ == "reset"
		heard = heard || strings.Contains(ev.data, "resumed run")
	}
	if !reset && !heard {
		t.Errorf("a page reconnecting with event %d after a restart heard %v: neither a reset nor the answer posted since", last, evs)
	}
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }

// Every option of a select can be picked, the first included: the select
// starts on a placeholder, so picking any option fires "change".
func TestEveryOptionOfASelectCanBePicked(t *testing.T) {
	t.Parallel()
	a, b := newSite(t, web.Config{Dir: t.TempDir()})
	yes, no := render.Opt("Yes", 1), render.Opt("No", 0)
	ids := render.IDs{yes: "act-yes", no: "act-no"}
	if _, err := a.Post(context.Background(), web.Address(b.conv), bot.Outgoing{Content: render.Select("", yes, no), IDs: ids}); err != nil {
		t.Fatal(err)
	}
	frag := b.state("ana").Messages[0].HTML
	first := frag[strings.Index(frag, "<option"):]
	first = first[:strings.Index(first, ">")+1]
	if strings.Contains(first, `value="act-yes"`) {
		t.Errorf("the select's first option is a choice the browser shows as chosen: %s (no change event when picked)", first)
	}
}

// failingInbox refuses every message as a Store outage does.
type failingInbox struct{ nopInbox }

func (failingInbox) Message(context.Context, bot.Message) error {
	return errors.New("bot: recording the message: store down")
}

// A first message the bot did not take is removed from the page with the
// conversation it created.
func TestARefusedFirstMessageLeavesNoConversation(t *testing.T) {
	t.Parallel()
	a, b := newSite(t, web.Config{Dir: t.TempDir()})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	a.Start(ctx, failingInbox{})
	if _, err := b.send(ctx, "ana", "my salary is 90k"); err == nil {
		t.Fatal("the message was taken")
	}
	st := b.state("ana")
	if len(st.Messages) != 0 {
		t.Fatalf("the refused message is still shown: %+v", st.Messages)
	}
	for _, c := range st.Conversations {
		t.Errorf("the sidebar lists %q (%s), a conversation with no message in it", c.Title, c.ID)
	}
}

// The log does not grow with updates: a card updated 500 times (a
// progress card, a long stream) is kept as it stands, not 500 times.
func TestTheLogDoesNotGrowWithUpdates(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, b := newSite(t, web.Config{Dir: dir})
	ctx := context.Background()
	card := func(i int) bot.Outgoing {
		return bot.Outgoing{Content: render.Card{Title: "Progress", Body: []render.Node{render.Markdown(strings.Repeat("step ", 50) + strconv.Itoa(i))}}}
	}
	ref, err := a.Post(ctx, web.Address(b.conv), card(0))
	if err != nil {
		t.Fatal(err)
	}
	one, _ := os.Stat(filepath.Join(dir, "conversations.jsonl"))
	for i := range 500 {
		a.Update(ctx, ref, card(i))
	}
	all, _ := os.Stat(filepath.Join(dir, "conversations.jsonl"))
	if all.Size() > 10*one.Size() {
		t.Errorf("one card updated 500 times: the log is %d bytes, %d× its size after the post; it is never compacted", all.Size(), all.Size()/one.Size())
	}
}

// A click on a message shown privately to someone else is refused: the
// person clicking must be able to see the message.
func TestAClickOnSomeoneElsesPrivateMessageIsRefused(t *testing.T) {
	t.Parallel()
	a, b := newSite(t, web.Config{Dir: t.TempDir()})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	clicks := &recordingInbox{}
	a.Start(ctx, clicks)
	ok := render.Button("OK", 1)
	if err := a.PostEphemeral(ctx, web.Address(b.conv), "ben", bot.Outgoing{Content: render.Card{Actions: render.Actions(ok)}, IDs: render.IDs{ok: "act-ok"}}); err != nil {
		t.Fatal(err)
	}
	var id string
	for _, m := range b.state("ben").Messages {
		id = m.ID
	}
	err := b.post(ctx, "api/actions", map[string]string{"eventId": "e9", "as": "ana", "conv": b.conv, "message": id, "action": "act-ok"})
	if err == nil || clicks.n.Load() > 0 {
		t.Errorf("ana clicked ben's private card: err %v, %d click(s) reached the bot", err, clicks.n.Load())
	}
}

type recordingInbox struct {
	nopInbox
	n atomic.Int32
}

func (r *recordingInbox) Action(context.Context, bot.Action) error { r.n.Add(1); return nil }

// A page opened while an answer streams shows each delta once: the state
// it loads and the event number it resumes from are read together.
func TestAPageOpenedMidStreamShowsEachDeltaOnce(t *testing.T) {
	t.Parallel()
	a, b := newSite(t, web.Config{Dir: t.TempDir()})
	ctx, to := context.Background(), web.Address(b.conv)
	s, _ := a.StartStream(ctx, to, bot.StreamOptions{})
	s.Append(ctx, "start;")
	var full strings.Builder
	full.WriteString("start;")
	stop := make(chan struct{})
	done := make(chan string)
	go func() {
		var sent strings.Builder
		for i := 0; ; i++ {
			select {
			case <-stop:
				done <- sent.String()
				return
			default:
			}
			d := "d" + strconv.Itoa(i) + ";"
			s.Append(ctx, d)
			sent.WriteString(d)
		}
	}()
	var bad string
	for range 60 { // the text grows all along: more reads cost minutes under -race
		st := b.state("ana")
		if len(st.Messages) != 1 {
			continue
		}
		shown := st.Messages[0].Text
		for _, ev := range reconnect(t, a, "as=ana&since="+itoa(st.Seq), "") {
			if ev.typ == "delta" {
				var d struct{ Text string }
				json.Unmarshal([]byte(ev.data), &d)
				shown += d.Text
			}
		}
		if strings.Count(shown, ";") != len(strings.Split(strings.TrimSuffix(shown, ";"), ";")) || hasRepeat(shown) {
			bad = shown
			break
		}
	}
	close(stop)
	<-done
	if bad != "" {
		seen, twice := map[string]bool{}, ""
		for _, p := range strings.Split(strings.TrimSuffix(bad, ";"), ";") {
			if seen[p] && twice == "" {
				twice = p
			}
			seen[p] = true
		}
		t.Errorf("a page opened mid-stream shows the delta %q twice: ...%s", twice, bad[max(0, strings.Index(bad, twice+";")-20):])
	}
}

// hasRepeat reports whether a ';'-separated list has an item twice.
func hasRepeat(s string) bool {
	seen := map[string]bool{}
	for _, p := range strings.Split(strings.TrimSuffix(s, ";"), ";") {
		if seen[p] {
			return true
		}
		seen[p] = true
	}
	return false
}
