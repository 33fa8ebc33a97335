package discordfake

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/bwmarrin/discordgo"
)

// routeTable lists the REST routes the fake serves.
func (s *Server) routeTable() []route {
	bot := func(t string, h handler) route { return route{template: t, auth: authBot, h: h} }
	open := func(t string, h handler) route { return route{template: t, auth: authNone, h: h} }
	return []route{
		bot(RouteGetGateway, (*Server).getGateway),
		bot(RouteGetGatewayBot, (*Server).getGateway),
		bot(RouteGetChannel, (*Server).getChannel),
		bot(RouteGetMessages, (*Server).getMessages),
		bot(RouteGetMessage, (*Server).getMessage),
		bot(RouteCreateMessage, (*Server).createMessage),
		bot(RouteEditMessage, (*Server).editMessage),
		bot(RouteDeleteMessage, (*Server).deleteMessage),
		bot(RouteStartThreadFromMessage, (*Server).startThreadFromMessage),
		bot(RouteStartThread, (*Server).startThread),
		bot(RouteCreateReaction, (*Server).react),
		bot(RouteDeleteOwnReaction, (*Server).react),
		bot(RouteTriggerTyping, (*Server).typing),
		bot(RouteGetCurrentUser, (*Server).getCurrentUser),
		bot(RouteGetUser, (*Server).getUser),
		bot(RouteCreateDM, (*Server).createDM),
		bot(RouteGetGuild, (*Server).getGuild),
		bot(RouteGetMember, (*Server).getMember),
		bot(RouteSearchMembers, (*Server).searchMembers),
		bot(RouteGetApplication, (*Server).getApplication),
		bot(RouteGetOAuth2Application, (*Server).getApplication),
		bot(RouteGetGlobalCommands, (*Server).getCommands),
		bot(RoutePutGlobalCommands, (*Server).putCommands),
		bot(RouteGetGuildCommands, (*Server).getCommands),
		bot(RoutePutGuildCommands, (*Server).putCommands),
		open(RouteInteractionCallback, (*Server).interactionCallback),
		open(RouteCreateFollowup, (*Server).createFollowup),
		open(RouteGetOriginal, (*Server).webhookMessage),
		open(RouteEditOriginal, (*Server).webhookMessage),
		open(RouteDeleteOriginal, (*Server).webhookMessage),
		open(RouteGetFollowup, (*Server).webhookMessage),
		open(RouteEditFollowup, (*Server).webhookMessage),
		open(RouteDeleteFollowup, (*Server).webhookMessage),
	}
}

func (s *Server) getGateway(q *request) (int, any, error) {
	o := obj{"url": s.GatewayURL()}
	if q.call.Route == RouteGetGatewayBot {
		o["shards"] = s.cfg.Shards
		o["session_start_limit"] = obj{"total": 1000, "remaining": 999, "reset_after": 14400000, "max_concurrency": 1}
	}
	return http.StatusOK, o, nil
}

// channelLocked returns the channel of the path's channel.id.
func (s *Server) channelLocked(q *request) (*channel, error) {
	ch := s.channels[q.path("channel.id")]
	if ch == nil {
		return nil, apiError(10003)
	}
	return ch, nil
}

// channelMessageLocked returns the channel of the path's channel.id and
// its message of the path's message.id.
func (s *Server) channelMessageLocked(q *request) (*channel, *Msg, error) {
	ch, err := s.channelLocked(q)
	if err != nil {
		return nil, nil, err
	}
	m := s.msgs[q.path("message.id")]
	if m == nil || m.Deleted || m.Ephemeral || m.ChannelID != ch.ID {
		return nil, nil, apiError(10008)
	}
	return ch, m, nil
}

func (s *Server) getChannel(q *request) (int, any, error) {
	ch, err := s.channelLocked(q)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, s.channelJSON(ch), nil
}

func (s *Server) getMessage(q *request) (int, any, error) {
	_, m, err := s.channelMessageLocked(q)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, s.messageJSON(m, false), nil
}

