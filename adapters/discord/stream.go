package discord

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/parleybot/parley/adapters/internal/platform"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/render"
	"github.com/parleybot/parley/render/discordui"
)

var _ bot.Streamer = (*Adapter)(nil)

// streamLimit is the most text, as render.Len counts it, the adapter puts
// in one streamed message before it goes on in a new one: Discord's 2,000
// characters, less room for what converting markdown to Discord's adds
// (escapes). A piece that still renders longer is cut shorter.
const streamLimit = 1900

// flushTimeout bounds a flush the stream makes on its own, between the
// caller's calls.
const flushTimeout = 30 * time.Second

// StartStream begins a message streamed into the conversation at to, by a
// post and then edits at most once per Config.UpdateInterval (at least a
// second), the final text always sent. Past 2,000 characters the message
// is finished and the text goes on in a new one; the cut falls between
// paragraphs, lines or words — never inside a word, a grapheme, or a code
// block, unless one block alone is too long for a message, which is then
// closed at a line's end and opened again in the next. Close returns the
// ref of all the stream's messages as one group, as Post does.
func (a *Adapter) StartStream(ctx context.Context, to bot.Address, _ bot.StreamOptions) (bot.TextStream, error) {
	if to.Channel == "" {
		return nil, errors.New("discord: StartStream needs an address with a Channel")
	}
	s := &stream{a: a, to: to, base: context.WithoutCancel(ctx)}
	s.pending = platform.NewPending(s.tick)
	return s, nil
}

// stream is one answer streamed into Discord.
type stream struct {
	a    *Adapter
	to   bot.Address
	base context.Context

	pending *platform.Pending // appended text Discord does not show yet

	// send is held by a flush; it guards the fields below.
	send     sync.Mutex
	ids      []string // every message of the stream, in order
	cur      string   // the text of the last message, as it shows now
	curID    string   // the last message, while it takes more text
	lastEdit time.Time
}

// Append adds delta to the answer; a flush sends it within
// Config.UpdateInterval.
func (s *stream) Append(ctx context.Context, delta string) error {
	if err := s.pending.Append(delta, s.a.cfg.UpdateInterval); err != nil {
		return errors.New("discord: Append to a stream already closed")
	}
	return nil
}

func (s *stream) tick() {
	ctx, cancel := context.WithTimeout(s.base, flushTimeout)
	defer cancel()
	if err := s.flush(ctx, false); err != nil {
		s.a.cfg.Logger.Warn("discord: streaming failed; will try again", "channel", target(s.to), "err", err)
	}
}

// flush shows the pending text; final sends it all, unthrottled. What
// Discord did not take stays pending, and another flush is armed.
func (s *stream) flush(ctx context.Context, final bool) error {
	s.send.Lock()
	defer s.send.Unlock()
	text, ok := s.pending.Take(final)
	if !ok || text == "" {
		return nil
	}
	if wait := s.a.cfg.UpdateInterval - time.Since(s.lastEdit); !final && s.curID != "" && wait > 0 {
		s.pending.Arm(wait)
		return nil
	}
	rest, err := s.show(ctx, text, final)
	s.pending.Requeue(len(text), rest, s.a.cfg.UpdateInterval)
	return err
}

// show makes the stream's messages show text after what they show, and
// returns the text they do not show yet: none, unless Discord failed.
func (s *stream) show(ctx context.Context, text string, final bool) (string, error) {
	all := s.cur + text
	for {
		m, ok := renderPiece(all)
		if ok && render.Len(all) <= streamLimit {
			if strings.TrimSpace(all) == "" {
				if final {
					return "", nil
				}
				return text, nil // white space alone shows nothing yet
			}
			if err := s.put(ctx, m, all); err != nil {
				return strings.TrimPrefix(all, s.cur), err
			}
			return "", nil
		}
		// The cut falls after what the current message shows: a message
		// people read does not lose text to the next one.
		head, tail := cutStream(all, streamLimit, len(s.cur))
		m, ok = renderPiece(head)
		for limit := streamLimit - 200; !ok && limit >= 200; limit -= 200 {
			head, tail = cutStream(all, limit, 0)
			m, ok = renderPiece(head)
		}
		if !ok {
			return strings.TrimPrefix(all, s.cur), errors.New("discord: a streamed piece renders as no single message")
		}
		if err := s.put(ctx, m, head); err != nil {
			return strings.TrimPrefix(all, s.cur), err
		}
		s.cur, s.curID = "", "" // the message is finished: the rest goes on in a new one
		all = tail
	}
}

