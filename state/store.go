package state

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// Store holds every piece of state a bot must keep beyond one process and
// share with its replicas: what each action id on the platform means, the
// choices waiting for a person, the queue of accepted work per lane with
// the lease that says which process works on it, run journals, event ids
// already seen, and the transcripts of the threads the bot is in. The
// platform never sees what it holds.
//
// store/sqlite is the default (a file, for one process or several on one
// machine); store/postgres serves replicas; bot.NewMemoryStore keeps
// everything in memory, for tests. A Store must pass the conformance suite
// in store/storetest. Every method is safe for concurrent use, across
// processes where the Store is shared; each is atomic. What a Store is
// given and what it returns are copies: neither side's later changes reach
// the other. A limit or keep of 0 or less means no limit. Expiry times set
// by the bot (leases, dedupe keys) are compared with the Store's clock;
// the times the bot passes (Expiring, Lapsed, Purge) are its own.
type Store interface {
	ActionStore
	ChoiceStore
	QueueStore
	JournalStore
	TranscriptStore

	// Purge deletes what has outlived its retention (see [Purge]). The
	// bot calls it now and then; a Store may also clean up on its own.
	Purge(ctx context.Context, p Purge) error
}

// ActionStore keeps what the action ids of posted messages mean.
type ActionStore interface {
	// PutActions records what each of a posted message's action ids
	// means. Ids are new and unique; putting one twice is an error
	// matching ErrConflict, and then none is put.
	PutActions(ctx context.Context, actions []ActionRecord) error
	// Action returns what an action id means, or an error matching
	// ErrNotFound. The options of a choice (see [ChoiceStore.PutChoice])
	// are action ids too.
	Action(ctx context.Context, id string) (ActionRecord, error)
}

// ChoiceStore keeps the choices put to people with bot.AwaitChoice.
type ChoiceStore interface {
	// PutChoice records a new pending choice and makes each of its
	// options' ids an action id (with Choice and Option set), atomically.
	// A choice id or option id already taken is an error matching
	// ErrConflict, and then nothing is put.
	PutChoice(ctx context.Context, c ChoiceRecord) error
	// Choice returns a choice, or an error matching ErrNotFound.
	Choice(ctx context.Context, id string) (ChoiceRecord, error)
	// Choices returns the choices run asked, by Created, oldest first; none
	// for run "" (choices asked outside a run belong to none).
	Choices(ctx context.Context, run string) ([]ChoiceRecord, error)
	// SetChoiceMessage records the message the choice's card was posted
	// as, unless one is recorded already: the first card known stays the
	// choice's card. An unknown choice is an error matching ErrNotFound.
	SetChoiceMessage(ctx context.Context, id string, ref MessageRef) error
	// Resolve ends a pending choice with o, atomically: of any number of
	// concurrent calls for one choice, in one process or many, exactly
	// one finds it pending, records o and returns the resolved choice and
	// true. Every other call, and any call after, returns the choice as
	// it stands — with the winning outcome — and false. An outcome whose
	// State is ChoicePending resolves nothing. An unknown choice is an
	// error matching ErrNotFound.
	Resolve(ctx context.Context, id string, o Outcome) (ChoiceRecord, bool, error)
	// Expiring lists up to limit pending choices whose deadline is not
	// after t, oldest deadline first; choices without a deadline never
	// expire.
	Expiring(ctx context.Context, t time.Time, limit int) ([]ChoiceRecord, error)
}

