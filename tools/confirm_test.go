package tools_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
	"github.com/parleybot/parley/render"
	"github.com/parleybot/parley/tools"
)

func TestConfirm(t *testing.T) {
	t.Parallel()
	args := tools.ConfirmArgs{Action: "Delete the staging database", Details: []tools.ConfirmField{{Label: "Size", Value: "40 GB"}}}
	tests := []struct {
		name    string
		cfg     tools.ConfirmConfig
		click   string // label clicked by Ana; "" for none
		result  string
		outcome string
	}{
		{"approved", tools.ConfirmConfig{Approvers: []string{bottest.Ana.ID}}, "Approve", `{"approved":true,"user":{"id":"U_ANA","name":"ana"},"timed_out":false}`, "✅ Approved by @ana"},
		{"denied with own labels", tools.ConfirmConfig{Approve: "Do it", Deny: "Stop"}, "Stop", `{"approved":false,"user":{"id":"U_ANA","name":"ana"},"timed_out":false}`, "❌ Denied by @ana"},
		{"timed out", tools.ConfirmConfig{Timeout: 30 * time.Millisecond}, "", `{"approved":false,"timed_out":true}`, "⏱ Expired"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			model := bottest.NewModel(bottest.Call("confirm", args), bottest.Reply("ok"))
			h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{tools.Confirm(tt.cfg)}})
			h.Adapter.Send(bottest.Ana, "clean up staging")
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			var ref bot.MessageRef
			err := h.Adapter.WaitFor(ctx, func(ps []bottest.Posted) bool {
				for _, p := range ps {
					if len(p.Versions) > 0 && len(render.Interactives(p.Versions[0])) == 2 {
						ref = p.Ref
						return true
					}
				}
				return false
			})
			if err != nil {
				t.Fatal("no approval card")
			}
			if tt.click != "" {
				if err := h.Adapter.Click(ref, tt.click, bottest.Ana); err != nil {
					t.Fatal(err)
				}
			}
			// Clicked or timed out, the card closes; then the run goes on.
			if err := h.Chat.WaitClosed(ctx, ref); err != nil {
				t.Fatal("the card was not closed")
			}
			h.Wait()
			reqs := model.Requests()
			msgs := reqs[len(reqs)-1].Messages
			if got := msgs[len(msgs)-1].Content; got != tt.result {
				t.Errorf("result %s, want %s", got, tt.result)
			}
			for _, p := range h.Adapter.Posts() {
				if p.Ref == ref {
					text := p.Text()
					if !strings.Contains(text, "Delete the staging database") || !strings.Contains(text, "Size: 40 GB") || !strings.Contains(text, tt.outcome) {
						t.Errorf("closed card:\n%s", text)
					}
				}
			}
		})
	}
}

// A request that does not say what will be done posts no card: the model
// reads why.
func TestConfirmRefusesAnEmptyAction(t *testing.T) {
	t.Parallel()
	model := bottest.NewModel(bottest.Call("confirm", tools.ConfirmArgs{Action: "  "}), bottest.Reply("sorry"))
	h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{tools.Confirm(tools.ConfirmConfig{})}})
	h.Send(bottest.Ana, "do it")
	if got, want := lastToolMessage(t, model), `{"error":"tools: confirm: action is empty; say what will be done if a person approves"}`; got != want {
		t.Errorf("tool message %s, want %s", got, want)
	}
	if cards := h.Chat.Cards(); len(cards) != 0 {
		t.Errorf("posted %d cards", len(cards))
	}
}

// Only an approver decides: a click by anyone else is refused, the card
// stays open, and the approver's click decides.
func TestConfirmOnlyApproversDecide(t *testing.T) {
	t.Parallel()
	args := tools.ConfirmArgs{Action: "Rotate the API keys"}
	model := bottest.NewModel(bottest.Call("confirm", args), bottest.Reply("ok"))
	h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{tools.Confirm(tools.ConfirmConfig{Approvers: []string{bottest.Ana.ID}})}})
	h.Send(bottest.Ben, "rotate the keys")
	card := h.Card(0)
	h.Click(card.Ref, "Approve", bottest.Ben)
	if now, _ := h.Chat.Lookup(card.Ref); len(now.Options()) != 2 {
		t.Fatalf("a click by someone who may not decide closed the card: it offers %q", now.Options())
	}
	if n := len(model.Requests()); n != 1 {
		t.Fatalf("the run went on after a refused click: %d model requests", n)
	}
	h.Click(card.Ref, "Approve", bottest.Ana)
	reqs := model.Requests()
	msgs := reqs[len(reqs)-1].Messages
	if got, want := msgs[len(msgs)-1].Content, `{"approved":true,"user":{"id":"U_ANA","name":"ana"},"timed_out":false}`; got != want {
		t.Errorf("result %s, want %s", got, want)
	}
}
