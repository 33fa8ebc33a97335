package discordui

import (
	"github.com/bwmarrin/discordgo"

	"github.com/parleybot/parley/render"
)

// Message is one Discord message: the fields of a message send or edit.
type Message struct {
	Content    string
	Embeds     []*discordgo.MessageEmbed
	Components []discordgo.MessageComponent
}

// Render renders n as one or more Discord messages, in order. ids gives
// every interactive element its opaque id; elements without one are left
// out. It fails only when an id is one Discord would reject.
func Render(n render.Node, ids render.IDs) ([]Message, error) {
	panic("TODO")
}

// Validate reports every way m breaks a limit Discord sets, joined in one
// error, or nil when Discord would accept it.
func Validate(m Message) error {
	panic("TODO")
}

// Markdown converts CommonMark-style markdown to Discord's markdown.
func Markdown(markdown string) string {
	panic("TODO")
}
