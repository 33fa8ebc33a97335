package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/parleybot/parley/render"
	"github.com/parleybot/parley/render/plaintext"
)

// run is one handler invocation, journaled: the handling of a message, a
// click's action handler, or a detached RunAgent. It runs in a lane this
// process holds; when it waits for a person it may park, and resume later
// by replay, in this process or another.
type run struct {
	b     *Bot
	id    string
	lane  *lane
	start runStart
	j     *journal
	root  *scope

	ctx    context.Context
	cancel context.CancelCauseFunc

	mu      sync.Mutex
	active  int  // goroutines of the run at work (not waiting for a person)
	choices bool // the run asked a choice
}

// runStart is the first entry of a run's journal: what a replay needs to
// start the run again.
type runStart struct {
	Kind    WorkKind
	Lane    string
	Trigger Message
	Skipped []Message    `json:",omitempty"`
	Action  *ActionEvent `json:",omitempty"`
	Agent   *AgentStart  `json:",omitempty"`
}

func startOf(it WorkItem, skipped []Message) runStart {
	return runStart{Kind: it.Kind, Lane: it.Lane, Trigger: it.Message, Skipped: skipped, Action: it.Action, Agent: it.Agent}
}

// newRun makes the run of start with the journal entries recorded so far
// (none for a new run).
func (l *lane) newRun(id string, start runStart, entries []JournalEntry) *run {
	b := l.b
	r := &run{b: b, id: id, lane: l, start: start, active: 1}
	r.j = newJournal(b.store, id, l.currentLease, entries)
	for _, e := range entries {
		// A replay may not ask its choices again (a tool call's result
		// recorded is not run again): the run's end still sees to them,
		// and to cards a dead process could not close.
		if e.Kind == StepChoice {
			r.choices = true
			break
		}
	}
	r.root = r.j.scope("")
	r.ctx, r.cancel = context.WithCancelCause(b.runCtx)
	r.j.onStall = func() {
		b.log.Warn("bot: the Store failed a journal write; the run waits for it", "run", id)
		b.background(func() { r.threadOutside().notice(r.ctx, storeWaitNotice) })
	}
	return r
}

// thread is the run's Thread at its handler's scope.
func (r *run) thread() *Thread {
	s := r.start
	return &Thread{bot: r.b, adapter: r.b.adapters[s.Trigger.Address.Platform], addr: s.Trigger.Address, trigger: s.Trigger, skipped: s.Skipped, run: r, scope: r.root}
}

// activity counts goroutines of the run starting (d > 0) or stopping work;
// a run whose every goroutine waits for a person does not keep the bot
// busy (see Bot.Idle). A run starts with one: its lane's.
func (r *run) activity(d int) {
	r.mu.Lock()
	was := r.active
	r.active += d
	now := r.active
	r.mu.Unlock()
	switch {
	case was > 0 && now == 0:
		r.b.work.add(-1)
	case was == 0 && now > 0:
		r.b.work.add(1)
	}
}

// asked reports whether the run asked a choice.
func (r *run) asked() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.choices
}

// record keeps a message the run posted for the thread's transcript,
// written when the run's work is reported done.
func (r *run) record(m Message) {
	r.lane.mu.Lock()
	r.lane.records = append(r.lane.records, ThreadRecord{Thread: m.Address.String(), Message: m})
	r.lane.mu.Unlock()
}

// pending returns the messages the run's lane posted to thread and has
// not written to the transcript yet.
func (r *run) pending(thread string) []Message {
	r.lane.mu.Lock()
	defer r.lane.mu.Unlock()
	var out []Message
	for _, rec := range r.lane.records {
		if rec.Thread == thread {
			out = append(out, rec.Message)
		}
	}
	return out
}

// start does a new item: a message (with the messages it supersedes), a
// click, or a detached RunAgent.
func (l *lane) start(it WorkItem, skipped []Message) {
	l.execute(l.newRun(it.ID, startOf(it, skipped), nil), nil)
}

