package bot

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parleybot/parley/store/sqlite"
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
	// HistoryLimit bounds the past messages a run reads, and the messages
	// the bot keeps in its transcript of each thread. Default 50.
	HistoryLimit int
	// StreamInterval is the least time between two edits of a message
	// being streamed by post-and-edit. The final edit is always sent.
	// Default 1s.
	StreamInterval time.Duration
	// Logger receives the bot's logs. Default slog.Default().
	Logger *slog.Logger

	// Store holds what must outlive the process and be shared by
	// replicas: what clicks mean, the choices waiting for a person, the
	// queue of accepted messages, run journals, transcripts. Default: a
	// store/sqlite Store in the file the environment variable PARLEY_DB
	// names, else [DefaultDB] in the working directory, which the bot
	// opens in New and closes in Stop (also in a Stop before Start) or
	// when Start fails — so buttons, pending approvals and queued
	// messages outlive a restart with nothing to install. Use
	// store/postgres for replicas on several machines, and
	// NewMemoryStore() where state should die with the process (tests;
	// bottest does so).
	Store Store
	// Notifier wakes, at once, a run waiting on one replica for a choice
	// decided on another. Default: the Store, if it implements Notifier;
	// else none, and waits poll the Store every PollInterval.
	Notifier Notifier
	// PollInterval is how often a run waiting for a person asks the Store
	// whether another replica decided, without a Notifier (with one, ten
	// times less often, as a safety net). Default 2s.
	PollInterval time.Duration
	// ParkAfter is how long a run waiting in AwaitChoice keeps its
	// goroutine; then it parks, freeing its memory, and resumes by replay
	// when the person decides. A waiting run also parks at once when
	// other work is queued in its thread. Default 5 minutes.
	ParkAfter time.Duration
	// SweepInterval is how often the bot looks in the Store for choices
	// past their deadline that no goroutine waits on, and for work whose
	// process stopped or died, to take it over. Default 5 seconds.
	SweepInterval time.Duration
	// LeaseTTL is how long a process holds a thread's work without
	// renewing its lease (it renews every third of it). After a crash,
	// another process takes the thread over within LeaseTTL plus
	// SweepInterval. Default 30s.
	LeaseTTL time.Duration
	// Interrupted says what becomes of a run that a crash cut while it
	// was working (not while it waited for a person, which always
	// resumes). Default TellInterrupted.
	Interrupted InterruptedRuns
	// MaxLanes bounds the threads this process works on at once (a run
	// waiting for a person counts until it parks). Past it, what the bot
	// accepts waits in the Store's queue — acknowledged, never dropped —
	// and is taken up as lanes free, here or by a replica. Default 1024.
	MaxLanes int
	// DedupeTTL is how long an event id is remembered to drop a platform's
	// redelivery of it. Default 1 hour.
	DedupeTTL time.Duration
	// JournalRetention keeps a finished run's journal this long, for
	// audit; zero deletes it when the run ends.
	JournalRetention time.Duration
	// ChoiceRetention is how long an ended choice is kept, so that a late
	// click is told who decided; after it, the card's buttons are merely
	// invalid. Default 7 days.
	ChoiceRetention time.Duration
	// ActionTTL is how long a button bound with OnAction stays valid.
	// Default 90 days.
	ActionTTL time.Duration
	// TranscriptRetention drops the transcript of a thread with no new
	// message for this long. Default 30 days.
	TranscriptRetention time.Duration
	// ReplicaID names this process in the leases it holds. Default: the
	// host name, the process id and a random suffix.
	ReplicaID string
}

// BusyStrategy says what happens to messages that arrive in a thread while
// the bot is handling another message there.
type BusyStrategy int

const (
	// BusyQueue keeps them; when the current run ends, the latest is
	// handled, and those it superseded are available as [Thread.Skipped]
	// (and, being in the thread, in the model's history).
	BusyQueue BusyStrategy = iota
	// BusyDrop ignores them (they stay in the thread's transcript).
	BusyDrop
	// BusyConcurrent handles each at once, in parallel with the others.
	BusyConcurrent
)

