package tools

import (
	"context"
	"fmt"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/render"
)

// MaxCardText is the most text, in characters as render.Len counts them, a
// card shown by a [Render] tool may hold: Discord's limit for all the
// embeds of one message, the smallest of the platforms', so that the card
// is one message everywhere rather than cut or split.
const MaxCardText = 6000

// RenderResult is what a render tool returns to the model once its card is
// shown.
type RenderResult struct {
	Shown bool `json:"shown"`
	// MessageID is the platform's id of the message that shows the card.
	MessageID string `json:"message_id"`
}

// Render returns a render tool: the model shows a card by calling it, and
// the arguments it passes are the card's props. The props struct is the
// tool's input schema, inferred as [bot.DefineTool] infers it — json tags
// name the properties, `jsonschema:"..."` tags describe them, `enum:"..."`
// tags and Enum methods restrict them — so the model reads what each prop
// means, and props that do not fit the schema go back to it as an error it
// can repair: card never sees them.
//
// The tool posts card(props) into the conversation the model was called
// from and returns {"shown": true, "message_id": "..."}. A card that holds
// nothing, or more than [MaxCardText] characters of text, is not posted:
// the model reads why and can call again with other props. name is the
// tool's name, a stable string the model calls it by, never derived from
// Props.
//
// Buttons on the card must be bound to a handler (render.Button(...).
// OnAction(name) and Bot.OnAction), as for any post; link buttons need
// nothing.
func Render[Props any](name, description string, card func(Props) render.Card) *bot.Tool {
	var handler func(context.Context, Props, *bot.ToolContext) (any, error)
	if card != nil {
		// A nil card leaves the handler nil, which DefineTool reports as
		// the tool's error at registration.
		handler = func(ctx context.Context, props Props, tc *bot.ToolContext) (any, error) {
			c := card(props)
			if err := showable(c, name); err != nil {
				return nil, err
			}
			ref, err := tc.Thread.Post(ctx, c)
			if err != nil {
				return nil, fmt.Errorf("tools: the card could not be shown: %w", err)
			}
			return RenderResult{Shown: true, MessageID: ref.ID}, nil
		}
	}
	return bot.DefineTool(bot.ToolSpec[Props]{Name: name, Description: description, Handler: handler})
}

// showable says why c cannot be shown, if it cannot.
func showable(c render.Card, tool string) error {
	whole := c
	whole.Fallback = "" // measure the card's own text, not its summary
	n := render.Len(render.FallbackText(whole))
	if n > MaxCardText {
		return fmt.Errorf("tools: the card is too large to show: %d characters of text, at most %d; call %s again with shorter or fewer values", n, MaxCardText, tool)
	}
	if n == 0 && len(render.Interactives(c)) == 0 && !hasImage(c) {
		return fmt.Errorf("tools: the card is empty; call %s again with the values to show", tool)
	}
	return nil
}

// hasImage reports whether c shows an image, which has no text to count.
func hasImage(c render.Card) bool {
	found := false
	render.Walk(c, func(n render.Node) {
		if i, ok := n.(render.ImageNode); ok && i.URL != "" {
			found = true
		}
	})
	return found
}
