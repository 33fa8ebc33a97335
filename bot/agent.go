package bot

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// RunOptions adjusts one agent run.
type RunOptions struct {
	// Instructions are added after the bot's instructions for this run.
	Instructions string
	// Tools are offered for this run in addition to the bot's. A name may
	// not repeat a registered tool's.
	Tools []*Tool
	// MaxSteps bounds this run's model calls. Default: Config.MaxSteps.
	MaxSteps int
	// ParallelTools, when set, says whether this run's tool calls of one
	// step run concurrently. Nil means Config.ParallelTools.
	ParallelTools *bool
}

// RunResult describes a finished run.
type RunResult struct {
	// Text is the model's final answer, as posted.
	Text string
	// Steps is the number of model calls made.
	Steps int
	// ToolCalls is the number of tool calls the model made.
	ToolCalls int
	// Usage sums the tokens of every model call.
	Usage Usage
}

// RunAgent runs the agent in this thread: the model reads the conversation
// and may call tools, whose results it reads in turn, until it answers
// without calling a tool or the step limit is hit. Its text streams into
// the thread as it arrives.
//
// Failures are told to the thread in plain words (and returned): the model
// service failing, the step limit. When ctx ends, the run stops at once, the
// model stream and any running tool handler with it, and RunAgent returns
// ctx's cause.
//
// Called from a handler (the default message handler calls it), RunAgent
// is part of the handler's run: its steps are journaled with the
// handler's, and if a tool waits for a person and the run parks, RunAgent
// returns [ErrParked] — return it as it is. When the person decides, the
// handler runs again from its start by replay, passing RunAgent the same
// options (its extra tools included), and goes on live where it stopped.
//
// Called outside any handler (on a Thread from [Bot.Thread]), RunAgent
// starts a run of its own, beside any run of the thread's. If it parks,
// the caller gets ErrParked and the run finishes on its own when the
// person decides; after a restart it can resume only if it uses no extra
// tools (RunOptions.Tools live in this process's memory only), else it
// ends plainly with its cards closed.
func (t *Thread) RunAgent(ctx context.Context, opts RunOptions) (RunResult, error) {
	if t.scope == nil {
		return t.bot.detachedAgent(ctx, t, opts)
	}
	return t.runAgent(ctx, t.scope.sub("a"), opts)
}

// detachedAgent runs the agent as a run of its own, in a lane of its own,
// on the calling goroutine.
func (b *Bot) detachedAgent(ctx context.Context, t *Thread, opts RunOptions) (RunResult, error) {
	if b.state.Load() == stateStarted {
		if !b.enter() {
			return RunResult{}, ErrStopping
		}
		b.goroutines.Add(1) // Stop waits for the run, on the caller's goroutine
		defer b.goroutines.Done()
		b.leave()
	} else if b.state.Load() == stateStopping {
		return RunResult{}, ErrStopping
	}
	if _, err := b.reg.toolsFor(opts.Tools); err != nil {
		return RunResult{}, err
	}
	id := rand.Text()
	start := &AgentStart{Instructions: opts.Instructions, MaxSteps: opts.MaxSteps, Parallel: opts.ParallelTools}
	for _, tool := range opts.Tools {
		start.Tools = append(start.Tools, tool.name)
	}
	trigger := t.trigger
	trigger.Address = t.addr
	item := WorkItem{ID: id, Lane: "r:" + id, Kind: WorkAgent, Message: trigger, Agent: start, Accepted: time.Now()}
	asked := time.Now()
	c, err := b.store.Accept(ctx, Acceptance{Item: item, Owner: b.owner, LeaseTTL: b.cfg.LeaseTTL, Begin: true})
	switch {
	case err != nil:
		return RunResult{}, fmt.Errorf("bot: recording the run: %w", err)
	case !c.Held():
		return RunResult{}, errors.New("bot: a new run's lane is held by another process")
	}
	b.extra.put(id, opts.Tools)
	var (
		res  RunResult
		rerr error
	)
	rest := make([]WorkItem, 0, len(c.Items))
	for _, it := range c.Items {
		if it.ID != id {
			rest = append(rest, it)
		}
	}
	l := b.holdLane(c.Lease, asked)
	l.work(rest, func(l *lane) []string {
		r := l.newRun(id, startOf(item, t.skipped), nil)
		stop := context.AfterFunc(ctx, func() { r.cancel(context.Cause(ctx)) })
		defer stop()
		res, rerr = l.execute(r, &opts)
		return []string{id}
	})
	return res, rerr
}

