package bot_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
)

func TestAnswerFromModelThatDoesNotStream(t *testing.T) {
	t.Parallel()
	for _, caps := range []bot.Capabilities{bot.AllCapabilities, bot.AllCapabilities.Without(bot.CapStreaming)} {
		t.Run(caps.String(), func(t *testing.T) {
			t.Parallel()
			h := bottest.Start(t, bot.Config{Model: bottest.NewModel(bottest.Step{Text: "All at once.", Silent: true})})
			h.Adapter.SetCapabilities(caps)
			h.Send(bottest.Ana, "hi")
			posts := h.Adapter.Posts()
			if len(posts) != 1 || posts[0].Text() != "All at once." || !posts[0].Closed {
				t.Errorf("posts %+v", posts)
			}
		})
	}
}

func TestStreamSurvivesPassingPlatformFailures(t *testing.T) {
	t.Parallel()
	answer := "one two three four five six"
	for _, caps := range []bot.Capabilities{bot.AllCapabilities, bot.AllCapabilities.Without(bot.CapStreaming)} {
		t.Run(caps.String(), func(t *testing.T) {
			t.Parallel()
			h := bottest.Start(t, bot.Config{Model: bottest.NewModel(bottest.Reply(answer)), StreamInterval: time.Nanosecond})
			h.Adapter.SetCapabilities(caps)
			h.Adapter.FailNext(2, errors.New("ratelimited"))
			h.Send(bottest.Ana, "count")
			texts := h.Adapter.Texts()
			if len(texts) != 1 || texts[0] != answer {
				t.Errorf("thread shows %q, want the whole answer once", texts)
			}
		})
	}
	t.Run("final edit fails twice", func(t *testing.T) {
		t.Parallel()
		var a *bottest.Adapter
		// The first word is posted; then the platform breaks for the final
		// edit and its retry.
		model := modelFunc(func(ctx context.Context, req *bot.ModelRequest, onText func(string)) (*bot.ModelResponse, error) {
			onText("one ")
			a.FailNext(2, errors.New("gone"))
			return &bot.ModelResponse{Text: "one two"}, nil
		})
		h := bottest.Start(t, bot.Config{Model: model, StreamInterval: time.Hour})
		a = h.Adapter
		var runErr error
		h.Bot.OnMention(func(ctx context.Context, th *bot.Thread, m bot.Message) error {
			_, runErr = th.RunAgent(ctx, bot.RunOptions{})
			return runErr
		})
		h.Send(bottest.Ana, "count")
		if runErr == nil || !strings.Contains(runErr.Error(), "gone") {
			t.Errorf("RunAgent = %v, want the final edit's failure", runErr)
		}
	})
}