// execute runs r's handler, live or by replay, and finishes it. agent is
// the detached RunAgent's own options, when the run is one started here.
func (l *lane) execute(r *run, agent *RunOptions) (RunResult, error) {
	b := l.b
	l.mu.Lock()
	l.cur = r
	lost := l.lost
	l.mu.Unlock()
	if lost {
		// The lane was given up before the run began (lose found no run
		// to cancel): it must not work there.
		r.cancel(errLeaseLost)
	}
	defer func() {
		l.mu.Lock()
		l.cur = nil
		held := l.yieldHeld
		l.yieldHeld = false
		l.mu.Unlock()
		if held {
			r.activity(-1)
		}
		r.cancel(nil)
	}()
	if b.adapters[r.start.Trigger.Address.Platform] == nil {
		// Nothing can be said there; the run ends, its choices with it, so
		// that no click resumes it again and again.
		b.log.Error("bot: a run is on a platform this bot has no adapter for; it is ended", "run", r.id, "platform", r.start.Trigger.Address.Platform)
		r.choices = true // whatever it asked ends with it
		r.end(r.ctx)
		return RunResult{}, fmt.Errorf("bot: no adapter for platform %q", r.start.Trigger.Address.Platform)
	}
	ctx := r.ctx
	t := r.thread()
	var res RunResult
	err := safely(func() error {
		if _, err := step(ctx, r.root, StepStart, string(r.start.Kind), r.start, func() (runStart, error) { return r.start, nil }); err != nil {
			return err
		}
		switch r.start.Kind {
		case WorkMessage:
			h := b.reg.messageHandler(r.start.Trigger.Mention)
			if h == nil {
				h = b.defaultHandler
			}
			return h(ctx, t, r.start.Trigger)
		case WorkAction:
			h := b.reg.actionHandler(r.start.Action.Name)
			if h == nil {
				return errNoHandler
			}
			ev := *r.start.Action
			if reply, ok := b.replies.LoadAndDelete(r.id); ok {
				ev.Reply = reply.(ActionReply) // live only: a replay has none
			}
			return h(ctx, t, ev)
		case WorkAgent:
			opts := RunOptions{}
			if agent != nil {
				opts = *agent
			} else {
				var err error
				if opts, err = b.agentOptions(r); err != nil {
					return err
				}
			}
			var err error
			res, err = t.runAgent(ctx, r.root.sub("a"), opts)
			return err
		}
		return fmt.Errorf("bot: unknown kind of run %q", r.start.Kind)
	})
	r.finish(t, err)
	return res, err
}

var errNoHandler = errors.New("bot: the action handler of this button is no longer registered")

// agentOptions rebuilds a detached RunAgent's options from its start. Its
// extra tools are known only to the process that started it.
func (b *Bot) agentOptions(r *run) (RunOptions, error) {
	a := r.start.Agent
	if a == nil {
		a = &AgentStart{}
	}
	opts := RunOptions{Instructions: a.Instructions, MaxSteps: a.MaxSteps, ParallelTools: a.Parallel}
	if len(a.Tools) > 0 {
		extra := b.extra.get(r.id)
		if len(extra) != len(a.Tools) {
			return opts, &unresumableError{fmt.Sprintf("it used tools given only to it (%s), which this process does not have", strings.Join(a.Tools, ", "))}
		}
		opts.Tools = extra
	}
	return opts, nil
}

// unresumableError is why a run cannot be resumed in this process.
type unresumableError struct{ why string }

func (e *unresumableError) Error() string { return "bot: the run cannot be resumed: " + e.why }

func (b *Bot) defaultHandler(ctx context.Context, t *Thread, m Message) error {
	if !m.Mention && !m.Direct && !t.botPosted(ctx) {
		return nil
	}
	_, err := t.RunAgent(ctx, RunOptions{})
	return err
}