// QueueStore keeps the work the bot accepted, in lanes. A lane is a line
// of work done one item at a time: the messages of one thread, or the
// single run of a click or of a detached bot.Thread.RunAgent. At most one
// process works on a lane at a time: it holds the lane's [Lease], which it
// renews while it works, and every write it makes for the lane carries
// the lease's fencing token, so a process whose lease lapsed cannot write
// over the one that took the lane over.
//
// Every write with a lease (Begin, Complete, Renew, AppendJournal,
// EndJournal) fails with an error matching ErrConflict once another claim
// took the lane — and only then: a lease that expired and that no claim
// took since is still the lane's, and its writes succeed (a process
// finishing after a slow call records its work done, rather than leave it
// to look cut).
type QueueStore interface {
	// Accept records an event the bot accepts, atomically: it checks and
	// sets the event's dedupe key, adds the message to its thread's
	// transcript, queues the work item, and claims the item's lane for
	// the owner if the lane is free. A dedupe key already set and not yet
	// expired is an error matching ErrDuplicate, and then nothing is
	// recorded. Each part is optional (see [Acceptance]).
	Accept(ctx context.Context, a Acceptance) (Claimed, error)
	// Claim takes lane for owner if no lease on it is live (none, or one
	// expired), and hands out its queued items. A live lease, even the
	// owner's own, is an error matching ErrConflict.
	//
	// Items handed out carry Attempts: how many other leases began them
	// (see Begin) and did not finish them; Begun is set on those this
	// lease began. So Attempts > 0 means a process began the item and
	// died, or lost its lease, with it.
	Claim(ctx context.Context, lane, owner string, ttl time.Duration) (Claimed, error)
	// Begin marks queued items of the lease's lane as begun by it, before
	// the process does them; ids not queued there are ignored. A lease
	// that is no longer the lane's is an error matching ErrConflict, and
	// then nothing is marked.
	Begin(ctx context.Context, l Lease, ids []string) error
	// Complete removes the items done from the lease's lane and records
	// transcript entries. Then, unless c.Release is set, if items remain
	// queued, it renews the lease and hands them out; otherwise it
	// releases the lane, leaving what is queued for the next claim. A
	// lease that is no longer the lane's — another claim took the lane —
	// is an error matching ErrConflict, and then nothing is done; a lease
	// that expired but that no claim took is still the lane's.
	Complete(ctx context.Context, l Lease, c Completion) (Claimed, error)
	// Renew extends the lease to ttl from now and returns it with the
	// number of items queued in its lane that were not handed out with
	// it. A lease that is no longer the lane's is an error matching
	// ErrConflict.
	Renew(ctx context.Context, l Lease, ttl time.Duration) (Lease, int, error)
	// Lapsed lists up to limit lanes that have queued items and no live
	// lease as of now: their process stopped, or died. now is the bot's
	// clock; a Store that sets lease expiries by its own clock may compare
	// them with its own instead.
	Lapsed(ctx context.Context, now time.Time, limit int) ([]string, error)
	// Dedupe sets key until the given time and reports whether it was
	// free: false means the key is set and not expired, an event seen
	// before.
	Dedupe(ctx context.Context, key string, until time.Time) (bool, error)
}

// JournalStore keeps run journals (see the package docs, "Surviving a
// restart").
type JournalStore interface {
	// AppendJournal adds entries to the journal of run. The first entry's
	// Seq must be the journal's length and the rest follow it, and l must
	// be the current lease of its lane (l.Lane; a run's journal is always
	// written under its lane's lease): otherwise it is an error matching
	// ErrConflict and nothing is added, so two processes never both
	// extend one journal.
	AppendJournal(ctx context.Context, l Lease, run string, entries []JournalEntry) error
	// Journal returns the journal of run in order; an unknown run, or one
	// whose journal was deleted, has an empty journal.
	Journal(ctx context.Context, run string) ([]JournalEntry, error)
	// EndJournal marks the journal of a finished run: with a zero keep it
	// is deleted now, else kept until then and deleted by Purge. l must be
	// the current lease of its lane, as for AppendJournal.
	EndJournal(ctx context.Context, l Lease, run string, keep time.Time) error
}

// TranscriptStore keeps the bot's record of each thread it is in: the
// messages it was given and those it posted. Platform history APIs are a
// fallback: some are slow or tightly rate limited (Slack's
// conversations.replies allows many apps one request a minute).
type TranscriptStore interface {
	// Record adds messages to the end of the transcript of thread, or
	// replaces in place those already there with the same ID, and keeps
	// the last keep of them.
	Record(ctx context.Context, thread string, msgs []Message, keep int) error
	// Unrecord removes the message with the given id from the transcript
	// of thread, if it is there.
	Unrecord(ctx context.Context, thread, id string) error
	// Transcript returns up to limit of the last messages of thread, in
	// the order recorded.
	Transcript(ctx context.Context, thread string, limit int) ([]Message, error)
}

// Store errors.
var (
	// ErrNotFound is matched by the error of a lookup of something the
	// Store does not hold.
	ErrNotFound = errors.New("bot: not found in the store")
	// ErrConflict is matched by the error of a write that lost to another:
	// an id taken, a journal position taken, a lease no longer held.
	ErrConflict = errors.New("bot: conflicting write to the store")
	// ErrDuplicate is matched by the error of bot.Inbox methods, and of
	// [QueueStore.Accept], for an event whose id was seen before: the
	// platform delivered it again. Acknowledge it and drop it.
	ErrDuplicate = errors.New("bot: duplicate event")
)