// InterruptedRuns says what becomes of a run that a crash (or a lost
// lease) cut while it was working, when another process finds it.
type InterruptedRuns int

const (
	// TellInterrupted, the default, ends the run with a plain sentence in
	// its thread asking the person to ask again, and closes its cards. A
	// run cut mid-tool may have done things outside the Thread that its
	// journal cannot know of — half a deploy — and its partial answer is
	// already on screen: asking again is safer than silently doing twice.
	//
	// A process that dies in the instant between a run's last post and
	// the Store's record of the run done leaves the run looking cut: its
	// thread hears it was interrupted though it was answered (with
	// ReplayInterrupted, the turn runs again). Closing that window would
	// cost every turn a write before its answer. A run whose journal in
	// the Store already holds its whole answer — one that waited for a
	// person wrote it, and was cut while a failed closing edit of its card
	// was being retried — is finished by replay under either policy, when
	// no code of the author's follows the answer (the bot's own handler of
	// messages, or RunAgent outside any handler): the model is not asked
	// again and nothing is posted again.
	TellInterrupted InterruptedRuns = iota
	// ReplayInterrupted resumes the run by replay from what its journal
	// holds and goes on live: steps journaled are not done again, steps
	// after the last write to the Store are. Choose it when every tool is
	// idempotent.
	ReplayInterrupted
)

const (
	defaultInstructions = "You are a helpful assistant in a team chat. Answer concisely. Use the tools you have when they help."
	defaultMaxSteps     = 8
	defaultHistory      = 50
	noticeTimeout       = 10 * time.Second
)

// MessageHandler handles a message in a thread. The default handlers run
// the agent: t.RunAgent(ctx, RunOptions{}).
type MessageHandler func(ctx context.Context, t *Thread, m Message) error

// ActionHandler handles a click on a button bound to it by name (see
// [render.ButtonNode.OnAction] and [Bot.OnAction]).
type ActionHandler func(ctx context.Context, t *Thread, e ActionEvent) error

// Bot is a chat assistant: it receives messages from its adapters, runs an
// agent over its model and tools for each, and routes clicks on the cards it
// posts. Create one with [New], register tools, then [Bot.Start] it.
//
// Its state is split by concern, each part with its own lock: the
// registry of tools and handlers, the lanes of work this process holds,
// the choices waiting here, and the count of work in progress. Nothing on
// the path of a message takes a lock over the whole bot.
type Bot struct {
	cfg      Config
	log      *slog.Logger
	adapters map[string]Adapter
	store    Store
	// closeStore closes the Store the bot opened itself, at the end of
	// Stop; nil when Config.Store was given.
	closeStore func() error
	notifier   Notifier
	owner      string
	sweepNow   chan struct{} // nudges the sweep (see nudgeSweep)
	// expireTrouble and takeTrouble keep the sweep's log short while the
	// Store fails.
	expireTrouble, takeTrouble trouble

	reg   registry
	lanes laneTable
	waits waitTable
	work  tracker
	// asking counts the AwaitChoice calls outside any run under way: Stop
	// ends them, and waits for them to close their cards.
	asking outsideWaits
	extra  extraTools
	// replies holds, by work item id, the ActionReply of a click queued
	// here: only this process can answer through it.
	replies sync.Map
	// storeCut holds the ids of the runs this process stopped, and told
	// their threads so, because the Store could not be reached: taking
	// such a run up again here, the bot does not tell the thread twice.
	storeCut sync.Map
	// goroutines counts the goroutines doing the bot's work; Stop waits
	// for them.
	goroutines sync.WaitGroup

	life  sync.Mutex   // held by Start
	state atomic.Int32 // stateNew, stateStarted, stateStopping
	// inflight counts the Inbox calls (and detached RunAgent starts)
	// under way: Stop lets them finish queuing their work first.
	inflight   atomic.Int64
	runCtx     context.Context
	cancelRuns context.CancelCauseFunc
	stopRecv   context.CancelFunc
	stopBack   context.CancelFunc // the lease renewer and the notes
}

const (
	stateNew int32 = iota
	stateStarted
	stateStopping
)

