package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/parleybot/parley/render"
)

// replyStream carries one model answer's text into the thread as it
// streams: natively where the adapter can, else as a post followed by
// edits at most once per StreamInterval. Nothing is posted until there is
// text that is not blank. A failed intermediate edit is not fatal: the
// next one carries the text too, and the final one is always sent.
type replyStream struct {
	t      *Thread
	buf    strings.Builder
	native TextStream
	sent   int    // native: bytes of buf appended to the stream
	shown  string // post and edit: the text the platform shows
	ref    MessageRef
	posted bool
	last   int64 // unix nanos of the last post or edit
	failed int64 // unix nanos of the last failure
	err    error // the last failure, cleared by a success
}

func (s *replyStream) write(ctx context.Context, delta string) {
	s.buf.WriteString(delta)
	if ctx.Err() != nil || (!s.posted && strings.TrimSpace(s.buf.String()) == "") {
		return
	}
	s.flush(ctx, false)
}

// nativeMode reports whether the answer streams natively.
func (s *replyStream) nativeMode() bool {
	_, ok := s.t.adapter.(Streamer)
	return ok && s.t.Capabilities().Has(CapStreaming)
}

// flush hands unsent text to the platform; force skips the edit throttle.
func (s *replyStream) flush(ctx context.Context, force bool) {
	text := s.buf.String()
	t := s.t
	if t.run != nil && !t.run.lane.held() {
		return // another process may hold the thread now: not a word here
	}
	now := time.Now().UnixNano()
	// After a failure, the platform gets a rest of StreamInterval before
	// the next try (the final flush excepted), as it does between edits.
	if s.err != nil && !force && now-s.failed < int64(t.bot.cfg.StreamInterval) {
		return
	}
	if s.nativeMode() {
		if s.native == nil {
			st := t.adapter.(Streamer)
			if s.native, s.err = st.StartStream(ctx, t.addr, StreamOptions{Recipient: t.trigger.User}); s.err != nil {
				s.native, s.failed = nil, now
				return
			}
			s.posted = true
		}
		if s.sent == len(text) {
			return
		}
		if s.err = s.native.Append(ctx, text[s.sent:]); s.err == nil {
			s.sent = len(text)
		} else {
			s.failed = now
		}
		return
	}
	if s.posted && text == s.shown {
		return
	}
	if s.posted && !force && now-s.last < int64(t.bot.cfg.StreamInterval) {
		return
	}
	out := Outgoing{Content: render.Markdown(text)}
	if !s.posted {
		s.ref, s.err = t.adapter.Post(ctx, t.addr, out)
		s.posted = s.err == nil
	} else {
		s.err = t.adapter.Update(ctx, s.ref, out)
	}
	if s.err == nil {
		s.shown, s.last = text, now
	} else {
		s.failed = now
		t.bot.log.Warn("bot: streaming the answer to the platform failed; will retry", "thread", t.addr.String(), "err", s.err)
	}
}

// close makes the message show final, the model's whole answer, and ends
// it. It finishes the message even when ctx has ended, so what was said
// stays visible. Only a failure of the final post or edit is returned.
func (s *replyStream) close(ctx context.Context, final string) error {
	if r := s.t.run; r != nil && !r.lane.held() {
		return fmt.Errorf("bot: posting the answer: %w", errLeaseLost)
	}
	if ctx.Err() != nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), noticeTimeout)
		defer cancel()
	}
	if cur := s.buf.String(); final != cur {
		switch {
		case s.sent > 0 && !strings.HasPrefix(final, cur[:s.sent]):
			// A native stream can only grow; what was streamed stays.
			s.t.bot.log.Warn("bot: the model's final text differs from what it streamed", "thread", s.t.addr.String())
		default:
			s.buf.Reset()
			s.buf.WriteString(final)
		}
	}
	if strings.TrimSpace(s.buf.String()) != "" {
		s.flush(ctx, true)
		if s.err != nil {
			s.flush(ctx, true) // once more: a platform's hiccup should not cost the answer
		}
	}
	if s.native != nil {
		ref, err := s.native.Close(ctx)
		if s.err == nil {
			s.err = err
		}
		s.ref = ref
	}
	if s.err != nil {
		return fmt.Errorf("bot: posting the answer: %w", s.err)
	}
	if s.posted {
		s.t.recordSelf(s.ref.ID, s.buf.String())
	}
	return nil
}
