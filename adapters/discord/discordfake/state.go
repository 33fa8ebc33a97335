package discordfake

import (
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Msg is one message as the fake holds it, as it stands now: a
// person's, or one the bot posted (through the channel, or as an
// interaction's response or follow-up), ephemeral or not.
type Msg struct {
	// ID, ChannelID and GuildID locate the message; GuildID is empty in a
	// DM.
	ID, ChannelID, GuildID string
	// AuthorID is the author's user id: a person's, or the bot's.
	AuthorID string
	// Type is Discord's message type: default, reply, or chat input
	// command for a slash command's response.
	Type discordgo.MessageType
	// Content, Embeds and Components are the message's content as sent
	// (components parsed by discordgo).
	Content    string
	Embeds     []*discordgo.MessageEmbed
	Components []discordgo.MessageComponent
	// Attachments are the files uploaded with it.
	Attachments []File
	// Flags are the message's flags (64 ephemeral, 128 loading: the
	// "thinking…" of a deferred response).
	Flags discordgo.MessageFlags
	// ReferenceID is the id of the message it replies to.
	ReferenceID string
	// ThreadID is the id of the thread started from it.
	ThreadID string
	// InteractionID is the id of the interaction it answers, for a
	// response or a follow-up.
	InteractionID string
	// Ephemeral is set on a message only one person sees, To.
	Ephemeral bool
	To        string
	// Edits counts the times it was changed after it was posted.
	Edits int
	// Deleted is set once it is deleted.
	Deleted bool
	// Posted is when it was posted and Edited when it last changed, by
	// Config.Now.
	Posted, Edited time.Time
	// Reactions are the reactions on it, in the order first added.
	Reactions []Reaction

	rawComponents json.RawMessage // as sent
	bot           bool
}

// Reaction is one emoji on a message and who reacted with it.
type Reaction struct {
	// Emoji is the unicode emoji, or name:id for a custom one.
	Emoji string
	// Users are the ids of the users who reacted, in order.
	Users []string
}

// File is a file uploaded with a message.
type File struct {
	// ID is the attachment's id.
	ID string
	// Field is the multipart field it came in ("files[0]").
	Field string
	// Filename and ContentType are as uploaded.
	Filename, ContentType string
	// Data is the file's content.
	Data []byte
	// URL is where the fake serves it.
	URL string
}

// FromBot reports whether the bot posted the message.
func (m Msg) FromBot() bool { return m.bot }

// Loading reports whether the message is a deferred response's
// placeholder ("Bot is thinking…") not yet edited.
func (m Msg) Loading() bool { return m.Flags&discordgo.MessageFlagsLoading != 0 }

// CustomIDs returns the custom ids of the message's buttons and selects,
// in order.
func (m Msg) CustomIDs() []string {
	var out []string
	walkComponents(m.Components, func(c discordgo.MessageComponent) {
		switch c := c.(type) {
		case discordgo.Button:
			if c.CustomID != "" {
				out = append(out, c.CustomID)
			}
		case *discordgo.Button:
			if c.CustomID != "" {
				out = append(out, c.CustomID)
			}
		case discordgo.SelectMenu:
			out = append(out, c.CustomID)
		case *discordgo.SelectMenu:
			out = append(out, c.CustomID)
		}
	})
	return out
}

// Labels returns the labels of the message's buttons, in order.
func (m Msg) Labels() []string {
	var out []string
	walkComponents(m.Components, func(c discordgo.MessageComponent) {
		switch c := c.(type) {
		case discordgo.Button:
			out = append(out, c.Label)
		case *discordgo.Button:
			out = append(out, c.Label)
		}
	})
	return out
}

// walkComponents calls f on every component of cs, rows and their
// children alike.
func walkComponents(cs []discordgo.MessageComponent, f func(discordgo.MessageComponent)) {
	for _, c := range cs {
		f(c)
		switch r := c.(type) {
		case discordgo.ActionsRow:
			walkComponents(r.Components, f)
		case *discordgo.ActionsRow:
			walkComponents(r.Components, f)
		case discordgo.Container:
			walkComponents(r.Components, f)
		case *discordgo.Container:
			walkComponents(r.Components, f)
		case discordgo.Section:
			walkComponents(r.Components, f)
		case *discordgo.Section:
			walkComponents(r.Components, f)
		}
	}
}

// channel is a channel as the fake holds it.
type channel struct {
	Channel
	ownerID  string
	msgs     []*Msg // in order, ephemerals left out
	typing   int
	archived bool
}

// addChannelLocked adds c to the guild's channels. s.mu is held.
func (s *Server) addChannelLocked(c Channel) *channel {
	if c.Type == 0 && c.Recipient != "" {
		c.Type = discordgo.ChannelTypeDM
	}
	ch := &channel{Channel: c}
	s.channels[c.ID] = ch
	s.channelOrder = append(s.channelOrder, c.ID)
	if c.Type == discordgo.ChannelTypeDM {
		s.dms[c.Recipient] = c.ID
	}
	return ch
}

// isThread reports whether a channel type is a thread's.
func isThread(t discordgo.ChannelType) bool {
	return t == discordgo.ChannelTypeGuildPublicThread || t == discordgo.ChannelTypeGuildPrivateThread ||
		t == discordgo.ChannelTypeGuildNewsThread
}

// guildOf returns the guild id of a channel: "" for a DM.
func (s *Server) guildOf(ch *channel) string {
	if ch.Type == discordgo.ChannelTypeDM || ch.Type == discordgo.ChannelTypeGroupDM {
		return ""
	}
	return s.cfg.GuildID
}

// DM returns the id of the DM channel between the bot and the person
// userID, making it when there is none yet (as POST /users/@me/channels
// does).
func (s *Server) DM(userID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dmLocked(userID).ID
}

func (s *Server) dmLocked(userID string) *channel {
	if id, ok := s.dms[userID]; ok {
		return s.channels[id]
	}
	return s.addChannelLocked(Channel{ID: s.snowflakeLocked(), Type: discordgo.ChannelTypeDM, Recipient: userID})
}

// Messages returns the messages of a channel (or thread) as people see
// them now, oldest first, deleted ones and ephemerals left out.
func (s *Server) Messages(channelID string) []Msg {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.channels[channelID]
	if ch == nil {
		return nil
	}
	var out []Msg
	for _, m := range ch.msgs {
		if !m.Deleted {
			out = append(out, m.clone())
		}
	}
	return out
}

// Message returns the message with the id, ephemeral or not; false if
// there is none (or it was deleted).
func (s *Server) Message(id string) (Msg, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.msgs[id]
	if !ok || m.Deleted {
		return Msg{}, false
	}
	return m.clone(), true
}

// Ephemerals returns the ephemeral messages shown to the person userID,
// oldest first.
func (s *Server) Ephemerals(userID string) []Msg {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Msg
	for _, m := range s.ephemerals {
		if m.To == userID && !m.Deleted {
			out = append(out, m.clone())
		}
	}
	return out
}

// Typing returns how many times the bot triggered the typing indicator
// in a channel.
func (s *Server) Typing(channelID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch := s.channels[channelID]; ch != nil {
		return ch.typing
	}
	return 0
}

// Reactions returns the reactions on a message.
func (s *Server) Reactions(messageID string) []Reaction {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.msgs[messageID]; m != nil {
		return m.clone().Reactions
	}
	return nil
}

// Threads returns the threads of the guild, in the order they were made
// (those in Config.Channels first).
func (s *Server) Threads() []Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Channel
	for _, id := range s.channelOrder {
		if ch := s.channels[id]; isThread(ch.Type) {
			out = append(out, ch.Channel)
		}
	}
	return out
}

