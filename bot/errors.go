package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"sync"
)

// ErrUnsupported is matched, under errors.Is, by the error a [Thread]
// method returns when the thread's platform lacks the capability. The error
// itself is an *UnsupportedError naming the platform and the capability.
var ErrUnsupported = errors.New("bot: not supported")

// ErrMaxSteps is returned by [Thread.RunAgent] when the model still wanted to
// call tools after the run's step limit.
var ErrMaxSteps = errors.New("bot: step limit reached")

// ErrParked is returned by a run, and by AwaitChoice within it, that gave
// up its goroutine to wait for a person: nothing failed, and the run
// resumes by replay when the person decides. Return it as it is.
var ErrParked = errors.New("bot: the run is waiting for a person; it resumes when they decide")

// ErrStopped is the cause of a run's cancellation when the bot stops before
// the run ends (see [Bot.Stop]).
var ErrStopped = errors.New("bot: stopped")

// UnsupportedError reports a capability the platform lacks.
type UnsupportedError struct {
	Platform   string
	Capability Capability
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("bot: %s does not support %s", e.Platform, e.Capability)
}

// Is makes errors.Is(err, ErrUnsupported) hold.
func (e *UnsupportedError) Is(target error) bool { return target == ErrUnsupported }

// ModelError reports a failure of the model service: an HTTP error, or a
// response stream that broke off. Models return it so the run can tell the
// thread what went wrong without exposing internals.
type ModelError struct {
	// StatusCode is the HTTP status the service answered, 0 when the failure
	// was not an HTTP error (a connection reset, a stream cut mid-way).
	StatusCode int
	// Message is the service's explanation, if it gave one.
	Message string
	// Err is the underlying error.
	Err error
}

