package blockkit

import (
	"github.com/slack-go/slack"

	"github.com/parleybot/parley/render"
)

// Message is one Slack message: the arguments of chat.postMessage or
// chat.update.
type Message struct {
	// Text is the message's fallback text, shown in notifications and read
	// by screen readers.
	Text string
	// Blocks are the message's blocks when it has no accent colour.
	Blocks []slack.Block
	// Attachments hold the blocks, in one attachment with the accent as its
	// Color, when the card has an accent colour.
	Attachments []slack.Attachment
}

// Render renders n as one or more Slack messages, in order. ids gives
// every interactive element its opaque id; elements without one are left
// out. It fails only when an id is one Slack would reject.
func Render(n render.Node, ids render.IDs) ([]Message, error) {
	panic("TODO")
}

// Validate reports every way m breaks a limit Slack sets, joined in one
// error, or nil when Slack would accept it.
func Validate(m Message) error {
	panic("TODO")
}

// Mrkdwn converts markdown to Slack's mrkdwn.
func Mrkdwn(markdown string) string {
	panic("TODO")
}