// Channel returns the channel, thread or DM with the id; false if there
// is none.
func (s *Server) Channel(id string) (Channel, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channels[id]
	if !ok {
		return Channel{}, false
	}
	return ch.Channel, true
}

// Commands returns the application commands registered, global ones
// (GuildID empty) and guild ones, as the last bulk overwrite of each
// left them.
func (s *Server) Commands() []*discordgo.ApplicationCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*discordgo.ApplicationCommand
	for _, g := range slices.Sorted(maps.Keys(s.commands)) {
		for _, c := range s.commands[g] {
			var cmd discordgo.ApplicationCommand
			if json.Unmarshal(marshal(c), &cmd) == nil {
				out = append(out, &cmd)
			}
		}
	}
	return out
}

// clone returns a copy of m that shares nothing mutable with it.
func (m *Msg) clone() Msg {
	c := *m
	c.Embeds = slices.Clone(m.Embeds)
	c.Components = slices.Clone(m.Components)
	c.Attachments = slices.Clone(m.Attachments)
	c.Reactions = nil
	for _, r := range m.Reactions {
		c.Reactions = append(c.Reactions, Reaction{Emoji: r.Emoji, Users: slices.Clone(r.Users)})
	}
	return c
}

// addMessageLocked records a new message. s.mu is held.
func (s *Server) addMessageLocked(m *Msg) *Msg {
	m.ID = s.snowflakeLocked()
	m.Posted = snowflakeTime(m.ID)
	if m.Posted.IsZero() || m.Posted.Before(s.cfg.Now().Add(-time.Hour)) {
		m.Posted = s.cfg.Now()
	}
	s.msgs[m.ID] = m
	if m.Ephemeral {
		s.ephemerals = append(s.ephemerals, m)
	} else if ch := s.channels[m.ChannelID]; ch != nil {
		ch.msgs = append(ch.msgs, m)
	}
	s.changedLocked()
	return m
}

