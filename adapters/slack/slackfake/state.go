package slackfake

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/slack-go/slack"
)

// Msg is one message as the fake holds it: a person's, or one the bot
// posted, ephemeral or not, as it stands now.
type Msg struct {
	// Channel and TS locate the message.
	Channel string
	TS      string
	// ThreadTS is the ts of the thread's root for a reply in a thread,
	// TS itself for a root with replies, and empty otherwise.
	ThreadTS string
	// User is the author: a person's user id, or the bot's user id for
	// the bot's messages.
	User string
	// BotID is set on the bot's messages.
	BotID string
	// Subtype is Slack's subtype of the message ("assistant_app_thread"
	// for the root of an assistant thread), empty for most.
	Subtype string

	// Text is the message's text as sent (mrkdwn, with Slack's <…>
	// markup and &-entities).
	Text string
	// Blocks and Attachments are the message's blocks and attachments as
	// Slack keeps them: blocks the app sent without a block_id, and
	// interactive elements without an action_id, have one generated.
	Blocks      slack.Blocks
	Attachments []slack.Attachment
	// Markdown is the text streamed into the message with
	// chat.startStream, appendStream and stopStream.
	Markdown string
	// Files are the files shared in the message.
	Files []File

	// Ephemeral is set on a message shown to one person only, To.
	Ephemeral bool
	To        string
	// Streaming is set while a stream into the message is open; Streamed
	// on every message chat.startStream began.
	Streaming, Streamed bool
	// Edits counts the times the message was changed after it was
	// posted: chat.update, appendStream, stopStream, a replacement
	// through a response_url, a person's edit.
	Edits int
	// Deleted is set once the message is deleted.
	Deleted bool
	// Reactions are the emoji reactions on the message, in the order
	// they were first added.
	Reactions []slack.ItemReaction
	// Posted is when the message was posted and Changed when it last
	// changed, by Config.Now.
	Posted, Changed time.Time

	rawBlocks, rawAttachments json.RawMessage // normalised, as kept
	clientMsgID               string
	names                     map[string]string // display names, read-only
}

// FromBot reports whether the bot posted the message.
func (m Msg) FromBot() bool { return m.BotID != "" }

// ReactionNames returns the names of the message's reactions, without
// colons ("eyes").
func (m Msg) ReactionNames() []string {
	var out []string
	for _, r := range m.Reactions {
		out = append(out, r.Name)
	}
	return out
}

// File is a file uploaded to the fake.
type File struct {
	// ID is the file's id (F…).
	ID string
	// Name and Title are the file's name and title; Title is Name when
	// the uploader gave none.
	Name, Title string
	// Data is what was uploaded.
	Data []byte
	// AltText and SnippetType are what files.getUploadURLExternal was
	// given.
	AltText, SnippetType string
	// Uploaded is set once the data arrived; Completed once
	// files.completeUploadExternal completed the upload.
	Uploaded, Completed bool
	// Channel, ThreadTS and TS locate the message that shared the file;
	// empty while it is not shared.
	Channel, ThreadTS, TS string
	// Comment is the initial_comment it was shared with.
	Comment string
}

// channel is a conversation's messages, in the order they were posted
// (which is the order of their ts).
type channel struct {
	msgs []*Msg
	byTS map[string]*Msg
}

// threadKey names a thread of a channel ("" for the channel itself).
type threadKey struct{ channel, thread string }

// threadState is what the assistant methods set on a thread.
type threadState struct {
	statuses []string // every status set, clearings ("") included
	title    string
	prompts  Prompts
}

// Prompts are the suggested prompts set on a thread.
type Prompts struct {
	// Title heads the prompts.
	Title string
	// Prompts are the prompts, in order.
	Prompts []slack.AssistantThreadsPrompt
}

func (s *Server) channelLocked(id string) *channel {
	c := s.channels[id]
	if c == nil {
		c = &channel{byTS: map[string]*Msg{}}
		s.channels[id] = c
	}
	return c
}

func (s *Server) threadLocked(channel, thread string) *threadState {
	k := threadKey{channel, thread}
	t := s.threads[k]
	if t == nil {
		t = &threadState{}
		s.threads[k] = t
	}
	return t
}

// findLocked returns the message channel/ts, ephemeral or not. s.mu is
// held.
func (s *Server) findLocked(channel, ts string) *Msg {
	if c := s.channels[channel]; c != nil {
		if m := c.byTS[ts]; m != nil {
			return m
		}
	}
	for _, m := range s.ephemerals {
		if m.Channel == channel && m.TS == ts {
			return m
		}
	}
	return nil
}

// addLocked adds m to its channel (or to the ephemeral messages) with a
// new ts, and returns it. A reply's ThreadTS is its root's thread, and the
// root becomes a thread root. s.mu is held.
func (s *Server) addLocked(m *Msg) *Msg {
	m.TS = s.nextTSLocked()
	m.Posted = s.cfg.Now()
	m.Changed = m.Posted
	if m.Ephemeral {
		s.ephemerals = append(s.ephemerals, m)
		s.changedLocked()
		return m
	}
	c := s.channelLocked(m.Channel)
	if m.ThreadTS != "" {
		if root := c.byTS[m.ThreadTS]; root != nil {
			if root.ThreadTS != "" {
				m.ThreadTS = root.ThreadTS
			}
			if r := c.byTS[m.ThreadTS]; r != nil {
				r.ThreadTS = r.TS
			}
		}
	}
	c.msgs = append(c.msgs, m)
	c.byTS[m.TS] = m
	s.changedLocked()
	return m
}

