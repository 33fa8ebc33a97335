package slack

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/parleybot/parley/adapters/internal/platform"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/render"
)

// streamText is the most text the adapter streams into one message, as
// render.Len counts it: Slack refuses a message much past 12,000
// characters (LIMITS.md), so a longer stream goes on in a new message.
const streamText = 11_000

// minRoom is the least room worth appending to: a message with less left
// is ended and the stream goes on in a new one.
const minRoom = 64

// flushTimeout bounds a flush the stream makes on its own, between the
// caller's calls, which have their own contexts.
const flushTimeout = 30 * time.Second

// StartStream begins a message streamed into the conversation at to.
//
// In a thread, the message streams natively (chat.startStream,
// appendStream, stopStream), addressed to opts.Recipient in the address's
// workspace, as Slack requires outside direct messages. Slack ends a
// stream left open about five minutes, so the adapter ends each message
// after Config.StreamRotateAfter, or before it holds about 11,000
// characters, and goes on in a new one in the same thread; should Slack
// end one anyway (message_not_in_streaming_state), the text it did not
// take goes on in a new message. Where Slack does not stream
// (feature_not_enabled, remembered for later streams), where a stream
// fails otherwise, and at the top of a conversation (no Thread), the text
// goes out as a post edited at most once per Config.UpdateInterval. No
// text is lost on the way: each part goes on from where Slack's last
// answer left it.
//
// Appended text is gathered for half a second before it is sent, so that
// a model writing token by token does not cost a call per token; Close
// sends what is left — as one plain post when nothing was sent before, an
// answer short enough to need no stream. Close returns the ref of all the stream's messages
// as one group, as Post does (see [Adapter.Post]): Update of it replaces
// the whole answer. Nothing is posted before the first Append.
func (a *Adapter) StartStream(ctx context.Context, to bot.Address, opts bot.StreamOptions) (bot.TextStream, error) {
	if to.Channel == "" {
		return nil, errors.New("slack: StartStream needs an address with a Channel")
	}
	s := &stream{
		a:      a,
		to:     to,
		opts:   opts,
		base:   context.WithoutCancel(ctx),
		native: to.Thread != "" && !a.out.noNative.Load(),
		sent:   map[string]string{},
	}
	s.pending = platform.NewPending(s.tick)
	return s, nil
}

// stream is one message streamed into Slack.
type stream struct {
	a    *Adapter
	to   bot.Address
	opts bot.StreamOptions
	base context.Context // the context of flushes between calls

	pending *platform.Pending // appended text Slack does not show yet

	// send is held by a flush; it guards the fields below.
	send sync.Mutex
	msgs []string // every message of the stream, in order

	// The native message being streamed, if any.
	native  bool
	ts      string
	started time.Time
	size    int // its text, as render.Len counts

	// The posts and edits, once the stream falls back to them: the group
	// msgs[fbStart:] shows fbText.
	fbStart int
	fbText  string
	fbEdit  time.Time         // the last post or edit
	sent    map[string]string // ts → payload last sent to it
}

// Append adds delta to the message. It only gathers the text: a flush
// sends it shortly, and what Slack refuses then is kept and sent again
// later, so Append fails only after Close.
func (s *stream) Append(ctx context.Context, delta string) error {
	if err := s.pending.Append(delta, s.a.out.flushEvery); err != nil {
		return errors.New("slack: Append to a stream already closed")
	}
	return nil
}

// tick is a flush the stream makes on its own.
func (s *stream) tick() {
	ctx, cancel := context.WithTimeout(s.base, flushTimeout)
	defer cancel()
	if err := s.flush(ctx, false); err != nil {
		s.a.cfg.Logger.Warn("slack: streaming to Slack failed; will try again", "channel", s.to.Channel, "thread", s.to.Thread, "err", err)
	}
}

// flush hands the pending text to Slack; final sends it all, unthrottled.
// What Slack did not take stays pending, and another flush is armed for
// it.
func (s *stream) flush(ctx context.Context, final bool) error {
	s.send.Lock()
	defer s.send.Unlock()
	text, ok := s.pending.Take(final)
	if !ok || text == "" {
		return nil
	}
	n, retry, err := s.deliver(ctx, text, final)
	s.pending.Requeue(n, "", max(retry, s.a.out.flushEvery))
	return err
}

// deliver sends text and returns how many of its bytes Slack took, and
// how long to wait before trying the rest when the wait matters.
func (s *stream) deliver(ctx context.Context, text string, final bool) (int, time.Duration, error) {
	if !s.native {
		return s.fallback(ctx, text, final)
	}
	n, err := s.nativeSend(ctx, text, final)
	if s.native || n == len(text) {
		return n, s.a.cfg.UpdateInterval, err
	}
	m, retry, err := s.fallback(ctx, text[n:], final)
	return n + m, retry, err
}

// nativeSend streams text into native messages, starting, ending and
// replacing them as needed, and returns how many bytes Slack took. It
// switches the stream to posts and edits (s.native false) when Slack
// does not stream.
func (s *stream) nativeSend(ctx context.Context, text string, final bool) (int, error) {
	n, recoveries := 0, 0
	for n < len(text) {
		if s.ts != "" && (time.Since(s.started) >= s.a.cfg.StreamRotateAfter || streamText-s.size < minRoom) {
			s.stop(ctx)
		}
		rest := text[n:]
		room := streamText - s.size
		if s.ts == "" {
			room = streamText
		}
		piece := rest
		if render.Len(rest) > room {
			piece = render.Split(rest, room)[0]
		}
		var err error
		if s.ts == "" {
			err = s.start(ctx, piece)
		} else {
			err = s.appendNative(ctx, piece)
		}
		switch {
		case err == nil:
			n += len(piece)
			s.size += render.Len(piece)
		case slackCode(err, "message_not_in_streaming_state") && recoveries < 2:
			// Slack ended the message: what it did not take goes on in
			// a new one.
			recoveries++
			s.ts = ""
		case transient(err) && !final:
			return n, err
		default:
			if slackCode(err, "feature_not_enabled") {
				s.a.out.noNative.Store(true)
			}
			s.a.cfg.Logger.Warn("slack: native streaming failed; going on with a post and edits", "channel", s.to.Channel, "thread", s.to.Thread, "err", err)
			if s.ts != "" {
				s.stop(ctx)
			}
			s.native = false
			s.fbStart = len(s.msgs)
			return n, nil
		}
	}
	return n, nil
}