// timestamp formats t as Discord's ISO 8601 timestamps.
func timestamp(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000+00:00")
}

// userJSON is a user object.
func (s *Server) userJSON(id string) obj {
	p, ok := s.people[id]
	if !ok {
		p = Person{ID: id, Username: "unknown-" + id}
	}
	u := obj{
		"id": p.ID, "username": p.Username, "global_name": nilIfEmpty(p.GlobalName),
		"discriminator": "0", "avatar": nil, "public_flags": 0, "flags": 0,
		"banner": nil, "accent_color": nil, "avatar_decoration_data": nil,
	}
	if p.Bot {
		u["bot"] = true
	}
	return u
}

// rolesOf returns the roles of member id: the bot has its managed role.
func (s *Server) rolesOf(id string) []string {
	if id == s.cfg.BotUser.ID {
		return []string{BotRole}
	}
	return []string{}
}

// memberJSON is a guild member object; withUser adds the user.
func (s *Server) memberJSON(id string, withUser bool) obj {
	m := obj{
		"nick": nilIfEmpty(s.people[id].Nick), "avatar": nil, "roles": s.rolesOf(id),
		"joined_at": timestamp(snowflakeTime(s.cfg.GuildID)), "premium_since": nil,
		"deaf": false, "mute": false, "flags": 0, "pending": false,
	}
	if withUser {
		m["user"] = s.userJSON(id)
	}
	return m
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// channelJSON is a channel object.
func (s *Server) channelJSON(ch *channel) obj {
	o := obj{"id": ch.ID, "type": int(ch.Type), "flags": 0, "last_message_id": nil}
	if n := len(ch.msgs); n > 0 {
		o["last_message_id"] = ch.msgs[n-1].ID
	}
	if ch.Type == discordgo.ChannelTypeDM {
		o["recipients"] = []obj{s.userJSON(ch.Recipient)}
		return o
	}
	o["guild_id"] = s.cfg.GuildID
	o["name"] = ch.Name
	o["parent_id"] = nilIfEmpty(ch.ParentID)
	o["rate_limit_per_user"] = 0
	o["nsfw"] = false
	if isThread(ch.Type) {
		o["owner_id"] = ch.ownerID
		o["message_count"] = len(ch.msgs)
		o["member_count"] = 1
		o["total_message_sent"] = len(ch.msgs)
		o["thread_metadata"] = obj{
			"archived": ch.archived, "auto_archive_duration": 1440, "locked": false,
			"archive_timestamp": timestamp(snowflakeTime(ch.ID)),
			"create_timestamp":  timestamp(snowflakeTime(ch.ID)),
		}
	} else {
		o["position"] = slices.Index(s.channelOrder, ch.ID)
		o["topic"] = nil
		o["permission_overwrites"] = []obj{}
	}
	return o
}

// mentionRE finds user mentions in content.
var mentionRE = regexp.MustCompile(`<@!?(\d+)>`)

// mentionsOf returns the ids of the users content mentions, once each.
func mentionsOf(content string) []string {
	var out []string
	for _, m := range mentionRE.FindAllStringSubmatch(content, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

// messageJSON is a message object as the REST API answers it; gateway
// adds guild_id and member to it for guild messages.
func (s *Server) messageJSON(m *Msg, gateway bool) obj {
	var mentions []obj
	for _, id := range mentionsOf(m.Content) {
		u := s.userJSON(id)
		if gateway && m.GuildID != "" {
			u["member"] = s.memberJSON(id, false)
		}
		mentions = append(mentions, u)
	}
	if mentions == nil {
		mentions = []obj{}
	}
	atts := []obj{}
	for _, f := range m.Attachments {
		atts = append(atts, obj{
			"id": f.ID, "filename": f.Filename, "size": len(f.Data), "url": f.URL, "proxy_url": f.URL,
			"content_type": nilIfEmpty(f.ContentType),
		})
	}
	embeds := m.Embeds
	if embeds == nil {
		embeds = []*discordgo.MessageEmbed{}
	}
	var comps any = m.rawComponents
	if m.rawComponents == nil {
		comps = []obj{}
	}
	var edited any
	if m.Edits > 0 {
		edited = timestamp(m.Edited)
	}
	o := obj{
		"id": m.ID, "type": int(m.Type), "content": m.Content, "channel_id": m.ChannelID,
		"author": s.userJSON(m.AuthorID), "attachments": atts, "embeds": embeds,
		"mentions": mentions, "mention_roles": []string{}, "pinned": false,
		"mention_everyone": false, "tts": false, "timestamp": timestamp(m.Posted),
		"edited_timestamp": edited, "flags": int(m.Flags), "components": comps,
	}
	if m.ReferenceID != "" {
		ref := obj{"type": 0, "channel_id": m.ChannelID, "message_id": m.ReferenceID}
		if m.GuildID != "" {
			ref["guild_id"] = m.GuildID
		}
		o["message_reference"] = ref
		if r := s.msgs[m.ReferenceID]; r != nil && !r.Deleted {
			o["referenced_message"] = s.messageJSON(r, false)
		}
	}
	if m.InteractionID != "" {
		o["application_id"] = s.cfg.ApplicationID
		o["webhook_id"] = s.cfg.ApplicationID
		if ia := s.interactions[m.InteractionID]; ia != nil {
			o["interaction_metadata"] = obj{
				"id": ia.id, "type": ia.kind, "user": s.userJSON(ia.userID),
				"authorizing_integration_owners": obj{"0": s.cfg.GuildID},
			}
		}
	}
	if m.ThreadID != "" {
		if th := s.channels[m.ThreadID]; th != nil {
			o["thread"] = s.channelJSON(th)
		}
	}
	if gateway && m.GuildID != "" {
		o["guild_id"] = m.GuildID
		o["member"] = s.memberJSON(m.AuthorID, false)
	}
	return o
}

// sortedIDs sorts snowflake ids by value.
func idLess(a, b string) bool {
	x, _ := strconv.ParseUint(a, 10, 64)
	y, _ := strconv.ParseUint(b, 10, 64)
	return x < y
}