// runAgent runs, or replays, the agent loop of scope sc.
func (t *Thread) runAgent(ctx context.Context, sc *scope, opts RunOptions) (res RunResult, err error) {
	b := t.bot
	ts, err := b.reg.toolsFor(opts.Tools)
	if err != nil {
		return res, err
	}
	maxSteps := opts.MaxSteps
	if maxSteps <= 0 {
		maxSteps = b.cfg.MaxSteps
	}
	instructions := b.cfg.Instructions
	if opts.Instructions != "" {
		instructions += "\n\n" + opts.Instructions
	}
	parallel := b.cfg.ParallelTools
	if opts.ParallelTools != nil {
		parallel = *opts.ParallelTools
	}
	hist, err := step(ctx, sc, StepHistory, "", nil, func() ([]ModelMessage, error) { return t.modelHistory(ctx), nil })
	if err != nil {
		return res, err
	}
	req := &ModelRequest{Instructions: instructions, Messages: hist, Tools: ts.defs}
	// A model step is asked for with these instructions and tools: a
	// replay with others would read answers given to another request.
	names := make([]string, len(ts.defs))
	for i, d := range ts.defs {
		names[i] = d.Name
	}
	asked := sum(instructions, names)

	statusSet := t.status(ctx, "is thinking…")
	defer func() {
		if statusSet {
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), noticeTimeout)
			defer cancel()
			t.status(ctx, "")
		}
	}()
	for res.Steps < maxSteps {
		res.Steps++
		resp, err := step(ctx, sc, StepModel, strconv.Itoa(res.Steps), asked, func() (*ModelResponse, error) { return t.generate(ctx, req) })
		switch {
		case sc.j.err() != nil:
			return res, sc.j.err()
		case errors.Is(err, ErrParked):
			return res, err
		case err != nil:
			return res, t.modelFailed(ctx, err)
		case resp == nil:
			return res, t.modelFailed(ctx, errors.New("bot: the model returned no response and no error"))
		}
		res.Usage = res.Usage.Add(resp.Usage)
		calls := resp.ToolCalls
		for i := range calls {
			if calls[i].ID == "" {
				calls[i].ID = fmt.Sprintf("call_%d_%d", res.Steps, i)
			}
		}
		req.Messages = append(req.Messages, ModelMessage{Role: RoleAssistant, Content: resp.Text, ToolCalls: calls})
		if len(calls) == 0 {
			res.Text = resp.Text
			if strings.TrimSpace(resp.Text) == "" {
				b.log.Warn("bot: the model answered with no text", "thread", t.addr.String())
			}
			return res, nil
		}
		if res.Steps == maxSteps {
			break // their results would reach no model call
		}
		res.ToolCalls += len(calls)
		if statusSet {
			t.status(ctx, "is using "+calls[0].Name+"…")
		}
		results, err := t.callTools(ctx, sc, res.Steps, calls, ts, parallel)
		if err != nil {
			if errors.Is(err, ErrParked) {
				b.log.Info("bot: run parked, waiting for a person", "thread", t.addr.String())
			}
			return res, err
		}
		if err := context.Cause(ctx); err != nil {
			return res, err
		}
		for i, c := range calls {
			req.Messages = append(req.Messages, ModelMessage{Role: RoleTool, ToolCallID: c.ID, Content: results[i]})
		}
	}
	b.log.Warn("bot: run hit its step limit", "thread", t.addr.String(), "steps", maxSteps)
	t.notice(ctx, fmt.Sprintf("⚠️ I stopped after %d steps without reaching an answer. Try asking for something smaller.", maxSteps))
	return res, ErrMaxSteps
}

// status sets the thread's status if the platform shows one, and reports
// whether it does. The status is not journaled: it is a transient sign.
func (t *Thread) status(ctx context.Context, s string) bool {
	if !t.Capabilities().Has(CapStatus) {
		return false
	}
	if err := t.adapter.(StatusSetter).SetStatus(ctx, t.addr, s); err != nil {
		t.bot.log.Debug("bot: setting status failed", "thread", t.addr.String(), "err", err)
	}
	return true
}

