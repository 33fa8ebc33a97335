package bot

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"github.com/parleybot/parley/render"
)

// Config configures a [Bot]. The zero value of every field but Model and
// Adapters is a working default.
type Config struct {
	// Model answers the agent's runs. Required.
	Model Model
	// Adapters connect the bot to platforms, at most one per platform
	// name. At least one is required.
	Adapters []Adapter
	// Tools are registered as by [Bot.Tool].
	Tools []*Tool
	// Instructions is the system prompt of every run. Default: a short
	// prompt saying the model is a helpful assistant in a chat.
	Instructions string
	// MaxSteps bounds the model calls of one run. Default 8.
	MaxSteps int
	// ParallelTools runs the tool calls of one model step concurrently
	// instead of one after another. Results reach the model in call order
	// either way. Default false.
	ParallelTools bool
	// Busy says what happens to a message that arrives in a thread while
	// the bot is handling another there. Default BusyQueue.
	Busy BusyStrategy
	// HistoryLimit bounds the past messages a run reads. Default 50.
	HistoryLimit int
	// StreamInterval is the least time between two edits of a message
	// being streamed by post-and-edit. The final edit is always sent.
	// Default 1s.
	StreamInterval time.Duration
	// Logger receives the bot's logs. Default slog.Default().
	Logger *slog.Logger
	// ParkAfter is how long a run waiting in AwaitChoice keeps its
	// goroutine; then it parks, freeing its memory, and resumes by replay
	// when the person decides. Default 5 minutes.
	ParkAfter time.Duration
	// SweepInterval is how often the bot looks in the Store for choices
	// past their deadline that no goroutine is waiting on (parked runs,
	// runs of a stopped process), to expire them and resume their runs.
	// Default 5 seconds.
	SweepInterval time.Duration
	// Store keeps what clicks mean and the choices waiting for a person.
	// Default NewMemoryStore(), which a restart empties: use a
	// database-backed Store for buttons that outlive the process.
	Store Store
}

// BusyStrategy says what happens to messages that arrive in a thread while
// the bot is handling another message there.
type BusyStrategy int

const (
	// BusyQueue keeps them; when the current run ends, the latest is
	// handled, and those it superseded are available as [Thread.Skipped]
	// (and, being in the thread, in the model's history).
	BusyQueue BusyStrategy = iota
	// BusyDrop ignores them.
	BusyDrop
	// BusyConcurrent handles each at once, in parallel with the others.
	BusyConcurrent
)

const (
	defaultInstructions = "You are a helpful assistant in a team chat. Answer concisely. Use the tools you have when they help."
	defaultMaxSteps     = 8
	defaultHistory      = 50
	noticeTimeout       = 10 * time.Second
	// maxThreadState bounds the threads the bot remembers in memory
	// (where it has answered, transcripts); past it, an arbitrary thread
	// is forgotten.
	maxThreadState = 10000
)

// MessageHandler handles a message in a thread. The default handlers run
// the agent: t.RunAgent(ctx, RunOptions{}).
type MessageHandler func(ctx context.Context, t *Thread, m Message) error

// ActionHandler handles a click on a button bound to it by name (see
// [render.ButtonNode.OnAction] and [Bot.OnAction]).
type ActionHandler func(ctx context.Context, t *Thread, e ActionEvent) error

// ActionEvent is a click on a button bound to an action handler.
type ActionEvent struct {
	// Name is the handler's name.
	Name string
	// Label is the clicked button's label.
	Label string
	// Value is the button's value, as JSON.
	Value json.RawMessage
	// User is who clicked.
	User User
	// Message is the message holding the button.
	Message MessageRef
}

// Decode unmarshals the button's value into v.
func (e ActionEvent) Decode(v any) error { return json.Unmarshal(e.Value, v) }

