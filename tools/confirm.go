package tools

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/render"
)

// ConfirmConfig configures the tool [Confirm] returns. The zero value is
// a tool named "confirm" that anyone in the conversation may answer and
// that waits until someone does.
type ConfirmConfig struct {
	// Name is the tool's name. Default "confirm".
	Name string
	// Description tells the model when to ask. Default: ask a person to
	// approve an action before doing it.
	Description string
	// Title heads the card. Default "Approval needed".
	Title string
	// Approve and Deny label the buttons. Default "Approve" and "Deny".
	Approve, Deny string
	// Approvers are the user ids allowed to decide. Empty means anyone
	// in the conversation.
	Approvers []string
	// Timeout ends the wait with timed_out set. Zero means no timeout.
	Timeout time.Duration
}

// ConfirmArgs are what the model passes to the confirm tool.
type ConfirmArgs struct {
	Action  string         `json:"action" jsonschema:"what will be done if a person approves, in one sentence"`
	Details []ConfirmField `json:"details,omitempty" jsonschema:"facts the person needs to decide, shown as label and value"`
}

// ConfirmField is one fact shown on the approval card.
type ConfirmField struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// ConfirmResult is what the confirm tool returns to the model.
type ConfirmResult struct {
	Approved bool `json:"approved"`
	// User is who decided; nil when nobody did.
	User     *ConfirmUser `json:"user,omitempty"`
	TimedOut bool         `json:"timed_out"`
}

// ConfirmUser is the person who decided.
type ConfirmUser struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// Confirm returns a tool with which the model asks a person to approve an
// action before taking it. The tool posts a card — the title, the action,
// its details as fields, Approve and Deny buttons — waits with
// [bot.AwaitChoice] for an approver's click, closes the card with
// "✅ Approved by @ana", "❌ Denied by @ana" or "⏱ Expired", and returns
// {"approved": bool, "user": {"id", "name"}, "timed_out": bool}.
//
// The approval binds nothing: the model decides whether to ask, what the
// card says, and what it does after, so a model steered by what people
// write can skip the question or do something else than was approved.
// Confirm suits actions the model is trusted to take once a person
// agrees. For a write that must never happen unapproved, make the writing
// tool ask, with bot.AwaitChoice, before it writes (examples/approvals).
func Confirm(cfg ConfirmConfig) *bot.Tool {
	if cfg.Name == "" {
		cfg.Name = "confirm"
	}
	if cfg.Description == "" {
		cfg.Description = "Ask a person in this conversation to approve an action before you take it. Returns whether it was approved, who decided, and whether the request timed out. Only act if approved is true."
	}
	if cfg.Title == "" {
		cfg.Title = "Approval needed"
	}
	if cfg.Approve == "" {
		cfg.Approve = "Approve"
	}
	if cfg.Deny == "" {
		cfg.Deny = "Deny"
	}
	return bot.DefineTool(bot.ToolSpec[ConfirmArgs]{
		Name:        cfg.Name,
		Description: cfg.Description,
		Handler: func(ctx context.Context, args ConfirmArgs, tc *bot.ToolContext) (any, error) {
			if strings.TrimSpace(args.Action) == "" {
				// Nobody can approve what the card does not say.
				return nil, errors.New("tools: confirm: action is empty; say what will be done if a person approves")
			}
			card := render.Card{Title: cfg.Title, Accent: render.Amber, Body: []render.Node{render.Text(args.Action)}}
			if len(args.Details) > 0 {
				fields := make([]render.Field, len(args.Details))
				for i, d := range args.Details {
					fields[i] = render.Field{Label: d.Label, Value: d.Value}
				}
				card.Body = append(card.Body, render.Fields(fields...))
			}
			card.Actions = render.Actions(render.Button(cfg.Approve, true).Primary(), render.Button(cfg.Deny, false).Danger())
			card.Fallback = cfg.Title + ": " + args.Action

			opts := []bot.ChoiceOption{bot.OutcomeLine(func(_ string, o bot.Outcome) string {
				switch {
				case o.State == bot.ChoiceDecided && o.Option == 0:
					return "✅ Approved by @" + name(o.User)
				case o.State == bot.ChoiceDecided:
					return "❌ Denied by @" + name(o.User)
				}
				return bot.DefaultOutcomeLine("", o)
			})}
			if len(cfg.Approvers) > 0 {
				opts = append(opts, bot.Approvers(cfg.Approvers...))
			}
			if cfg.Timeout > 0 {
				opts = append(opts, bot.Timeout(cfg.Timeout))
			}
			c, err := bot.AwaitChoice[bool](ctx, tc.Thread, card, opts...)
			if err != nil {
				return nil, err
			}
			res := ConfirmResult{Approved: c.Value, TimedOut: c.TimedOut}
			if !c.TimedOut {
				res.User = &ConfirmUser{ID: c.User.ID, Name: c.User.Name}
			}
			return res, nil
		},
	})
}

func name(u bot.User) string {
	if u.Name != "" {
		return u.Name
	}
	return u.ID
}