// modelHistory turns the conversation into model messages, ending with the
// message being handled.
func (t *Thread) modelHistory(ctx context.Context) []ModelMessage {
	hist, err := t.history(ctx, t.bot.cfg.HistoryLimit)
	if err != nil {
		t.bot.log.Warn("bot: reading the thread's history failed; answering from the message alone", "thread", t.addr.String(), "err", err)
		hist = nil
	}
	// The messages being handled go last, after the bot's answers they
	// waited for; people's messages after them are queued for a run of
	// their own.
	handled := make(map[string]bool, len(t.skipped)+1)
	for _, m := range t.skipped {
		handled[m.ID] = true
	}
	handled[t.trigger.ID] = true
	var kept []Message
	queued := false // past the message being handled
	for _, m := range hist {
		switch {
		case m.FromSelf:
			kept = append(kept, m)
		case m.ID != "" && handled[m.ID]:
			queued = queued || m.ID == t.trigger.ID
		case !queued:
			kept = append(kept, m)
		}
	}
	hist = append(append(kept, t.skipped...), t.trigger)
	msgs := make([]ModelMessage, 0, len(hist)+8)
	for _, m := range hist {
		if strings.TrimSpace(m.Text) == "" {
			continue
		}
		if m.FromSelf {
			msgs = append(msgs, ModelMessage{Role: RoleAssistant, Content: m.Text})
			continue
		}
		name := m.User.Name
		if name == "" {
			name = m.User.ID
		}
		msgs = append(msgs, ModelMessage{Role: RoleUser, Name: name, Content: m.Text})
	}
	return msgs
}

// generate calls the model, streaming its text into the thread.
func (t *Thread) generate(ctx context.Context, req *ModelRequest) (*ModelResponse, error) {
	s := &replyStream{t: t}
	resp, err := t.bot.cfg.Model.Generate(ctx, req, func(delta string) { s.write(ctx, delta) })
	final := s.buf.String()
	if err == nil {
		if resp == nil {
			err = errors.New("bot: the model returned no response and no error")
		} else {
			final = resp.Text
		}
	}
	if cerr := s.close(ctx, final); cerr != nil && err == nil {
		err = cerr
	}
	return resp, err
}

// modelFailed tells the thread why the run ends and returns the error.
func (t *Thread) modelFailed(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); cause != nil {
		return cause // cancelled: whoever cancelled decides what to say
	}
	var me *ModelError
	if errors.As(err, &me) {
		t.bot.log.Error("bot: model call failed", "thread", t.addr.String(), "status", me.StatusCode, "err", err)
		t.notice(ctx, "⚠️ Sorry, I can't answer right now: "+me.notice())
	} else {
		t.bot.log.Error("bot: run failed", "thread", t.addr.String(), "err", err)
		t.notice(ctx, "⚠️ Sorry, something went wrong while answering.")
	}
	return err
}

// callTools runs the calls and returns their tool messages in call order.
// It returns ErrParked when a call parked the run — later sequential calls
// then wait for the resumption — and the journal's error when it broke.
func (t *Thread) callTools(ctx context.Context, sc *scope, step int, calls []ToolCall, ts *toolSet, parallel bool) ([]string, error) {
	results := make([]string, len(calls))
	j := sc.j
	scopes := make([]*scope, len(calls))
	for i := range calls {
		scopes[i] = sc.child(callScope(step, i))
	}
	if !parallel || len(calls) == 1 {
		for i := range calls {
			if ctx.Err() != nil || j.isParked() || j.err() != nil || callStart(ctx, scopes[i], calls[i], ts) != nil {
				break
			}
			results[i] = t.callTool(ctx, scopes[i], calls[i], ts)
		}
	} else {
		// Every call's start is journaled before any runs: a crash while
		// one waits shows which others were at work.
		for i := range calls {
			if callStart(ctx, scopes[i], calls[i], ts) != nil {
				return nil, j.err()
			}
		}
		// Each call counts as work of the run's while it is not waiting
		// for a person; the caller waits without counting, and the last
		// call to end hands the count back to it before ending its own,
		// so the run never looks idle in between.
		var wg sync.WaitGroup
		r := t.run
		var left atomic.Int32
		left.Store(int32(len(calls)))
		for i := range calls {
			if r != nil {
				r.activity(1)
			}
			wg.Go(func() {
				if r != nil {
					defer func() {
						if left.Add(-1) == 0 {
							r.activity(1)
						}
						r.activity(-1)
					}()
				}
				results[i] = t.callTool(ctx, scopes[i], calls[i], ts)
				if r != nil && r.asked() && ctx.Err() == nil {
					// A sibling may wait for a person: this call's end is in
					// the Store before the run sleeps on it, so a crash
					// meanwhile does not find it at work.
					j.flush(ctx)
				}
			})
		}
		if r != nil {
			r.activity(-1)
		}
		wg.Wait()
	}
	if err := j.err(); err != nil {
		return nil, err
	}
	if j.isParked() {
		return nil, ErrParked
	}
	return results, nil
}