// getMessages answers a page of a channel's messages, newest first, as
// Discord does: before, after or around a message id, limit 1–100
// (default 50).
func (s *Server) getMessages(q *request) (int, any, error) {
	ch, err := s.channelLocked(q)
	if err != nil {
		return 0, nil, err
	}
	limit := 50
	if l := q.query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 100 {
			return 0, nil, formError("limit", "NUMBER_TYPE_MAX", "int value should be between 1 and 100.")
		}
		limit = n
	}
	var live []*Msg
	for _, m := range ch.msgs {
		if !m.Deleted {
			live = append(live, m)
		}
	}
	var page []*Msg // oldest first
	switch before, after, around := q.query("before"), q.query("after"), q.query("around"); {
	case after != "":
		for _, m := range live {
			if idLess(after, m.ID) && len(page) < limit {
				page = append(page, m)
			}
		}
	case around != "":
		i := slices.IndexFunc(live, func(m *Msg) bool { return !idLess(m.ID, around) })
		if i < 0 {
			i = len(live)
		}
		lo := max(i-limit/2, 0)
		page = live[lo:min(lo+limit, len(live))]
	default:
		end := len(live)
		if before != "" {
			end = slices.IndexFunc(live, func(m *Msg) bool { return !idLess(m.ID, before) })
			if end < 0 {
				end = len(live)
			}
		}
		page = live[max(end-limit, 0):end]
	}
	out := []obj{}
	for i := len(page) - 1; i >= 0; i-- {
		out = append(out, s.messageJSON(page[i], false))
	}
	return http.StatusOK, out, nil
}

// attachLocked gives uploaded files their ids and URLs. s.mu is held.
func (s *Server) attachLocked(channelID string, files []File) []File {
	out := slices.Clone(files)
	for i := range out {
		out[i].ID = s.snowflakeLocked()
		out[i].URL = s.hts.URL + "/attachments/" + channelID + "/" + out[i].ID + "/" + out[i].Filename
		if out[i].ContentType == "" {
			out[i].ContentType = "application/octet-stream"
		}
	}
	return out
}

// newBotMessageLocked makes a message of the bot from a checked body.
// s.mu is held.
func (s *Server) newBotMessageLocked(ch *channel, p *parsedMessage, files []File) *Msg {
	m := &Msg{ChannelID: ch.ID, GuildID: s.guildOf(ch), AuthorID: s.cfg.BotUser.ID, bot: true}
	if p.content != nil {
		m.Content = *p.content
	}
	m.Embeds, m.Components, m.rawComponents = p.embeds, p.components, p.rawComponents
	if p.flags != nil {
		m.Flags = *p.flags
	}
	m.Attachments = s.attachLocked(ch.ID, files)
	return m
}

func (s *Server) createMessage(q *request) (int, any, error) {
	ch, err := s.channelLocked(q)
	if err != nil {
		return 0, nil, err
	}
	p, err := parseMessage(q.payload, true, len(q.files))
	if err != nil {
		return 0, nil, err
	}
	m := s.newBotMessageLocked(ch, p, q.files)
	m.Flags &^= discordgo.MessageFlagsEphemeral
	if ref := p.body.MessageReference; ref != nil {
		r := s.msgs[ref.MessageID]
		if r == nil || r.Deleted || r.ChannelID != ch.ID {
			return 0, nil, formError("message_reference", "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message")
		}
		m.ReferenceID = ref.MessageID
		m.Type = discordgo.MessageTypeReply
	}
	s.addMessageLocked(m)
	s.dispatchMessageLocked("MESSAGE_CREATE", m)
	return http.StatusOK, s.messageJSON(m, false), nil
}

// editLocked applies a checked edit to m. s.mu is held.
func (s *Server) editLocked(m *Msg, p *parsedMessage, files []File) {
	if p.content != nil {
		m.Content = *p.content
	}
	if given(p.body.Embeds) {
		m.Embeds = p.embeds
	}
	if p.rawComponents != nil {
		m.Components, m.rawComponents = p.components, p.rawComponents
		if null(p.body.Components) {
			m.Components, m.rawComponents = nil, nil
		}
	}
	if p.flags != nil {
		keep := m.Flags & (discordgo.MessageFlagsEphemeral)
		m.Flags = *p.flags&^discordgo.MessageFlagsEphemeral | keep
	}
	if given(p.body.Attachments) {
		var keep []struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(p.body.Attachments, &keep)
		m.Attachments = slices.DeleteFunc(m.Attachments, func(f File) bool {
			return !slices.ContainsFunc(keep, func(k struct {
				ID string `json:"id"`
			}) bool {
				return k.ID == f.ID
			})
		})
	}
	m.Attachments = append(m.Attachments, s.attachLocked(m.ChannelID, files)...)
	if m.Loading() {
		m.Flags &^= discordgo.MessageFlagsLoading
	} else {
		m.Edits++
	}
	m.Edited = s.cfg.Now()
	s.changedLocked()
	if !m.Ephemeral {
		s.dispatchMessageLocked("MESSAGE_UPDATE", m)
	}
}

