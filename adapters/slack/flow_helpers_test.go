package slack_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleybot/parley/adapters/slack"
	"github.com/parleybot/parley/adapters/slack/slackfake"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
)

// The helpers of the end-to-end tests in flow_test.go: a real bot.Bot,
// the Slack adapter, and slackfake between them, all on loopback.

// flowTimeout bounds every wait of a flow test: far more than any of them
// needs, so that it fails rather than hangs when something is lost.
const flowTimeout = 10 * time.Second

// flowChannel is the channel the flows happen in.
const flowChannel = "C0FLOW"

// flowCtx returns a context that ends after flowTimeout or with the test.
func flowCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), flowTimeout)
	t.Cleanup(cancel)
	return ctx
}

// flowFake starts a fake Slack, closed when the test ends (after the bots
// on it have stopped: cleanups run last registered first).
func flowFake(t *testing.T) *slackfake.Server {
	t.Helper()
	f := slackfake.New(slackfake.Config{})
	t.Cleanup(f.Close)
	return f
}

// flowAdapter returns a Slack adapter talking to f: its credentials from
// f, the process's environment ignored, posts paced a millisecond apart
// and logs dropped. mod, if not nil, changes the configuration first.
func flowAdapter(t *testing.T, f *slackfake.Server, mod func(*slack.Config)) *slack.Adapter {
	t.Helper()
	fc := f.Config()
	cfg := slack.Config{
		BotToken:      fc.BotToken,
		SigningSecret: fc.SigningSecret,
		APIURL:        f.APIURL(),
		Env:           func(string) string { return "" },
		PostInterval:  time.Millisecond,
		Logger:        slog.New(slog.DiscardHandler),
	}
	if mod != nil {
		mod(&cfg)
	}
	a, err := slack.New(cfg)
	if err != nil {
		t.Fatalf("slack.New: %v", err)
	}
	return a
}

// flowBot creates a bot from cfg, logging to the test, starts it, and
// stops it when the test ends.
func flowBot(t *testing.T, cfg bot.Config) *bot.Bot {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = bottest.Logger(t)
	}
	if cfg.Store == nil {
		cfg.Store = bot.NewMemoryStore()
	}
	b, err := bot.New(cfg)
	if err != nil {
		t.Fatalf("bot.New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := b.Start(ctx); err != nil {
		cancel()
		t.Fatalf("Bot.Start: %v", err)
	}
	t.Cleanup(func() {
		defer cancel()
		stop, done := context.WithTimeout(context.Background(), flowTimeout)
		defer done()
		_ = b.Stop(stop) // "already stopped" when the test stopped it
	})
	return b
}

// flowSend delivers ev to h as Slack does over HTTP and fails the test
// unless h answers 200.
func flowSend(t *testing.T, f *slackfake.Server, h http.Handler, ev slackfake.Event, opts ...slackfake.SendOption) {
	t.Helper()
	f.SendOK(flowCtx(t), t, h, ev, opts...)
}

// flowWait waits until cond holds on f, failing the test with what
// otherwise.
func flowWait(t *testing.T, f *slackfake.Server, what string, cond func() bool) {
	t.Helper()
	f.Await(flowCtx(t), t, what, cond)
}

// flowIdle waits until every bot given has settled.
func flowIdle(t *testing.T, bots ...*bot.Bot) {
	t.Helper()
	for _, b := range bots {
		if err := b.Idle(flowCtx(t)); err != nil {
			t.Fatalf("waiting for the bot to settle: %v", err)
		}
	}
}

// flowBotMsgs returns the bot's messages in the thread, oldest first.
func flowBotMsgs(f *slackfake.Server, channel, thread string) []slackfake.Msg {
	var out []slackfake.Msg
	for _, m := range f.Messages(channel, thread) {
		if m.FromBot() {
			out = append(out, m)
		}
	}
	return out
}

// flowCards returns the bot's messages in the thread that show something to
// click.
func flowCards(f *slackfake.Server, channel, thread string) []slackfake.Msg {
	var out []slackfake.Msg
	for _, m := range flowBotMsgs(f, channel, thread) {
		if len(m.Options()) > 0 {
			out = append(out, m)
		}
	}
	return out
}

// flowAnswers counts the successful calls that put a new message of the
// bot into the thread: chat.postMessage and chat.startStream.
func flowAnswers(f *slackfake.Server, channel, thread string) int {
	n := 0
	for _, c := range f.Calls("chat.postMessage", "chat.startStream") {
		if c.OK() && c.Params.Get("channel") == channel && c.Params.Get("thread_ts") == thread {
			n++
		}
	}
	return n
}

// flowShown returns what the bot's messages in the thread read, one
// message a line.
func flowShown(f *slackfake.Server, channel, thread string) string {
	var lines []string
	for _, m := range flowBotMsgs(f, channel, thread) {
		lines = append(lines, m.PlainText())
	}
	return strings.Join(lines, "\n")
}

// flowLastMessage returns the last message of a model request, or a zero one.
func flowLastMessage(req bot.ModelRequest) bot.ModelMessage {
	if len(req.Messages) == 0 {
		return bot.ModelMessage{}
	}
	return req.Messages[len(req.Messages)-1]
}

// flowGate is a model whose every answer waits until the test opens its
// gate: a model still thinking while the test looks at what Slack was
// told. It answers Text.
type flowGate struct {
	Text string

	calls  atomic.Int32
	called chan struct{} // closed at the first call
	once   sync.Once
	gate   chan struct{}
	opened sync.Once
}

func newFlowGate(text string) *flowGate {
	return &flowGate{Text: text, called: make(chan struct{}), gate: make(chan struct{})}
}

// Generate implements bot.Model.
func (m *flowGate) Generate(ctx context.Context, _ *bot.ModelRequest, onText func(string)) (*bot.ModelResponse, error) {
	m.calls.Add(1)
	m.once.Do(func() { close(m.called) })
	select {
	case <-m.gate:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if onText != nil {
		onText(m.Text)
	}
	return &bot.ModelResponse{Text: m.Text, FinishReason: "stop"}, nil
}

// open lets every call answer, now and later.
func (m *flowGate) open() { m.opened.Do(func() { close(m.gate) }) }

// waitCalled waits until the model was called once.
func (m *flowGate) waitCalled(t *testing.T) {
	t.Helper()
	select {
	case <-m.called:
	case <-flowCtx(t).Done():
		t.Fatal("the model was never called")
	}
}

// flowPausing is a scripted model whose text answers pause after their
// first piece until pause returns, so that the answer reaches Slack in
// more than one go, as a slow model's does.
type flowPausing struct {
	*bottest.Model
	pause func()
}

// Generate implements bot.Model.
func (m flowPausing) Generate(ctx context.Context, req *bot.ModelRequest, onText func(string)) (*bot.ModelResponse, error) {
	first := true
	return m.Model.Generate(ctx, req, func(delta string) {
		if onText != nil {
			onText(delta)
		}
		if first && delta != "" {
			first = false
			m.pause()
		}
	})
}

// flowStatus returns the HTTP status of a send's error: a *StatusError's,
// or 0.
func flowStatus(err error) int {
	var se *slackfake.StatusError
	if errors.As(err, &se) {
		return se.Status
	}
	return 0
}
