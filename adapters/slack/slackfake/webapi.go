package slackfake

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime"
	"path"
	"strconv"
	"strings"

	"github.com/slack-go/slack"
)

// Slack's limits that the fake enforces, as Slack refuses a message
// beyond them.
const (
	maxBlocks   = 50
	maxTextLen  = 40000
	maxPageSize = 1000
)

// routes returns the Web API methods the fake implements.
func (s *Server) routes() map[string]route {
	bot := func(h func(*Server, *apiRequest) (obj, error)) route { return route{auth: authBot, h: h} }
	return map[string]route{
		"auth.test":                             bot((*Server).authTest),
		"chat.postMessage":                      bot((*Server).postMessage),
		"chat.update":                           bot((*Server).update),
		"chat.delete":                           bot((*Server).delete),
		"chat.postEphemeral":                    bot((*Server).postEphemeral),
		"chat.getPermalink":                     bot((*Server).getPermalink),
		"chat.startStream":                      bot((*Server).startStream),
		"chat.appendStream":                     bot((*Server).appendStream),
		"chat.stopStream":                       bot((*Server).stopStream),
		"assistant.threads.setStatus":           bot((*Server).setStatus),
		"assistant.threads.setSuggestedPrompts": bot((*Server).setSuggestedPrompts),
		"assistant.threads.setTitle":            bot((*Server).setTitle),
		"conversations.replies":                 bot((*Server).replies),
		"conversations.history":                 bot((*Server).history),
		"conversations.open":                    bot((*Server).openConversation),
		"conversations.info":                    bot((*Server).conversationInfo),
		"users.info":                            bot((*Server).userInfo),
		"users.lookupByEmail":                   bot((*Server).lookupByEmail),
		"users.list":                            bot((*Server).userList),
		"bots.info":                             bot((*Server).botInfo),
		"reactions.add":                         bot((*Server).addReaction),
		"reactions.remove":                      bot((*Server).removeReaction),
		"reactions.get":                         bot((*Server).getReactions),
		"files.getUploadURLExternal":            bot((*Server).getUploadURL),
		"files.completeUploadExternal":          bot((*Server).completeUpload),
		"files.info":                            bot((*Server).fileInfo),
		"apps.connections.open":                 {auth: authApp, h: (*Server).openConnection},
	}
}

func (s *Server) authTest(*apiRequest) (obj, error) {
	return obj{
		"url":                   s.teamURL(),
		"team":                  s.cfg.TeamName,
		"user":                  s.cfg.BotName,
		"team_id":               s.cfg.TeamID,
		"user_id":               s.cfg.BotUserID,
		"bot_id":                s.cfg.BotID,
		"is_enterprise_install": false,
	}, nil
}

func (s *Server) teamURL() string { return "https://" + s.cfg.TeamDomain + ".slack.com/" }

// channelArg returns the channel a call names, a user's id standing for
// their DM with the bot as in Slack.
func (s *Server) channelArg(q *apiRequest, key string) (string, error) {
	ch := q.get(key)
	switch {
	case ch == "":
		return "", apiError("channel_not_found")
	case strings.HasPrefix(ch, "U") || strings.HasPrefix(ch, "W"):
		return s.DM(ch), nil
	}
	return ch, nil
}

// setContentLocked sets the text, blocks and attachments a call gives on
// m; those it does not give are left as they are.
func (s *Server) setContentLocked(m *Msg, q *apiRequest) error {
	next := s.nextIDLocked
	if q.has("text") {
		if len(q.get("text")) > maxTextLen {
			return apiError("msg_too_long")
		}
		m.Text = q.get("text")
	}
	if q.has("blocks") {
		raw, blocks, err := parseBlocks(q.get("blocks"), next)
		if err != nil {
			return err
		}
		m.rawBlocks, m.Blocks = raw, blocks
	}
	if q.has("attachments") {
		raw := q.get("attachments")
		if t := strings.TrimSpace(raw); t == "" || t == "[]" || t == "null" {
			m.rawAttachments, m.Attachments = nil, nil
			return nil
		}
		norm, err := normalizeAttachments([]byte(raw), next)
		if err != nil {
			return apiError("invalid_attachments")
		}
		var atts []slack.Attachment
		if err := json.Unmarshal(norm, &atts); err != nil {
			return apiError("invalid_attachments")
		}
		m.rawAttachments, m.Attachments = norm, atts
	}
	return nil
}