// snapshot returns a copy of m to hand out.
func (s *Server) snapshot(m *Msg) Msg {
	c := *m
	c.Reactions = slices.Clone(m.Reactions)
	for i := range c.Reactions {
		c.Reactions[i].Users = slices.Clone(c.Reactions[i].Users)
	}
	c.Files = slices.Clone(m.Files)
	// Fresh blocks and attachments, so that what the caller does with
	// them does not reach the fake's.
	c.Blocks, c.Attachments = slack.Blocks{}, nil
	if len(m.rawBlocks) > 0 {
		_ = json.Unmarshal(m.rawBlocks, &c.Blocks)
	}
	if len(m.rawAttachments) > 0 {
		_ = json.Unmarshal(m.rawAttachments, &c.Attachments)
	}
	c.names = s.names
	return c
}

// Message returns the message channel/ts as it stands now, ephemeral or
// not, deleted or not; false if there never was one.
func (s *Server) Message(channel, ts string) (Msg, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.findLocked(channel, ts)
	if m == nil {
		return Msg{}, false
	}
	return s.snapshot(m), true
}

// Messages returns what the channel shows everyone, oldest first, without
// deleted messages: with threadTS empty, the top level of the channel
// (replies left out); else the thread threadTS, its root first, then its
// replies.
func (s *Server) Messages(channel, threadTS string) []Msg {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Msg
	for _, m := range s.threadMsgsLocked(channel, threadTS) {
		out = append(out, s.snapshot(m))
	}
	return out
}

// threadMsgsLocked returns the live messages of a channel's top level
// (threadTS empty) or of one thread. s.mu is held.
func (s *Server) threadMsgsLocked(channel, threadTS string) []*Msg {
	c := s.channels[channel]
	if c == nil {
		return nil
	}
	var out []*Msg
	for _, m := range c.msgs {
		if m.Deleted {
			continue
		}
		top := m.ThreadTS == "" || m.ThreadTS == m.TS
		if threadTS == "" && top || threadTS != "" && (m.TS == threadTS || m.ThreadTS == threadTS) {
			out = append(out, m)
		}
	}
	return out
}

// Ephemerals returns the messages shown to userID only, oldest first:
// chat.postEphemeral's, and private answers through a response_url or to
// a slash command.
func (s *Server) Ephemerals(userID string) []Msg {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Msg
	for _, m := range s.ephemerals {
		if m.To == userID && !m.Deleted {
			out = append(out, s.snapshot(m))
		}
	}
	return out
}

// Files returns every file uploaded, in the order the uploads began.
func (s *Server) Files() []File {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]File, 0, len(s.files))
	for _, f := range s.files {
		out = append(out, *f)
	}
	return out
}

// Statuses returns every status assistant.threads.setStatus set on the
// thread, in order, without the clearings.
func (s *Server) Statuses(channel, threadTS string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	if t := s.threads[threadKey{channel, threadTS}]; t != nil {
		for _, st := range t.statuses {
			if st != "" {
				out = append(out, st)
			}
		}
	}
	return out
}

// Status returns the status the thread shows now: the last one set,
// unless it was cleared, or the bot has replied in the thread since, which
// clears it as in Slack.
func (s *Server) Status(channel, threadTS string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.threads[threadKey{channel, threadTS}]; t != nil && len(t.statuses) > 0 {
		return t.statuses[len(t.statuses)-1]
	}
	return ""
}

// clearStatusLocked clears the status of the thread the bot just posted
// in. s.mu is held.
func (s *Server) clearStatusLocked(channel, threadTS string) {
	if t := s.threads[threadKey{channel, threadTS}]; t != nil && len(t.statuses) > 0 && t.statuses[len(t.statuses)-1] != "" {
		t.statuses = append(t.statuses, "")
	}
}

// SuggestedPrompts returns the prompts last set on the thread with
// assistant.threads.setSuggestedPrompts.
func (s *Server) SuggestedPrompts(channel, threadTS string) Prompts {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.threads[threadKey{channel, threadTS}]; t != nil {
		p := t.prompts
		p.Prompts = slices.Clone(p.Prompts)
		return p
	}
	return Prompts{}
}

// Title returns the title last set on the thread with
// assistant.threads.setTitle.
func (s *Server) Title(channel, threadTS string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.threads[threadKey{channel, threadTS}]; t != nil {
		return t.title
	}
	return ""
}

// DisableStreaming makes chat.startStream fail with feature_not_enabled,
// as in a workspace without native streaming.
func (s *Server) DisableStreaming() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noStreams = true
}

// EndStream ends the stream into the message channel/ts as Slack does by
// itself (a stream left open too long): appendStream and stopStream then
// fail with message_not_in_streaming_state. It reports whether the
// message was streaming.
func (s *Server) EndStream(channel, ts string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.findLocked(channel, ts)
	if m == nil || !m.Streaming {
		return false
	}
	m.Streaming = false
	s.changedLocked()
	return true
}
