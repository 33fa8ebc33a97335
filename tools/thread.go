package tools

import (
	"context"
	"time"

	"github.com/parleybot/parley/bot"
)

// Bounds of read_thread's limit argument.
const (
	defaultReadLimit = 20
	maxReadLimit     = 100
)

// ReadThreadArgs are read_thread's arguments.
type ReadThreadArgs struct {
	Limit int `json:"limit,omitempty" jsonschema:"how many of the most recent messages to read; 20 if omitted, at most 100"`
}

// ThreadMessage is one message as read_thread reports it.
type ThreadMessage struct {
	From string    `json:"from"`
	Text string    `json:"text"`
	Time time.Time `json:"time,omitzero"`
	// Bot is true for this bot's own messages.
	Bot bool `json:"bot,omitempty"`
}

// ReadThread returns the read_thread tool: the conversation's most recent
// messages, oldest first, from the bot's transcript of the thread (or the
// platform's history, for a thread the bot has only just joined).
func ReadThread() *bot.Tool {
	return bot.DefineTool(bot.ToolSpec[ReadThreadArgs]{
		Name:        "read_thread",
		Description: "Read the most recent messages of this conversation, oldest first, with who wrote each.",
		Handler: func(ctx context.Context, args ReadThreadArgs, tc *bot.ToolContext) (any, error) {
			limit := args.Limit
			if limit <= 0 {
				limit = defaultReadLimit
			}
			limit = min(limit, maxReadLimit)
			msgs, err := tc.Thread.Messages(ctx, limit)
			if err != nil {
				return nil, err
			}
			out := make([]ThreadMessage, len(msgs))
			for i, m := range msgs {
				from := m.User.Name
				if from == "" {
					from = m.User.ID
				}
				out[i] = ThreadMessage{From: from, Text: m.Text, Time: m.Time, Bot: m.FromSelf}
			}
			return out, nil
		},
	})
}

// LookupUserArgs are lookup_user's arguments.
type LookupUserArgs struct {
	UserID string `json:"user_id" jsonschema:"the platform's id of the user"`
}

// UserInfo is what lookup_user reports.
type UserInfo struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	IsBot bool   `json:"is_bot,omitempty"`
}

// LookupUser returns the lookup_user tool: a person's name by their id. It
// needs the user lookup capability.
func LookupUser() *bot.Tool {
	return bot.DefineTool(bot.ToolSpec[LookupUserArgs]{
		Name:        "lookup_user",
		Description: "Look up a user of this chat platform by id and return their name.",
		Handler: func(ctx context.Context, args LookupUserArgs, tc *bot.ToolContext) (any, error) {
			u, err := tc.Thread.LookupUser(ctx, args.UserID)
			if err != nil {
				return nil, err
			}
			return UserInfo{ID: u.ID, Name: u.Name, IsBot: u.IsBot}, nil
		},
	})
}