// parseBlocks parses the blocks argument of a call: an empty array (or
// nothing) clears the blocks.
func parseBlocks(raw string, next func(string) string) (json.RawMessage, slack.Blocks, error) {
	if t := strings.TrimSpace(raw); t == "" || t == "[]" || t == "null" {
		return nil, slack.Blocks{}, nil
	}
	norm, err := normalizeBlocks([]byte(raw), next)
	if err != nil {
		return nil, slack.Blocks{}, apiError("invalid_blocks")
	}
	var blocks slack.Blocks
	if err := json.Unmarshal(norm, &blocks); err != nil {
		return nil, slack.Blocks{}, apiError("invalid_blocks")
	}
	if len(blocks.BlockSet) > maxBlocks {
		return nil, slack.Blocks{}, apiError("invalid_blocks")
	}
	return norm, blocks, nil
}

func (m *Msg) empty() bool {
	return m.Text == "" && len(m.rawBlocks) == 0 && len(m.rawAttachments) == 0 && m.Markdown == "" && len(m.Files) == 0
}

func (s *Server) postMessage(q *apiRequest) (obj, error) {
	ch, err := s.channelArg(q, "channel")
	if err != nil {
		return nil, err
	}
	m := &Msg{Channel: ch, ThreadTS: q.get("thread_ts"), User: s.cfg.BotUserID, BotID: s.cfg.BotID}
	if err := s.setContentLocked(m, q); err != nil {
		return nil, err
	}
	if m.empty() {
		return nil, apiError("no_text")
	}
	s.addLocked(m)
	s.clearStatusLocked(m.Channel, m.ThreadTS)
	return obj{"channel": m.Channel, "ts": m.TS, "message": s.messageJSON(m)}, nil
}

// botMessageLocked returns the bot's live, not ephemeral message channel/
// ts, or the error Slack answers. s.mu is held.
func (s *Server) botMessageLocked(q *apiRequest, tsKey, notBot string) (*Msg, error) {
	ch, err := s.channelArg(q, "channel")
	if err != nil {
		return nil, err
	}
	var m *Msg
	if c := s.channels[ch]; c != nil {
		m = c.byTS[q.get(tsKey)]
	}
	switch {
	case m == nil || m.Deleted:
		return nil, apiError("message_not_found")
	case !m.FromBot():
		return nil, apiError(notBot)
	}
	return m, nil
}

func (s *Server) update(q *apiRequest) (obj, error) {
	m, err := s.botMessageLocked(q, "ts", "cant_update_message")
	if err != nil {
		return nil, err
	}
	if !q.has("text") && !q.has("blocks") && !q.has("attachments") {
		return nil, apiError("no_text")
	}
	edited := *m
	if err := s.setContentLocked(&edited, q); err != nil {
		return nil, err
	}
	if edited.empty() {
		return nil, apiError("no_text")
	}
	*m = edited
	s.changeLocked(m)
	return obj{"channel": m.Channel, "ts": m.TS, "text": m.Text, "message": s.messageJSON(m)}, nil
}

// changeLocked notes that m changed. s.mu is held.
func (s *Server) changeLocked(m *Msg) {
	m.Edits++
	m.Changed = s.cfg.Now()
	s.changedLocked()
}

func (s *Server) delete(q *apiRequest) (obj, error) {
	m, err := s.botMessageLocked(q, "ts", "cant_delete_message")
	if err != nil {
		return nil, err
	}
	m.Deleted = true
	m.Changed = s.cfg.Now()
	s.changedLocked()
	return obj{"channel": m.Channel, "ts": m.TS}, nil
}