// transient reports whether err may pass if the call is made again later:
// anything but an answer from Slack refusing the call.
func transient(err error) bool {
	var se slackgo.SlackErrorResponse
	var rl *slackgo.RateLimitedError
	return errors.As(err, &rl) || !errors.As(err, &se)
}

// start begins a native message showing text.
func (s *stream) start(ctx context.Context, text string) error {
	if err := s.a.out.pace.wait(ctx, s.to.Channel, s.a.cfg.PostInterval); err != nil {
		return fmt.Errorf("slack: chat.startStream in %s/%s: %w", s.to.Channel, s.to.Thread, err)
	}
	opts := []slackgo.MsgOption{slackgo.MsgOptionTS(s.to.Thread), slackgo.MsgOptionMarkdownText(text)}
	if id := s.opts.Recipient.ID; id != "" {
		opts = append(opts, slackgo.MsgOptionRecipientUserID(id))
		if s.to.Workspace != "" {
			opts = append(opts, slackgo.MsgOptionRecipientTeamID(s.to.Workspace))
		}
	}
	_, ts, err := s.a.api.StartStreamContext(ctx, s.to.Channel, opts...)
	if err != nil {
		return fmt.Errorf("slack: chat.startStream in %s/%s: %w", s.to.Channel, s.to.Thread, err)
	}
	s.ts, s.started, s.size = ts, time.Now(), 0
	s.msgs = append(s.msgs, ts)
	return nil
}

// appendNative adds text to the native message.
func (s *stream) appendNative(ctx context.Context, text string) error {
	if _, _, err := s.a.api.AppendStreamContext(ctx, s.to.Channel, s.ts, slackgo.MsgOptionMarkdownText(text)); err != nil {
		return fmt.Errorf("slack: chat.appendStream to %s in %s: %w", s.ts, s.to.Channel, err)
	}
	return nil
}

// stop ends the native message. One Slack ended already needs nothing;
// another failure leaves the message as it stands, which shows all it
// took, so it is logged only.
func (s *stream) stop(ctx context.Context) {
	_, _, err := s.a.api.StopStreamContext(ctx, s.to.Channel, s.ts)
	if err != nil && !slackCode(err, "message_not_in_streaming_state") {
		s.a.cfg.Logger.Warn("slack: ending a streamed message failed", "channel", s.to.Channel, "ts", s.ts, "err", err)
	}
	s.ts = ""
}

// fallback shows text by posts and edits: it posts the first part, then
// edits the group of messages to show all the text so far, at most once
// per Config.UpdateInterval unless final. It returns how many bytes of
// text Slack shows now, and, when it waits for the throttle or after a
// failure, how long until it may try again.
func (s *stream) fallback(ctx context.Context, text string, final bool) (int, time.Duration, error) {
	group := s.msgs[s.fbStart:]
	if len(group) > 0 && !final {
		if wait := s.a.cfg.UpdateInterval - time.Since(s.fbEdit); wait > 0 {
			return 0, wait, nil
		}
	}
	all := s.fbText + text
	if strings.TrimSpace(all) == "" {
		// Nothing to show yet; white space at the end is nothing to show
		// at all.
		if final {
			return len(text), 0, nil
		}
		return 0, 0, nil
	}
	msgs, err := renderOut(bot.Outgoing{Content: render.Markdown(all)})
	if err != nil {
		return 0, 0, err
	}
	var tss []string
	if len(group) == 0 {
		tss, err = s.a.postGroup(ctx, s.to.Channel, s.to.Thread, msgs)
		for i, ts := range tss {
			s.sent[ts] = payload(msgs[i])
		}
	} else {
		tss, err = s.a.editGroup(ctx, s.to.Channel, group, msgs, s.to.Thread, s.sent)
	}
	s.msgs = append(s.msgs[:s.fbStart], tss...)
	s.fbEdit = time.Now()
	if err != nil {
		return 0, s.a.cfg.UpdateInterval, err
	}
	s.fbText = all
	return len(text), 0, nil
}

// Close sends the text not sent yet, ends the message, and returns the
// ref of every message the stream posted, as one group (see StartStream);
// a zero ref if it posted none. An error means Slack does not show all
// the text.
func (s *stream) Close(ctx context.Context) (bot.MessageRef, error) {
	s.pending.Close()
	s.send.Lock()
	if len(s.msgs) == 0 {
		// The whole answer came before the first flush: one post shows
		// it, where a stream would take two calls.
		s.native, s.fbStart = false, 0
	}
	s.send.Unlock()
	err := s.flush(ctx, true)
	if err != nil {
		err = s.flush(ctx, true) // once more: a hiccup should not cost the answer's end
	}
	s.send.Lock()
	defer s.send.Unlock()
	if s.native && s.ts != "" {
		s.stop(ctx)
	}
	if len(s.msgs) == 0 {
		return bot.MessageRef{}, err
	}
	return bot.MessageRef{Address: s.to, ID: platform.JoinID(s.msgs)}, err
}