// finish ends a run that returned: a parked run keeps its journal, any
// other ends it, and people hear of a failure they were not told of yet.
func (r *run) finish(t *Thread, err error) {
	b := r.b
	ctx := r.ctx
	log := b.log.With("thread", t.addr.String(), "run", r.id)
	var (
		pe *panicError
		de *DivergedError
		ue *unresumableError
	)
	if jerr := r.j.err(); jerr != nil {
		err = jerr // what broke the journal, whatever the handler made of it
	}
	switch {
	case errors.Is(context.Cause(ctx), errLeaseLost):
		log.Info("bot: run stopped here; another process took its thread over")
		return
	case errors.Is(context.Cause(ctx), errStoreLost) && r.j.isParked():
		log.Info("bot: a run waiting for a person lost its thread's lease to a Store it cannot reach; it resumes when the decision comes")
		return
	case errors.Is(context.Cause(ctx), errStoreLost):
		// Nothing can be recorded: the run's work stays unfinished in the
		// Store, for whoever holds the thread when the Store is back.
		log.Warn("bot: run stopped here: the Store cannot be reached; the thread's work is taken up again when it is back")
		text := storeLostTell
		if b.cfg.Interrupted == ReplayInterrupted {
			text = storeLostReplay
		}
		b.storeCut.Store(r.id, true)
		t.notice(ctx, text)
		return
	case r.j.wasCut() && errors.Is(context.Cause(ctx), ErrStopped):
		// A tool call was cut at work beside a wait: parking would run it
		// again, from its start, when the person decides.
		log.Info("bot: Stop cut a tool call at work; the run ends")
		r.endPlainly(t, "⏹ I had to stop before finishing: the bot is shutting down. Please ask again in a moment.")
		return
	case r.j.isParked() || errors.Is(err, ErrParked):
		if ferr := r.j.flush(ctx); ferr != nil && !errors.Is(ferr, ErrParked) {
			log.Error("bot: a parked run's journal could not be written; it cannot resume", "err", ferr)
			r.endPlainly(t, "⚠️ Sorry, I lost track of this task and cannot go on with it.")
			return
		}
		log.Info("bot: run parked until a person decides")
		return
	case errors.As(err, &de):
		log.Error("bot: a resumed run diverged from its journal", "scope", de.Scope, "step", de.Step, "recorded", de.Recorded, "asked", de.Asked)
		r.endPlainly(t, fmt.Sprintf("⚠️ I could not resume this conversation's task: at step %d%s the code asked for %s where it had done %s before. The code changed since the task began, or it does something that cannot be replayed.", de.Step, readableScope(de.Scope), de.Asked, de.Recorded))
		return
	case errors.As(err, &ue):
		log.Error("bot: a run cannot be resumed", "err", err)
		r.endPlainly(t, "⚠️ Sorry, I cannot pick this task up where it stopped: "+ue.why+".")
		return
	case errors.Is(err, errNoHandler):
		log.Error("bot: a click's action handler is not registered", "action", r.start.Action.Name)
		r.endPlainly(t, "⚠️ Sorry, this button has nothing to do any more.")
		return
	case r.j.err() != nil:
		log.Error("bot: a run's journal failed", "err", r.j.err())
		r.endPlainly(t, "⚠️ Sorry, I lost track of this task and cannot go on with it.")
		return
	case errors.Is(context.Cause(ctx), ErrStopped) && err != nil:
		log.Info("bot: handler cancelled by Stop", "err", err)
		t.notice(ctx, "⏹ I had to stop before finishing: the bot is shutting down. Please ask again in a moment.")
	case errors.As(err, &pe):
		log.Error("bot: handler panicked", "panic", fmt.Sprint(pe.value), "stack", string(pe.stack))
		t.notice(ctx, "⚠️ Sorry, something went wrong while handling that.")
	case err == nil:
	case t.reported.Load():
		log.Warn("bot: handler failed", "err", err)
	default:
		log.Error("bot: handler failed", "err", err)
		t.notice(ctx, "⚠️ Sorry, something went wrong while handling that.")
	}
	r.end(ctx)
}

// end ends the run's journal and cancels the choices it left pending.
func (r *run) end(ctx context.Context) {
	b := r.b
	r.mu.Lock()
	asked := r.choices
	r.mu.Unlock()
	if asked {
		r.cancelChoices(ctx)
		// A card whose closing edit failed is retried in the background;
		// the journal, which a replay after a crash reads to close it,
		// stays until the retries have ended.
		r.j.waitCloses(context.WithoutCancel(ctx))
	}
	var keep time.Time
	if b.cfg.JournalRetention > 0 {
		keep = time.Now().Add(b.cfg.JournalRetention)
	}
	if err := r.j.end(ctx, keep); err != nil && !errors.Is(err, ErrParked) {
		b.log.Warn("bot: ending a run's journal failed", "run", r.id, "err", err)
	}
	if r.start.Kind == WorkAgent {
		b.extra.drop(r.id)
	}
}

