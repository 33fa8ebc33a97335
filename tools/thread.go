package tools

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/parleybot/parley/bot"
)

// Bounds of read_thread's limit argument.
const (
	defaultReadLimit = 20
	maxReadLimit     = 100
)

// ReadThreadConfig configures the tool [ReadThread] returns. The zero value
// reads the current conversation only: the tool has no argument that could
// name another.
//
// Reading wider is a decision about who sees what. The model's arguments
// come from what people wrote, so anyone who can talk to the bot can ask it
// to read a conversation and repeat it where they are: allow only the
// conversations whose readers may also read the ones you allow.
type ReadThreadConfig struct {
	// Allow, when set, lets the model read other conversations of the
	// same platform and workspace as the current one: it reports whether
	// the conversation at other may be read from current. The current
	// conversation is always allowed. See [SameChannel] and [InChannels].
	// Nil means the current conversation only.
	Allow func(current, other bot.Address) bool
	// Open opens another conversation. Set it to the bot's Thread method
	// (b.Thread) when Allow is set; it is not called otherwise.
	Open func(bot.Address) (*bot.Thread, error)
}

// SameChannel allows the other threads of the current conversation's
// channel, and the channel itself. Use it as [ReadThreadConfig.Allow].
func SameChannel(current, other bot.Address) bool {
	return other.Channel == current.Channel
}

// InChannels returns a [ReadThreadConfig.Allow] that allows the channels
// with the given ids, with their threads, besides the current conversation.
func InChannels(ids ...string) func(current, other bot.Address) bool {
	ids = slices.Clone(ids)
	return func(_, other bot.Address) bool { return slices.Contains(ids, other.Channel) }
}

// ReadThreadArgs are read_thread's arguments.
type ReadThreadArgs struct {
	Limit int `json:"limit,omitempty" jsonschema:"how many of the most recent messages to read; 20 if omitted, at most 100"`
}

// ReadOtherThreadArgs are read_thread's arguments when the tool may read
// other conversations (see [ReadThreadConfig.Allow]).
type ReadOtherThreadArgs struct {
	ReadThreadArgs
	Channel string `json:"channel,omitempty" jsonschema:"the id of the channel to read; this conversation's channel if omitted"`
	Thread  string `json:"thread,omitempty" jsonschema:"the id of the thread's first message, to read a thread rather than the channel; omit both channel and thread to read this conversation"`
}

// ThreadMessage is one message as read_thread reports it.
type ThreadMessage struct {
	From string    `json:"from"`
	Text string    `json:"text"`
	Time time.Time `json:"time,omitzero"`
	// Bot is true for this bot's own messages.
	Bot bool `json:"bot,omitempty"`
}

// errNotAllowed is what read_thread answers for a conversation its
// configuration does not allow.
var errNotAllowed = errors.New("tools: read_thread may not read that conversation")

// ReadThread returns the read_thread tool: a conversation's most recent
// messages, oldest first, from the bot's transcript of the thread (or the
// platform's history, for a thread the bot has only just joined). It reads
// the conversation it is called from, and others only as cfg allows.
func ReadThread(cfg ReadThreadConfig) *bot.Tool {
	const name = "read_thread"
	if cfg.Allow == nil {
		return bot.DefineTool(bot.ToolSpec[ReadThreadArgs]{
			Name:        name,
			Description: "Read the most recent messages of this conversation, oldest first, with who wrote each.",
			Handler: func(ctx context.Context, args ReadThreadArgs, tc *bot.ToolContext) (any, error) {
				return readThread(ctx, tc.Thread, args.Limit)
			},
		})
	}
	var handler func(context.Context, ReadOtherThreadArgs, *bot.ToolContext) (any, error)
	if cfg.Open != nil {
		handler = func(ctx context.Context, args ReadOtherThreadArgs, tc *bot.ToolContext) (any, error) {
			here := tc.Thread.Address()
			if args.Channel == "" && args.Thread == "" {
				return readThread(ctx, tc.Thread, args.Limit)
			}
			// Platform and workspace are always the current ones: the
			// model names a channel and a thread, never where they are.
			there := bot.Address{Platform: here.Platform, Workspace: here.Workspace, Channel: args.Channel, Thread: args.Thread}
			if there.Channel == "" {
				there.Channel = here.Channel
			}
			if there == here {
				return readThread(ctx, tc.Thread, args.Limit)
			}
			if !cfg.Allow(here, there) {
				return nil, fmt.Errorf("%w (channel %q, thread %q); read this conversation instead", errNotAllowed, there.Channel, there.Thread)
			}
			t, err := cfg.Open(there)
			if err != nil {
				return nil, err
			}
			return readThread(ctx, t, args.Limit)
		}
	}
	// Without Open the handler is nil, and DefineTool reports the tool
	// as misconfigured when it is registered.
	return bot.DefineTool(bot.ToolSpec[ReadOtherThreadArgs]{
		Name:        name,
		Description: "Read the most recent messages of this conversation, or of another channel or thread you are allowed to read, oldest first, with who wrote each.",
		Handler:     handler,
	})
}

func readThread(ctx context.Context, t *bot.Thread, limit int) ([]ThreadMessage, error) {
	if limit <= 0 {
		limit = defaultReadLimit
	}
	limit = min(limit, maxReadLimit)
	msgs, err := t.Messages(ctx, limit)
	if err != nil {
		return nil, err
	}
	out := make([]ThreadMessage, len(msgs))
	for i, m := range msgs {
		out[i] = ThreadMessage{From: name(m.User), Text: m.Text, Time: m.Time, Bot: m.FromSelf}
	}
	return out, nil
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
// needs the user lookup capability (bot.CapUserLookup); without it the
// model reads an error naming the capability.
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
