package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/render"
)

// Settings are what the bot may change: a few named switches, kept in
// memory. They stand for any write that deserves a person's approval (a
// deploy, a refund, a database row).
type Settings struct {
	mu sync.Mutex
	m  map[string]string
}

// NewSettings returns the example's settings, as they stand at start.
func NewSettings() *Settings {
	return &Settings{m: map[string]string{"deploy_freeze": "off", "signups": "open", "maintenance_banner": "off"}}
}

// Get returns the value of key and whether it exists.
func (s *Settings) Get(key string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[key]
	return v, ok
}

// All returns a copy of every setting.
func (s *Settings) All() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.m)
}

func (s *Settings) set(key, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = value
}

// ChangeArgs are change_setting's arguments.
type ChangeArgs struct {
	Key   string `json:"key" jsonschema:"the setting's name, as list_settings reports it"`
	Value string `json:"value" jsonschema:"the new value"`
	Why   string `json:"why,omitempty" jsonschema:"the reason, shown to the approver"`
}

// ChangeResult is what change_setting tells the model.
type ChangeResult struct {
	Changed bool   `json:"changed"`
	Key     string `json:"key"`
	Value   string `json:"value"`
	// By is who approved or denied.
	By string `json:"by"`
}

// config is the bot of the example, less its platform and model: the
// tools list_settings and change_setting over s, of which only approvers
// (user ids) may approve a change.
func config(s *Settings, approvers ...string) bot.Config {
	list := bot.DefineTool(bot.ToolSpec[struct{}]{
		Name:        "list_settings",
		Description: "List the settings and their current values.",
		Handler: func(ctx context.Context, _ struct{}, tc *bot.ToolContext) (any, error) {
			return s.All(), nil
		},
	})
	change := bot.DefineTool(bot.ToolSpec[ChangeArgs]{
		Name:        "change_setting",
		Description: "Change a setting. A person must approve the change on a card first; the result says whether they did.",
		Handler: func(ctx context.Context, args ChangeArgs, tc *bot.ToolContext) (any, error) {
			old, ok := s.Get(args.Key)
			if !ok {
				return nil, fmt.Errorf("no setting %q; the settings are %v", args.Key, slices.Sorted(maps.Keys(s.All())))
			}
			card := render.Card{
				Title:  "Change " + args.Key + "?",
				Accent: render.Amber,
				Body: []render.Node{
					render.Fields(
						render.Field{Label: "Setting", Value: args.Key},
						render.Field{Label: "Change", Value: old + " → " + args.Value},
						render.Field{Label: "Asked by", Value: "@" + tc.User.Name},
					),
				},
				Actions: render.Actions(
					render.Button("Approve", true).Primary(),
					render.Button("Deny", false).Danger(),
				),
			}
			if args.Why != "" {
				card.Body = append(card.Body, render.Text("Why: "+args.Why))
			}
			// The wait may outlive the process: after a restart the run
			// resumes by replay and this handler runs again from the top,
			// so nothing before AwaitChoice may write. The write comes
			// after it, and setting a value twice is harmless.
			choice, err := bot.AwaitChoice[bool](ctx, tc.Thread, card, bot.Approvers(approvers...))
			if err != nil {
				return nil, err
			}
			res := ChangeResult{Key: args.Key, Value: old, By: choice.User.Name}
			if choice.Value {
				s.set(args.Key, args.Value)
				res.Changed, res.Value = true, args.Value
			}
			return res, nil
		},
	})
	return bot.Config{
		Tools: []*bot.Tool{list, change},
		Instructions: "You manage a few settings. Use list_settings to see them and change_setting to change one; " +
			"a person approves each change on a card, so tell the user whether it was approved and by whom. Be brief.",
	}
}
