package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// keepExtraTools remembers a run's RunOptions.Tools, which a resume in
// this process needs and no journal can hold.
func (b *Bot) keepExtraTools(run string, tools []*Tool) {
	if len(tools) == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	forgetOne(b.extraTools)
	b.extraTools[run] = tools
}

func (b *Bot) forgetExtraTools(run string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.extraTools, run)
}

// hold marks run as going on in this process until release.
func (b *Bot) hold(run string) {
	b.mu.Lock()
	b.running[run] = false
	b.mu.Unlock()
}

// release ends hold, resuming run if one of its choices ended meanwhile
// with nothing here waiting for it (its wait had just parked).
func (b *Bot) release(run string) {
	b.mu.Lock()
	again := b.running[run]
	delete(b.running, run)
	b.mu.Unlock()
	if again {
		b.resume(run)
	}
}

// resume replays run from its journal and goes on with it live: its
// choice was decided, or expired, while no goroutine here waited on it.
// A run going on here is not replayed beside itself: it resumes once it
// has ended. Until Stop cancels the runs, a resume is work Stop waits
// for, like a message's.
func (b *Bot) resume(run string) {
	b.mu.Lock()
	if b.runCtx.Err() != nil {
		b.mu.Unlock()
		b.log.Warn("bot: a run's choice ended after the bot stopped; it is not resumed", "run", run)
		return
	}
	if _, held := b.running[run]; held {
		b.running[run] = true
		b.mu.Unlock()
		return
	}
	b.running[run] = false
	b.begin(1)
	b.mu.Unlock()
	go func() {
		defer func() {
			b.release(run) // before end: a resume it starts keeps the bot busy
			b.mu.Lock()
			b.end(1)
			b.mu.Unlock()
		}()
		ctx, cancel := context.WithCancelCause(b.runCtx)
		defer cancel(nil)
		t, opts, j, err := b.rebuild(ctx, run)
		if errors.Is(err, errRunOver) {
			b.log.Debug("bot: a choice of a run that is over ended; nothing to resume", "run", run)
			return
		}
		if err != nil {
			b.log.Error("bot: cannot resume a run", "run", run, "err", err)
			if t != nil {
				t.notice(ctx, "⚠️ Sorry, I cannot pick up this task where it stopped.")
			}
			return
		}
		b.log.Info("bot: resuming a run by replay", "run", run, "thread", t.addr.String(), "steps", len(j.entries))
		_, err = t.runAgent(ctx, j, opts)
		b.finish(ctx, t, err, "run", run)
	}()
}

// errRunOver is rebuild's error for a run whose journal records its end.
var errRunOver = errors.New("bot: the run is over")

// rebuild reads what a resume needs from run's journal: the thread, the
// run's options and the journal itself. The thread is returned, when
// known, even with an error, so the error can be told there.
func (b *Bot) rebuild(ctx context.Context, run string) (*Thread, RunOptions, *journal, error) {
	j, err := loadJournal(ctx, b.store, run)
	if err != nil {
		return nil, RunOptions{}, nil, err
	}
	if len(j.entries) == 0 || j.entries[0].Kind != "start" {
		return nil, RunOptions{}, nil, fmt.Errorf("bot: run %s has no journal to resume from", run)
	}
	if j.over() {
		return nil, RunOptions{}, nil, errRunOver
	}
	var start stepResult[runStart]
	if err := json.Unmarshal(j.entries[0].Data, &start); err != nil {
		return nil, RunOptions{}, nil, fmt.Errorf("bot: run %s: reading its start: %w", run, err)
	}
	s := start.Value
	a := b.adapters[s.Address.Platform]
	if a == nil {
		return nil, RunOptions{}, nil, fmt.Errorf("bot: run %s is on platform %q, which this bot has no adapter for", run, s.Address.Platform)
	}
	t := &Thread{bot: b, adapter: a, addr: s.Address, trigger: s.Trigger, skipped: s.Skipped}
	opts := RunOptions{Instructions: s.Instructions, MaxSteps: s.MaxSteps, ParallelTools: &s.Parallel}
	if len(s.Tools) > 0 {
		b.mu.Lock()
		extra := b.extraTools[run]
		b.mu.Unlock()
		if len(extra) != len(s.Tools) {
			return t, RunOptions{}, nil, fmt.Errorf("bot: run %s used tools given only to it (%v), which a new process does not have", run, s.Tools)
		}
		opts.Tools = extra
	}
	return t, opts, j, nil
}

// sweep expires, every SweepInterval until ctx ends, the choices past their
// deadline that no goroutine here waits on, and resumes their runs.
func (b *Bot) sweep(ctx context.Context) {
	tick := time.NewTicker(b.cfg.SweepInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		due, err := b.store.Expiring(ctx, time.Now())
		if err != nil {
			if !errors.Is(err, context.Canceled) {
				b.log.Error("bot: looking for expired choices failed", "err", err)
			}
			continue
		}
		for _, c := range due {
			b.mu.Lock()
			_, waited := b.waiters[c.ID]
			if b.stopping {
				b.mu.Unlock()
				return // the choices stay pending for the next process
			}
			// Stop waits for an expiry once recorded, so that its run
			// resumes.
			b.begin(1)
			b.mu.Unlock()
			if !waited { // else its AwaitChoice has a timer of its own
				if c, won, err := b.store.Resolve(ctx, c.ID, Outcome{State: ChoiceExpired, At: time.Now()}); err == nil && won {
					b.delivered(c)
				}
			}
			b.mu.Lock()
			b.end(1)
			b.mu.Unlock()
		}
	}
}

// delivered hands a choice's outcome to the AwaitChoice waiting for it
// here, or resumes the run that asked.
func (b *Bot) delivered(c ChoiceRecord) {
	b.mu.Lock()
	if wait := b.waiters[c.ID]; wait != nil {
		// Sent under b.mu: a wait that gives up (see unwait) either
		// finds the outcome or is gone before this looks.
		select {
		case wait <- c.Outcome:
		default:
		}
		b.mu.Unlock()
		return
	}
	b.mu.Unlock()
	if c.Run == "" {
		b.log.Warn("bot: a choice ended but nothing waits for it", "choice", c.ID)
		return
	}
	b.resume(c.Run)
}

// unwait stops waiting on channel wait for choice id, and returns the
// outcome delivered to it meanwhile, if any. After it, an outcome is no
// longer delivered to the channel but resumes the choice's run.
func (b *Bot) unwait(id string, wait <-chan Outcome) (Outcome, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.waiters, id)
	select {
	case o := <-wait:
		return o, true
	default:
		return Outcome{}, false
	}
}
