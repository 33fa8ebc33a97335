package bot

import (
	"context"
	"strings"
	"time"

	"github.com/parleybot/parley/render"
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

// Outgoing is what the bot asks an adapter to show.
type Outgoing struct {
	// Content is the message: text, markdown or a card.
	Content render.Node
	// IDs holds the opaque id of every interactive element in Content. The
	// adapter renders these ids, never the elements' values.
	IDs render.IDs
}

// Address locates a conversation: a channel of a workspace on a platform
// and, where the platform has threads, the thread in it.
type Address struct {
	Platform string `json:",omitempty"`
	// Workspace is the platform's workspace: a Slack team, a Discord
	// guild; empty where the platform has none (direct messages on
	// Discord, the terminal). One bot serves several.
	Workspace string `json:",omitempty"`
	// Channel is the platform's channel, DM or conversation id.
	Channel string `json:",omitempty"`
	// Thread is the id of the thread's root message within Channel, or empty
	// for a conversation that is the whole channel.
	Thread string `json:",omitempty"`
}

// String returns the address as "platform:workspace:channel/thread"
// ("platform:channel/thread" without a workspace), the key the bot uses
// for the conversation.
func (a Address) String() string {
	var b strings.Builder
	b.Grow(len(a.Platform) + len(a.Workspace) + len(a.Channel) + len(a.Thread) + 3)
	b.WriteString(a.Platform)
	b.WriteByte(':')
	if a.Workspace != "" {
		b.WriteString(a.Workspace)
		b.WriteByte(':')
	}
	b.WriteString(a.Channel)
	if a.Thread != "" {
		b.WriteByte('/')
		b.WriteString(a.Thread)
	}
	return b.String()
}

// MessageRef identifies a posted message.
type MessageRef struct {
	Address
	// ID is the platform's message id (a Slack ts, a Discord snowflake).
	ID string `json:",omitempty"`
}

// User is a person, or a bot, on a platform.
type User struct {
	ID   string `json:",omitempty"`
	Name string `json:",omitempty"`
	// IsBot is true for bot and app accounts.
	IsBot bool `json:",omitempty"`
}

// Message is a message in a conversation, normalized by an adapter.
type Message struct {
	// ID is the platform's message id. The bot gives a message delivered
	// without one an id of its own.
	ID string `json:",omitempty"`
	// EventID is the id of the platform's delivery of the message (Slack's
	// event_id, Discord's message id), by which the bot drops a delivery
	// it has seen before, across replicas. Empty means the platform gives
	// none and never delivers twice.
	EventID string  `json:",omitempty"`
	Address Address `json:",omitzero"`
	User    User    `json:",omitzero"`
	// Text is the message's text in markdown, with the bot's own mention
	// removed where the platform inserts one.
	Text string    `json:",omitempty"`
	Time time.Time `json:",omitzero"`
	// Mention is true when the message addresses the bot: it mentions the
	// bot, or it was written in a direct conversation with it.
	Mention bool `json:",omitempty"`
	// Direct is true for a message in a direct conversation with the bot.
	Direct bool `json:",omitempty"`
	// FromSelf is true for messages this bot posted (seen in history).
	FromSelf bool `json:",omitempty"`
	// Opens is set by an adapter that knows the message opens its
	// conversation, with nothing before it to read: a thread the platform
	// says began just now (Slack's assistant pane), a slash command. The
	// bot then asks the platform for no history of the conversation, as it
	// does for a message that is its thread's root.
	Opens bool `json:",omitempty"`
}

// Action is a click on an interactive element, normalized by an adapter.
type Action struct {
	// ID is the opaque id the element carried (see [Outgoing.IDs]).
	ID string
	// EventID is the id of the platform's delivery of the click (Slack's
	// trigger_id, Discord's interaction id); see [Message.EventID].
	EventID string
	// User is who clicked.
	User User
	// Message is the message holding the element.
	Message MessageRef
	// Reply answers the click itself where the platform answers clicks
	// that way (a Discord interaction, Slack's response_url); nil where it
	// does not.
	Reply ActionReply
}

// ActionReply answers one click, as the platform expects a click to be
// answered. The bot uses it, where an Action has one, for notices to the
// person who clicked, and to edit the message clicked when only the click
// can (closing a stray copy of a card). The adapter itself acknowledges
// the click to the platform within its deadline (a deferred update on
// Discord, a 200 on Slack) before or as it hands it to the Inbox: the
// bot's answer may come later, from another replica, or not at all when
// the click changed only the card the run edits itself.
type ActionReply interface {
	// Ephemeral shows m to the person who clicked, only.
	Ephemeral(ctx context.Context, m Outgoing) error
	// Update replaces the message holding the clicked element.
	Update(ctx context.Context, m Outgoing) error
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
