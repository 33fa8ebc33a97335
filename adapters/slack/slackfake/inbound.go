package slackfake

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// The types of event Slack sends an app, as Socket Mode names them.
const (
	// EventsAPI is an Events API event: an event_callback (or a
	// url_verification), a JSON body.
	EventsAPI = "events_api"
	// Interactive is an interaction: a block_actions payload, sent over
	// HTTP as the form field "payload".
	Interactive = "interactive"
	// SlashCommands is a slash command, sent over HTTP as a form.
	SlashCommands = "slash_commands"
)

// Event is what Slack sends an app when a person acts: built by the
// Server's builders (Mention, DirectMessage, Click, …), sent with Send or
// SendURL over HTTP, or with SendSocket over Socket Mode. Sending the
// same Event again is a redelivery: it carries the same event id.
type Event struct {
	// Type is EventsAPI, Interactive or SlashCommands.
	Type string
	// ID identifies the event: the event_id (Ev…) of an Events API
	// event; the trigger_id of an interaction or a slash command, which
	// Slack never redelivers.
	ID string
	// Body and ContentType are the body of the HTTP request Slack sends.
	Body        []byte
	ContentType string
	// Payload is the JSON payload of the Socket Mode envelope.
	Payload json.RawMessage
	// Channel, TS and ThreadTS locate the message the event concerns (the
	// person's message, the message clicked); ThreadTS is empty outside
	// threads. User is the person who acted.
	Channel, TS, ThreadTS, User string

	response string // the id of the response_url of a slash command
}

// Event returns the event the fake built with the id ev.ID; false if it
// built none.
func (s *Server) Event(id string) (Event, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ev, ok := s.events[id]
	return ev, ok
}

// channelType is the channel_type of a message event in channel id.
func channelType(id string) string {
	switch {
	case strings.HasPrefix(id, "D"):
		return "im"
	case strings.HasPrefix(id, "G"):
		return "group"
	}
	return "channel"
}

// channelName is the name Slack gives channel id in payloads.
func channelName(id string) string {
	if strings.HasPrefix(id, "D") {
		return "directmessage"
	}
	return strings.ToLower(id)
}

// richText returns the rich_text blocks Slack's client sends with text:
// <@U…> mentions as user elements, the rest as text.
func richText(text, blockID string) json.RawMessage {
	var elems []obj
	for text != "" {
		i := strings.Index(text, "<@")
		j := -1
		if i >= 0 {
			j = strings.IndexByte(text[i:], '>')
		}
		if i < 0 || j < 0 {
			elems = append(elems, obj{"type": "text", "text": text})
			break
		}
		if i > 0 {
			elems = append(elems, obj{"type": "text", "text": text[:i]})
		}
		id, _, _ := strings.Cut(text[i+2:i+j], "|")
		elems = append(elems, obj{"type": "user", "user_id": id})
		text = text[i+j+1:]
	}
	b, _ := marshal([]obj{{
		"type": "rich_text", "block_id": blockID,
		"elements": []obj{{"type": "rich_text_section", "elements": elems}},
	}})
	return b
}

// personMessageLocked records a message a person wrote. s.mu is held.
func (s *Server) personMessageLocked(user, channel, text, threadTS string) *Msg {
	m := &Msg{Channel: channel, ThreadTS: threadTS, User: user, Text: text, clientMsgID: s.uuidLocked()}
	s.setPersonTextLocked(m, text)
	return s.addLocked(m)
}

func (s *Server) setPersonTextLocked(m *Msg, text string) {
	m.Text = text
	m.rawBlocks = richText(text, s.nextIDLocked("p"))
	_ = json.Unmarshal(m.rawBlocks, &m.Blocks)
}

// uuidLocked returns a new UUID-shaped id, unique in this fake. s.mu is
// held.
func (s *Server) uuidLocked() string {
	s.seq++
	return fmt.Sprintf("5f1c0d2e-%04x-4%03x-8%03x-%012x", s.seq>>24&0xffff, s.seq>>12&0xfff, s.seq&0xfff, s.seq)
}

