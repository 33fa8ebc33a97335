package bot

import (
	"context"
	"encoding/json"
	"testing"
)

// A run cut after its whole answer is finished by replay only when nothing
// of the author's code could follow the answer: the bot's own handler of
// messages, or an agent run outside any handler. An author's handler may
// act after RunAgent returns (a deploy, say); replaying it would act twice,
// so with TellInterrupted its thread is told instead.
func TestOnlyRunsWithNothingAfterTheirAnswerAreFinishedByReplay(t *testing.T) {
	data, err := json.Marshal(stepResult[*ModelResponse]{Value: &ModelResponse{Text: "Deployed."}})
	if err != nil {
		t.Fatal(err)
	}
	answer := []JournalEntry{{Kind: StepStart}, {Scope: "/a1", Kind: StepModel, Data: data}}
	b := &Bot{}
	for _, tc := range []struct {
		name    string
		custom  bool
		start   runStart
		es      []JournalEntry
		replays bool
	}{
		{"the bot's own handler, answered", false, runStart{Kind: WorkMessage, Trigger: Message{Mention: true}}, answer, true},
		{"an agent run outside any handler, answered", false, runStart{Kind: WorkAgent}, answer, true},
		{"the author's handler, answered", true, runStart{Kind: WorkMessage, Trigger: Message{Mention: true}}, answer, false},
		{"an action's handler, answered", false, runStart{Kind: WorkAction, Action: &ActionEvent{Name: "deploy"}}, answer, false},
		{"the bot's own handler, not answered", false, runStart{Kind: WorkMessage, Trigger: Message{Mention: true}}, answer[:1], false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b.reg.onMention = nil
			if tc.custom {
				b.reg.onMention = func(context.Context, *Thread, Message) error { return nil }
			}
			if got := b.finishedAnswer(tc.start, tc.es); got != tc.replays {
				t.Errorf("finished by replay: %v, want %v", got, tc.replays)
			}
		})
	}
}