// cancelChoices cancels the choices of the run still pending and closes
// their cards plainly: nothing would ever read their decision. The card of
// a choice decided that the run did not take the decision of is closed
// with that decision.
func (r *run) cancelChoices(ctx context.Context) {
	b := r.b
	ctx = context.WithoutCancel(ctx)
	cs, err := b.store.Choices(ctx, r.id)
	if err != nil {
		b.log.Warn("bot: listing a run's choices failed", "run", r.id, "err", err)
		return
	}
	for _, c := range cs {
		if c.Outcome.State == ChoicePending {
			var won bool
			if c, won, err = b.store.Resolve(ctx, c.ID, Outcome{State: ChoiceCancelled, At: time.Now()}); err != nil {
				continue
			}
			if won {
				b.waits.deliver(c.ID, c.Outcome)
			}
		}
		if !r.j.closedCard(c.ID) && !r.j.closing(c.ID) {
			b.closePlainly(c, c.Message, nil)
		}
	}
}

// closePlainly closes the card of a choice at ref from what the Store
// holds of it — its text, without the formatting only the code that asked
// can rebuild — with lines, by default the outcome line; through reply,
// when the click on it has one.
func (b *Bot) closePlainly(c ChoiceRecord, ref MessageRef, reply ActionReply, lines ...string) {
	a := b.adapters[ref.Platform]
	if ref.ID == "" || a == nil {
		return
	}
	if len(lines) == 0 {
		lines = []string{DefaultOutcomeLine(optionLabel(c), c.Outcome)}
	}
	out := Outgoing{Content: render.Text(strings.TrimSpace(c.Text + "\n\n" + strings.Join(lines, "\n")))}
	b.retry("closing a choice's card", func(ctx context.Context) error {
		if reply != nil {
			if err := reply.Update(ctx, out); err == nil {
				return nil
			}
		}
		return a.Update(ctx, ref, out)
	}, nil)
}

// optionLabel is the label of the option chosen in c, or "".
func optionLabel(c ChoiceRecord) string {
	if c.Outcome.State == ChoiceDecided && c.Outcome.Option >= 0 && c.Outcome.Option < len(c.Options) {
		return c.Options[c.Outcome.Option].Label
	}
	return ""
}

// endPlainly ends a run that cannot go on: its choices are cancelled and
// their cards closed, the thread is told why (unless text is empty), and
// its journal ends.
func (r *run) endPlainly(t *Thread, text string) {
	ctx := context.WithoutCancel(r.ctx)
	r.cancelChoices(ctx)
	if text != "" {
		t.notice(ctx, text)
	}
	r.mu.Lock()
	r.choices = false
	r.mu.Unlock()
	r.end(ctx)
}

// readableScope names a journal scope for people: the tool call or agent
// loop it is.
func readableScope(s string) string {
	if s == "" {
		return ""
	}
	parts := strings.Split(strings.TrimPrefix(s, "/"), "/")
	last := parts[len(parts)-1]
	if strings.HasPrefix(last, "a") {
		if _, err := strconv.Atoi(last[1:]); err == nil {
			return " of the agent's run"
		}
	}
	return " of a tool call"
}

// resume replays a parked run whose choice ended, unless the run is over
// or already took the decision (a goroutine waiting for it did). It
// reports false when the Store failed it: the resumption is left for
// later.
func (l *lane) resume(it WorkItem) bool {
	b := l.b
	es, err := b.store.Journal(context.WithoutCancel(b.runCtx), it.Run)
	if err != nil {
		b.log.Error("bot: reading a run's journal failed; its resumption is left for later", "run", it.Run, "err", err)
		l.giveUpForNow()
		return false
	}
	if over(es) || consumed(es, it.Choice) {
		return true
	}
	l.replay(it.Run, es, it)
	return true
}

// over reports whether a journal is of a run that is over (or unknown).
func over(es []JournalEntry) bool {
	return len(es) == 0 || es[len(es)-1].Kind == StepEnd
}

// consumed reports whether a journal records the outcome of choice.
func consumed(es []JournalEntry, choice string) bool {
	for _, e := range es {
		if e.Kind == StepDecision && e.Key == choice {
			return true
		}
	}
	return false
}