// New returns a bot for cfg, or an error naming the first field that is
// wrong.
func New(cfg Config) (*Bot, error) {
	if cfg.Model == nil {
		return nil, errors.New("bot: Config.Model is required")
	}
	if len(cfg.Adapters) == 0 {
		return nil, errors.New("bot: Config.Adapters is empty: the bot needs at least one platform")
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"ParkAfter", cfg.ParkAfter}, {"SweepInterval", cfg.SweepInterval}, {"StreamInterval", cfg.StreamInterval},
		{"PollInterval", cfg.PollInterval}, {"LeaseTTL", cfg.LeaseTTL}, {"DedupeTTL", cfg.DedupeTTL},
		{"JournalRetention", cfg.JournalRetention}, {"ChoiceRetention", cfg.ChoiceRetention},
		{"ActionTTL", cfg.ActionTTL}, {"TranscriptRetention", cfg.TranscriptRetention},
	} {
		if d.v < 0 {
			return nil, fmt.Errorf("bot: Config.%s is %v; it must not be negative", d.name, d.v)
		}
	}
	switch {
	case cfg.MaxSteps < 0:
		return nil, fmt.Errorf("bot: Config.MaxSteps is %d; it must be positive, or 0 for the default", cfg.MaxSteps)
	case cfg.HistoryLimit < 0:
		return nil, fmt.Errorf("bot: Config.HistoryLimit is %d; it must be positive, or 0 for the default", cfg.HistoryLimit)
	case cfg.Busy < BusyQueue || cfg.Busy > BusyConcurrent:
		return nil, fmt.Errorf("bot: Config.Busy is %d, not a BusyStrategy", cfg.Busy)
	case cfg.Interrupted < TellInterrupted || cfg.Interrupted > ReplayInterrupted:
		return nil, fmt.Errorf("bot: Config.Interrupted is %d, not an InterruptedRuns", cfg.Interrupted)
	case cfg.LeaseTTL != 0 && cfg.LeaseTTL < 30*time.Millisecond:
		return nil, fmt.Errorf("bot: Config.LeaseTTL is %v; it must be at least 30ms", cfg.LeaseTTL)
	}
	setDefault(&cfg.Instructions, defaultInstructions)
	setDefault(&cfg.MaxSteps, defaultMaxSteps)
	setDefault(&cfg.HistoryLimit, defaultHistory)
	setDefault(&cfg.StreamInterval, time.Second)
	setDefault(&cfg.PollInterval, 2*time.Second)
	setDefault(&cfg.ParkAfter, 5*time.Minute)
	setDefault(&cfg.SweepInterval, 5*time.Second)
	setDefault(&cfg.LeaseTTL, 30*time.Second)
	setDefault(&cfg.DedupeTTL, time.Hour)
	setDefault(&cfg.MaxLanes, 1024)
	setDefault(&cfg.ChoiceRetention, 7*24*time.Hour)
	setDefault(&cfg.ActionTTL, 90*24*time.Hour)
	setDefault(&cfg.TranscriptRetention, 30*24*time.Hour)
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.ReplicaID == "" {
		host, _ := os.Hostname()
		cfg.ReplicaID = host + "-" + strconv.Itoa(os.Getpid()) + "-" + rand.Text()[:6]
	}
	b := &Bot{
		cfg:      cfg,
		log:      cfg.Logger,
		adapters: make(map[string]Adapter, len(cfg.Adapters)),
		store:    cfg.Store,
		notifier: cfg.Notifier,
		owner:    cfg.ReplicaID,
		sweepNow: make(chan struct{}, 1),
	}
	b.reg.init()
	b.lanes.m = map[string]*lane{}
	b.waits.m = map[string]*waiter{}
	b.extra.m = map[string][]*Tool{}
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
	if b.store == nil {
		// Last, so that no other error leaves the file open.
		s, err := openDefaultStore()
		if err != nil {
			return nil, err
		}
		b.store, b.cfg.Store, b.closeStore = s, s, s.Close
	}
	if b.notifier == nil {
		b.notifier, _ = b.store.(Notifier)
		b.cfg.Notifier = b.notifier
	}
	b.runCtx, b.cancelRuns = context.WithCancelCause(context.Background())
	return b, nil
}

