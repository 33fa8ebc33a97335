package discordfake

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/bwmarrin/discordgo"
)

// Event is what Discord sends an application when a person acts: a
// gateway dispatch (MESSAGE_CREATE…), or an interaction, which goes over
// the gateway as INTERACTION_CREATE or to an Interactions Endpoint URL
// (PostInteraction). Sending the same Event again (Dispatch) is a
// redelivery: it carries the same ids.
type Event struct {
	// Type is the dispatch's name: "MESSAGE_CREATE", "MESSAGE_UPDATE",
	// "MESSAGE_DELETE" or "INTERACTION_CREATE".
	Type string
	// ID is the message's id, or the interaction's.
	ID string
	// Data is the dispatch's "d", which is also the body of an
	// interaction posted over HTTP.
	Data json.RawMessage
	// ChannelID and GuildID locate the event (GuildID is empty in a DM);
	// UserID is the person who acted; MessageID the message concerned
	// (the one written, edited, deleted or clicked).
	ChannelID, GuildID, UserID, MessageID string
	// Token is an interaction's token.
	Token string

	intent discordgo.Intent // what a session needs to get it
}

// Dispatch sends ev over the gateway (again), to every session that
// should get it.
func (s *Server) Dispatch(ev Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dispatchLocked(ev.Type, ev.GuildID, ev.intent, ev.Data)
}

// Events returns every event the fake built, in order.
func (s *Server) Events() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.events)
}

// personLocked returns a person of the guild, panicking on an unknown
// one: a test names only people it configured.
func (s *Server) personLocked(id string) Person {
	p, ok := s.people[id]
	if !ok {
		panic(fmt.Sprintf("discordfake: no person %q in Config.People", id))
	}
	return p
}

// knownChannelLocked returns a channel, panicking on an unknown one.
func (s *Server) knownChannelLocked(id string) *channel {
	ch := s.channels[id]
	if ch == nil {
		panic(fmt.Sprintf("discordfake: no channel %q (Config.Channels, Server.DM or a thread)", id))
	}
	return ch
}

// Mention records a message of the person userID in a channel (or
// thread, or DM) that mentions the bot: "<@bot> text", with the bot in
// its mentions; and dispatches MESSAGE_CREATE. It panics when the person
// or the channel is unknown.
func (s *Server) Mention(userID, channelID, text string) Event {
	return s.ChannelMessage(userID, channelID, "<@"+s.cfg.BotUser.ID+"> "+text)
}

// ChannelMessage records a message of the person userID in a channel,
// thread or DM, and dispatches MESSAGE_CREATE. A session without the
// MESSAGE_CONTENT intent gets it without its content unless it mentions
// the bot or is in a DM, as on Discord. It panics when the person or
// the channel is unknown.
func (s *Server) ChannelMessage(userID, channelID, text string) Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.personLocked(userID)
	ch := s.knownChannelLocked(channelID)
	m := s.addMessageLocked(&Msg{ChannelID: ch.ID, GuildID: s.guildOf(ch), AuthorID: userID, Content: text})
	return s.messageEventLocked("MESSAGE_CREATE", m)
}

// DirectMessage records a message of the person userID to the bot in
// their DM, and dispatches MESSAGE_CREATE.
func (s *Server) DirectMessage(userID, text string) Event {
	s.mu.Lock()
	ch := s.dmLocked(userID)
	s.mu.Unlock()
	return s.ChannelMessage(userID, ch.ID, text)
}

// ThreadMessage records a message of the person userID in a thread, and
// dispatches MESSAGE_CREATE. It panics when threadID is not a thread.
func (s *Server) ThreadMessage(userID, threadID, text string) Event {
	s.mu.Lock()
	ch := s.knownChannelLocked(threadID)
	s.mu.Unlock()
	if !isThread(ch.Type) {
		panic(fmt.Sprintf("discordfake: channel %q is not a thread", threadID))
	}
	return s.ChannelMessage(userID, threadID, text)
}

// messageEventLocked dispatches and records an event about m. s.mu is
// held.
func (s *Server) messageEventLocked(t string, m *Msg) Event {
	s.dispatchMessageLocked(t, m)
	ev := Event{
		Type: t, ID: m.ID, Data: marshal(s.messageJSON(m, true)), ChannelID: m.ChannelID,
		GuildID: m.GuildID, UserID: m.AuthorID, MessageID: m.ID, intent: intentFor(m.GuildID),
	}
	s.events = append(s.events, ev)
	return ev
}

// personMessageLocked returns a person's live message.
func (s *Server) personMessageLocked(id string) (*Msg, error) {
	m := s.msgs[id]
	if m == nil || m.Deleted {
		return nil, fmt.Errorf("discordfake: no message %q", id)
	}
	if m.bot {
		return nil, fmt.Errorf("discordfake: message %q is the bot's", id)
	}
	return m, nil
}

