package state

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/parleybot/parley/render"
)

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
// for the conversation. A ':', '/' or '%' inside a part is written as
// "%3A", "%2F" or "%25", so that two addresses never share a key.
func (a Address) String() string {
	var b strings.Builder
	b.Grow(len(a.Platform) + len(a.Workspace) + len(a.Channel) + len(a.Thread) + 3)
	writeKeyPart(&b, a.Platform)
	b.WriteByte(':')
	if a.Workspace != "" {
		writeKeyPart(&b, a.Workspace)
		b.WriteByte(':')
	}
	writeKeyPart(&b, a.Channel)
	if a.Thread != "" {
		b.WriteByte('/')
		writeKeyPart(&b, a.Thread)
	}
	return b.String()
}

// writeKeyPart writes s to b with the characters that separate an
// address's parts escaped.
func writeKeyPart(b *strings.Builder, s string) {
	if !strings.ContainsAny(s, ":/%") {
		b.WriteString(s)
		return
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case ':':
			b.WriteString("%3A")
		case '/':
			b.WriteString("%2F")
		case '%':
			b.WriteString("%25")
		default:
			b.WriteByte(c)
		}
	}
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

// ActionEvent is a click on a button bound to an action handler.
type ActionEvent struct {
	// Name is the handler's name.
	Name string
	// Label is the clicked button's label.
	Label string
	// Value is the button's value, as JSON.
	Value json.RawMessage
	// User is who clicked.
	User User
	// Message is the message holding the button.
	Message MessageRef
	// Reply answers the click as the platform expects (see
	// [ActionReply]), when the platform has such answers; nil when the
	// handler runs again by replay, or in another process than the one
	// that took the click.
	Reply ActionReply `json:"-"`
}

// Decode unmarshals the button's value into v.
func (e ActionEvent) Decode(v any) error { return json.Unmarshal(e.Value, v) }