// eventCallbackLocked wraps the inner event ev in the event_callback
// envelope Slack sends, records it and returns it. s.mu is held.
func (s *Server) eventCallbackLocked(inner obj, m *Msg, user string) Event {
	id := s.nextIDLocked("Ev")
	now := s.cfg.Now()
	env := obj{
		"token":                 s.cfg.VerificationToken,
		"team_id":               s.cfg.TeamID,
		"context_team_id":       s.cfg.TeamID,
		"context_enterprise_id": nil,
		"api_app_id":            s.cfg.AppID,
		"event":                 inner,
		"type":                  "event_callback",
		"event_id":              id,
		"event_time":            now.Unix(),
		"authorizations": []obj{{
			"enterprise_id": nil, "team_id": s.cfg.TeamID, "user_id": s.cfg.BotUserID,
			"is_bot": true, "is_enterprise_install": false,
		}},
		"is_ext_shared_channel": false,
		"event_context":         "4-" + base64.RawURLEncoding.EncodeToString([]byte(`{"et":"`+str(inner, "type")+`","tid":"`+s.cfg.TeamID+`","aid":"`+s.cfg.AppID+`"}`)),
	}
	body, _ := marshal(env)
	ev := Event{Type: EventsAPI, ID: id, Body: body, ContentType: "application/json", Payload: body, User: user}
	if m != nil {
		ev.Channel, ev.TS, ev.ThreadTS = m.Channel, m.TS, m.ThreadTS
		if ev.ThreadTS == ev.TS {
			ev.ThreadTS = ""
		}
	}
	s.events[id] = ev
	s.changedLocked()
	return ev
}

// messageEventLocked is the message event of a person's new message.
func (s *Server) messageEventLocked(m *Msg) obj {
	o := s.messageJSON(m)
	delete(o, "reply_count")
	delete(o, "latest_reply")
	o["channel"], o["event_ts"], o["channel_type"] = m.Channel, m.TS, channelType(m.Channel)
	return o
}

// Mention records that user wrote text mentioning the bot in channel
// (inside the thread threadTS unless it is empty) and returns the two
// events Slack sends an app subscribed to both for such a message: the
// app_mention, and the message event of the same message. text is
// prefixed with the mention ("<@U0BOT> ") unless it holds one. (In a DM
// Slack sends no app_mention: use DirectMessage.)
func (s *Server) Mention(user, channel, text, threadTS string) (mention, message Event) {
	if mark := "<@" + s.cfg.BotUserID + ">"; !strings.Contains(text, mark) {
		text = mark + " " + text
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.personMessageLocked(user, channel, text, threadTS)
	inner := s.messageJSON(m)
	for _, k := range []string{"reply_count", "latest_reply", "parent_user_id"} {
		delete(inner, k)
	}
	inner["type"], inner["channel"], inner["event_ts"] = "app_mention", m.Channel, m.TS
	mention = s.eventCallbackLocked(inner, m, user)
	message = s.eventCallbackLocked(s.messageEventLocked(m), m, user)
	return mention, message
}

// ChannelMessage records that user wrote text in channel (inside the
// thread threadTS unless it is empty) and returns the message event Slack
// sends, with the channel_type of the channel: "channel" for C…, "group"
// for G…, "im" for D….
func (s *Server) ChannelMessage(user, channel, text, threadTS string) Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.personMessageLocked(user, channel, text, threadTS)
	return s.eventCallbackLocked(s.messageEventLocked(m), m, user)
}

// DirectMessage records that user wrote text to the bot in their DM with
// it (see [Server.DM]), inside the thread threadTS unless it is empty
// (the assistant pane's threads), and returns the message.im event.
func (s *Server) DirectMessage(user, text, threadTS string) Event {
	return s.ChannelMessage(user, s.DM(user), text, threadTS)
}

// Echo returns the message event Slack sends for the message channel/ts
// as it was posted, the bot's own messages included: Slack sends those to
// an app subscribed to the channel's messages, and the app must ignore
// them. It fails if there is no such message.
func (s *Server) Echo(channel, ts string) (Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var m *Msg
	if c := s.channels[channel]; c != nil {
		m = c.byTS[ts]
	}
	if m == nil {
		return Event{}, fmt.Errorf("slackfake: no message %s in %s", ts, channel)
	}
	return s.eventCallbackLocked(s.messageEventLocked(m), m, m.User), nil
}

// personMessageToChangeLocked returns a person's live message. s.mu is
// held.
func (s *Server) personMessageToChangeLocked(channel, ts string) (*Msg, error) {
	var m *Msg
	if c := s.channels[channel]; c != nil {
		m = c.byTS[ts]
	}
	switch {
	case m == nil || m.Deleted:
		return nil, fmt.Errorf("slackfake: no message %s in %s", ts, channel)
	case m.FromBot():
		return nil, fmt.Errorf("slackfake: message %s in %s is the bot's, not a person's", ts, channel)
	}
	return m, nil
}

// Edit records that the author of the message channel/ts changed its text
// to text and returns the message_changed event Slack sends. It fails if
// there is no such message or it is the bot's.
func (s *Server) Edit(channel, ts, text string) (Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.personMessageToChangeLocked(channel, ts)
	if err != nil {
		return Event{}, err
	}
	prev := s.messageJSON(m)
	s.setPersonTextLocked(m, text)
	s.changeLocked(m)
	evTS := s.nextTSLocked()
	inner := obj{
		"type": "message", "subtype": "message_changed", "hidden": true,
		"message": s.messageJSON(m), "previous_message": prev,
		"channel": m.Channel, "ts": evTS, "event_ts": evTS, "channel_type": channelType(m.Channel),
	}
	return s.eventCallbackLocked(inner, m, m.User), nil
}