// Bot is a chat assistant: it receives messages from its adapters, runs an
// agent over its model and tools for each, and routes clicks on the cards it
// posts. Create one with [New], register tools, then [Bot.Start] it.
type Bot struct {
	cfg      Config
	log      *slog.Logger
	adapters map[string]Adapter

	mu             sync.Mutex
	started        bool
	stopping       bool
	tools          []*Tool
	toolIndex      map[string]*Tool
	toolDefs       []ToolDef
	onMention      MessageHandler
	onMessage      MessageHandler
	actionHandlers map[string]ActionHandler
	queues         map[string]*threadQueue
	active         map[string]bool      // threads the agent has answered in
	transcripts    map[string][]Message // for platforms without history
	store          Store
	waiters        map[string]chan Outcome // choice id → the AwaitChoice waiting for it
	running        map[string]bool         // runs going on here → whether to resume once ended
	extraTools     map[string][]*Tool      // run id → its RunOptions.Tools, while it may resume
	busy           int                     // messages and actions not yet handled
	idle           chan struct{}           // closed when busy drops to 0

	runCtx     context.Context
	cancelRuns context.CancelCauseFunc
	stopRecv   context.CancelFunc
}

type threadQueue struct {
	pending []Message
}

// New returns a bot for cfg, or an error naming the first field that is
// wrong.
func New(cfg Config) (*Bot, error) {
	if cfg.Model == nil {
		return nil, errors.New("bot: Config.Model is required")
	}
	if len(cfg.Adapters) == 0 {
		return nil, errors.New("bot: Config.Adapters is empty: the bot needs at least one platform")
	}
	switch {
	case cfg.MaxSteps < 0:
		return nil, fmt.Errorf("bot: Config.MaxSteps is %d; it must be positive, or 0 for the default", cfg.MaxSteps)
	case cfg.HistoryLimit < 0:
		return nil, fmt.Errorf("bot: Config.HistoryLimit is %d; it must be positive, or 0 for the default", cfg.HistoryLimit)
	case cfg.ParkAfter < 0:
		return nil, fmt.Errorf("bot: Config.ParkAfter is %v; it must not be negative", cfg.ParkAfter)
	case cfg.SweepInterval < 0:
		return nil, fmt.Errorf("bot: Config.SweepInterval is %v; it must not be negative", cfg.SweepInterval)
	case cfg.StreamInterval < 0:
		return nil, fmt.Errorf("bot: Config.StreamInterval is %v; it must not be negative", cfg.StreamInterval)
	case cfg.Busy < BusyQueue || cfg.Busy > BusyConcurrent:
		return nil, fmt.Errorf("bot: Config.Busy is %d, not a BusyStrategy", cfg.Busy)
	}
	if cfg.Instructions == "" {
		cfg.Instructions = defaultInstructions
	}
	if cfg.MaxSteps == 0 {
		cfg.MaxSteps = defaultMaxSteps
	}
	if cfg.HistoryLimit == 0 {
		cfg.HistoryLimit = defaultHistory
	}
	if cfg.StreamInterval == 0 {
		cfg.StreamInterval = time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Store == nil {
		cfg.Store = NewMemoryStore()
	}
	if cfg.ParkAfter == 0 {
		cfg.ParkAfter = 5 * time.Minute
	}
	if cfg.SweepInterval == 0 {
		cfg.SweepInterval = 5 * time.Second
	}
	b := &Bot{
		cfg:            cfg,
		log:            cfg.Logger,
		adapters:       make(map[string]Adapter, len(cfg.Adapters)),
		toolIndex:      map[string]*Tool{},
		actionHandlers: map[string]ActionHandler{},
		queues:         map[string]*threadQueue{},
		active:         map[string]bool{},
		transcripts:    map[string][]Message{},
		store:          cfg.Store,
		waiters:        map[string]chan Outcome{},
		running:        map[string]bool{},
		extraTools:     map[string][]*Tool{},
	}
	for i, a := range cfg.Adapters {
		if a == nil {
			return nil, fmt.Errorf("bot: Config.Adapters[%d] is nil", i)
		}
		p := a.Platform()
		if _, dup := b.adapters[p]; dup {
			return nil, fmt.Errorf("bot: Config.Adapters has two adapters for platform %q", p)
		}
		b.adapters[p] = a
	}
	for _, t := range cfg.Tools {
		if err := b.Tool(t); err != nil {
			return nil, err
		}
	}
	b.runCtx, b.cancelRuns = context.WithCancelCause(context.Background())
	return b, nil
}

// Tool registers t for every run. It fails if t's definition is invalid, if
// a tool of that name is already registered, or after Start.
func (b *Bot) Tool(t *Tool) error {
	if t == nil {
		return errors.New("bot: Tool(nil)")
	}
	if t.err != nil {
		return t.err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.started {
		return fmt.Errorf("bot: tool %q registered after Start", t.name)
	}
	if _, dup := b.toolIndex[t.name]; dup {
		return fmt.Errorf("bot: tool %q is already registered", t.name)
	}
	b.tools = append(b.tools, t)
	b.toolIndex[t.name] = t
	return nil
}

// OnMention sets the handler for messages that address the bot (a mention,
// or a direct message). By default such a message runs the agent.
func (b *Bot) OnMention(h MessageHandler) {
	b.mu.Lock()
	b.onMention = h
	b.mu.Unlock()
}

// OnMessage sets the handler for other messages the adapters deliver:
// replies in a thread, without a mention. By default the agent runs for
// those in threads where it has run before, and the rest are ignored.
func (b *Bot) OnMessage(h MessageHandler) {
	b.mu.Lock()
	b.onMessage = h
	b.mu.Unlock()
}

// OnAction registers h for clicks on buttons bound to name with
// [render.ButtonNode.OnAction]. Registering a name again replaces its
// handler.
func (b *Bot) OnAction(name string, h ActionHandler) {
	b.mu.Lock()
	b.actionHandlers[name] = h
	b.mu.Unlock()
}

// Thread returns the conversation at addr, for posting to it outside a
// handler (a scheduled report, say). It fails if no adapter serves
// addr.Platform.
func (b *Bot) Thread(addr Address) (*Thread, error) {
	a, ok := b.adapters[addr.Platform]
	if !ok {
		return nil, fmt.Errorf("bot: no adapter for platform %q", addr.Platform)
	}
	return &Thread{bot: b, adapter: a, addr: addr}, nil
}

// Start starts every adapter receiving. It returns once all receive, or
// with the first adapter's error (having stopped the others). Start's ctx
// bounds only the receiving; use [Bot.Stop] to stop the bot gracefully.
func (b *Bot) Start(ctx context.Context) error {
	b.mu.Lock()
	if b.started {
		b.mu.Unlock()
		return errors.New("bot: already started")
	}
	b.started = true
	b.toolDefs = make([]ToolDef, len(b.tools))
	for i, t := range b.tools {
		b.toolDefs[i] = t.def()
	}
	recvCtx, stopRecv := context.WithCancel(ctx)
	b.stopRecv = stopRecv
	b.mu.Unlock()
	for _, a := range b.cfg.Adapters {
		if err := a.Start(recvCtx, inbox{b: b, a: a}); err != nil {
			stopRecv()
			return fmt.Errorf("bot: starting the %s adapter: %w", a.Platform(), err)
		}
	}
	go b.sweep(recvCtx)
	return nil
}

// Stop stops the bot gracefully: the adapters stop receiving, then the
// messages and clicks being handled or queued get until ctx ends to finish.
// Runs still going then are cancelled, each telling its thread it was
// stopped, and Stop returns ctx's error once they have returned.
//
// Stop waits for handlers, so a handler must not call it (it would wait
// for itself); start it on a goroutine of its own instead.
func (b *Bot) Stop(ctx context.Context) error {
	b.mu.Lock()
	if !b.started {
		b.mu.Unlock()
		return errors.New("bot: Stop before Start")
	}
	b.stopping = true
	b.mu.Unlock()
	b.stopRecv()
	err := b.Idle(ctx)
	if err == nil {
		b.cancelRuns(ErrStopped)
		return nil
	}
	b.cancelRuns(ErrStopped)
	// Handlers see their context end now; wait for them to return, which
	// well-behaved ones do at once.
	wait, cancel := context.WithTimeout(context.Background(), noticeTimeout+5*time.Second)
	defer cancel()
	if werr := b.Idle(wait); werr != nil {
		b.mu.Lock()
		n := b.busy
		b.mu.Unlock()
		return fmt.Errorf("bot: %d messages or clicks still being handled after their cancellation", n)
	}
	return err
}

// Run starts the bot, waits for ctx to end, then stops it, giving
// in-flight runs up to grace to finish. It is the main loop of a bot
// process.
func (b *Bot) Run(ctx context.Context, grace time.Duration) error {
	if err := b.Start(context.WithoutCancel(ctx)); err != nil {
		return err
	}
	<-ctx.Done()
	stopCtx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := b.Stop(stopCtx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// Idle blocks until no message or click is being handled or waiting to be,
// or until ctx ends. Tests use it to wait for a bot to settle.
func (b *Bot) Idle(ctx context.Context) error {
	b.mu.Lock()
	if b.busy == 0 {
		b.mu.Unlock()
		return nil
	}
	ch := b.idle
	b.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// begin and end count work in progress; b.mu must be held.
func (b *Bot) begin(n int) {
	if b.busy == 0 && n > 0 {
		b.idle = make(chan struct{})
	}
	b.busy += n
}

func (b *Bot) end(n int) {
	b.busy -= n
	if b.busy == 0 && n > 0 {
		close(b.idle)
	}
}

// inbox is what one adapter delivers to.
type inbox struct {
	b *Bot
	a Adapter
}

func (in inbox) Message(ctx context.Context, m Message) { in.b.deliver(in.a, m) }
func (in inbox) Action(ctx context.Context, a Action)   { in.b.click(in.a, a) }

func (b *Bot) deliver(a Adapter, m Message) {
	if m.FromSelf {
		return
	}
	if m.Address.Platform == "" {
		m.Address.Platform = a.Platform()
	}
	if m.ID == "" {
		m.ID = "parley-" + rand.Text() // runs tell the message apart from its history by id
	}
	if !capabilitiesOf(a, m.Address).Has(CapHistory) {
		b.record(m)
	}
	key := m.Address.String()
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopping {
		b.log.Warn("bot: message arrived while stopping; not handled", "thread", key, "message", m.ID)
		return
	}
	if b.cfg.Busy == BusyConcurrent {
		b.begin(1)
		go b.handleAndEnd(a, m, nil)
		return
	}
	q, running := b.queues[key]
	switch {
	case !running:
		b.queues[key] = &threadQueue{}
		b.begin(1)
		go b.drain(a, key, m)
	case b.cfg.Busy == BusyDrop:
		b.log.Info("bot: thread busy; message dropped", "thread", key, "message", m.ID)
	default:
		q.pending = append(q.pending, m)
		b.begin(1)
	}
}

func (b *Bot) handleAndEnd(a Adapter, m Message, skipped []Message) {
	b.handle(a, m, skipped)
	b.mu.Lock()
	b.end(1)
	b.mu.Unlock()
}

// drain handles m, then whatever queued in its thread meanwhile: the
// latest message, with the ones it supersedes as skipped.
func (b *Bot) drain(a Adapter, key string, m Message) {
	var skipped []Message
	for {
		b.handle(a, m, skipped)
		b.mu.Lock()
		b.end(1 + len(skipped))
		q := b.queues[key]
		if len(q.pending) == 0 || b.runCtx.Err() != nil {
			if n := len(q.pending); n > 0 {
				b.log.Warn("bot: stopped with queued messages unhandled", "thread", key, "count", n)
				b.end(n)
			}
			delete(b.queues, key)
			b.mu.Unlock()
			return
		}
		m, skipped = next(q.pending)
		q.pending = nil
		b.mu.Unlock()
	}
}

// next picks the message to handle from those queued: the latest one that
// addresses the bot, else the latest. The others are skipped, in order.
func next(pending []Message) (Message, []Message) {
	i := len(pending) - 1
	for j := i; j >= 0; j-- {
		if pending[j].Mention {
			i = j
			break
		}
	}
	return pending[i], slices.Delete(slices.Clone(pending), i, i+1)
}

func (b *Bot) handle(a Adapter, m Message, skipped []Message) {
	ctx, cancel := context.WithCancelCause(b.runCtx)
	defer cancel(nil)
	t := &Thread{bot: b, adapter: a, addr: m.Address, trigger: m, skipped: skipped}
	b.mu.Lock()
	h := b.onMention
	if !m.Mention {
		h = b.onMessage
	}
	b.mu.Unlock()
	if h == nil {
		h = b.defaultHandler
	}
	err := safely(func() error { return h(ctx, t, m) })
	b.finish(ctx, t, err, "message", m.ID)
}

func (b *Bot) defaultHandler(ctx context.Context, t *Thread, m Message) error {
	if !m.Mention && !m.Direct {
		b.mu.Lock()
		active := b.active[t.addr.String()]
		b.mu.Unlock()
		if !active {
			return nil
		}
	}
	_, err := t.RunAgent(ctx, RunOptions{})
	return err
}

// finish reports how a handler ended: a stop to the thread, a failure the
// thread has not heard of yet to the thread and the log.
func (b *Bot) finish(ctx context.Context, t *Thread, err error, kind, id string) {
	var pe *panicError
	switch {
	case err == nil:
	case errors.Is(err, ErrParked):
		b.log.Info("bot: run parked until a person decides", "thread", t.addr.String(), kind, id)
	case errors.Is(context.Cause(ctx), ErrStopped):
		b.log.Info("bot: handler cancelled by Stop", "thread", t.addr.String(), kind, id, "err", err)
		t.notice(ctx, "⏹ I had to stop before finishing: the bot is shutting down. Please ask again in a moment.")
	case errors.As(err, &pe):
		b.log.Error("bot: handler panicked", "thread", t.addr.String(), kind, id, "panic", fmt.Sprint(pe.value), "stack", string(pe.stack))
		t.notice(ctx, "⚠️ Sorry, something went wrong while handling that.")
	case t.reported.Load():
		b.log.Warn("bot: handler failed", "thread", t.addr.String(), kind, id, "err", err)
	default:
		b.log.Error("bot: handler failed", "thread", t.addr.String(), kind, id, "err", err)
		t.notice(ctx, "⚠️ Sorry, something went wrong while handling that.")
	}
}

// safely calls f, turning a panic into an error that carries the stack.
func safely(f func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &panicError{value: p, stack: debug.Stack()}
		}
	}()
	return f()
}

func (b *Bot) click(a Adapter, act Action) {
	if act.Message.Platform == "" {
		act.Message.Platform = a.Platform()
	}
	b.mu.Lock()
	if b.stopping {
		b.mu.Unlock()
		b.log.Warn("bot: click arrived while stopping; not handled", "thread", act.Message.Address.String())
		return
	}
	b.begin(1)
	b.mu.Unlock()
	go func() {
		defer func() {
			b.mu.Lock()
			b.end(1)
			b.mu.Unlock()
		}()
		ctx, cancel := context.WithCancelCause(b.runCtx)
		defer cancel(nil)
		t := &Thread{bot: b, adapter: a, addr: act.Message.Address, trigger: Message{Address: act.Message.Address, User: act.User}}
		rec, err := b.store.Action(ctx, act.ID)
		// An id is valid only in the conversation it was posted to.
		known := err == nil && rec.Address.Platform == act.Message.Platform && rec.Address.Channel == act.Message.Channel
		if err != nil && !errors.Is(err, ErrNotFound) {
			b.log.Error("bot: could not look up a clicked action", "thread", t.addr.String(), "err", err)
			t.notify(ctx, act.User, "Something went wrong with this button; please try again.")
			return
		}
		if !known {
			b.log.Info("bot: click on an unknown action id", "thread", t.addr.String(), "user", act.User.ID)
			t.notify(ctx, act.User, "This button is no longer valid.")
			return
		}
		t.addr, t.trigger.Address = rec.Address, rec.Address
		if rec.Choice != "" {
			b.decide(ctx, t, rec, act)
			return
		}
		b.mu.Lock()
		h := b.actionHandlers[rec.Handler]
		b.mu.Unlock()
		if h == nil {
			b.log.Error("bot: click for an action with no handler", "action", rec.Handler, "thread", t.addr.String())
			t.notify(ctx, act.User, "This button has nothing to do right now.")
			return
		}
		e := ActionEvent{Name: rec.Handler, Label: rec.Label, Value: rec.Value, User: act.User, Message: act.Message}
		err = safely(func() error { return h(ctx, t, e) })
		b.finish(ctx, t, err, "action", rec.Handler)
	}()
}

// target is an interactive element of a tree with what a click on it
// means.
type target struct {
	el     render.Interactive
	label  string
	action string // the handler a select option or button is bound to
	value  any
}

// targets lists the interactive elements of content in reading order.
func targets(content render.Node) []target {
	els := render.Interactives(content)
	if len(els) == 0 {
		return nil
	}
	selectOf := map[*render.Option]*render.SelectNode{}
	render.Walk(content, func(n render.Node) {
		if s, ok := n.(*render.SelectNode); ok {
			for _, o := range s.Options {
				selectOf[o] = s
			}
		}
	})
	out := make([]target, len(els))
	for i, el := range els {
		switch el := el.(type) {
		case *render.ButtonNode:
			out[i] = target{el, el.Label, el.Action, el.Value}
		case *render.Option:
			out[i] = target{el, el.Label, selectOf[el].Action, el.Value}
		}
	}
	return out
}

// outgoing prepares content for an adapter: every action button and
// option gets an opaque id, bound in the Store to its handler and value.
func (b *Bot) outgoing(ctx context.Context, to Address, content render.Node) (Outgoing, error) {
	if content == nil {
		return Outgoing{}, errors.New("bot: nothing to post (nil content)")
	}
	ts := targets(content)
	if len(ts) == 0 {
		return Outgoing{Content: content}, nil
	}
	ids := make(render.IDs, len(ts))
	recs := make([]ActionRecord, len(ts))
	for i, tg := range ts {
		if tg.action == "" {
			return Outgoing{}, fmt.Errorf("bot: %q has no handler: bind its button or select with OnAction(name) and register the name with Bot.OnAction", tg.label)
		}
		v, err := json.Marshal(tg.value)
		if err != nil {
			return Outgoing{}, fmt.Errorf("bot: %q: value: %w", tg.label, err)
		}
		ids[tg.el] = rand.Text()
		recs[i] = ActionRecord{ID: ids[tg.el], Address: to, Handler: tg.action, Label: tg.label, Value: v}
	}
	if err := b.store.PutActions(ctx, recs); err != nil {
		return Outgoing{}, fmt.Errorf("bot: storing the message's actions: %w", err)
	}
	return Outgoing{Content: content, IDs: ids}, nil
}

// record appends m to the transcript of its thread, kept for platforms
// whose history the bot cannot read back.
func (b *Bot) record(m Message) {
	key := m.Address.String()
	b.mu.Lock()
	defer b.mu.Unlock()
	tr := append(b.transcripts[key], m)
	if over := len(tr) - b.cfg.HistoryLimit; over > 0 {
		tr = slices.Delete(tr, 0, over)
	}
	if _, ok := b.transcripts[key]; !ok {
		forgetOne(b.transcripts)
	}
	b.transcripts[key] = tr
}

// forgetOne deletes an arbitrary entry of m once it holds maxThreadState
// threads, keeping per-thread memory bounded.
func forgetOne[V any](m map[string]V) {
	if len(m) < maxThreadState {
		return
	}
	for k := range m {
		delete(m, k)
		return
	}
}

func (b *Bot) transcript(addr Address) []Message {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.transcripts[addr.String()])
}