// replay starts run again from its journal es; it, the item that asked,
// stands in for the start when the journal has none.
func (l *lane) replay(id string, es []JournalEntry, it WorkItem) {
	b := l.b
	start := startOf(it, nil)
	if len(es) > 0 {
		if es[0].Kind != StepStart {
			b.log.Error("bot: a run's journal does not begin with its start; it cannot resume", "run", id)
			return
		}
		var s stepResult[runStart]
		if err := json.Unmarshal(es[0].Data, &s); err != nil {
			b.log.Error("bot: a run's start cannot be read; it cannot resume", "run", id, "err", err)
			return
		}
		start = s.Value
	}
	r := l.newRun(id, start, es)
	b.log.Info("bot: resuming a run by replay", "run", id, "thread", start.Trigger.Address.String(), "steps", len(es))
	l.execute(r, nil)
}

// recover handles an item handed out before, which a process took and did
// not finish: it crashed, or lost its lease. A run that was waiting for a
// person still is — it parked, in effect — unless its choice ended
// meanwhile, or its card never went out: then it resumes by replay. Any
// other run is resumed by replay or ended with a word to its thread, as
// Config.Interrupted says.
func (l *lane) recover(it WorkItem) bool {
	b := l.b
	ctx := context.WithoutCancel(b.runCtx)
	id := it.ID
	if it.Kind == WorkResume {
		id = it.Run
	}
	es, err := b.store.Journal(ctx, id)
	if err != nil {
		b.log.Error("bot: reading an interrupted run's journal failed; left for later", "run", id, "err", err)
		l.giveUpForNow()
		return false
	}
	if (it.Kind == WorkResume && len(es) == 0) || (len(es) > 0 && es[len(es)-1].Kind == StepEnd) {
		return true // over
	}
	cs, err := b.store.Choices(ctx, id)
	if err != nil {
		b.log.Error("bot: reading an interrupted run's choices failed; left for later", "run", id, "err", err)
		l.giveUpForNow()
		return false
	}
	if len(es) == 0 && len(cs) > 0 {
		return true // over: a run's journal is written before its first choice
	}
	waiting, resumable := 0, 0
	for _, c := range cs {
		switch {
		case consumed(es, c.ID):
		case c.Outcome.State == ChoicePending && c.Message.ID != "":
			waiting++
		default: // ended, and the run did not take it; or never shown
			resumable++
		}
	}
	start := startOf(it, nil)
	if len(es) > 0 {
		var s stepResult[runStart]
		if json.Unmarshal(es[0].Data, &s) == nil {
			start = s.Value
		}
	}
	var asking []string // the scopes of the choices the run waits for
	for _, c := range cs {
		if !consumed(es, c.ID) {
			asking = append(asking, choiceScope(id, c.ID))
		}
	}
	atWork := callsAtWork(es, asking) // beside a wait, maybe: a replay would do it again
	// A run whose journal ends with the model's answer was cut after its
	// work, before its end (closing a card whose edit had failed, say): a
	// replay asks the model nothing and repeats nothing, and ends it.
	replay := b.cfg.Interrupted == ReplayInterrupted || b.finishedAnswer(start, es)
	_, told := b.storeCut.LoadAndDelete(id)
	switch {
	case (atWork && replay) || (!atWork && (resumable > 0 || (waiting == 0 && replay))):
		l.replay(id, es, it)
	case !atWork && waiting > 0:
		b.log.Info("bot: an interrupted run was waiting for a person; it resumes when they decide", "run", id)
	case b.adapters[start.Trigger.Address.Platform] == nil:
		b.log.Error("bot: an interrupted run is on a platform this bot has no adapter for; it is ended", "run", id)
		r := l.newRun(id, start, es)
		r.choices = true // whatever it asked ends with it
		r.end(r.ctx)
		r.cancel(nil)
	case l.isLost():
		// Given up meanwhile: the process that takes the lane decides.
	default:
		r := l.newRun(id, start, es)
		defer r.cancel(nil)
		t := r.threadOutside()
		text := "⚠️ I was interrupted before I could finish. Please ask again."
		if m := start.Trigger; told || (start.Kind == WorkMessage && !m.Mention && !m.Direct && !t.botPosted(r.ctx)) {
			text = "" // told when it stopped, or a message nobody addressed the bot with: nothing to say
		}
		b.log.Warn("bot: a run was cut by a crash or a lost lease; ending it", "run", id, "thread", start.Trigger.Address.String(), "told", text != "")
		r.endPlainly(t, text)
	}
	return true
}