func (s *Server) postEphemeral(q *apiRequest) (obj, error) {
	ch, err := s.channelArg(q, "channel")
	if err != nil {
		return nil, err
	}
	user := q.get("user")
	if _, ok := s.users[user]; !ok || user == s.cfg.BotUserID {
		return nil, apiError("user_not_in_channel")
	}
	m := &Msg{Channel: ch, ThreadTS: q.get("thread_ts"), User: s.cfg.BotUserID, BotID: s.cfg.BotID, Ephemeral: true, To: user}
	if err := s.setContentLocked(m, q); err != nil {
		return nil, err
	}
	if m.empty() {
		return nil, apiError("no_text")
	}
	s.addLocked(m)
	return obj{"message_ts": m.TS}, nil
}

func (s *Server) getPermalink(q *apiRequest) (obj, error) {
	ch, err := s.channelArg(q, "channel")
	if err != nil {
		return nil, err
	}
	m := s.findLocked(ch, q.get("message_ts"))
	if m == nil || m.Ephemeral {
		return nil, apiError("message_not_found")
	}
	return obj{"channel": ch, "permalink": s.teamURL() + "archives/" + ch + "/p" + strings.ReplaceAll(m.TS, ".", "")}, nil
}

// streamContentLocked adds the markdown_text and chunks of a streaming
// call to m. Task and plan chunks are not kept.
func (s *Server) streamContentLocked(m *Msg, q *apiRequest) error {
	m.Markdown += q.get("markdown_text")
	if raw := q.get("chunks"); raw != "" {
		var chunks []map[string]json.RawMessage
		if json.Unmarshal([]byte(raw), &chunks) != nil {
			return apiError("invalid_chunks")
		}
		for _, c := range chunks {
			var typ, text string
			_ = json.Unmarshal(c["type"], &typ)
			switch typ {
			case "markdown_text":
				_ = json.Unmarshal(c["text"], &text)
				m.Markdown += text
			case "blocks":
				if err := s.appendBlocksLocked(m, string(c["blocks"])); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// appendBlocksLocked adds blocks, a JSON array, after m's. s.mu is held.
func (s *Server) appendBlocksLocked(m *Msg, blocks string) error {
	raw, _, err := parseBlocks(blocks, s.nextIDLocked)
	if err != nil || raw == nil {
		return err
	}
	var all []json.RawMessage
	_ = json.Unmarshal(m.rawBlocks, &all)
	var more []json.RawMessage
	_ = json.Unmarshal(raw, &more)
	joined, _ := marshal(append(all, more...))
	norm, decoded, err := parseBlocks(string(joined), s.nextIDLocked)
	if err != nil {
		return err
	}
	m.rawBlocks, m.Blocks = norm, decoded
	return nil
}

func (s *Server) startStream(q *apiRequest) (obj, error) {
	if s.noStreams {
		return nil, apiError("feature_not_enabled")
	}
	ch, err := s.channelArg(q, "channel")
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(ch, "D") && (q.get("recipient_user_id") == "" || q.get("recipient_team_id") == "") {
		// Outside a DM Slack needs to know whom the stream is for.
		return nil, apiError("invalid_arguments")
	}
	m := &Msg{Channel: ch, ThreadTS: q.get("thread_ts"), User: s.cfg.BotUserID, BotID: s.cfg.BotID, Streaming: true, Streamed: true}
	if err := s.streamContentLocked(m, q); err != nil {
		return nil, err
	}
	s.addLocked(m)
	s.clearStatusLocked(m.Channel, m.ThreadTS)
	return obj{"channel": m.Channel, "ts": m.TS}, nil
}

// streamingLocked returns the bot's message a streaming call names, or
// the error Slack answers. s.mu is held.
func (s *Server) streamingLocked(q *apiRequest) (*Msg, error) {
	m, err := s.botMessageLocked(q, "ts", "message_not_owned_by_app")
	if err != nil {
		return nil, err
	}
	if !m.Streaming {
		return nil, apiError("message_not_in_streaming_state")
	}
	return m, nil
}

func (s *Server) appendStream(q *apiRequest) (obj, error) {
	m, err := s.streamingLocked(q)
	if err != nil {
		return nil, err
	}
	if q.get("markdown_text") == "" && q.get("chunks") == "" {
		return nil, apiError("no_text")
	}
	if err := s.streamContentLocked(m, q); err != nil {
		return nil, err
	}
	s.changeLocked(m)
	return obj{"channel": m.Channel, "ts": m.TS}, nil
}

func (s *Server) stopStream(q *apiRequest) (obj, error) {
	m, err := s.streamingLocked(q)
	if err != nil {
		return nil, err
	}
	if err := s.streamContentLocked(m, q); err != nil {
		return nil, err
	}
	if b := q.get("blocks"); b != "" {
		if err := s.appendBlocksLocked(m, b); err != nil {
			return nil, err
		}
	}
	m.Streaming = false
	s.changeLocked(m)
	return obj{"channel": m.Channel, "ts": m.TS, "message": s.messageJSON(m)}, nil
}

// assistantThread returns the thread an assistant.threads call names.
func assistantThread(q *apiRequest) (string, string, error) {
	ch, ts := q.get("channel_id"), q.get("thread_ts")
	switch {
	case ch == "":
		return "", "", apiError("channel_not_found")
	case ts == "":
		return "", "", apiError("invalid_arguments")
	}
	return ch, ts, nil
}

func (s *Server) setStatus(q *apiRequest) (obj, error) {
	ch, ts, err := assistantThread(q)
	if err != nil {
		return nil, err
	}
	t := s.threadLocked(ch, ts)
	t.statuses = append(t.statuses, q.get("status"))
	s.changedLocked()
	return nil, nil
}

func (s *Server) setSuggestedPrompts(q *apiRequest) (obj, error) {
	ch, ts, err := assistantThread(q)
	if err != nil {
		return nil, err
	}
	var prompts []slack.AssistantThreadsPrompt
	if json.Unmarshal([]byte(q.get("prompts")), &prompts) != nil || len(prompts) == 0 {
		return nil, apiError("invalid_arguments")
	}
	s.threadLocked(ch, ts).prompts = Prompts{Title: q.get("title"), Prompts: prompts}
	s.changedLocked()
	return nil, nil
}

func (s *Server) setTitle(q *apiRequest) (obj, error) {
	ch, ts, err := assistantThread(q)
	if err != nil {
		return nil, err
	}
	s.threadLocked(ch, ts).title = q.get("title")
	s.changedLocked()
	return nil, nil
}

// page returns the page of msgs a paginated call asks for: from its
// cursor, at most its limit (def when it gives none).
func page(q *apiRequest, msgs []*Msg, def int) (out []*Msg, next string, err error) {
	limit := def
	if l := q.get("limit"); l != "" {
		if limit, err = strconv.Atoi(l); err != nil || limit <= 0 {
			return nil, "", apiError("invalid_limit")
		}
		limit = min(limit, maxPageSize)
	}
	start := 0
	if c := q.get("cursor"); c != "" {
		b, err := base64.StdEncoding.DecodeString(c)
		if err != nil || !strings.HasPrefix(string(b), "next:") {
			return nil, "", apiError("invalid_cursor")
		}
		if start, err = strconv.Atoi(strings.TrimPrefix(string(b), "next:")); err != nil || start < 0 || start > len(msgs) {
			return nil, "", apiError("invalid_cursor")
		}
	}
	end := min(start+limit, len(msgs))
	if end < len(msgs) {
		next = base64.StdEncoding.EncodeToString([]byte("next:" + strconv.Itoa(end)))
	}
	return msgs[start:end], next, nil
}

// inRange filters msgs by a call's oldest, latest and inclusive.
func inRange(q *apiRequest, msgs []*Msg) []*Msg {
	oldest, latest := q.get("oldest"), q.get("latest")
	incl := q.get("inclusive") == "1" || q.get("inclusive") == "true"
	var out []*Msg
	for _, m := range msgs {
		if oldest != "" && (tsLess(m.TS, oldest) || !incl && m.TS == oldest) {
			continue
		}
		if latest != "" && (tsLess(latest, m.TS) || !incl && m.TS == latest) {
			continue
		}
		out = append(out, m)
	}
	return out
}

// tsLess orders two message timestamps.
func tsLess(a, b string) bool {
	x, _ := strconv.ParseFloat(a, 64)
	y, _ := strconv.ParseFloat(b, 64)
	if x != y {
		return x < y
	}
	return a < b
}

func (s *Server) listAnswer(key string, msgs []*Msg, next string) obj {
	list := make([]obj, 0, len(msgs))
	for _, m := range msgs {
		list = append(list, s.messageJSON(m))
	}
	return obj{key: list, "has_more": next != "", "response_metadata": obj{"next_cursor": next}}
}

// replies answers conversations.replies: the thread's root, then its
// replies, oldest first, a page at a time.
func (s *Server) replies(q *apiRequest) (obj, error) {
	ch, err := s.channelArg(q, "channel")
	if err != nil {
		return nil, err
	}
	var root *Msg
	if c := s.channels[ch]; c != nil {
		root = c.byTS[q.get("ts")]
	}
	if root == nil {
		return nil, apiError("thread_not_found")
	}
	thread := root.TS
	if root.ThreadTS != "" {
		thread = root.ThreadTS
	}
	msgs := s.threadMsgsLocked(ch, thread)
	if len(msgs) == 0 {
		return nil, apiError("thread_not_found")
	}
	got, next, err := page(q, inRange(q, msgs), maxPageSize)
	if err != nil {
		return nil, err
	}
	return s.listAnswer("messages", got, next), nil
}

// history answers conversations.history: the top level of the channel,
// newest first, a page at a time.
func (s *Server) history(q *apiRequest) (obj, error) {
	ch, err := s.channelArg(q, "channel")
	if err != nil {
		return nil, err
	}
	msgs := inRange(q, s.threadMsgsLocked(ch, ""))
	for i, j := 0, len(msgs)-1; i < j; i, j = i+1, j-1 {
		msgs[i], msgs[j] = msgs[j], msgs[i]
	}
	got, next, err := page(q, msgs, 100)
	if err != nil {
		return nil, err
	}
	return s.listAnswer("messages", got, next), nil
}

func (s *Server) openConversation(q *apiRequest) (obj, error) {
	users := strings.Split(q.get("users"), ",")
	if len(users) != 1 || users[0] == "" {
		// One person only: the fake has no group DMs.
		return nil, apiError("users_list_not_supplied")
	}
	if _, ok := s.users[users[0]]; !ok {
		return nil, apiError("user_not_found")
	}
	return obj{"channel": s.channelJSON(s.DM(users[0])), "already_open": true}, nil
}

// channelJSON describes a conversation as Slack does, from its id: C… a
// public channel, G… a private one, D… a DM with the person U….
func (s *Server) channelJSON(id string) obj {
	o := obj{"id": id, "created": 1700000000, "is_member": true, "context_team_id": s.cfg.TeamID}
	switch id[0] {
	case 'C':
		o["name"], o["is_channel"] = strings.ToLower(id), true
	case 'G':
		o["name"], o["is_group"], o["is_private"] = strings.ToLower(id), true, true
	case 'D':
		o["is_im"], o["user"], o["is_open"] = true, "U"+id[1:], true
	}
	return o
}

func (s *Server) conversationInfo(q *apiRequest) (obj, error) {
	ch, err := s.channelArg(q, "channel")
	if err != nil {
		return nil, err
	}
	if !strings.ContainsAny(ch[:1], "CGD") {
		return nil, apiError("channel_not_found")
	}
	return obj{"channel": s.channelJSON(ch)}, nil
}

func (s *Server) userInfo(q *apiRequest) (obj, error) {
	if ids := q.get("users"); ids != "" {
		var users []slack.User
		for _, id := range strings.Split(ids, ",") {
			u, ok := s.users[id]
			if !ok {
				return nil, apiError("user_not_found")
			}
			users = append(users, u)
		}
		return obj{"users": users}, nil
	}
	u, ok := s.users[q.get("user")]
	if !ok {
		return nil, apiError("user_not_found")
	}
	return obj{"user": u}, nil
}

func (s *Server) lookupByEmail(q *apiRequest) (obj, error) {
	email := strings.ToLower(q.get("email"))
	for _, u := range s.cfg.Users {
		if email != "" && strings.ToLower(u.Profile.Email) == email {
			return obj{"user": u}, nil
		}
	}
	return nil, apiError("users_not_found")
}

func (s *Server) userList(*apiRequest) (obj, error) {
	members := append([]slack.User(nil), s.cfg.Users...)
	members = append(members, s.users[s.cfg.BotUserID])
	return obj{"members": members, "response_metadata": obj{"next_cursor": ""}}, nil
}

func (s *Server) botInfo(q *apiRequest) (obj, error) {
	if q.get("bot") != "" && q.get("bot") != s.cfg.BotID {
		return nil, apiError("bot_not_found")
	}
	return obj{"bot": obj{
		"id": s.cfg.BotID, "deleted": false, "name": s.cfg.BotName, "updated": 1700000000,
		"app_id": s.cfg.AppID, "user_id": s.cfg.BotUserID, "icons": obj{},
	}}, nil
}

// reactionTarget returns the live message a reactions call names.
func (s *Server) reactionTarget(q *apiRequest) (*Msg, error) {
	ch, err := s.channelArg(q, "channel")
	if err != nil {
		return nil, err
	}
	var m *Msg
	if c := s.channels[ch]; c != nil {
		m = c.byTS[q.get("timestamp")]
	}
	if m == nil || m.Deleted {
		return nil, apiError("message_not_found")
	}
	return m, nil
}

func (s *Server) addReaction(q *apiRequest) (obj, error) {
	m, err := s.reactionTarget(q)
	if err != nil {
		return nil, err
	}
	name := strings.Trim(q.get("name"), ":")
	if name == "" {
		return nil, apiError("invalid_name")
	}
	if !s.reactLocked(m, s.cfg.BotUserID, name) {
		return nil, apiError("already_reacted")
	}
	return nil, nil
}

// reactLocked adds user's reaction name to m; false if it was there.
// s.mu is held.
func (s *Server) reactLocked(m *Msg, user, name string) bool {
	for i, r := range m.Reactions {
		if r.Name != name {
			continue
		}
		for _, u := range r.Users {
			if u == user {
				return false
			}
		}
		m.Reactions[i].Users = append(r.Users, user)
		m.Reactions[i].Count++
		s.changedLocked()
		return true
	}
	m.Reactions = append(m.Reactions, slack.ItemReaction{Name: name, Count: 1, Users: []string{user}})
	s.changedLocked()
	return true
}

func (s *Server) removeReaction(q *apiRequest) (obj, error) {
	m, err := s.reactionTarget(q)
	if err != nil {
		return nil, err
	}
	name := strings.Trim(q.get("name"), ":")
	for i, r := range m.Reactions {
		if r.Name != name {
			continue
		}
		for j, u := range r.Users {
			if u != s.cfg.BotUserID {
				continue
			}
			r.Users = append(r.Users[:j:j], r.Users[j+1:]...)
			r.Count--
			if r.Count == 0 {
				m.Reactions = append(m.Reactions[:i:i], m.Reactions[i+1:]...)
			} else {
				m.Reactions[i] = r
			}
			s.changedLocked()
			return nil, nil
		}
	}
	return nil, apiError("no_reaction")
}

func (s *Server) getReactions(q *apiRequest) (obj, error) {
	m, err := s.reactionTarget(q)
	if err != nil {
		return nil, err
	}
	return obj{"type": "message", "channel": m.Channel, "message": s.messageJSON(m)}, nil
}

func (s *Server) getUploadURL(q *apiRequest) (obj, error) {
	name := q.get("filename")
	n, err := strconv.Atoi(q.get("length"))
	if name == "" || err != nil || n <= 0 {
		return nil, apiError("invalid_arguments")
	}
	f := &File{ID: s.nextIDLocked("F"), Name: name, Title: name, AltText: q.get("alt_txt"), SnippetType: q.get("snippet_type")}
	s.files = append(s.files, f)
	s.fileByID[f.ID] = f
	s.changedLocked()
	return obj{"upload_url": s.base + "upload/" + f.ID, "file_id": f.ID}, nil
}

// completeUpload answers files.completeUploadExternal: the files are
// complete and, given a channel, shared there in one message from the
// bot, with the initial comment as its text.
func (s *Server) completeUpload(q *apiRequest) (obj, error) {
	var sums []slack.FileSummary
	if json.Unmarshal([]byte(q.get("files")), &sums) != nil || len(sums) == 0 {
		return nil, apiError("invalid_arguments")
	}
	var files []*File
	for _, sum := range sums {
		f := s.fileByID[sum.ID]
		if f == nil || !f.Uploaded {
			return nil, apiError("file_not_found")
		}
		files = append(files, f)
	}
	ch := q.get("channel_id")
	if ch == "" {
		ch, _, _ = strings.Cut(q.get("channels"), ",")
	}
	var m *Msg
	if ch != "" {
		m = &Msg{Channel: ch, ThreadTS: q.get("thread_ts"), User: s.cfg.BotUserID, BotID: s.cfg.BotID, Text: q.get("initial_comment")}
		if b := q.get("blocks"); b != "" && m.Text == "" {
			raw, blocks, err := parseBlocks(b, s.nextIDLocked)
			if err != nil {
				return nil, err
			}
			m.rawBlocks, m.Blocks = raw, blocks
		}
		if len(m.Text) > maxTextLen {
			return nil, apiError("msg_too_long")
		}
	}
	for i, f := range files {
		f.Completed = true
		if t := sums[i].Title; t != "" {
			f.Title = t
		}
	}
	if m != nil {
		for _, f := range files {
			m.Files = append(m.Files, *f)
		}
		s.addLocked(m)
		s.clearStatusLocked(m.Channel, m.ThreadTS)
		for i, f := range files {
			f.Channel, f.ThreadTS, f.TS, f.Comment = m.Channel, m.ThreadTS, m.TS, m.Text
			m.Files[i] = *f
		}
	}
	out := make([]obj, 0, len(files))
	for _, f := range files {
		out = append(out, s.fileJSON(f))
	}
	s.changedLocked()
	return obj{"files": out}, nil
}

func (s *Server) fileInfo(q *apiRequest) (obj, error) {
	f := s.fileByID[q.get("file")]
	if f == nil || !f.Completed {
		return nil, apiError("file_not_found")
	}
	return obj{"file": s.fileJSON(f), "comments": []any{}, "paging": obj{"count": 1, "total": 1, "page": 1, "pages": 1}}, nil
}

// fileJSON describes f as Slack's file object does, with where it is
// shared.
func (s *Server) fileJSON(f *File) obj {
	ext := strings.TrimPrefix(path.Ext(f.Name), ".")
	mt := mime.TypeByExtension(path.Ext(f.Name))
	if mt == "" {
		mt = "application/octet-stream"
	}
	if ext == "" {
		ext = "binary"
	}
	url := s.base + "files/" + f.ID + "/" + f.Name
	o := obj{
		"id": f.ID, "created": 1700000000, "timestamp": 1700000000, "name": f.Name, "title": f.Title,
		"mimetype": mt, "filetype": ext, "pretty_type": strings.ToUpper(ext), "user": s.cfg.BotUserID,
		"user_team": s.cfg.TeamID, "size": len(f.Data), "mode": "hosted", "is_external": false,
		"is_public": strings.HasPrefix(f.Channel, "C"), "url_private": url, "url_private_download": url + "?download=1",
		"permalink": s.teamURL() + "files/" + s.cfg.BotUserID + "/" + f.ID + "/" + f.Name,
		"channels":  []string{}, "groups": []string{}, "ims": []string{}, "shares": obj{},
	}
	if f.AltText != "" {
		o["alt_txt"] = f.AltText
	}
	if f.TS != "" {
		share := obj{"ts": f.TS, "channel_name": strings.ToLower(f.Channel), "team_id": s.cfg.TeamID, "reply_users": []string{}, "reply_users_count": 0, "reply_count": 0}
		if f.ThreadTS != "" {
			share["thread_ts"] = f.ThreadTS
		}
		kind, list := "private", "groups"
		switch f.Channel[0] {
		case 'C':
			kind, list = "public", "channels"
		case 'D':
			list = "ims"
		}
		o["shares"] = obj{kind: obj{f.Channel: []obj{share}}}
		o[list] = []string{f.Channel}
	}
	return o
}

// messageJSON describes m as Slack's message object does (in
// conversations.replies, chat.postMessage's answer, a click's payload).
// s.mu is held.
func (s *Server) messageJSON(m *Msg) obj {
	o := obj{"type": "message", "ts": m.TS, "text": m.Text, "team": s.cfg.TeamID}
	if m.Text == "" && m.Markdown != "" {
		o["text"] = m.Markdown
	}
	if m.User != "" {
		o["user"] = m.User
	}
	if m.Subtype != "" {
		o["subtype"] = m.Subtype
	}
	if m.FromBot() {
		o["bot_id"], o["app_id"] = m.BotID, s.cfg.AppID
		o["bot_profile"] = obj{"id": m.BotID, "app_id": s.cfg.AppID, "name": s.cfg.BotName, "team_id": s.cfg.TeamID, "deleted": false, "icons": obj{}, "updated": 1700000000}
	} else if m.clientMsgID != "" {
		o["client_msg_id"] = m.clientMsgID
	}
	if len(m.rawBlocks) > 0 {
		o["blocks"] = m.rawBlocks
	}
	if len(m.rawAttachments) > 0 {
		o["attachments"] = m.rawAttachments
	}
	if m.ThreadTS != "" {
		o["thread_ts"] = m.ThreadTS
		if m.ThreadTS == m.TS {
			var n int
			var last string
			for _, r := range s.threadMsgsLocked(m.Channel, m.TS) {
				if r.TS != m.TS {
					n, last = n+1, r.TS
				}
			}
			o["reply_count"], o["latest_reply"] = n, last
		} else if c := s.channels[m.Channel]; c != nil && c.byTS[m.ThreadTS] != nil {
			o["parent_user_id"] = c.byTS[m.ThreadTS].User
		}
	}
	if m.Edits > 0 && !m.Streamed {
		us := m.Changed.UnixMicro()
		o["edited"] = obj{"user": m.User, "ts": fmt.Sprintf("%d.%06d", us/1e6, us%1e6)}
	}
	if len(m.Reactions) > 0 {
		o["reactions"] = m.Reactions
	}
	if len(m.Files) > 0 {
		var files []obj
		for _, f := range m.Files {
			files = append(files, s.fileJSON(&f))
		}
		o["files"], o["upload"] = files, false
	}
	return o
}

// openConnection answers apps.connections.open with the URL of a new
// Socket Mode connection.
func (s *Server) openConnection(*apiRequest) (obj, error) {
	ticket := s.nextIDLocked("t")
	s.sock.tickets[ticket] = true
	return obj{"url": "ws" + strings.TrimPrefix(s.base, "http") + "socket-mode?ticket=" + ticket}, nil
}
