package bot

import (
	"context"
	"strings"
)

// Adapter connects a bot to one chat platform. It is the only code that
// knows the platform's wire format: it receives events, verifies and
// normalizes them, and hands them to the bot; it renders and sends what the
// bot posts.
//
// Every adapter implements this small interface. What a platform can do
// beyond posting and editing, an adapter offers through the optional
// interfaces of this package ([HistoryReader], [UserLooker], [FileUploader],
// [StatusSetter], [Streamer], [EphemeralPoster], [Reactor]); [Thread] checks
// for them at run time and returns an error matching [ErrUnsupported] when
// one is missing. An adapter whose abilities depend on its configuration
// also implements [CapabilityReporter].
type Adapter interface {
	// Platform names the platform ("slack", "discord", "terminal"). It is
	// the Platform of every Address the adapter produces.
	Platform() string
	// Start begins receiving events and delivering them to in. It returns
	// once the adapter is receiving, or with an error if it cannot. The
	// adapter stops receiving when ctx ends, but must go on posting: runs in
	// flight finish after the bot stops taking new events.
	//
	// An adapter that receives over a socket or a gateway runs its
	// connection from Start. One that receives over HTTP (webhooks) does
	// not listen itself: it implements http.Handler, so that one server
	// mounts the handlers of several platforms side by side, and its
	// handler answers 503 Service Unavailable until Start and after ctx
	// ends, so the platform retries elsewhere.
	Start(ctx context.Context, in Inbox) error
	// Post sends a new message into the conversation at to.
	Post(ctx context.Context, to Address, m Outgoing) (MessageRef, error)
	// Update replaces the content of a message the bot posted.
	Update(ctx context.Context, ref MessageRef, m Outgoing) error
}

// Inbox is how an adapter hands events to the bot. Every method returns
// quickly, whatever the bot then does, so an adapter can acknowledge the
// platform within its deadline; an event is acknowledged only when its
// method returned nil or an error matching ErrDuplicate.
//
// The errors an adapter must tell apart:
//
//   - nil: the event is accepted. A message is in the Store before
//     Message returns, so nothing acknowledged is lost to a crash.
//   - ErrDuplicate: the event's id was seen before, by this process or a
//     replica; acknowledge it and drop it.
//   - ErrStopping: the bot is stopping and took nothing; an HTTP adapter
//     answers 503 so the platform delivers the event again, to another
//     replica or after the restart.
//   - any other error: the event could not be recorded (the Store is
//     unreachable); do not acknowledge it, so the platform retries.
type Inbox interface {
	// Message delivers a message someone wrote.
	Message(ctx context.Context, m Message) error
	// Action delivers a click on an interactive element the bot posted.
	Action(ctx context.Context, a Action) error
	// Edited delivers a new version of a message delivered before, to
	// keep the bot's transcript of the thread true.
	Edited(ctx context.Context, m Message) error
	// Deleted delivers the deletion of a message.
	Deleted(ctx context.Context, ref MessageRef) error
}

// File is a file to upload into a conversation.
type File struct {
	Name string
	// Title is shown instead of Name where the platform shows one.
	Title string
	// ContentType is the MIME type; empty lets the adapter infer it.
	ContentType string
	Data        []byte
	// Comment is a message posted with the file.
	Comment string
}

// HistoryReader is implemented by adapters that can read a conversation's
// past messages. Messages returns up to limit of the most recent messages
// at in, oldest first, including the bot's own with FromSelf set.
type HistoryReader interface {
	Messages(ctx context.Context, in Address, limit int) ([]Message, error)
}

// UserLooker is implemented by adapters that can look up a user by id.
type UserLooker interface {
	LookupUser(ctx context.Context, in Address, userID string) (User, error)
}

// FileUploader is implemented by adapters that can upload files.
type FileUploader interface {
	PostFile(ctx context.Context, to Address, f File) (MessageRef, error)
}

