package blockkit

import (
	"errors"
	"fmt"
	"strings"

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

// defaultText is a message's Text when nothing in it has text.
const defaultText = "New message"

// selectPrefix starts the action_id of a select or radio group, followed by
// the id of its first option.
const selectPrefix = "sel:"

// Render renders n as one or more Slack messages, in order. ids gives
// every interactive element its opaque id; elements without one are left
// out. It fails only when an id is one Slack would reject.
//
// A tree with nothing to show — nil, an empty card, buttons none of which
// has an id — renders as no messages, as in every renderer: the caller
// has nothing to post. Every message of a card with an
// accent colour holds its blocks in one attachment of that colour, and
// every message has the same Text: the tree's [render.FallbackText].
func Render(n render.Node, ids render.IDs) ([]Message, error) {
	if err := checkIDs(n, ids); err != nil {
		return nil, err
	}
	r := &renderer{ids: ids}
	r.node(n)
	r.flush()

	text := fallback(n)
	if len(r.msgs) == 0 {
		return nil, nil
	}
	c, _ := cardOf(n)
	accent := c.Accent.String()
	out := make([]Message, len(r.msgs))
	for i, blocks := range r.msgs {
		out[i].Text = text
		if accent != "" {
			out[i].Attachments = []slack.Attachment{{Color: accent, Blocks: slack.Blocks{BlockSet: blocks}}}
		} else {
			out[i].Blocks = blocks
		}
	}
	return out, nil
}

// fallback returns the Text of n's messages: its fallback text, else its
// card's title, else defaultText, escaped so that Slack reads no mention
// or link in it.
func fallback(n render.Node) string {
	t := strings.TrimSpace(clean(render.FallbackText(n)))
	if t == "" {
		// Only a blank Fallback hides the title.
		c, _ := cardOf(n)
		t = line(c.Title, render.Slack.MessageText)
	}
	if t == "" {
		return defaultText
	}
	return fit(t, render.Slack.MessageText, escapeEntities)
}

// cardOf returns the card n is, if it is one.
func cardOf(n render.Node) (render.Card, bool) {
	switch c := n.(type) {
	case render.Card:
		return c, true
	case *render.Card:
		if c != nil {
			return *c, true
		}
	}
	return render.Card{}, false
}

// checkIDs reports the ids Slack would reject: an action_id or option
// value past its limit, and an id given to two elements (or met twice),
// which would make two action_ids of one message alike.
func checkIDs(n render.Node, ids render.IDs) error {
	var errs []error
	seen := map[string]bool{}
	buttons := map[string]bool{}
	els := render.Interactives(n)
	for _, el := range els {
		id := ids[el]
		if id == "" {
			continue
		}
		kind, limit := "button", render.Slack.ActionID
		if _, ok := el.(*render.Option); ok {
			kind, limit = "option", render.Slack.OptionValue
		} else {
			buttons[id] = true
		}
		if l := render.Len(id); l > limit {
			errs = append(errs, fmt.Errorf("blockkit: %s id %q is %d characters, limit %d", kind, short(id), l, limit))
		}
		if seen[id] {
			errs = append(errs, fmt.Errorf("blockkit: id %q is given to more than one element", short(id)))
		}
		seen[id] = true
	}
	// A select's action_id is selectPrefix and an option's id: no button
	// may have it too.
	for _, el := range els {
		if _, ok := el.(*render.Option); ok && ids[el] != "" && buttons[selectPrefix+ids[el]] {
			errs = append(errs, fmt.Errorf("blockkit: button id %q is the action_id of the select holding option %q", short(selectPrefix+ids[el]), short(ids[el])))
		}
	}
	return errors.Join(errs...)
}

// short cuts an id for an error message.
func short(id string) string { return render.Truncate(id, 40) }