// callScope names the journal scope of call i of a model step: by its
// place, which the journaled response fixes, not by the model's id for
// it, which some servers reuse.
func callScope(step, i int) string { return "s" + strconv.Itoa(step) + "." + strconv.Itoa(i) }

// callStart journals that call c begins in scope cs — unless it will not
// run: its result is journaled, or its tool unknown — so that a run cut by
// a crash shows which of its calls were at work.
func callStart(ctx context.Context, cs *scope, c ToolCall, ts *toolSet) error {
	if e, ok := cs.last(); ok && e.Kind == StepResult {
		return nil
	}
	if _, ok := ts.index[c.Name]; !ok {
		return nil
	}
	_, err := step(ctx, cs, StepCall, c.Name, c.Arguments, func() (struct{}, error) { return struct{}{}, nil })
	return err
}

// callTool runs one call in its scope cs and returns its tool message. A
// call whose result is in its journal is not run again.
func (t *Thread) callTool(ctx context.Context, cs *scope, c ToolCall, ts *toolSet) string {
	log := t.bot.log.With("thread", t.addr.String(), "tool", c.Name, "call", c.ID)
	if e, ok := cs.last(); ok && e.Kind == StepResult {
		var r stepResult[string]
		if err := json.Unmarshal(e.Data, &r); err != nil {
			cs.j.fail(fmt.Errorf("bot: journal of run %s: reading the result of tool call %s: %w", cs.j.run, c.ID, err))
			return ""
		}
		return r.Value
	}
	tool, ok := ts.index[c.Name]
	if !ok {
		names := make([]string, 0, len(ts.index))
		for n := range ts.index {
			names = append(names, n)
		}
		sort.Strings(names)
		log.Warn("bot: the model called an unknown tool")
		valid := "there are no tools"
		if len(names) > 0 {
			valid = "the tools are: " + strings.Join(names, ", ")
		}
		return errorJSON(fmt.Sprintf("unknown tool %q; %s", c.Name, valid))
	}
	tt := &Thread{bot: t.bot, adapter: t.adapter, addr: t.addr, trigger: t.trigger, skipped: t.skipped, run: t.run, scope: cs}
	tc := &ToolContext{Thread: tt, Message: t.trigger, User: t.trigger.User, Platform: t.addr.Platform, CallID: c.ID}
	result, err := tool.invoke(ctx, c.Arguments, tc)
	if cs.j.err() != nil {
		return ""
	}
	parked := cs.j.isParked()
	if ctx.Err() != nil && !errors.Is(err, ErrParked) {
		cs.j.markCut() // cancelled at work, its result not final
	}
	if parked && (errors.Is(err, ErrParked) || ctx.Err() != nil) {
		return ""
	}
	var (
		ae  *argumentError
		pe  *panicError
		msg string
	)
	switch {
	case errors.As(err, &ae):
		log.Info("bot: the model sent invalid tool arguments", "err", err)
	case errors.As(err, &pe):
		log.Error("bot: tool handler panicked", "panic", fmt.Sprint(pe.value), "stack", string(pe.stack))
		msg = errorJSON(fmt.Sprintf("tool panicked: %v", pe.value))
	case err != nil:
		log.Info("bot: tool handler returned an error", "err", err)
	}
	if msg == "" {
		msg = toolMessage(result, err)
	}
	switch {
	case ctx.Err() != nil:
		// A cancelled call's result is not final.
	case parked:
		cs.finished(ctx, c.Name, c.Arguments, msg)
	default:
		step(ctx, cs, StepResult, c.Name, c.Arguments, func() (string, error) { return msg, nil })
	}
	return msg
}