// StatusSetter is implemented by adapters that can show a transient status
// in a conversation: a "thinking…" line, or a typing indicator. An empty
// status clears it.
type StatusSetter interface {
	SetStatus(ctx context.Context, in Address, status string) error
}

// Streamer is implemented by adapters whose platform streams a message
// natively. Adapters without it get the default: a post, then edits at
// most once per [Config.StreamInterval], with the final text always sent.
type Streamer interface {
	StartStream(ctx context.Context, to Address, opts StreamOptions) (TextStream, error)
}

// StreamOptions describe a message being streamed.
type StreamOptions struct {
	// Recipient is the person the message answers, when there is one
	// (Slack's streaming API needs the user and workspace outside direct
	// messages); its workspace is the address's.
	Recipient User
}

// TextStream is one message being streamed.
type TextStream interface {
	// Append adds text to the end of the message.
	Append(ctx context.Context, delta string) error
	// Close finishes the message. It returns the message's reference, or a
	// zero MessageRef if nothing was appended and nothing posted.
	Close(ctx context.Context) (MessageRef, error)
}

// EphemeralPoster is implemented by adapters that can show a message to one
// person only.
type EphemeralPoster interface {
	PostEphemeral(ctx context.Context, to Address, userID string, m Outgoing) error
}

// Reactor is implemented by adapters that can add emoji reactions.
type Reactor interface {
	React(ctx context.Context, ref MessageRef, emoji string) error
}

// CapabilityReporter is implemented by adapters whose abilities depend on
// configuration or on the conversation. Capabilities narrows what the
// optional interfaces claim: a capability counts only when the adapter
// implements its interface and reports it here.
type CapabilityReporter interface {
	Capabilities(in Address) Capabilities
}

// Capability is one thing beyond posting and editing a platform can do.
type Capability uint16

// The optional capabilities, one per optional interface.
const (
	CapHistory Capability = 1 << iota
	CapUserLookup
	CapFiles
	CapStatus
	CapStreaming
	CapEphemeral
	CapReactions

	capEnd
)

// AllCapabilities holds every capability.
const AllCapabilities = Capabilities(capEnd - 1)

var capabilityNames = [...]string{"history", "user lookup", "files", "status", "streaming", "ephemeral messages", "reactions"}

// String returns the capability's name, as used in errors.
func (c Capability) String() string {
	for i, name := range capabilityNames {
		if c == 1<<i {
			return name
		}
	}
	return "unknown capability"
}

// Capabilities is a set of capabilities.
type Capabilities uint16

// Has reports whether c is in the set.
func (cs Capabilities) Has(c Capability) bool { return cs&Capabilities(c) != 0 }

// With returns the set with c added.
func (cs Capabilities) With(c Capability) Capabilities { return cs | Capabilities(c) }

// Without returns the set with c removed.
func (cs Capabilities) Without(c Capability) Capabilities { return cs &^ Capabilities(c) }

// String lists the set's capabilities, comma separated.
func (cs Capabilities) String() string {
	var names []string
	for i, name := range capabilityNames {
		if cs.Has(1 << i) {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// capabilitiesOf computes what an adapter can do at in: the optional
// interfaces it implements, narrowed by what it reports.
func capabilitiesOf(a Adapter, in Address) Capabilities {
	var cs Capabilities
	if _, ok := a.(HistoryReader); ok {
		cs = cs.With(CapHistory)
	}
	if _, ok := a.(UserLooker); ok {
		cs = cs.With(CapUserLookup)
	}
	if _, ok := a.(FileUploader); ok {
		cs = cs.With(CapFiles)
	}
	if _, ok := a.(StatusSetter); ok {
		cs = cs.With(CapStatus)
	}
	if _, ok := a.(Streamer); ok {
		cs = cs.With(CapStreaming)
	}
	if _, ok := a.(EphemeralPoster); ok {
		cs = cs.With(CapEphemeral)
	}
	if _, ok := a.(Reactor); ok {
		cs = cs.With(CapReactions)
	}
	if r, ok := a.(CapabilityReporter); ok {
		cs &= r.Capabilities(in)
	}
	return cs
}