// Delete records that the author of the message channel/ts deleted it and
// returns the message_deleted event Slack sends. It fails if there is no
// such message or it is the bot's.
func (s *Server) Delete(channel, ts string) (Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.personMessageToChangeLocked(channel, ts)
	if err != nil {
		return Event{}, err
	}
	prev := s.messageJSON(m)
	m.Deleted = true
	m.Changed = s.cfg.Now()
	evTS := s.nextTSLocked()
	inner := obj{
		"type": "message", "subtype": "message_deleted", "hidden": true,
		"deleted_ts": m.TS, "previous_message": prev,
		"channel": m.Channel, "ts": evTS, "event_ts": evTS, "channel_type": channelType(m.Channel),
	}
	return s.eventCallbackLocked(inner, m, m.User), nil
}

// assistantThreadJSON describes an assistant thread as its events do.
func (s *Server) assistantThreadJSON(user, channel, threadTS, contextChannel string) obj {
	ctx := obj{}
	if contextChannel != "" {
		ctx = obj{"channel_id": contextChannel, "team_id": s.cfg.TeamID, "enterprise_id": nil}
	}
	return obj{"user_id": user, "context": ctx, "channel_id": channel, "thread_ts": threadTS}
}

// AssistantThreadStarted records that user opened a new thread with the
// bot in Slack's assistant pane, while looking at contextChannel (empty
// for none), and returns the assistant_thread_started event. The thread
// lives in the person's DM with the bot; its root is a message of the bot
// with the subtype "assistant_app_thread" and no text, as in Slack. The
// event's ThreadTS names the thread.
func (s *Server) AssistantThreadStarted(user, contextChannel string) Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	root := s.addLocked(&Msg{Channel: s.DM(user), User: s.cfg.BotUserID, BotID: s.cfg.BotID, Subtype: "assistant_app_thread"})
	root.ThreadTS = root.TS
	inner := obj{
		"type":             "assistant_thread_started",
		"assistant_thread": s.assistantThreadJSON(user, root.Channel, root.TS, contextChannel),
		"event_ts":         s.nextTSLocked(),
	}
	ev := s.eventCallbackLocked(inner, root, user)
	ev.ThreadTS = root.TS
	s.events[ev.ID] = ev
	return ev
}

// AssistantContextChanged records that user, in the assistant thread
// threadTS of their DM with the bot, now looks at contextChannel, and
// returns the assistant_thread_context_changed event.
func (s *Server) AssistantContextChanged(user, threadTS, contextChannel string) Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	inner := obj{
		"type":             "assistant_thread_context_changed",
		"assistant_thread": s.assistantThreadJSON(user, s.DM(user), threadTS, contextChannel),
		"event_ts":         s.nextTSLocked(),
	}
	ev := s.eventCallbackLocked(inner, nil, user)
	ev.Channel, ev.TS, ev.ThreadTS = s.DM(user), threadTS, threadTS
	s.events[ev.ID] = ev
	return ev
}

// URLVerification returns the url_verification request Slack sends when
// an app's Request URL is set; the app must answer with the challenge.
func (s *Server) URLVerification(challenge string) Event {
	body, _ := marshal(obj{"token": s.cfg.VerificationToken, "challenge": challenge, "type": "url_verification"})
	return Event{Type: EventsAPI, Body: body, ContentType: "application/json", Payload: body}
}