// EditMessage changes the text of a person's message, as its author
// does, and dispatches MESSAGE_UPDATE.
func (s *Server) EditMessage(messageID, text string) (Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.personMessageLocked(messageID)
	if err != nil {
		return Event{}, err
	}
	m.Content = text
	m.Edits++
	m.Edited = s.cfg.Now()
	s.changedLocked()
	return s.messageEventLocked("MESSAGE_UPDATE", m), nil
}

// DeleteMessage deletes a person's message, as its author does, and
// dispatches MESSAGE_DELETE.
func (s *Server) DeleteMessage(messageID string) (Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.personMessageLocked(messageID)
	if err != nil {
		return Event{}, err
	}
	s.deleteLocked(m)
	d := obj{"id": m.ID, "channel_id": m.ChannelID}
	if m.GuildID != "" {
		d["guild_id"] = m.GuildID
	}
	ev := Event{
		Type: "MESSAGE_DELETE", ID: m.ID, Data: marshal(d), ChannelID: m.ChannelID, GuildID: m.GuildID,
		UserID: m.AuthorID, MessageID: m.ID, intent: intentFor(m.GuildID),
	}
	s.events = append(s.events, ev)
	return ev, nil
}

// appPermissions is what the fake says the bot may do in a channel.
const appPermissions = "2248473465835073"

// interactionLocked makes an interaction of the person userID in ch,
// with data, about the message msg (nil for none); records it and, unless
// Config.HTTPInteractions, dispatches INTERACTION_CREATE. s.mu is held.
func (s *Server) newInteractionLocked(kind discordgo.InteractionType, userID string, ch *channel, msg *Msg, data any) Event {
	ia := &interaction{
		id: s.snowflakeLocked(), kind: kind, userID: userID, created: s.cfg.Now(),
	}
	ia.token = s.tokenLocked("aW50ZXJhY3Rpb246" + ia.id + ":")
	d := obj{
		"id": ia.id, "application_id": s.cfg.ApplicationID, "type": int(kind), "token": ia.token,
		"version": 1, "locale": "en-US", "entitlements": []obj{}, "entitlement_sku_ids": []string{},
		"app_permissions": appPermissions, "attachment_size_limit": 10485760,
	}
	if data != nil {
		d["data"] = data
	}
	if ch != nil {
		ia.channelID = ch.ID
		ia.guildID = s.guildOf(ch)
		d["channel_id"] = ch.ID
		d["channel"] = s.channelJSON(ch)
		if ia.guildID != "" {
			d["guild_id"] = ia.guildID
			d["guild"] = obj{"id": ia.guildID, "locale": "en-US", "features": []string{}}
			d["guild_locale"] = "en-US"
			d["context"] = 0
			d["authorizing_integration_owners"] = obj{"0": ia.guildID}
			member := s.memberJSON(userID, true)
			member["permissions"] = appPermissions
			d["member"] = member
		} else {
			d["context"] = 1
			d["authorizing_integration_owners"] = obj{"0": "0"}
			d["user"] = s.userJSON(userID)
		}
	} else if kind != discordgo.InteractionPing {
		d["user"] = s.userJSON(userID)
	}
	if msg != nil {
		ia.messageID = msg.ID
		d["message"] = s.messageJSON(msg, false)
	}
	ia.payload = marshal(d)
	s.interactions[ia.id] = ia
	ev := Event{
		Type: "INTERACTION_CREATE", ID: ia.id, Data: ia.payload, ChannelID: ia.channelID,
		GuildID: ia.guildID, UserID: userID, MessageID: ia.messageID, Token: ia.token,
	}
	s.events = append(s.events, ev)
	if !s.cfg.HTTPInteractions && kind != discordgo.InteractionPing {
		s.dispatchLocked(ev.Type, ev.GuildID, 0, ev.Data)
	}
	s.changedLocked()
	return ev
}

// componentLocked finds the component with customID on a live message
// the person userID can see.
func (s *Server) componentLocked(userID, messageID, customID string) (*Msg, discordgo.MessageComponent, error) {
	m := s.msgs[messageID]
	if m == nil || m.Deleted || (m.Ephemeral && m.To != userID) {
		return nil, nil, fmt.Errorf("discordfake: no message %q that %s sees", messageID, userID)
	}
	var found discordgo.MessageComponent
	walkComponents(m.Components, func(c discordgo.MessageComponent) {
		switch c := c.(type) {
		case *discordgo.Button:
			if c.CustomID == customID && c.Style != discordgo.LinkButton {
				found = c
			}
		case *discordgo.SelectMenu:
			if c.CustomID == customID {
				found = c
			}
		}
	})
	if found == nil {
		return nil, nil, fmt.Errorf("discordfake: message %q has no component with custom_id %q (it has %q)", messageID, customID, m.CustomIDs())
	}
	return m, found, nil
}

// componentOf finds the enabled component of type T (a button or a
// select, named kind) with customID on a message the person userID sees.
// s.mu is held.
func componentOf[T discordgo.MessageComponent](s *Server, userID, messageID, customID, kind string, disabled func(T) bool) (*Msg, T, error) {
	var zero T
	s.personLocked(userID)
	m, c, err := s.componentLocked(userID, messageID, customID)
	if err != nil {
		return nil, zero, err
	}
	t, ok := c.(T)
	switch {
	case !ok:
		return nil, zero, fmt.Errorf("discordfake: %q on message %q is not a %s", customID, messageID, kind)
	case disabled(t):
		return nil, zero, fmt.Errorf("discordfake: the %s %q on message %q is disabled", kind, customID, messageID)
	}
	return m, t, nil
}

