package web_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/adapters/adaptertest"
	"github.com/parleybot/parley/adapters/web"
	"github.com/parleybot/parley/bot"
)

// browser drives the page's HTTP API as the page's script does: it reads
// the state, listens on the EventSource, posts messages and clicks.
type browser struct {
	t      testing.TB
	base   string // ends in "/"
	client *http.Client
	conv   string
	people []bot.User

	mu       sync.Mutex
	seen     uint64 // the latest event id the EventSource heard
	statuses []string
	heard    *sync.Cond
	events   []sseEvent
}

// sseEvent is one event heard on the EventSource.
type sseEvent struct {
	id   uint64
	typ  string
	data string
}

// The page's view of the API, as its script reads it.
type (
	pageState struct {
		CSRF          string     `json:"csrf"`
		Seq           uint64     `json:"seq"`
		BotName       string     `json:"botName"`
		Status        string     `json:"status"`
		People        []bot.User `json:"people"`
		Conversations []struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"conversations"`
		Messages []pageMessage `json:"messages"`
	}
	pageMessage struct {
		ID        string   `json:"id"`
		Conv      string   `json:"conv"`
		From      string   `json:"from"`
		FromName  string   `json:"fromName"`
		To        string   `json:"to"`
		Text      string   `json:"text"`
		HTML      string   `json:"html"`
		Reactions []string `json:"reactions"`
		Streaming bool     `json:"streaming"`
		File      *struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"file"`
	}
)

// newSite serves a new adapter over dir on loopback and returns it with a
// browser on it; the bot is the caller's.
func newSite(t testing.TB, cfg web.Config) (*web.Adapter, *browser) {
	t.Helper()
	cfg.NoListen = true
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	a, err := web.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a)
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
		a.Close()
	})
	return a, newBrowser(t, srv.URL+"/", "c-"+strings.ToLower(rand.Text()[:10]))
}

func newBrowser(t testing.TB, base, conv string) *browser {
	b := &browser{t: t, base: base, client: &http.Client{}, conv: conv}
	b.heard = sync.NewCond(&b.mu)
	return b
}

// listen opens the EventSource as as until the test ends.
func (b *browser) listen(as string) {
	b.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", b.base+"api/events?as="+as, nil)
	resp, err := b.client.Do(req)
	if err != nil || resp.StatusCode != 200 {
		cancel()
		b.t.Fatalf("opening the EventSource: %v %v", err, resp)
	}
	done := make(chan struct{})
	b.t.Cleanup(func() {
		cancel()
		<-done
	})
	go func() {
		defer close(done)
		defer resp.Body.Close()
		readEvents(resp.Body, func(ev sseEvent) {
			b.mu.Lock()
			defer b.mu.Unlock()
			if ev.id > b.seen {
				b.seen = ev.id
			}
			if ev.typ != "" {
				b.events = append(b.events, ev)
			}
			if ev.typ == "status" {
				var s struct{ Text string }
				json.Unmarshal([]byte(ev.data), &s)
				if s.Text != "" {
					b.statuses = append(b.statuses, s.Text)
				}
			}
			b.heard.Broadcast()
		})
		b.mu.Lock()
		b.seen = ^uint64(0) // closed: nobody waits for more
		b.heard.Broadcast()
		b.mu.Unlock()
	}()
}

// readEvents parses a text/event-stream, calling fn for each event,
// including those with an id only.
func readEvents(r io.Reader, fn func(sseEvent)) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	var ev sseEvent
	var data []string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			ev.data = strings.Join(data, "\n")
			if ev.id != 0 || ev.typ != "" {
				fn(ev)
			}
			ev, data = sseEvent{}, nil
		case strings.HasPrefix(line, ":"):
		case strings.HasPrefix(line, "id: "):
			ev.id, _ = strconv.ParseUint(line[4:], 10, 64)
		case strings.HasPrefix(line, "event: "):
			ev.typ = line[7:]
		case strings.HasPrefix(line, "data: "):
			data = append(data, line[6:])
		}
	}
}

// caughtUp waits until the EventSource heard every event published
// before now.
func (b *browser) caughtUp() {
	seq := b.state("").Seq
	deadline := time.AfterFunc(10*time.Second, func() {
		b.mu.Lock()
		b.seen = ^uint64(0)
		b.heard.Broadcast()
		b.mu.Unlock()
	})
	defer deadline.Stop()
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.seen < seq {
		b.heard.Wait()
	}
}

// state reads api/state as as, in the browser's conversation.
func (b *browser) state(as string) pageState {
	var st pageState
	resp, err := b.client.Get(b.base + "api/state?conv=" + b.conv + "&as=" + url.QueryEscape(as))
	if err == nil {
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			body, _ := io.ReadAll(resp.Body)
			err = fmt.Errorf("%s: %s", resp.Status, body)
		} else {
			err = json.NewDecoder(resp.Body).Decode(&st)
		}
	}
	if err != nil {
		b.t.Errorf("reading the state: %v", err)
	}
	return st
}

// post posts v as JSON with the page's CSRF header, and returns an error
// unless the answer is a 2xx.
func (b *browser) post(ctx context.Context, path string, v any) error {
	body, _ := json.Marshal(v)
	req, _ := http.NewRequestWithContext(ctx, "POST", b.base+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Parley-CSRF", b.state("").CSRF)
	resp, err := b.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(msg))
	}
	return nil
}

