package bot

import (
	"errors"
	"fmt"
	"net/http"
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