func (s *Server) editMessage(q *request) (int, any, error) {
	_, m, err := s.channelMessageLocked(q)
	if err != nil {
		return 0, nil, err
	}
	if !m.bot {
		return 0, nil, apiError(50005)
	}
	p, err := parseMessage(q.payload, false, len(q.files))
	if err != nil {
		return 0, nil, err
	}
	s.editLocked(m, p, q.files)
	return http.StatusOK, s.messageJSON(m, false), nil
}

func (s *Server) deleteMessage(q *request) (int, any, error) {
	_, m, err := s.channelMessageLocked(q)
	if err != nil {
		return 0, nil, err
	}
	s.deleteLocked(m)
	return http.StatusNoContent, nil, nil
}

// deleteLocked deletes m. s.mu is held.
func (s *Server) deleteLocked(m *Msg) {
	m.Deleted = true
	s.changedLocked()
	if !m.Ephemeral {
		d := obj{"id": m.ID, "channel_id": m.ChannelID}
		if m.GuildID != "" {
			d["guild_id"] = m.GuildID
		}
		s.dispatchLocked("MESSAGE_DELETE", m.GuildID, intentFor(m.GuildID), d)
	}
}

// threadBody is the JSON of a thread start.
type threadBody struct {
	Name string                `json:"name"`
	Type discordgo.ChannelType `json:"type"`
}