// Click records that user clicked the button or chose the option
// labelled label in the message channel/ts, as it stands now, and returns
// the block_actions interaction Slack sends: with the action, the
// container, the message (unless it is ephemeral), the channel, the
// person, a trigger_id and a response_url that leads to the fake. It
// fails if there is no such message, user cannot see it, or nothing in
// it has that label.
func (s *Server) Click(user, channel, ts, label string) (Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.findLocked(channel, ts)
	switch {
	case m == nil || m.Deleted:
		return Event{}, fmt.Errorf("slackfake: no message %s in %s to click", ts, channel)
	case m.Ephemeral && m.To != user:
		return Event{}, fmt.Errorf("slackfake: %s cannot click in message %s, shown to %s only", user, ts, m.To)
	}
	snap := s.snapshot(m)
	ctrls := snap.Controls()
	i := -1
	for j, c := range ctrls {
		if c.Label == label {
			i = j
			break
		}
	}
	if i < 0 {
		return Event{}, fmt.Errorf("slackfake: message %s in %s has nothing labelled %q to click; it has %q", ts, channel, label, snap.Options())
	}
	c := ctrls[i]
	now := s.cfg.Now()
	actionTS := fmt.Sprintf("%d.%06d", now.Unix(), now.Nanosecond()/1000)
	action := obj{"type": c.Type, "action_id": c.ActionID, "block_id": c.BlockID, "action_ts": actionTS}
	state := obj{}
	if c.Type == "button" {
		action["text"] = c.element["text"]
		for _, k := range []string{"value", "style", "url"} {
			if v := str(c.element, k); v != "" {
				action[k] = v
			}
		}
	} else {
		sel := obj{"type": c.Type}
		if c.Type == "checkboxes" || strings.HasPrefix(c.Type, "multi_") {
			action["selected_options"], sel["selected_options"] = []any{c.option}, []any{c.option}
		} else {
			action["selected_option"], sel["selected_option"] = c.option, c.option
		}
		if p := c.element["placeholder"]; p != nil {
			action["placeholder"] = p
		}
		state[c.BlockID] = obj{c.ActionID: sel}
	}
	thread := m.ThreadTS
	if thread == m.TS {
		thread = ""
	}
	container := obj{"type": "message", "message_ts": m.TS, "channel_id": m.Channel, "is_ephemeral": m.Ephemeral}
	if c.Attachment > 0 {
		container["attachment_id"] = c.Attachment
	}
	if thread != "" {
		container["thread_ts"] = thread
	}
	trigger := fmt.Sprintf("%d.%d.%032x", now.Unix(), 7000000000+s.seq, s.seq+1)
	s.seq++
	name := s.names[user]
	payload := obj{
		"type":                  "block_actions",
		"user":                  obj{"id": user, "username": name, "name": name, "team_id": s.cfg.TeamID},
		"api_app_id":            s.cfg.AppID,
		"token":                 s.cfg.VerificationToken,
		"container":             container,
		"trigger_id":            trigger,
		"team":                  obj{"id": s.cfg.TeamID, "domain": s.cfg.TeamDomain},
		"enterprise":            nil,
		"is_enterprise_install": false,
		"channel":               obj{"id": m.Channel, "name": channelName(m.Channel)},
		"state":                 obj{"values": state},
		"response_url":          s.newResponseURLLocked(&responseURL{channel: m.Channel, threadTS: thread, ts: m.TS, user: user}),
		"actions":               []obj{action},
	}
	if !m.Ephemeral {
		payload["message"] = s.messageJSON(m)
	}
	p, _ := marshal(payload)
	ev := Event{
		Type: Interactive, ID: trigger,
		Body: []byte(url.Values{"payload": {string(p)}}.Encode()), ContentType: "application/x-www-form-urlencoded",
		Payload: p, Channel: m.Channel, TS: m.TS, ThreadTS: thread, User: user,
	}
	s.events[ev.ID] = ev
	s.changedLocked()
	return ev, nil
}

// SlashCommand records that user ran command (with its slash: "/deploy")
// with text in channel and returns what Slack sends: over HTTP a form,
// over Socket Mode the same fields as a JSON object. The command's
// response_url leads to the fake; so does the app's immediate answer,
// which Send and the Socket Mode ack apply: a JSON message (text, blocks,
// response_type "ephemeral" or "in_channel") or plain text is shown as
// Slack shows it.
func (s *Server) SlashCommand(user, channel, command, text string) Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now()
	trigger := fmt.Sprintf("%d.%d.%032x", now.Unix(), 7000000000+s.seq, s.seq+1)
	s.seq++
	respID := s.nextIDLocked("r")
	s.responses[respID] = &responseURL{channel: channel, user: user}
	fields := []struct{ k, v string }{
		{"token", s.cfg.VerificationToken}, {"team_id", s.cfg.TeamID}, {"team_domain", s.cfg.TeamDomain},
		{"channel_id", channel}, {"channel_name", channelName(channel)}, {"user_id", user}, {"user_name", s.names[user]},
		{"command", command}, {"text", text}, {"api_app_id", s.cfg.AppID}, {"is_enterprise_install", "false"},
		{"response_url", s.base + "response/" + respID}, {"trigger_id", trigger},
	}
	form := url.Values{}
	payload := obj{}
	for _, f := range fields {
		form.Set(f.k, f.v)
		payload[f.k] = f.v
	}
	payload["is_enterprise_install"] = false
	p, _ := marshal(payload)
	ev := Event{
		Type: SlashCommands, ID: trigger, Body: []byte(form.Encode()), ContentType: "application/x-www-form-urlencoded",
		Payload: p, Channel: channel, User: user, response: respID,
	}
	s.events[ev.ID] = ev
	s.changedLocked()
	return ev
}