// answered reports whether a journal ends with a model response that
// calls no tool, of an agent the run's handler ran itself (scope "/a1",
// say): the run's answer, given in full. The answer of a sub-agent a tool
// ran (scope "/a1/s1.0/a1") leaves that tool at work.
func answered(es []JournalEntry) bool {
	if len(es) == 0 || es[len(es)-1].Kind != StepModel {
		return false
	}
	if sc := es[len(es)-1].Scope; !strings.HasPrefix(sc, "/a") || strings.Count(sc, "/") != 1 {
		return false
	}
	var r stepResult[*ModelResponse]
	return json.Unmarshal(es[len(es)-1].Data, &r) == nil && r.Err == nil && r.Value != nil && len(r.Value.ToolCalls) == 0
}

// finishedAnswer reports whether a run cut with journal es had given its
// whole answer, and had nothing of its own code left to do after it: the
// bot's own handler of messages, or an agent run outside any handler. A
// handler of the author's may act after its agent's answer (a deploy, a
// write elsewhere), which a replay would do again.
func (b *Bot) finishedAnswer(start runStart, es []JournalEntry) bool {
	switch {
	case !answered(es):
		return false
	case start.Kind == WorkAgent:
		return true
	case start.Kind == WorkMessage:
		return b.reg.messageHandler(start.Trigger.Mention) == nil
	}
	return false
}

// callsAtWork reports whether a journal shows a tool call begun and not
// finished that was not waiting for a person, itself or through a call of
// its own: a call a crash cut at work. waiting names the scopes of the
// choices the Store holds that the run has not taken the decision of.
func callsAtWork(es []JournalEntry, waiting []string) bool {
	begun := map[string]bool{}  // call scopes, finished or not
	asking := map[string]bool{} // scopes waiting for a decision
	for _, s := range waiting {
		asking[s] = true
	}
	for _, e := range es {
		switch e.Kind {
		case StepCall:
			begun[e.Scope] = false
		case StepResult:
			if _, ok := begun[e.Scope]; ok {
				begun[e.Scope] = true
			}
		case StepChoice:
			asking[e.Scope] = true
		case StepDecision:
			delete(asking, e.Scope) // decided: at work again after it
		}
	}
	for scope, done := range begun {
		if done || asking[scope] {
			continue
		}
		waits := false
		for a := range asking {
			if strings.HasPrefix(a, scope+"/") {
				waits = true
				break
			}
		}
		if !waits {
			return true
		}
	}
	return false
}

// choiceScope is the journal scope that asked choice id of run (see
// scope.choiceID).
func choiceScope(run, id string) string {
	s := strings.TrimPrefix(id, run)
	if i := strings.LastIndex(s, "/c"); i >= 0 {
		return s[:i]
	}
	return s
}

// threadOutside is the run's Thread outside its journal, for the bot's
// own notices about it.
func (r *run) threadOutside() *Thread {
	t := r.thread()
	t.scope = nil
	return t
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

// retry calls f until it succeeds, a few times over about fifteen seconds:
// at once, then in the background. The bot counts the retries as work. It
// reports whether the first call succeeded; if not, done, when not nil, is
// told how the retries ended.
func (b *Bot) retry(what string, f func(ctx context.Context) error, done func(ok bool)) bool {
	try := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), noticeTimeout)
		defer cancel()
		return f(ctx)
	}
	err := try()
	if err == nil {
		return true
	}
	if done == nil {
		done = func(bool) {}
	}
	b.log.Warn("bot: "+what+" failed; will retry", "err", err)
	b.work.add(1)
	b.background(func() {
		defer b.work.add(-1)
		for _, wait := range []time.Duration{250 * time.Millisecond, time.Second, 3 * time.Second, 10 * time.Second} {
			select {
			case <-time.After(wait):
			case <-b.runCtx.Done():
				b.log.Error("bot: "+what+" failed and the bot stopped before it could be retried", "err", err)
				done(false)
				return
			}
			if err = try(); err == nil {
				done(true)
				return
			}
		}
		b.log.Error("bot: "+what+" failed after retries", "err", err)
		done(false)
	})
	return false
}

// transcriptText is how the bot remembers a message it posted: markdown as
// written, so the model sees its own formatting again; anything else as
// plain text.
func transcriptText(content render.Node) string {
	if m, ok := content.(render.MarkdownNode); ok {
		return m.Text
	}
	return plaintext.Render(content)
}
