package bot

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/parleybot/parley/render"
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
// Every step of the run is journaled in the bot's Store (see [Store]), so
// that a run waiting for a person ([AwaitChoice]) can give up its
// goroutine and, when the person decides, resume by replay — in this
// process, after a restart, or on another replica. A run that parks
// returns [ErrParked] at once; when it resumes, it goes on from RunAgent's
// loop to its end, but code that called RunAgent does not run again:
// return ErrParked as it is.
func (t *Thread) RunAgent(ctx context.Context, opts RunOptions) (RunResult, error) {
	id := rand.Text()
	t.bot.keepExtraTools(id, opts.Tools)
	t.bot.hold(id)
	defer t.bot.release(id)
	return t.runAgent(ctx, &journal{store: t.bot.store, key: id}, opts)
}

// runStart is the first entry of a run's journal: what a resume needs to
// rebuild the run.
type runStart struct {
	Address      Address
	Trigger      Message
	Skipped      []Message
	Instructions string
	Tools        []string // names of RunOptions.Tools
	MaxSteps     int
	Parallel     bool
}

// runAgent runs, or resumes, the run of journal j. Unless it parks, it
// journals that the run is over and forgets the run's extra tools.
func (t *Thread) runAgent(ctx context.Context, j *journal, opts RunOptions) (res RunResult, err error) {
	b := t.bot
	defer func() {
		if !errors.Is(err, ErrParked) {
			j.end(ctx)
			b.forgetExtraTools(j.key)
		}
	}()
	tools, defs, err := b.runTools(opts.Tools)
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
	start := runStart{Address: t.addr, Trigger: t.trigger, Skipped: t.skipped, Instructions: opts.Instructions, MaxSteps: maxSteps, Parallel: parallel}
	for _, tool := range opts.Tools {
		start.Tools = append(start.Tools, tool.name)
	}
	if _, err := step(ctx, j, "start", "", func() (runStart, error) { return start, nil }); err != nil {
		return res, t.replayFailed(ctx, j, err)
	}
	hist, err := step(ctx, j, "history", "", func() ([]ModelMessage, error) { return t.modelHistory(ctx), nil })
	if err != nil {
		return res, t.replayFailed(ctx, j, err)
	}
	req := &ModelRequest{Instructions: instructions, Messages: hist, Tools: defs}
	b.mu.Lock()
	if key := t.addr.String(); !b.active[key] {
		forgetOne(b.active)
		b.active[key] = true
	}
	b.mu.Unlock()

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
		resp, err := step(ctx, j, "model", strconv.Itoa(res.Steps), func() (*ModelResponse, error) { return t.generate(ctx, req) })
		switch {
		case j.err() != nil:
			return res, t.replayFailed(ctx, j, j.err())
		case errors.Is(err, ErrParked):
			return res, err // resumed elsewhere
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
		results, parked, broken := t.callTools(ctx, j, calls, tools, parallel)
		switch {
		case broken != nil:
			return res, t.replayFailed(ctx, j, broken)
		case parked:
			b.log.Info("bot: run parked, waiting for a person", "thread", t.addr.String(), "run", j.key)
			return res, ErrParked
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

// replayFailed tells the thread that a run cannot go on — its replay
// diverged from its journal, or the journal could not be written — and
// returns the error.
func (t *Thread) replayFailed(ctx context.Context, j *journal, err error) error {
	if errors.Is(err, ErrParked) {
		return err // another process took the run over
	}
	var de *DivergedError
	if errors.As(err, &de) {
		t.bot.log.Error("bot: a resumed run diverged from its journal", "thread", t.addr.String(), "run", de.Run, "step", de.Step, "recorded", de.Recorded, "asked", de.Asked)
		t.notice(ctx, fmt.Sprintf("⚠️ I could not resume this conversation's task: at step %d of %s the code asked for %q where it had done %q before. The code changed since the task began, or it does something that cannot be replayed.", de.Step, de.Run, de.Asked, de.Recorded))
		return err
	}
	t.bot.log.Error("bot: a run's journal failed", "thread", t.addr.String(), "run", j.key, "err", err)
	t.notice(ctx, "⚠️ Sorry, I lost track of this task and cannot go on with it.")
	return err
}

// runTools returns the tools of a run: the bot's, then extra.
func (b *Bot) runTools(extra []*Tool) (map[string]*Tool, []ToolDef, error) {
	b.mu.Lock()
	index, defs := b.toolIndex, b.toolDefs
	if !b.started {
		defs = make([]ToolDef, len(b.tools))
		for i, t := range b.tools {
			defs[i] = t.def()
		}
	}
	if len(extra) == 0 {
		b.mu.Unlock()
		return index, defs, nil
	}
	index = maps.Clone(index)
	b.mu.Unlock()
	defs = slices.Clip(defs)
	for _, t := range extra {
		if t == nil {
			return nil, nil, errors.New("bot: RunOptions.Tools holds a nil tool")
		}
		if t.err != nil {
			return nil, nil, t.err
		}
		if _, dup := index[t.name]; dup {
			return nil, nil, fmt.Errorf("bot: RunOptions.Tools: tool %q is already registered", t.name)
		}
		index[t.name] = t
		defs = append(defs, t.def())
	}
	return index, defs, nil
}

// status sets the thread's status if the platform shows one, and reports
// whether it does.
func (t *Thread) status(ctx context.Context, s string) bool {
	if !t.Capabilities().Has(CapStatus) {
		return false
	}
	if err := t.SetStatus(ctx, s); err != nil {
		t.bot.log.Debug("bot: setting status failed", "thread", t.addr.String(), "err", err)
	}
	return true
}

// modelHistory turns the conversation into model messages, ending with the
// message being handled.
func (t *Thread) modelHistory(ctx context.Context) []ModelMessage {
	var hist []Message
	if t.Capabilities().Has(CapHistory) {
		var err error
		hist, err = t.Messages(ctx, 0)
		if err != nil {
			t.bot.log.Warn("bot: reading the thread's history failed; answering from the message alone", "thread", t.addr.String(), "err", err)
			hist = nil
		}
	} else {
		hist = t.bot.transcript(t.addr)
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

// callTools runs the calls and returns their tool messages in call order;
// parked reports that a call parked its run, broken that a call's journal
// failed or diverged.
func (t *Thread) callTools(ctx context.Context, run *journal, calls []ToolCall, tools map[string]*Tool, parallel bool) (results []string, parked bool, broken error) {
	results = make([]string, len(calls))
	journals := make([]*journal, len(calls))
	call := func(i int) {
		results[i], journals[i] = t.callTool(ctx, run, calls[i], tools)
	}
	if !parallel || len(calls) == 1 {
		for i := range calls {
			if ctx.Err() != nil {
				break
			}
			call(i)
			if cj := journals[i]; cj != nil && (cj.isParked() || cj.err() != nil) {
				break // the later calls run when the run resumes, if it does
			}
		}
	} else {
		var wg sync.WaitGroup
		for i := range calls {
			wg.Go(func() { call(i) })
		}
		wg.Wait()
	}
	for _, cj := range journals {
		if cj == nil {
			continue
		}
		if err := cj.err(); err != nil && broken == nil {
			broken = err
		}
		parked = parked || cj.isParked()
	}
	return results, parked, broken
}

// callTool runs one call with a journal of its own and returns its tool
// message. A call whose result is in its journal is not run again.
func (t *Thread) callTool(ctx context.Context, run *journal, c ToolCall, tools map[string]*Tool) (string, *journal) {
	log := t.bot.log.With("thread", t.addr.String(), "tool", c.Name, "call", c.ID)
	cj := &journal{store: t.bot.store, key: run.key + "/" + c.ID}
	if run.resumed {
		var err error
		if cj, err = loadJournal(ctx, t.bot.store, cj.key); err != nil {
			return "", &journal{broken: err}
		}
		cj.resumed = true
		if e, ok := cj.last(); ok && e.Kind == "result" {
			var r stepResult[string]
			if err := json.Unmarshal(e.Data, &r); err != nil {
				cj.fail(err)
			}
			return r.Value, cj
		}
	}
	tool, ok := tools[c.Name]
	if !ok {
		names := make([]string, 0, len(tools))
		for n := range tools {
			names = append(names, n)
		}
		sort.Strings(names)
		log.Warn("bot: the model called an unknown tool")
		valid := "there are no tools"
		if len(names) > 0 {
			valid = "the tools are: " + strings.Join(names, ", ")
		}
		return errorJSON(fmt.Sprintf("unknown tool %q; %s", c.Name, valid)), nil
	}
	tt := &Thread{bot: t.bot, adapter: t.adapter, addr: t.addr, trigger: t.trigger, skipped: t.skipped, run: run, j: cj}
	tc := &ToolContext{Thread: tt, Message: t.trigger, User: t.trigger.User, Platform: t.addr.Platform, CallID: c.ID}
	result, err := tool.invoke(ctx, c.Arguments, tc)
	if cj.isParked() || cj.err() != nil {
		return "", cj
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
	if ctx.Err() != nil {
		return msg, cj // a cancelled call's result is not final
	}
	step(ctx, cj, "result", "", func() (string, error) { return msg, nil })
	return msg, cj
}

// replyStream carries one model answer's text into the thread as it
// streams: natively where the adapter can, else as a post followed by
// edits at most once per StreamInterval. Nothing is posted until there is
// text that is not blank. A failed intermediate edit is not fatal: the
// next one carries the text too, and the final one is always sent.
type replyStream struct {
	t      *Thread
	buf    strings.Builder
	native TextStream
	sent   int    // native: bytes of buf appended to the stream
	shown  string // post and edit: the text the platform shows
	ref    MessageRef
	posted bool
	last   int64 // unix nanos of the last post or edit
	err    error // the last failure, cleared by a success
}

func (s *replyStream) write(ctx context.Context, delta string) {
	s.buf.WriteString(delta)
	if ctx.Err() != nil || (!s.posted && strings.TrimSpace(s.buf.String()) == "") {
		return
	}
	s.flush(ctx, false)
}

// nativeMode reports whether the answer streams natively.
func (s *replyStream) nativeMode() bool {
	_, ok := s.t.adapter.(Streamer)
	return ok && s.t.Capabilities().Has(CapStreaming)
}

// flush hands unsent text to the platform; force skips the edit throttle.
func (s *replyStream) flush(ctx context.Context, force bool) {
	text := s.buf.String()
	t := s.t
	if s.nativeMode() {
		if s.native == nil {
			st := t.adapter.(Streamer)
			if s.native, s.err = st.StartStream(ctx, t.addr); s.err != nil {
				s.native = nil
				return
			}
			s.posted = true
		}
		if s.sent == len(text) {
			return
		}
		if s.err = s.native.Append(ctx, text[s.sent:]); s.err == nil {
			s.sent = len(text)
		}
		return
	}
	if s.posted && text == s.shown {
		return
	}
	now := time.Now().UnixNano()
	if s.posted && !force && now-s.last < int64(t.bot.cfg.StreamInterval) {
		return
	}
	out := Outgoing{Content: render.Markdown(text)}
	if !s.posted {
		s.ref, s.err = t.adapter.Post(ctx, t.addr, out)
		s.posted = s.err == nil
	} else {
		s.err = t.adapter.Update(ctx, s.ref, out)
	}
	if s.err == nil {
		s.shown, s.last = text, now
	} else {
		t.bot.log.Warn("bot: streaming the answer to the platform failed; will retry", "thread", t.addr.String(), "err", s.err)
	}
}

// close makes the message show final, the model's whole answer, and ends
// it. It finishes the message even when ctx has ended, so what was said
// stays visible. Only a failure of the final post or edit is returned.
func (s *replyStream) close(ctx context.Context, final string) error {
	if ctx.Err() != nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), noticeTimeout)
		defer cancel()
	}
	if cur := s.buf.String(); final != cur {
		switch {
		case s.sent > 0 && !strings.HasPrefix(final, cur[:s.sent]):
			// A native stream can only grow; what was streamed stays.
			s.t.bot.log.Warn("bot: the model's final text differs from what it streamed", "thread", s.t.addr.String())
		default:
			s.buf.Reset()
			s.buf.WriteString(final)
		}
	}
	if strings.TrimSpace(s.buf.String()) != "" {
		s.flush(ctx, true)
		if s.err != nil {
			s.flush(ctx, true) // once more: a platform's hiccup should not cost the answer
		}
	}
	if s.native != nil {
		ref, err := s.native.Close(ctx)
		if s.err == nil {
			s.err = err
		}
		s.ref = ref
	}
	if s.err != nil {
		return fmt.Errorf("bot: posting the answer: %w", s.err)
	}
	if s.posted {
		s.t.recordSelf(s.ref.ID, s.buf.String())
	}
	return nil
}
