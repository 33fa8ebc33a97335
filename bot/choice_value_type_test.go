package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
	"github.com/parleybot/parley/render"
)

// level is an enum that goes on the wire by name: a level without a name
// is still a level, but its JSON does not decode back into one.
type level int

func (l level) MarshalJSON() ([]byte, error) {
	switch l {
	case 1:
		return []byte(`"low"`), nil
	case 2:
		return []byte(`"high"`), nil
	}
	return []byte(fmt.Sprintf(`"level%d"`, int(l))), nil
}

func (l *level) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case `"low"`:
		*l = 1
	case `"high"`:
		*l = 2
	default:
		return fmt.Errorf("unknown level %s", b)
	}
	return nil
}

// An option whose value is a T, but whose JSON — what the decision
// carries back — does not decode into a T, is refused before the card is
// posted, as an option of another type is: never after a person clicked.
func TestAwaitChoiceRefusesAValueOfTThatDoesNotDecodeBack(t *testing.T) {
	t.Parallel()
	errs := make(chan error, 1)
	pick := bot.DefineTool(bot.ToolSpec[struct{}]{
		Name: "pick", Description: "asks for a level",
		Handler: func(ctx context.Context, _ struct{}, tc *bot.ToolContext) (any, error) {
			_, err := bot.AwaitChoice[level](ctx, tc.Thread, render.Card{Title: "Level?", Actions: render.Actions(
				render.Button("Low", level(1)), render.Button("Seven", level(7)),
			)})
			errs <- err
			return nil, err
		},
	})
	model := bottest.NewModel(bottest.Call("pick", struct{}{}), bottest.Reply("Done."))
	h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{pick}})
	h.Send(bottest.Ana, "go")

	var err error
	select {
	case err = <-errs:
	default: // settled with the handler still in AwaitChoice
		t.Fatalf("AwaitChoice waits for a click on a card posted: %q", h.Chat.Texts())
	}
	if err == nil || !strings.Contains(err.Error(), `"Seven"`) {
		t.Errorf("AwaitChoice returned %v, want an error naming the option Seven", err)
	}
	if cards := h.Chat.Cards(); len(cards) != 0 {
		t.Errorf("%d cards posted for a choice refused: %q", len(cards), cards[0].Text())
	}
}
