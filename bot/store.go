package bot

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// Store keeps what must outlive one process and be shared by replicas:
// what each action id on the platform means, the choices waiting for a
// person and how they ended, and each run's journal. The bot reads and
// writes it; the platform never sees what it holds.
//
// [NewMemoryStore] is the default. A Store must pass the conformance suite
// in store/storetest; every method is safe for concurrent use, across
// processes where the Store is shared.
type Store interface {
	// PutActions records what each of a posted message's action ids
	// means. Ids are new and unique; putting one twice may fail.
	PutActions(ctx context.Context, actions []ActionRecord) error
	// Action returns what an action id means, or an error matching
	// ErrNotFound.
	Action(ctx context.Context, id string) (ActionRecord, error)

	// PutChoice records a new pending choice.
	PutChoice(ctx context.Context, c ChoiceRecord) error
	// Choice returns a choice, or an error matching ErrNotFound.
	Choice(ctx context.Context, id string) (ChoiceRecord, error)
	// Resolve ends a pending choice with o, atomically: of any number of
	// concurrent calls for one choice, in one process or many, exactly
	// one finds it pending, records o and returns the resolved choice and
	// true. Every other call, and any call after, returns the choice as
	// it stands — with the winning outcome — and false.
	Resolve(ctx context.Context, id string, o Outcome) (ChoiceRecord, bool, error)
	// Expiring lists the pending choices whose deadline is not after t,
	// oldest deadline first; choices without a deadline never expire.
	Expiring(ctx context.Context, t time.Time) ([]ChoiceRecord, error)

	// Append adds e to the journal of run at position e.Seq, which must
	// be the journal's length: a position already taken is an error
	// matching ErrConflict, so two processes replaying one run cannot
	// both extend it.
	Append(ctx context.Context, run string, e JournalEntry) error
	// Journal returns the journal of run in order; an unknown run has an
	// empty journal.
	Journal(ctx context.Context, run string) ([]JournalEntry, error)
}

// Store errors.
var (
	ErrNotFound = errors.New("bot: not found in the store")
	ErrConflict = errors.New("bot: conflicting write to the store")
)

// ActionRecord is what one action id stands for: a button or option bound
// to a named action handler, or an option of a pending choice.
type ActionRecord struct {
	ID string
	// Address is the conversation the id was posted to. A click carrying
	// the id anywhere else is refused.
	Address Address
	// Handler names the action handler a click goes to (see
	// [Bot.OnAction]); empty for an option of a choice.
	Handler string
	// Choice is the id of the choice the option belongs to, and Option
	// its index among the choice's options.
	Choice string
	Option int
	Label  string
	Value  json.RawMessage
}

// ChoiceState is where a choice stands.
type ChoiceState int

// Choice states. Every state but ChoicePending is final.
const (
	ChoicePending ChoiceState = iota
	ChoiceDecided
	ChoiceExpired
	ChoiceCancelled
)

// String returns the state's name.
func (s ChoiceState) String() string {
	switch s {
	case ChoiceDecided:
		return "decided"
	case ChoiceExpired:
		return "expired"
	case ChoiceCancelled:
		return "cancelled"
	default:
		return "pending"
	}
}

// ChoiceRecord is a question put to people in a thread (see
// [AwaitChoice]).
type ChoiceRecord struct {
	ID string
	// Run is the id of the agent run waiting for the choice.
	Run     string
	Address Address
	// Approvers are the user ids allowed to decide; empty means anyone in
	// the conversation.
	Approvers []string
	// Labels are the options' labels, in order.
	Labels []string
	// Deadline is when the choice expires; zero means never.
	Deadline time.Time
	Created  time.Time
	Outcome  Outcome
}

// Outcome is how a choice ended.
type Outcome struct {
	State ChoiceState
	// Option is the index of the chosen option, User who chose it; set
	// when State is ChoiceDecided.
	Option int
	User   User
	At     time.Time
}

// JournalEntry is one recorded step of a run: a model response, a tool
// result, a Thread operation inside a tool handler, a decision.
type JournalEntry struct {
	// Seq is the entry's position in its journal, from 0.
	Seq int
	// Kind names the step ("model", "tool", "post", "decision", …).
	Kind string
	// Key identifies what the step was asked, so that a replay asking
	// for something else is caught.
	Key string
	// Data is the step's result.
	Data json.RawMessage
}