// send writes text as from with a new event id, and returns the id.
func (b *browser) send(ctx context.Context, from, text string) (string, error) {
	id := strings.ToLower(rand.Text())
	return id, b.post(ctx, "api/conversations/"+b.conv+"/messages", map[string]string{"eventId": id, "as": from, "text": text})
}

var (
	buttonRe = regexp.MustCompile(`<button[^>]*data-action="([^"]+)"[^>]*>([^<]*)</button>`)
	optionRe = regexp.MustCompile(`<option value="([^"]+)"[^>]*>([^<]*)</option>`)
	radioRe  = regexp.MustCompile(`<input type="radio" name="[^"]*" value="([^"]+)">\s*([^<]*)</label>`)
)

// options returns the labels and action ids a message's HTML offers.
func options(fragment string) (labels, ids []string) {
	for _, re := range []*regexp.Regexp{buttonRe, optionRe, radioRe} {
		for _, g := range re.FindAllStringSubmatch(fragment, -1) {
			ids = append(ids, g[1])
			labels = append(labels, strings.TrimSpace(html.UnescapeString(g[2])))
		}
	}
	return labels, ids
}

// click clicks the element labelled label in message id as as.
func (b *browser) click(ctx context.Context, id, label, as string) error {
	for _, m := range b.state(as).Messages {
		if m.ID != id {
			continue
		}
		labels, ids := options(m.HTML)
		for i, l := range labels {
			if l == label {
				return b.post(ctx, "api/actions", map[string]string{
					"eventId": strings.ToLower(rand.Text()), "as": as, "conv": b.conv, "message": id, "action": ids[i],
				})
			}
		}
		return fmt.Errorf("message %s offers no %q; it offers %q", id, label, labels)
	}
	return fmt.Errorf("no message %s on the page", id)
}

// platform is the web page as adaptertest sees it.
type platform struct {
	*browser
	sent map[string]map[string]string // request bodies by event id, to send again
	smu  sync.Mutex
}

func (p *platform) Conversation() bot.Address { return web.Address(p.conv) }

func (p *platform) People() []bot.User { return p.people }

func (p *platform) Send(ctx context.Context, from bot.User, text string) (string, error) {
	id := strings.ToLower(rand.Text())
	body := map[string]string{"eventId": id, "as": from.ID, "text": text}
	p.smu.Lock()
	p.sent[id] = body
	p.smu.Unlock()
	return id, p.post(ctx, "api/conversations/"+p.conv+"/messages", body)
}

func (p *platform) SendUnaddressed(context.Context, bot.User, string) error {
	return fmt.Errorf("web: every message on the page addresses the bot")
}

// Redeliver posts the same body again, as the page does when it did not
// hear the answer to a POST.
func (p *platform) Redeliver(ctx context.Context, eventID string) error {
	p.smu.Lock()
	body, ok := p.sent[eventID]
	p.smu.Unlock()
	if !ok {
		return fmt.Errorf("no message sent with event id %s", eventID)
	}
	return p.post(ctx, "api/conversations/"+p.conv+"/messages", body)
}

func (p *platform) Click(ctx context.Context, ref bot.MessageRef, label string, as bot.User) error {
	return p.click(ctx, ref.ID, label, as.ID)
}

func (p *platform) shown(m pageMessage) adaptertest.Shown {
	s := adaptertest.Shown{Ref: bot.MessageRef{Address: web.Address(m.Conv), ID: m.ID}, Text: m.Text, Reactions: m.Reactions}
	if m.From == "" {
		s.FromBot = true
	} else {
		s.From = bot.User{ID: m.From, Name: m.FromName}
	}
	s.Options, _ = options(m.HTML)
	return s
}

func (p *platform) Messages() []adaptertest.Shown {
	var out []adaptertest.Shown
	for _, m := range p.state("").Messages {
		out = append(out, p.shown(m))
	}
	return out
}

func (p *platform) Shown(ref bot.MessageRef) (adaptertest.Shown, bool) {
	for _, u := range p.people {
		for _, m := range p.state(u.ID).Messages {
			if m.ID == ref.ID {
				return p.shown(m), true
			}
		}
	}
	return adaptertest.Shown{}, false
}

func (p *platform) Private(to bot.User) []adaptertest.Shown {
	var out []adaptertest.Shown
	for _, m := range p.state(to.ID).Messages {
		if m.To == to.ID {
			out = append(out, p.shown(m))
		}
	}
	return out
}

func (p *platform) Files() []bot.File {
	var out []bot.File
	for _, m := range p.state("").Messages {
		if m.File == nil {
			continue
		}
		resp, err := p.client.Get(p.base + "files/" + m.File.ID)
		if err != nil {
			p.t.Errorf("downloading %s: %v", m.File.Name, err)
			continue
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		out = append(out, bot.File{Name: m.File.Name, Data: data})
	}
	return out
}

func (p *platform) Statuses() []string {
	p.caughtUp()
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.statuses...)
}

// TestConformance runs the adapter conformance suite on the page, driven
// over HTTP as the page's script drives it. A retried POST is the page's
// redelivery, and a 503 its refusal; every message addresses the bot.
func TestConformance(t *testing.T) {
	t.Parallel()
	adaptertest.Run(t, func(t *testing.T) (bot.Adapter, adaptertest.Platform) {
		a, b := newSite(t, web.Config{Dir: t.TempDir()})
		b.people = b.state("").People
		b.listen(b.people[0].ID)
		return a, &platform{browser: b, sent: map[string]map[string]string{}}
	}, adaptertest.Features{Redelivery: true, RefusalVisible: true})
}
