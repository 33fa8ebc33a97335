package openai

import (
	"cmp"
	"crypto/rand"
	"slices"
	"strings"

	oai "github.com/openai/openai-go/v3"

	"github.com/parleybot/parley/bot"
)

// accumulator builds a response from the chunks of a stream.
//
// It does not use openai-go's ChatCompletionAccumulator, which rejects a
// chunk whose id differs from the first chunk's and so drops data from
// servers that vary it; the little this package needs is simpler to do
// here, and tolerant of what other servers send: tool calls without an id,
// sparse or negative indices, several complete calls that all claim
// index 0, a name repeated in every chunk.
type accumulator struct {
	text         strings.Builder
	calls        []*partialCall
	byIndex      map[int64]*partialCall // the latest call at each index
	finishReason string
	usage        bot.Usage
}

// partialCall is a tool call still being streamed.
type partialCall struct {
	index int64
	seq   int // order of first appearance, among calls of the same index
	id    string
	name  string
	args  strings.Builder
}

// add takes in one chunk and returns its text, for onText.
func (a *accumulator) add(c *oai.ChatCompletionChunk) string {
	if u := c.Usage; u.PromptTokens != 0 || u.CompletionTokens != 0 || u.TotalTokens != 0 {
		// Servers that report usage on every chunk report running
		// totals: the last one counts.
		a.usage = bot.Usage{
			PromptTokens:     int(u.PromptTokens),
			CompletionTokens: int(u.CompletionTokens),
			TotalTokens:      int(cmp.Or(u.TotalTokens, u.PromptTokens+u.CompletionTokens)),
		}
	}
	var text string
	for i := range c.Choices {
		ch := &c.Choices[i]
		if ch.Index != 0 {
			continue // Parley asks for one choice; ignore any other
		}
		d := &ch.Delta
		// A refusal is the model's answer too: the people in the thread
		// should read it.
		piece := d.Content + d.Refusal
		a.text.WriteString(piece)
		text += piece
		for j := range d.ToolCalls {
			a.addToolCall(&d.ToolCalls[j])
		}
		if ch.FinishReason != "" {
			a.finishReason = ch.FinishReason
		}
	}
	return text
}

func (a *accumulator) addToolCall(tc *oai.ChatCompletionChunkChoiceDeltaToolCall) {
	cur := a.byIndex[tc.Index]
	if cur == nil || (tc.ID != "" && cur.id != "" && tc.ID != cur.id) {
		// A new call, or a server that sends each complete call at the
		// same index, told apart by its new id.
		if a.byIndex == nil {
			a.byIndex = make(map[int64]*partialCall)
		}
		seq := 0
		if cur != nil {
			seq = cur.seq + 1
		}
		cur = &partialCall{index: tc.Index, seq: seq}
		a.byIndex[tc.Index] = cur
		a.calls = append(a.calls, cur)
	}
	if cur.id == "" {
		cur.id = tc.ID
	}
	if cur.name == "" {
		cur.name = tc.Function.Name
	}
	cur.args.WriteString(tc.Function.Arguments)
}

// response returns the accumulated answer, tool calls in index order.
func (a *accumulator) response() *bot.ModelResponse {
	r := &bot.ModelResponse{
		Text:         a.text.String(),
		FinishReason: a.finishReason,
		Usage:        a.usage,
	}
	calls := slices.Clone(a.calls)
	slices.SortStableFunc(calls, func(x, y *partialCall) int {
		return cmp.Or(cmp.Compare(x.index, y.index), cmp.Compare(x.seq, y.seq))
	})
	for _, c := range calls {
		id := c.id
		if id == "" {
			// The tool's result must name the call it answers. The id is
			// random, not counted, so it cannot collide with the id of an
			// earlier call in the same conversation, even across restarts.
			id = "call_" + rand.Text()
		}
		r.ToolCalls = append(r.ToolCalls, bot.ToolCall{ID: id, Name: c.name, Arguments: c.args.String()})
	}
	return r
}