// put shows m, whose text is raw, in the current message: a post when
// there is none, else an edit.
func (s *stream) put(ctx context.Context, m discordui.Message, raw string) error {
	if s.curID == "" {
		id, err := s.a.postOne(ctx, s.to, m)
		if err != nil {
			return err
		}
		s.curID = id
		s.ids = append(s.ids, id)
	} else if raw != s.cur {
		if err := s.a.edit(ctx, target(s.to), s.curID, m); err != nil {
			return err
		}
	}
	s.cur = raw
	s.lastEdit = time.Now()
	return nil
}

// renderPiece renders streamed markdown as one Discord message, or false
// when it takes more than one (or none).
func renderPiece(text string) (discordui.Message, bool) {
	msgs, err := discordui.Render(render.Markdown(text), nil)
	if err != nil || len(msgs) != 1 || len(msgs[0].Embeds) > 0 {
		return discordui.Message{}, false
	}
	return msgs[0], true
}

// Close sends what is left and returns the ref of every message the
// stream posted; a zero ref if it posted none.
func (s *stream) Close(ctx context.Context) (bot.MessageRef, error) {
	s.pending.Close()
	err := s.flush(ctx, true)
	if err != nil {
		err = s.flush(ctx, true) // once more: a hiccup should not cost the answer's end
	}
	s.send.Lock()
	defer s.send.Unlock()
	if len(s.ids) == 0 {
		return bot.MessageRef{}, err
	}
	return bot.MessageRef{Address: s.to, ID: platform.JoinID(s.ids)}, err
}

// cutStream cuts s in two, the head within limit (render.Len) and at
// least from bytes long: after the last paragraph break, else line break,
// else space outside a code block. With none past from, the head is
// s[:from] when that ends outside a code block. When the head would end
// inside a code block too long for one message, the block is closed at
// the head's last line end and opened again, with its language, at the
// tail's start. Failing all that, the cut is between graphemes
// (render.Split).
func cutStream(s string, limit, from int) (head, tail string) {
	if render.Len(s) <= limit {
		return s, ""
	}
	p := prefixWithin(s, limit)
	fences := fenceLines(s[:p])
	inFence := func(i int) (bool, string) { // whether byte i is inside a code block, and its opening line
		open, lang := false, ""
		for _, f := range fences {
			if f.at >= i {
				break
			}
			open = !open
			lang = f.line
		}
		return open, lang
	}
	for _, sep := range []string{"\n\n", "\n", " "} {
		for j := strings.LastIndex(s[:p], sep); j > 0 && j+len(sep) > from; j = strings.LastIndex(s[:j], sep) {
			k := j + len(sep)
			if open, _ := inFence(k); !open {
				return s[:k], s[k:]
			}
		}
	}
	if from > 0 && from <= p {
		if open, _ := inFence(from); !open {
			return s[:from], s[from:]
		}
	}
	if j := strings.LastIndex(s[:p-min(p, 4)], "\n"); j > 0 {
		if open, line := inFence(j + 1); open {
			return s[:j+1] + "```", line + "\n" + s[j+1:]
		}
	}
	pieces := render.Split(s, limit)
	return pieces[0], s[len(pieces[0]):]
}

// prefixWithin returns the length in bytes of the longest prefix of s
// within limit as render.Len counts, ending at a rune boundary.
func prefixWithin(s string, limit int) int {
	n := 0
	for i, r := range s {
		w := 1
		if r > 0xFFFF {
			w = 2
		}
		if n+w > limit {
			return i
		}
		n += w
	}
	return len(s)
}

// fence is a line that opens or closes a code block.
type fence struct {
	at   int    // its byte offset
	line string // the line, "```go"
}

// fenceLines returns the code fence lines of s, in order.
func fenceLines(s string) []fence {
	var out []fence
	at := 0
	for line := range strings.SplitAfterSeq(s, "\n") {
		t := strings.TrimRight(strings.TrimLeft(line, " "), "\r\n")
		if strings.HasPrefix(t, "```") && len(line)-len(strings.TrimLeft(line, " ")) <= 3 {
			out = append(out, fence{at: at, line: t})
		}
		at += len(line)
	}
	return out
}