// DefaultDB is the SQLite file the bot keeps its state in when
// [Config.Store] is nil and the environment variable PARLEY_DB names none.
const DefaultDB = "parley.db"

// openDefaultStore opens the Store of a bot given none: the SQLite file
// PARLEY_DB names, or [DefaultDB] in the working directory.
func openDefaultStore() (*sqlite.Store, error) {
	path := cmp.Or(os.Getenv("PARLEY_DB"), DefaultDB)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		return nil, fmt.Errorf("bot: Config.Store is nil, and the default store (PARLEY_DB, default %s) does not open: %w", DefaultDB, err)
	}
	return s, nil
}

func setDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

// Tool registers t for every run. It fails if t's definition is invalid, if
// a tool of that name is already registered, or after Start.
func (b *Bot) Tool(t *Tool) error { return b.reg.addTool(t) }

// OnMention sets the handler for messages that address the bot (a mention,
// or a direct message). By default such a message runs the agent.
//
// A handler runs as a run: its Thread operations are journaled and, if it
// waits for a person, it resumes by replay from its start, like a tool
// handler (see the package docs, "Surviving a restart").
func (b *Bot) OnMention(h MessageHandler) {
	b.reg.mu.Lock()
	b.reg.onMention = h
	b.reg.mu.Unlock()
}

// OnMessage sets the handler for other messages the adapters deliver:
// replies in a thread, without a mention. By default the agent runs for
// those in threads where the bot has posted, and the rest are only kept
// in the thread's transcript.
func (b *Bot) OnMessage(h MessageHandler) {
	b.reg.mu.Lock()
	b.reg.onMessage = h
	b.reg.mu.Unlock()
}