// ActionRecord is what one action id stands for: a button or option bound
// to a named action handler, or an option of a pending choice.
type ActionRecord struct {
	ID string
	// Address is the conversation the id was posted to. A click carrying
	// the id anywhere else is refused.
	Address Address
	// Handler names the action handler a click goes to (see
	// bot.Bot.OnAction); empty for an option of a choice.
	Handler string
	// Choice is the id of the choice the option belongs to, and Option
	// its index among the choice's options.
	Choice string
	Option int
	Label  string
	Value  json.RawMessage
	// Expires is when the id stops being valid; zero means never. Purge
	// deletes it after.
	Expires time.Time
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
// bot.AwaitChoice).
type ChoiceRecord struct {
	ID string
	// Run is the id of the run that asked, and Lane the lane it runs in;
	// both empty for a choice asked outside a run.
	Run     string `json:",omitempty"`
	Lane    string `json:",omitempty"`
	Address Address
	// Approvers are the user ids allowed to decide; empty means anyone in
	// the conversation.
	Approvers []string `json:",omitempty"`
	// Options are the choice's options, in order.
	Options []OptionRecord
	// Text is the card without its options, as plain text: what the card
	// is closed with when the code that asked cannot close it.
	Text string `json:",omitempty"`
	// Message is the card, once posted.
	Message MessageRef `json:",omitzero"`
	// Deadline is when the choice expires; zero means never.
	Deadline time.Time `json:",omitzero"`
	Created  time.Time
	Outcome  Outcome `json:",omitzero"`
}

// OptionRecord is one option of a choice: its opaque action id, its label
// and its value as JSON.
type OptionRecord struct {
	ID    string
	Label string
	Value json.RawMessage
}

// Outcome is how a choice ended.
type Outcome struct {
	State ChoiceState `json:",omitempty"`
	// Option is the index of the chosen option, Value its value as the
	// Store recorded it for the clicked id, and User who chose it; set
	// when State is ChoiceDecided.
	Option int             `json:",omitempty"`
	Value  json.RawMessage `json:",omitempty"`
	User   User            `json:",omitzero"`
	At     time.Time       `json:",omitzero"`
}

// JournalEntry is one recorded step of a run.
type JournalEntry struct {
	// Seq is the entry's position in its journal, from 0.
	Seq int
	// Scope is the part of the run the step belongs to: "" for the
	// handler, then one scope per agent loop ("/a1") and per tool call
	// ("/a1/s2.0": call 0 of the loop's step 2), so that tool calls
	// running at once journal side by side.
	Scope string `json:",omitempty"`
	// Kind names the step: a [StepKind].
	Kind StepKind
	// Key identifies what the step was asked, readably, and Sum is a hash
	// of the whole request, so that a replay asking for something else is
	// caught however small the difference.
	Key string `json:",omitempty"`
	Sum string `json:",omitempty"`
	// Data is the step's result.
	Data json.RawMessage `json:",omitempty"`
}

// StepKind names a kind of journaled step.
type StepKind string

// The kinds of journaled steps.
const (
	StepStart     StepKind = "start"     // what the run was started for
	StepHistory   StepKind = "history"   // the conversation an agent loop read
	StepModel     StepKind = "model"     // a model response
	StepCall      StepKind = "call"      // a tool call begun
	StepResult    StepKind = "result"    // a tool call's result
	StepPost      StepKind = "post"      // Thread.Post
	StepUpdate    StepKind = "update"    // Thread.Update
	StepMessages  StepKind = "messages"  // Thread.Messages
	StepLookup    StepKind = "lookup"    // Thread.LookupUser
	StepFile      StepKind = "file"      // Thread.PostFile
	StepStatus    StepKind = "status"    // Thread.SetStatus
	StepReact     StepKind = "react"     // Thread.React
	StepEphemeral StepKind = "ephemeral" // Thread.PostEphemeral
	StepChoice    StepKind = "choice"    // AwaitChoice's card
	StepDecision  StepKind = "decision"  // AwaitChoice's outcome
	StepEnd       StepKind = "end"       // the run is over
)

// WorkKind says what a queued [WorkItem] asks for.
type WorkKind string

// The kinds of work.
const (
	// WorkMessage handles a message.
	WorkMessage WorkKind = "message"
	// WorkAction runs the action handler a button is bound to.
	WorkAction WorkKind = "action"
	// WorkAgent is a run of bot.Thread.RunAgent started outside any run.
	WorkAgent WorkKind = "agent"
	// WorkResume resumes a run by replay: one of its choices ended while
	// no goroutine waited for it.
	WorkResume WorkKind = "resume"
	// WorkChoice is a click on an option of a choice, to decide it.
	WorkChoice WorkKind = "choice"
	// WorkWait stands for a choice asked outside any run, in a lane of its
	// own that the process whose goroutine waits for the answer holds
	// while it waits, and completes when the wait ends. A process that
	// takes the lane over finds the asker gone: nothing can act on the
	// answer, and it ends the choice plainly.
	WorkWait WorkKind = "wait"
)

// WorkItem is accepted work, queued in a lane until a process has done it.
type WorkItem struct {
	// ID is unique. An item that starts a run gives the run its id.
	ID   string
	Lane string
	Kind WorkKind
	// Message is the message to handle (WorkMessage), or the message that
	// stands for the click or call: its address and user.
	Message Message
	// Action is the click, for WorkAction and WorkChoice.
	Action *ActionEvent `json:",omitempty"`
	// Agent is the run's options, for WorkAgent.
	Agent *AgentStart `json:",omitempty"`
	// Run and Choice name the run to resume and the choice that ended,
	// for WorkResume; Choice and Option the choice and the option
	// clicked, for WorkChoice; Choice the choice waited for, for
	// WorkWait.
	Run, Choice string
	Option      int `json:",omitempty"`
	Accepted    time.Time
	// Attempts is how many processes began the item and did not finish
	// it (they died, or lost the lane): more than 0 means it was cut.
	Attempts int `json:",omitempty"`
	// Begun is set on an item handed out that the lease it is handed out
	// with began.
	Begun bool `json:",omitempty"`
}

// AgentStart is what a detached bot.Thread.RunAgent run needs to start
// again: its options, with its extra tools by name.
type AgentStart struct {
	Instructions string   `json:",omitempty"`
	Tools        []string `json:",omitempty"`
	MaxSteps     int      `json:",omitempty"`
	Parallel     *bool    `json:",omitempty"`
}

// Lease is a process's hold on a lane. Token grows with every new holder
// of the lane, also after the lane was emptied and claimed again: it
// fences the writes of a holder whose lease lapsed.
type Lease struct {
	Lane    string
	Owner   string
	Token   int64
	Expires time.Time
}

// Acceptance is what [QueueStore.Accept] records. Every part is
// optional.
type Acceptance struct {
	// Dedupe is the event's key; it is set until DedupeUntil.
	Dedupe      string
	DedupeUntil time.Time
	// Record, when set, is added to Thread's transcript, keeping the
	// newest Keep messages.
	Record *Message
	Thread string
	Keep   int
	// Item, when its ID is set, is queued in its lane.
	Item WorkItem
	// Owner, when set, claims the item's lane for LeaseTTL if it is free.
	Owner    string
	LeaseTTL time.Duration
	// Begin, with Owner, marks the item begun by the claim's lease when
	// the claim succeeds and the item is the only one queued in its lane:
	// the owner will do it at once. Without Owner it does nothing.
	Begin bool
}

// Completion is what [QueueStore.Complete] records.
type Completion struct {
	// Done are the ids of the items done.
	Done []string
	// Records are transcript entries to add (see [TranscriptStore.Record]).
	Records []ThreadRecord
	Keep    int
	// Release gives the lane up even if items remain queued.
	Release bool
	// Unbegin are items the lease began (see Begin) and will not do after
	// all — the process stops — as if it never began them.
	Unbegin []string
	// TTL is the renewed lease's duration when items are handed out.
	TTL time.Duration
}

// ThreadRecord is a message for the transcript of a thread.
type ThreadRecord struct {
	Thread  string
	Message Message
}

// Claimed is the outcome of a claim: the lease, when the lane was
// claimed (or kept), and the items handed out with it.
type Claimed struct {
	Lease Lease
	Items []WorkItem
	// Queued counts the items left queued when the lane was released.
	Queued int
}

// Held reports whether the claim holds the lane.
func (c Claimed) Held() bool { return c.Lease.Owner != "" }

// Purge says what [Store.Purge] deletes: dedupe keys, kept journals and
// action ids whose time is not after Now; choices that ended before
// ChoicesEndedBefore, with their options; transcripts of threads with no
// message recorded since TranscriptsIdleBefore. A zero time purges nothing
// of its kind.
type Purge struct {
	Now                   time.Time
	ChoicesEndedBefore    time.Time
	TranscriptsIdleBefore time.Time
}