func parseThread(payload []byte) (threadBody, error) {
	var b threadBody
	if json.Unmarshal(payload, &b) != nil {
		return b, formError("", "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
	}
	if n := len([]rune(b.Name)); n < 1 || n > 100 {
		return b, formError("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
	}
	return b, nil
}

func (s *Server) startThreadFromMessage(q *request) (int, any, error) {
	ch, m, err := s.channelMessageLocked(q)
	if err != nil {
		return 0, nil, err
	}
	if ch.Type != discordgo.ChannelTypeGuildText && ch.Type != discordgo.ChannelTypeGuildNews {
		return 0, nil, apiError(50024)
	}
	if m.ThreadID != "" {
		return 0, nil, apiError(160004)
	}
	b, err := parseThread(q.payload)
	if err != nil {
		return 0, nil, err
	}
	// A thread started from a message takes the message's id.
	th := s.addChannelLocked(Channel{ID: m.ID, Name: b.Name, Type: discordgo.ChannelTypeGuildPublicThread, ParentID: ch.ID})
	th.ownerID = s.cfg.BotUser.ID
	m.ThreadID = th.ID
	s.threadCreatedLocked(th)
	return http.StatusCreated, s.channelJSON(th), nil
}

func (s *Server) startThread(q *request) (int, any, error) {
	ch, err := s.channelLocked(q)
	if err != nil {
		return 0, nil, err
	}
	if ch.Type != discordgo.ChannelTypeGuildText && ch.Type != discordgo.ChannelTypeGuildNews {
		return 0, nil, apiError(50024)
	}
	b, err := parseThread(q.payload)
	if err != nil {
		return 0, nil, err
	}
	if b.Type == 0 {
		b.Type = discordgo.ChannelTypeGuildPrivateThread
	}
	if !isThread(b.Type) {
		return 0, nil, formError("type", "BASE_TYPE_CHOICES", "Value must be one of {10, 11, 12}.")
	}
	th := s.addChannelLocked(Channel{ID: s.snowflakeLocked(), Name: b.Name, Type: b.Type, ParentID: ch.ID})
	th.ownerID = s.cfg.BotUser.ID
	s.threadCreatedLocked(th)
	return http.StatusCreated, s.channelJSON(th), nil
}

// threadCreatedLocked tells the gateway of a new thread. s.mu is held.
func (s *Server) threadCreatedLocked(th *channel) {
	s.changedLocked()
	d := s.channelJSON(th)
	d["newly_created"] = true
	s.dispatchLocked("THREAD_CREATE", s.cfg.GuildID, discordgo.IntentGuilds, d)
}

// customEmoji is a custom emoji as a reaction route names it.
var customEmoji = regexp.MustCompile(`^[A-Za-z0-9_]{2,32}:\d+$`)

// validEmoji reports whether e names an emoji: a custom one (name:id)
// or a unicode one. A name between colons (":eyes:") is not one.
func validEmoji(e string) bool {
	if customEmoji.MatchString(e) {
		return true
	}
	for _, r := range e {
		if r > unicode.MaxASCII {
			return true
		}
	}
	return false
}

func (s *Server) react(q *request) (int, any, error) {
	_, m, err := s.channelMessageLocked(q)
	if err != nil {
		return 0, nil, err
	}
	emoji := q.path("emoji")
	if !validEmoji(emoji) {
		return 0, nil, apiError(10014)
	}
	s.reactLocked(m, emoji, s.cfg.BotUser.ID, q.r.Method == http.MethodPut)
	return http.StatusNoContent, nil, nil
}

// reactLocked adds (or removes) user's reaction emoji on m. s.mu is held.
func (s *Server) reactLocked(m *Msg, emoji, user string, add bool) {
	i := slices.IndexFunc(m.Reactions, func(r Reaction) bool { return r.Emoji == emoji })
	switch {
	case add && i < 0:
		m.Reactions = append(m.Reactions, Reaction{Emoji: emoji, Users: []string{user}})
	case add && !slices.Contains(m.Reactions[i].Users, user):
		m.Reactions[i].Users = append(m.Reactions[i].Users, user)
	case !add && i >= 0:
		m.Reactions[i].Users = slices.DeleteFunc(m.Reactions[i].Users, func(u string) bool { return u == user })
		if len(m.Reactions[i].Users) == 0 {
			m.Reactions = slices.Delete(m.Reactions, i, i+1)
		}
	}
	s.changedLocked()
}

func (s *Server) typing(q *request) (int, any, error) {
	ch, err := s.channelLocked(q)
	if err != nil {
		return 0, nil, err
	}
	ch.typing++
	s.changedLocked()
	return http.StatusNoContent, nil, nil
}

func (s *Server) getCurrentUser(*request) (int, any, error) {
	return http.StatusOK, s.userJSON(s.cfg.BotUser.ID), nil
}

func (s *Server) getUser(q *request) (int, any, error) {
	id := q.path("user.id")
	if _, ok := s.people[id]; !ok {
		return 0, nil, apiError(10013)
	}
	return http.StatusOK, s.userJSON(id), nil
}

func (s *Server) createDM(q *request) (int, any, error) {
	var b struct {
		RecipientID string `json:"recipient_id"`
	}
	if json.Unmarshal(q.payload, &b) != nil || b.RecipientID == "" {
		return 0, nil, formError("recipient_id", "BASE_TYPE_REQUIRED", "This field is required")
	}
	if _, ok := s.people[b.RecipientID]; !ok || b.RecipientID == s.cfg.BotUser.ID {
		return 0, nil, apiError(10013)
	}
	return http.StatusOK, s.channelJSON(s.dmLocked(b.RecipientID)), nil
}

// guildLocked checks the path's guild.id.
func (s *Server) guildLocked(q *request) error {
	if q.path("guild.id") != s.cfg.GuildID {
		return apiError(10004)
	}
	return nil
}

func (s *Server) getGuild(q *request) (int, any, error) {
	if err := s.guildLocked(q); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, s.guildJSON(), nil
}

// guildJSON is the guild object.
func (s *Server) guildJSON() obj {
	return obj{
		"id": s.cfg.GuildID, "name": s.cfg.GuildName, "icon": nil, "splash": nil, "owner_id": s.cfg.People[0].ID,
		"afk_channel_id": nil, "afk_timeout": 300, "verification_level": 0, "default_message_notifications": 0,
		"explicit_content_filter": 0, "features": []string{}, "mfa_level": 0, "application_id": nil,
		"system_channel_id": nil, "system_channel_flags": 0, "rules_channel_id": nil, "vanity_url_code": nil,
		"description": nil, "banner": nil, "premium_tier": 0, "preferred_locale": "en-US", "nsfw_level": 0,
		"roles": []obj{{
			"id": s.cfg.GuildID, "name": "@everyone", "color": 0, "hoist": false, "position": 0,
			"permissions": "2248473465835073", "managed": false, "mentionable": false, "flags": 0,
		}, {
			"id": BotRole, "name": s.cfg.ApplicationName, "color": 0, "hoist": false, "position": 1,
			"permissions": "0", "managed": true, "mentionable": false, "flags": 0,
			"tags": obj{"bot_id": s.cfg.BotUser.ID},
		}},
		"emojis": []obj{}, "stickers": []obj{},
	}
}

func (s *Server) getMember(q *request) (int, any, error) {
	if err := s.guildLocked(q); err != nil {
		return 0, nil, err
	}
	id := q.path("user.id")
	if _, ok := s.people[id]; !ok {
		return 0, nil, apiError(10007)
	}
	return http.StatusOK, s.memberJSON(id, true), nil
}

// searchMembers answers the members whose username, global name or nick
// starts with the query, ignoring case; limit 1–1000, default 1.
func (s *Server) searchMembers(q *request) (int, any, error) {
	if err := s.guildLocked(q); err != nil {
		return 0, nil, err
	}
	if !q.r.URL.Query().Has("query") {
		return 0, nil, formError("query", "BASE_TYPE_REQUIRED", "This field is required")
	}
	query := strings.ToLower(q.query("query"))
	limit := 1
	if l := q.query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 1000 {
			return 0, nil, formError("limit", "NUMBER_TYPE_MAX", "int value should be between 1 and 1000.")
		}
		limit = n
	}
	out := []obj{}
	for _, p := range append([]Person{s.cfg.BotUser}, s.cfg.People...) {
		match := false
		for _, name := range []string{p.Username, p.GlobalName, p.Nick} {
			if name != "" && strings.HasPrefix(strings.ToLower(name), query) {
				match = true
			}
		}
		if match && len(out) < limit {
			out = append(out, s.memberJSON(p.ID, true))
		}
	}
	return http.StatusOK, out, nil
}

// The application flags that reveal the MESSAGE_CONTENT intent.
const (
	flagGatewayMessageContent        = 1 << 18
	flagGatewayMessageContentLimited = 1 << 19
)

// appFlags are the application's flags.
func (s *Server) appFlags() int {
	switch s.cfg.MessageContent {
	case Granted:
		return flagGatewayMessageContent
	case GrantedLimited:
		return flagGatewayMessageContentLimited
	}
	return 0
}

func (s *Server) getApplication(*request) (int, any, error) {
	flags := s.appFlags()
	return http.StatusOK, obj{
		"id": s.cfg.ApplicationID, "name": s.cfg.ApplicationName, "icon": nil, "description": "",
		"summary": "", "type": nil, "hook": true, "bot_public": true, "bot_require_code_grant": false,
		"verify_key": s.PublicKeyHex(), "flags": flags, "bot": s.userJSON(s.cfg.BotUser.ID),
		"owner": s.userJSON(s.cfg.People[0].ID), "team": nil, "approximate_guild_count": 1,
		"interactions_endpoint_url": nil, "redirect_uris": []string{}, "tags": []string{},
	}, nil
}

// commandsKey is the key of the commands a route names: the guild id,
// "" for global ones.
func (s *Server) commandsKey(q *request) (string, error) {
	if q.path("application.id") != s.cfg.ApplicationID {
		return "", httpError(http.StatusForbidden)
	}
	g := q.path("guild.id")
	if q.call.Route == RouteGetGuildCommands || q.call.Route == RoutePutGuildCommands {
		if g != s.cfg.GuildID {
			return "", apiError(50001)
		}
	}
	return g, nil
}

func (s *Server) getCommands(q *request) (int, any, error) {
	g, err := s.commandsKey(q)
	if err != nil {
		return 0, nil, err
	}
	out := s.commands[g]
	if out == nil {
		out = []obj{}
	}
	return http.StatusOK, out, nil
}

// commandName is what Discord accepts as a chat input command's name.
var commandName = regexp.MustCompile(`^[-_\p{Ll}\p{N}\p{Lo}]{1,32}$`)

// putCommands replaces the commands (a bulk overwrite), keeping the id
// of a command whose name stays.
func (s *Server) putCommands(q *request) (int, any, error) {
	g, err := s.commandsKey(q)
	if err != nil {
		return 0, nil, err
	}
	var cmds []obj
	if json.Unmarshal(q.payload, &cmds) != nil {
		return 0, nil, formError("", "BASE_TYPE_LIST", "Must be a list.")
	}
	var fe formErrors
	var out []obj
	for i, c := range cmds {
		at := strconv.Itoa(i)
		name, _ := c["name"].(string)
		desc, _ := c["description"].(string)
		typ, _ := c["type"].(float64)
		if typ == 0 {
			typ = 1
		}
		if !commandName.MatchString(name) {
			fe.add(at+".name", "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
		}
		if n := len([]rune(desc)); typ == 1 && (n < 1 || n > 100) {
			fe.add(at+".description", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
		}
		cmd := obj{}
		for k, v := range c {
			cmd[k] = v
		}
		cmd["type"] = int(typ)
		cmd["id"] = s.snowflakeLocked()
		for _, old := range s.commands[g] {
			if old["name"] == name {
				cmd["id"] = old["id"]
			}
		}
		cmd["application_id"] = s.cfg.ApplicationID
		cmd["version"] = s.snowflakeLocked()
		if g != "" {
			cmd["guild_id"] = g
		}
		if _, ok := cmd["default_member_permissions"]; !ok {
			cmd["default_member_permissions"] = nil
		}
		cmd["nsfw"] = cmd["nsfw"] == true
		out = append(out, cmd)
	}
	if err := fe.err(); err != nil {
		return 0, nil, err
	}
	if out == nil {
		out = []obj{}
	}
	s.commands[g] = out
	s.changedLocked()
	return http.StatusOK, out, nil
}