// OnAction registers h for clicks on buttons bound to name with
// [render.ButtonNode.OnAction]. Registering a name again replaces its
// handler. The handler runs as a run of its own, beside any run of the
// thread, and resumes by replay like a message handler.
func (b *Bot) OnAction(name string, h ActionHandler) {
	b.reg.mu.Lock()
	b.reg.actions[name] = h
	b.reg.mu.Unlock()
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
//
// A started bot at once takes over the work its Store holds for no live
// process: messages accepted and not handled, runs cut by a crash, choices
// decided while no process was there.
func (b *Bot) Start(ctx context.Context) error {
	b.life.Lock()
	defer b.life.Unlock()
	if !b.state.CompareAndSwap(stateNew, stateStarted) {
		return errors.New("bot: already started")
	}
	b.reg.freeze()
	recvCtx, stopRecv := context.WithCancel(ctx)
	b.stopRecv = stopRecv
	backCtx, stopBack := context.WithCancel(context.WithoutCancel(ctx))
	b.stopBack = stopBack
	if b.notifier != nil {
		if err := b.notifier.Subscribe(backCtx, b.receiveNote); err != nil {
			stopRecv()
			stopBack()
			b.closeOwnStore()
			return fmt.Errorf("bot: subscribing to the Notifier: %w", err)
		}
	}
	for _, a := range b.cfg.Adapters {
		if err := a.Start(recvCtx, inbox{b: b, a: a}); err != nil {
			stopRecv()
			stopBack()
			b.closeOwnStore()
			return fmt.Errorf("bot: starting the %s adapter: %w", a.Platform(), err)
		}
	}
	// The renewer outlives the receiving: runs finishing during Stop keep
	// their leases. Stop ends it last.
	go b.renew(backCtx)
	b.background(func() { b.sweep(recvCtx) })
	return nil
}

// Stop stops the bot gracefully: the adapters stop receiving, and the
// Inbox refuses new events with ErrStopping; then the work being done and
// the messages queued behind it here get until ctx ends to finish. Runs
// waiting for a person do not hold Stop up: they park, to resume wherever
// the decision lands. A choice asked outside any run (see [AwaitChoice])
// is cancelled and its card closed, since nothing could act on its answer
// once the process is gone. Runs still working when ctx ends are
// cancelled, each telling its thread it was stopped, and Stop returns
// ctx's error once they have returned; the queued messages not begun by then stay in the
// Store for the next process (with the MemoryStore, for another bot
// sharing it, if any).
//
// Stop waits for handlers, so a handler must not call it (it would wait
// for itself); start it on a goroutine of its own instead.
func (b *Bot) Stop(ctx context.Context) error {
	b.life.Lock() // a Start under way finishes first
	if !b.state.CompareAndSwap(stateStarted, stateStopping) {
		b.life.Unlock()
		if b.state.Load() == stateNew {
			b.closeOwnStore() // what New opened is not left open
			return errors.New("bot: Stop before Start")
		}
		return errors.New("bot: already stopped")
	}
	b.life.Unlock()
	b.asking.refuse()
	b.stopRecv()
	// Calls that got past the check before the state changed finish
	// queuing their work, and it counts, before Stop waits for the work.
	for b.inflight.Load() > 0 {
		time.Sleep(time.Millisecond)
	}
	err := b.Idle(ctx)
	b.cancelRuns(ErrStopped)
	// Handlers see their context end now; wait for them to return, which
	// well-behaved ones do at once.
	done := make(chan struct{})
	go func() {
		b.asking.wait() // before: their retries run as the bot's goroutines
		b.goroutines.Wait()
		close(done)
	}()
	wait := time.NewTimer(noticeTimeout + 5*time.Second)
	defer wait.Stop()
	select {
	case <-done:
	case <-wait.C:
		b.stopBack()
		return fmt.Errorf("bot: %d runs or clicks still being handled after their cancellation", b.work.count())
	}
	b.stopBack()
	return errors.Join(err, b.closeOwnStore())
}

// closeOwnStore closes the Store the bot opened itself, if any; closing it
// again does nothing.
func (b *Bot) closeOwnStore() error {
	if b.closeStore == nil {
		return nil
	}
	return b.closeStore()
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

// Idle blocks until the bot does nothing but wait — no message or click
// being handled or queued here, every run either over or waiting for a
// person — or until ctx ends. Tests use it to wait for a bot to settle.
func (b *Bot) Idle(ctx context.Context) error { return b.work.wait(ctx) }

// stopping reports whether the bot refuses new events.
func (b *Bot) stopping() bool { return b.state.Load() != stateStarted }

// enter begins an Inbox call, unless the bot is stopping; leave ends it.
// Stop waits for the calls that entered before it began.
func (b *Bot) enter() bool {
	b.inflight.Add(1)
	if b.stopping() {
		b.inflight.Add(-1)
		return false
	}
	return true
}

func (b *Bot) leave() { b.inflight.Add(-1) }

// background runs f on a goroutine Stop waits for.
func (b *Bot) background(f func()) {
	b.goroutines.Add(1)
	go func() {
		defer b.goroutines.Done()
		f()
	}()
}

// registry holds the tools and handlers. Tools are fixed at Start; the
// handlers may change at any time.
type registry struct {
	mu        sync.RWMutex
	tools     []*Tool
	index     map[string]*Tool
	frozen    atomic.Pointer[toolSet] // set at Start
	onMention MessageHandler
	onMessage MessageHandler
	actions   map[string]ActionHandler
}

// toolSet is the tools of a run: by name, and as sent to the model.
type toolSet struct {
	index map[string]*Tool
	defs  []ToolDef
}

func (r *registry) init() {
	r.index = map[string]*Tool{}
	r.actions = map[string]ActionHandler{}
}

func (r *registry) addTool(t *Tool) error {
	if t == nil {
		return errors.New("bot: Tool(nil)")
	}
	if t.err != nil {
		return t.err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.frozen.Load() != nil {
		return fmt.Errorf("bot: tool %q registered after Start", t.name)
	}
	if _, dup := r.index[t.name]; dup {
		return fmt.Errorf("bot: tool %q is already registered", t.name)
	}
	r.tools = append(r.tools, t)
	r.index[t.name] = t
	return nil
}

func (r *registry) freeze() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.frozen.Store(r.snapshot())
}

// snapshot builds the tool set from the registered tools; r.mu must be
// held.
func (r *registry) snapshot() *toolSet {
	ts := &toolSet{index: r.index, defs: make([]ToolDef, len(r.tools))}
	for i, t := range r.tools {
		ts.defs[i] = t.def()
	}
	return ts
}

// toolsFor returns the tools of a run: the bot's, then extra.
func (r *registry) toolsFor(extra []*Tool) (*toolSet, error) {
	ts := r.frozen.Load()
	if ts == nil {
		r.mu.RLock()
		ts = r.snapshot()
		ts.index = maps.Clone(ts.index)
		r.mu.RUnlock()
	}
	if len(extra) == 0 {
		return ts, nil
	}
	out := &toolSet{index: maps.Clone(ts.index), defs: slices.Clip(ts.defs)}
	for _, t := range extra {
		if t == nil {
			return nil, errors.New("bot: RunOptions.Tools holds a nil tool")
		}
		if t.err != nil {
			return nil, t.err
		}
		if _, dup := out.index[t.name]; dup {
			return nil, fmt.Errorf("bot: RunOptions.Tools: tool %q is already registered", t.name)
		}
		out.index[t.name] = t
		out.defs = append(out.defs, t.def())
	}
	return out, nil
}

func (r *registry) messageHandler(mention bool) MessageHandler {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if mention {
		return r.onMention
	}
	return r.onMessage
}

func (r *registry) actionHandler(name string) ActionHandler {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.actions[name]
}

// outsideWaits counts the AwaitChoice calls outside any run under way.
// Once refused, it takes no new one: Stop waits for those under way to
// end, and none begins after.
type outsideWaits struct {
	mu      sync.Mutex
	n       int
	refused bool
	idle    chan struct{} // closed when n drops to 0 after refuse
}

// enter begins a wait, unless the bot is stopping.
func (o *outsideWaits) enter() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.refused {
		return false
	}
	o.n++
	return true
}

func (o *outsideWaits) leave() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.n--
	if o.n == 0 && o.idle != nil {
		close(o.idle)
		o.idle = nil
	}
}