func (e *ModelError) Error() string {
	s := "bot: model failed"
	if e.StatusCode != 0 {
		s += fmt.Sprintf(": HTTP %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *ModelError) Unwrap() error { return e.Err }

// notice is the sentence people in the thread see for the failure. It names
// the kind of failure and the status, never credentials or internals.
func (e *ModelError) notice() string {
	switch c := e.StatusCode; {
	case c == http.StatusUnauthorized || c == http.StatusForbidden:
		return fmt.Sprintf("the model service refused the bot's credentials (HTTP %d). An operator needs to check the API key.", c)
	case c == http.StatusTooManyRequests:
		return "the model service is rate limiting the bot (HTTP 429) and retries did not help. Please try again in a minute."
	case c >= 500:
		return fmt.Sprintf("the model service failed (HTTP %d). Please try again shortly.", c)
	case c != 0:
		return fmt.Sprintf("the model service rejected the request (HTTP %d).", c)
	default:
		return "the connection to the model service broke off before the answer was complete. Please try again."
	}
}

// ErrStopping is returned by the [Inbox] methods of a bot that is
// stopping: the event was not taken, and the platform should deliver it
// again (an HTTP adapter answers 503). [AwaitChoice] outside any run
// returns an error matching it when the bot stops before the choice is
// answered (or had begun to stop when it was called).
var ErrStopping = errors.New("bot: stopping; the event was not taken")

// errChoiceStopped is returned by AwaitChoice outside any run when the
// bot stops before the choice is answered: the choice was cancelled.
var errChoiceStopped error = &stoppedError{"the bot stopped before the choice was answered; it was cancelled"}

// stoppedError is an error of a call the bot's Stop ended; it matches
// ErrStopping, and ErrStopped, under errors.Is.
type stoppedError struct{ what string }

func (e *stoppedError) Error() string { return "bot: " + e.what }

func (e *stoppedError) Is(target error) bool { return target == ErrStopping || target == ErrStopped }

// errLeaseLost is the cause of a run's cancellation when its process lost
// the lane it ran in to another: the run goes on there.
var errLeaseLost = errors.New("bot: the run's lane was taken over by another process")

// errStoreLost is the cause of a run's cancellation when its process
// could not reach the Store to keep its lane's lease: the run stops, its
// work stays unfinished in the Store, and whoever holds the lane when the
// Store is back takes it up as a run cut by a crash.
var errStoreLost = errors.New("bot: the Store could not be reached to keep the run's lane")

// Notices of a Store that cannot be reached: while a run waits for it, and
// when the run stopped — what comes next depends on Config.Interrupted.
const (
	storeWaitNotice = "⚠️ I can't reach my state store right now; I'll carry on when it's back."
	storeLostTell   = "⚠️ I couldn't reach my state store, so I had to stop here. Please ask again in a moment."
	storeLostReplay = "⚠️ I couldn't reach my state store, so I had to stop here; I'll carry on when it's back."
)

// The errors a journal keeps the identity of: a replayed step's error
// matches, under errors.Is, every one of these the live error matched.
var (
	replayableMu sync.RWMutex
	replayable   = map[string]error{
		"bot.ErrUnsupported":       ErrUnsupported,
		"bot.ErrNotFound":          ErrNotFound,
		"bot.ErrConflict":          ErrConflict,
		"bot.ErrDuplicate":         ErrDuplicate,
		"bot.ErrMaxSteps":          ErrMaxSteps,
		"bot.ErrStopped":           ErrStopped,
		"bot.ErrStopping":          ErrStopping,
		"context.Canceled":         context.Canceled,
		"context.DeadlineExceeded": context.DeadlineExceeded,
		"os.ErrNotExist":           os.ErrNotExist,
		"os.ErrPermission":         os.ErrPermission,
	}
)

// RegisterError makes err keep its identity through a run's journal: an
// error a Thread operation returned live that matched err under errors.Is
// matches it again when the step is replayed. The name must be stable
// across versions of the program ("billing.ErrQuotaExceeded"), as it is
// what the journal records. Call it at init; registering a name twice
// panics, as that is a programming error that can never succeed.
func RegisterError(name string, err error) {
	if name == "" || err == nil {
		panic("bot: RegisterError needs a name and an error")
	}
	replayableMu.Lock()
	defer replayableMu.Unlock()
	if _, dup := replayable[name]; dup {
		panic(fmt.Sprintf("bot: RegisterError: %q is already registered", name))
	}
	replayable[name] = err
}

// errorRecord is an error as a journal keeps it.
type errorRecord struct {
	Msg string `json:"m"`
	// Is names the registered errors it matched.
	Is          []string          `json:"is,omitempty"`
	Unsupported *UnsupportedError `json:"u,omitempty"`
	Model       *modelErrorRecord `json:"model,omitempty"`
}

type modelErrorRecord struct {
	StatusCode int    `json:"status,omitempty"`
	Message    string `json:"msg,omitempty"`
}

func recordError(err error) *errorRecord {
	r := &errorRecord{Msg: err.Error()}
	replayableMu.RLock()
	for name, target := range replayable {
		if errors.Is(err, target) {
			r.Is = append(r.Is, name)
		}
	}
	replayableMu.RUnlock()
	slices.Sort(r.Is)
	errors.As(err, &r.Unsupported)
	var me *ModelError
	if errors.As(err, &me) {
		r.Model = &modelErrorRecord{StatusCode: me.StatusCode, Message: me.Message}
	}
	return r
}

// err rebuilds the error: same text, same identities.
func (r *errorRecord) err() error {
	e := &replayedError{msg: r.Msg}
	replayableMu.RLock()
	for _, name := range r.Is {
		if target, ok := replayable[name]; ok {
			e.is = append(e.is, target)
		}
	}
	replayableMu.RUnlock()
	if r.Unsupported != nil {
		e.wrapped = append(e.wrapped, r.Unsupported)
	}
	if r.Model != nil {
		e.wrapped = append(e.wrapped, &ModelError{StatusCode: r.Model.StatusCode, Message: r.Model.Message})
	}
	return e
}

// replayedError is a step's error answered from the journal.
type replayedError struct {
	msg     string
	is      []error
	wrapped []error
}

func (e *replayedError) Error() string { return e.msg }

func (e *replayedError) Is(target error) bool { return slices.Contains(e.is, target) }

func (e *replayedError) Unwrap() []error { return e.wrapped }
