package bot

import "github.com/parleybot/parley/state"

// The types a bot shares with its adapters and its Store live in package
// state, which imports no other part of Parley, so that a Store such as
// store/sqlite can be the bot's default without an import cycle. They are
// the same types under the names the bot has always given them.

type (
	// Outgoing is [state.Outgoing].
	Outgoing = state.Outgoing
	// Address is [state.Address].
	Address = state.Address
	// MessageRef is [state.MessageRef].
	MessageRef = state.MessageRef
	// User is [state.User].
	User = state.User
	// Message is [state.Message].
	Message = state.Message
	// Action is [state.Action].
	Action = state.Action
	// ActionReply is [state.ActionReply].
	ActionReply = state.ActionReply
	// ActionEvent is [state.ActionEvent].
	ActionEvent = state.ActionEvent
	// Notifier is [state.Notifier].
	Notifier = state.Notifier
	// NoteMailbox is [state.NoteMailbox].
	NoteMailbox = state.NoteMailbox
	// Store is [state.Store].
	Store = state.Store
	// ActionStore is [state.ActionStore].
	ActionStore = state.ActionStore
	// ChoiceStore is [state.ChoiceStore].
	ChoiceStore = state.ChoiceStore
	// QueueStore is [state.QueueStore].
	QueueStore = state.QueueStore
	// JournalStore is [state.JournalStore].
	JournalStore = state.JournalStore
	// TranscriptStore is [state.TranscriptStore].
	TranscriptStore = state.TranscriptStore
	// ActionRecord is [state.ActionRecord].
	ActionRecord = state.ActionRecord
	// ChoiceState is [state.ChoiceState].
	ChoiceState = state.ChoiceState
	// ChoiceRecord is [state.ChoiceRecord].
	ChoiceRecord = state.ChoiceRecord
	// OptionRecord is [state.OptionRecord].
	OptionRecord = state.OptionRecord
	// Outcome is [state.Outcome].
	Outcome = state.Outcome
	// JournalEntry is [state.JournalEntry].
	JournalEntry = state.JournalEntry
	// StepKind is [state.StepKind].
	StepKind = state.StepKind
	// WorkKind is [state.WorkKind].
	WorkKind = state.WorkKind
	// WorkItem is [state.WorkItem].
	WorkItem = state.WorkItem
	// AgentStart is [state.AgentStart].
	AgentStart = state.AgentStart
	// Lease is [state.Lease].
	Lease = state.Lease
	// Acceptance is [state.Acceptance].
	Acceptance = state.Acceptance
	// Completion is [state.Completion].
	Completion = state.Completion
	// ThreadRecord is [state.ThreadRecord].
	ThreadRecord = state.ThreadRecord
	// Claimed is [state.Claimed].
	Claimed = state.Claimed
	// Purge is [state.Purge].
	Purge = state.Purge
)

// Constants of the shared types; see package state.
const (
	ChoicePending   = state.ChoicePending
	ChoiceDecided   = state.ChoiceDecided
	ChoiceExpired   = state.ChoiceExpired
	ChoiceCancelled = state.ChoiceCancelled
	StepStart       = state.StepStart
	StepHistory     = state.StepHistory
	StepModel       = state.StepModel
	StepCall        = state.StepCall
	StepResult      = state.StepResult
	StepPost        = state.StepPost
	StepUpdate      = state.StepUpdate
	StepMessages    = state.StepMessages
	StepLookup      = state.StepLookup
	StepFile        = state.StepFile
	StepStatus      = state.StepStatus
	StepReact       = state.StepReact
	StepEphemeral   = state.StepEphemeral
	StepChoice      = state.StepChoice
	StepDecision    = state.StepDecision
	StepEnd         = state.StepEnd
	WorkMessage     = state.WorkMessage
	WorkAction      = state.WorkAction
	WorkAgent       = state.WorkAgent
	WorkResume      = state.WorkResume
	WorkChoice      = state.WorkChoice
	WorkWait        = state.WorkWait
)

// Errors of the Store contract; see package state.
var (
	// ErrNotFound is [state.ErrNotFound].
	ErrNotFound = state.ErrNotFound
	// ErrConflict is [state.ErrConflict].
	ErrConflict = state.ErrConflict
	// ErrDuplicate is [state.ErrDuplicate].
	ErrDuplicate = state.ErrDuplicate
)

// NewNoteMailbox returns an empty mailbox; see [state.NewNoteMailbox].
func NewNoteMailbox() *NoteMailbox { return state.NewNoteMailbox() }