// Click makes the person userID click the button with customID on a
// message: an interaction of type 3 (message component), with the
// message, a token and the clicker as member (user in a DM). Unless
// Config.HTTPInteractions, it is dispatched as INTERACTION_CREATE. It
// fails when the message has no such button, a disabled one included.
func (s *Server) Click(userID, messageID, customID string) (Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, _, err := componentOf(s, userID, messageID, customID, "button", func(b *discordgo.Button) bool { return b.Disabled })
	if err != nil {
		return Event{}, err
	}
	data := obj{"custom_id": customID, "component_type": int(discordgo.ButtonComponent)}
	return s.newInteractionLocked(discordgo.InteractionMessageComponent, userID, s.channels[m.ChannelID], m, data), nil
}

// Select makes the person userID choose values in the string select
// with customID on a message, as Click does for a button. It fails when
// a value is not one of the select's options, or there are fewer or
// more than it allows.
func (s *Server) Select(userID, messageID, customID string, values ...string) (Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, sel, err := componentOf(s, userID, messageID, customID, "select", func(s *discordgo.SelectMenu) bool { return s.Disabled })
	if err != nil {
		return Event{}, err
	}
	minV, maxV := 1, 1
	if sel.MinValues != nil {
		minV = *sel.MinValues
	}
	if sel.MaxValues > 0 {
		maxV = sel.MaxValues
	}
	if len(values) < minV || len(values) > maxV {
		return Event{}, fmt.Errorf("discordfake: the select %q takes %d to %d values, not %d", customID, minV, maxV, len(values))
	}
	if sel.MenuType == 0 || sel.MenuType == discordgo.StringSelectMenu {
		for _, v := range values {
			if !slices.ContainsFunc(sel.Options, func(o discordgo.SelectMenuOption) bool { return o.Value == v }) {
				return Event{}, fmt.Errorf("discordfake: %q is not an option of the select %q", v, customID)
			}
		}
	}
	typ := discordgo.ComponentType(sel.MenuType)
	if typ == 0 {
		typ = discordgo.SelectMenuComponent
	}
	data := obj{"custom_id": customID, "component_type": int(typ), "values": values}
	return s.newInteractionLocked(discordgo.InteractionMessageComponent, userID, s.channels[m.ChannelID], m, data), nil
}

// SlashCommand makes the person userID run the registered chat input
// command name in a channel (or thread or DM), with options (by name; a
// value's JSON type gives the option's type unless the command declares
// it): an interaction of type 2. Unless Config.HTTPInteractions, it is
// dispatched as INTERACTION_CREATE. It fails when no command of that
// name is registered for the guild or globally.
func (s *Server) SlashCommand(userID, channelID, name string, options map[string]any) (Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.personLocked(userID)
	ch := s.knownChannelLocked(channelID)
	var cmd obj
	for _, g := range []string{s.guildOf(ch), ""} {
		for _, c := range s.commands[g] {
			if c["name"] == name && (g != "" || cmd == nil) && cmd == nil {
				cmd = c
			}
		}
	}
	if cmd == nil {
		return Event{}, fmt.Errorf("discordfake: no command %q registered", name)
	}
	declared := map[string]float64{}
	if opts, ok := cmd["options"].([]any); ok {
		for _, o := range opts {
			if o, ok := o.(map[string]any); ok {
				n, _ := o["name"].(string)
				declared[n], _ = o["type"].(float64)
			}
		}
	}
	var opts []obj
	for _, k := range slices.Sorted(maps.Keys(options)) {
		v := options[k]
		typ := int(declared[k])
		if typ == 0 {
			switch v.(type) {
			case bool:
				typ = int(discordgo.ApplicationCommandOptionBoolean)
			case int, int64:
				typ = int(discordgo.ApplicationCommandOptionInteger)
			case float64, float32:
				typ = int(discordgo.ApplicationCommandOptionNumber)
			default:
				typ = int(discordgo.ApplicationCommandOptionString)
			}
		}
		opts = append(opts, obj{"name": k, "type": typ, "value": v})
	}
	data := obj{"id": cmd["id"], "name": name, "type": 1}
	if opts != nil {
		data["options"] = opts
	}
	if g, ok := cmd["guild_id"]; ok {
		data["guild_id"] = g
	}
	return s.newInteractionLocked(discordgo.InteractionApplicationCommand, userID, ch, nil, data), nil
}

// Ping makes the PING (type 1) Discord posts to an Interactions Endpoint
// URL to check it; post it with PostInteraction. It is never dispatched
// over the gateway.
func (s *Server) Ping() Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newInteractionLocked(discordgo.InteractionPing, s.cfg.People[0].ID, nil, nil, nil)
}