func (o *outsideWaits) refuse() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.refused = true
}

// wait waits until the waits under way have ended; call it after refuse.
func (o *outsideWaits) wait() {
	o.mu.Lock()
	if o.n == 0 {
		o.mu.Unlock()
		return
	}
	if o.idle == nil {
		o.idle = make(chan struct{})
	}
	ch := o.idle
	o.mu.Unlock()
	<-ch
}

// tracker counts the work in progress, for Idle.
type tracker struct {
	mu   sync.Mutex
	n    int
	idle chan struct{} // closed when n drops to 0
}

func (t *tracker) add(d int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.n == 0 && d > 0 {
		t.idle = make(chan struct{})
	}
	t.n += d
	if t.n == 0 && d < 0 {
		close(t.idle)
	}
	if t.n < 0 {
		panic("bot: work count below zero")
	}
}

func (t *tracker) count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.n
}

func (t *tracker) wait(ctx context.Context) error {
	t.mu.Lock()
	if t.n == 0 {
		t.mu.Unlock()
		return nil
	}
	ch := t.idle
	t.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// extraTools keeps the RunOptions.Tools of detached runs, which a resume
// in this process needs and no journal can hold.
type extraTools struct {
	mu    sync.Mutex
	m     map[string][]*Tool
	order []string // runs, oldest first (some maybe dropped already)
}

// maxExtraTools bounds the detached runs whose extra tools are kept: past
// it, the oldest is forgotten, and that run, if it ever resumes, ends
// plainly as it would in another process.
const maxExtraTools = 10_000

func (e *extraTools) put(run string, tools []*Tool) {
	if len(tools) == 0 {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.m[run] = tools
	e.order = append(e.order, run)
	for len(e.m) > maxExtraTools {
		delete(e.m, e.order[0])
		e.order = e.order[1:]
	}
	if len(e.order) > 2*maxExtraTools {
		e.order = slices.DeleteFunc(slices.Clone(e.order), func(r string) bool { _, ok := e.m[r]; return !ok })
	}
}

func (e *extraTools) get(run string) []*Tool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.m[run]
}

func (e *extraTools) drop(run string) {
	e.mu.Lock()
	delete(e.m, run)
	e.mu.Unlock()
}
