package postgres_test

import (
	"context"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
	"github.com/parleybot/parley/render"
	"github.com/parleybot/parley/store/postgres"
)

// cutProxy forwards TCP connections to the tests' server until cut: then
// it drops every connection it carries and refuses new ones, as a network
// that lost the database does, until restored.
type cutProxy struct {
	t      *testing.T
	ln     net.Listener
	target string

	mu    sync.Mutex
	cut   bool
	conns map[net.Conn]struct{}
}

func newCutProxy(t *testing.T) (*cutProxy, string) {
	t.Helper()
	u, err := url.Parse(testURL())
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{t: t, ln: ln, target: u.Host, conns: map[net.Conn]struct{}{}}
	t.Cleanup(func() { ln.Close(); p.Cut() })
	go p.serve()
	u.Host = ln.Addr().String()
	return p, u.String()
}

func (p *cutProxy) serve() {
	for {
		in, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.cut {
			p.mu.Unlock()
			in.Close()
			continue
		}
		out, err := net.DialTimeout("tcp", p.target, 5*time.Second)
		if err != nil {
			p.mu.Unlock()
			in.Close()
			continue
		}
		p.conns[in], p.conns[out] = struct{}{}, struct{}{}
		p.mu.Unlock()
		go p.pipe(in, out)
		go p.pipe(out, in)
	}
}

func (p *cutProxy) pipe(dst, src net.Conn) {
	io.Copy(dst, src)
	dst.Close()
	src.Close()
}

// Cut drops every connection and refuses new ones.
func (p *cutProxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = true
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

// Restore lets connections through again.
func (p *cutProxy) Restore() {
	p.mu.Lock()
	p.cut = false
	p.mu.Unlock()
}

type deployArgs struct {
	What string `json:"what"`
}

type approval struct {
	OK bool `json:"ok"`
}

// Issue 10: a Store that fails mid-run — here the connection to Postgres
// lost, for longer than a lease — never loses an accepted message or a
// decision. While the database is away the bot refuses what it cannot
// keep (the platform delivers again, the person clicks again); a run that
// was waiting for a person parks quietly and resumes on the click once
// the database is back; a run that was working is told plainly at once,
// and its work is finished (ended, as told) when the database is back.
func TestConnectionLostMidRunLosesNothing(t *testing.T) {
	schema := newSchema(t)
	proxy, proxied := newCutProxy(t)
	ctx := context.Background()
	store, err := postgres.Open(ctx, proxied, postgres.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })

	a := bottest.NewAdapter()
	cutNow := make(chan struct{})
	deploy := bot.DefineTool(bot.ToolSpec[deployArgs]{Name: "deploy", Description: "deploys after approval",
		Handler: func(ctx context.Context, args deployArgs, tc *bot.ToolContext) (any, error) {
			c, err := bot.AwaitChoice[approval](ctx, tc.Thread, render.Card{
				Title:   "Deploy " + args.What + "?",
				Actions: render.Actions(render.Button("Approve", approval{true}), render.Button("Deny", approval{false})),
			}, bot.Approvers(bottest.Ana.ID))
			if err != nil {
				return nil, err
			}
			return map[string]any{"approved": c.Value.OK}, nil
		}})
	long := bot.DefineTool(bot.ToolSpec[deployArgs]{Name: "migrate", Description: "a long job",
		Handler: func(ctx context.Context, args deployArgs, tc *bot.ToolContext) (any, error) {
			close(cutNow)
			<-ctx.Done() // cut by the lost lane
			return nil, ctx.Err()
		}})
	model := bottest.NewModel(
		bottest.Call("deploy", deployArgs{What: "api"}),
		bottest.Call("migrate", deployArgs{What: "db"}),
		bottest.Reply("Deployed api."),
	)
	b, err := bot.New(bot.Config{
		Model: model, Adapters: []bot.Adapter{a}, Store: store, Tools: []*bot.Tool{deploy, long},
		LeaseTTL: 600 * time.Millisecond, SweepInterval: 50 * time.Millisecond, PollInterval: 50 * time.Millisecond,
		Logger: bottest.Logger(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		b.Stop(sctx)
	})

	// A run waits for Ana's approval in one thread.
	deployThread := bottest.DefaultThread
	if _, err := a.Deliver(bot.Message{Address: deployThread, User: bottest.Ana, Text: "deploy api", Mention: true}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the approval card", func() bool { return len(cards(a)) == 1 })
	card := cards(a)[0]

	// Another thread's run is at work when the database goes away.
	migrateThread := deployThread
	migrateThread.Thread = "T-migrate"
	if _, err := a.Deliver(bot.Message{Address: migrateThread, User: bottest.Ben, Text: "migrate the db", Mention: true}); err != nil {
		t.Fatal(err)
	}
	<-cutNow
	proxy.Cut()

	if _, err := a.Send(bottest.Ben, "are you there?"); err == nil {
		t.Error("a message was accepted while the database was away")
	}
	if err := a.Click(card.Ref, "Approve", bottest.Ana); err == nil {
		t.Error("a click was accepted while the database was away")
	}
	waitFor(t, "the working run told it stopped", func() bool {
		return countIn(a.Texts(), "I couldn't reach my state store, so I had to stop here. Please ask again in a moment.") == 1
	})
	time.Sleep(time.Second) // well past the lease

	proxy.Restore()
	// The platform delivers the refused events again; Ana clicks again.
	waitFor(t, "the click taken once the database is back", func() bool {
		return a.Click(card.Ref, "Approve", bottest.Ana) == nil
	})
	waitFor(t, "the approved run's answer", func() bool { return countIn(a.Texts(), "Deployed api.") == 1 })
	waitFor(t, "the cut run's work taken up again and done", func() bool {
		queued, err := store.Lapsed(ctx, time.Now().Add(time.Hour), 10)
		return err == nil && len(queued) == 0
	})
	ictx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := b.Idle(ictx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // a few sweeps: nothing more to say
	// The cut run's thread was told when it stopped, and is not told again.
	want := []string{"Deploy api?\n✅ Approve — chosen by @ana", "I couldn't reach my state store", "Deployed api."}
	if got := a.Texts(); len(got) != len(want) {
		t.Errorf("the threads show %q; want one each of %q", got, want)
	}
	for _, w := range want {
		if n := countIn(a.Texts(), w); n != 1 {
			t.Errorf("%q shown %d times, want once: %q", w, n, a.Texts())
		}
	}
	if n := len(model.Requests()); n != 3 {
		t.Errorf("the model was asked %d times, want 3 (deploy, migrate, the resumed deploy's answer)", n)
	}
}

func cards(a *bottest.Adapter) []bottest.Posted {
	var out []bottest.Posted
	for _, p := range a.Posts() {
		if len(p.IDs) > 0 {
			out = append(out, p)
		}
	}
	return out
}

func countIn(texts []string, sub string) int {
	n := 0
	for _, s := range texts {
		if strings.Contains(s, sub) {
			n++
		}
	}
	return n
}
