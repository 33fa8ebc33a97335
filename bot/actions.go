package bot

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/parleybot/parley/render"
)

// target is an interactive element of a tree with what a click on it
// means.
type target struct {
	el     render.Interactive
	label  string
	action string // the handler a select option or button is bound to
	value  any
}

// targets lists the interactive elements of content in reading order.
func targets(content render.Node) []target {
	els := render.Interactives(content)
	if len(els) == 0 {
		return nil
	}
	selectOf := map[*render.Option]*render.SelectNode{}
	render.Walk(content, func(n render.Node) {
		if s, ok := n.(*render.SelectNode); ok {
			for _, o := range s.Options {
				selectOf[o] = s
			}
		}
	})
	out := make([]target, len(els))
	for i, el := range els {
		switch el := el.(type) {
		case *render.ButtonNode:
			out[i] = target{el, el.Label, el.Action, el.Value}
		case *render.Option:
			out[i] = target{el, el.Label, selectOf[el].Action, el.Value}
		}
	}
	return out
}

// outgoing prepares content for an adapter: every action button and
// option gets an opaque id, bound in the Store to its handler and value
// at the address it goes to.
func (b *Bot) outgoing(ctx context.Context, to Address, content render.Node) (Outgoing, error) {
	if content == nil {
		return Outgoing{}, errors.New("bot: nothing to post (nil content)")
	}
	ts := targets(content)
	if len(ts) == 0 {
		return Outgoing{Content: content}, nil
	}
	ids := make(render.IDs, len(ts))
	recs := make([]ActionRecord, len(ts))
	expires := time.Now().Add(b.cfg.ActionTTL)
	for i, tg := range ts {
		if tg.action == "" {
			return Outgoing{}, fmt.Errorf("bot: %q has no handler: bind its button or select with OnAction(name) and register the name with Bot.OnAction", tg.label)
		}
		v, err := json.Marshal(tg.value)
		if err != nil {
			return Outgoing{}, fmt.Errorf("bot: %q: value: %w", tg.label, err)
		}
		ids[tg.el] = rand.Text()
		recs[i] = ActionRecord{ID: ids[tg.el], Address: to, Handler: tg.action, Label: tg.label, Value: v, Expires: expires}
	}
	if err := b.store.PutActions(ctx, recs); err != nil {
		return Outgoing{}, fmt.Errorf("bot: storing the message's actions: %w", err)
	}
	return Outgoing{Content: content, IDs: ids}, nil
}
