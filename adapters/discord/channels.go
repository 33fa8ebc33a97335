package discord

import (
	"context"
	"fmt"
	"sync"

	"github.com/bwmarrin/discordgo"

	"github.com/parleybot/parley/bot"
)

// How the adapter maps Discord onto bot.Address:
//
//   - Workspace is the guild id, empty for direct messages;
//   - Channel is the text channel (or the DM channel);
//   - Thread, for a conversation in a Discord thread, is the thread's
//     channel id. A thread opened on a message has that message's id, so
//     Thread is also the id of the thread's root message, as package bot
//     reads it.
//
// The bot reads the threads it is part of — it opened them, was added to
// them, or was mentioned or answered in them — and only mentions in
// others. After a restart it knows a thread from Discord's word (the
// thread's member field, THREAD_MEMBERS_UPDATE) or because it opened it.
//
// A message written in a thread arrives with the thread as its channel;
// the adapter learns the thread's parent from the gateway (GUILD_CREATE,
// THREAD_CREATE) or, once per thread, from GET /channels/{id}. Every
// address of a conversation is the same whichever event it came from.

// chanInfo is what the adapter knows of a channel.
type chanInfo struct {
	Type     discordgo.ChannelType
	ParentID string
	GuildID  string
	Name     string
	OwnerID  string // for a thread, who opened it
	Member   bool   // for a thread, Discord said the bot is a member
}

func infoOf(ch *discordgo.Channel) chanInfo {
	return chanInfo{Type: ch.Type, ParentID: ch.ParentID, GuildID: ch.GuildID, Name: ch.Name, OwnerID: ch.OwnerID, Member: ch.Member != nil}
}

func (c chanInfo) thread() bool {
	switch c.Type {
	case discordgo.ChannelTypeGuildPublicThread, discordgo.ChannelTypeGuildPrivateThread, discordgo.ChannelTypeGuildNewsThread:
		return true
	}
	return false
}

// maxChannels bounds the channel cache; past it, it starts afresh.
const maxChannels = 50_000

// channelCache holds channels seen or looked up, and the threads the bot
// is part of.
type channelCache struct {
	mu     sync.Mutex
	m      map[string]chanInfo
	joined map[string]bool // thread → the bot joined (true) or left (false) it
}

func (c *channelCache) put(ch *discordgo.Channel) {
	if ch == nil || ch.ID == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxChannels {
		c.m = map[string]chanInfo{}
	}
	ci := infoOf(ch)
	if old, ok := c.m[ch.ID]; ok && ch.Member == nil {
		ci.Member = old.Member // an update without the member field says nothing of it
	}
	c.m[ch.ID] = ci
}

// join records that the bot is part of thread id (joined) or is not.
func (c *channelCache) join(id string, joined bool) {
	if id == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.joined == nil || len(c.joined) >= maxChannels {
		c.joined = map[string]bool{}
	}
	c.joined[id] = joined
}

// partOf reports whether the bot, me, is part of thread id: it opened
// it, was added to it, or answered in it — as far as this process has
// seen or Discord said.
func (c *channelCache) partOf(id, me string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if j, ok := c.joined[id]; ok {
		return j
	}
	ci := c.m[id]
	return ci.Member || (me != "" && ci.OwnerID == me)
}

func (c *channelCache) get(id string) (chanInfo, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ci, ok := c.m[id]
	return ci, ok
}

// channel returns what the adapter knows of channel id: from its cache,
// discordgo's state, or Discord.
func (a *Adapter) channel(ctx context.Context, id string) (chanInfo, error) {
	if ci, ok := a.channels.get(id); ok {
		return ci, nil
	}
	if ch, err := a.s.State.Channel(id); err == nil {
		a.channels.put(ch)
		return infoOf(ch), nil
	}
	ch, err := a.s.Channel(id, discordgo.WithContext(ctx))
	if err != nil {
		return chanInfo{}, fmt.Errorf("discord: GET /channels/%s: %w", id, err)
	}
	a.channels.put(ch)
	ci, _ := a.channels.get(id)
	return ci, nil
}

// addressOf returns the address of a conversation in channel id of guild
// (empty for a DM), and whether that channel is a thread.
func (a *Adapter) addressOf(ctx context.Context, guild, id string) (bot.Address, bool, error) {
	addr := bot.Address{Platform: Platform, Workspace: guild, Channel: id}
	if guild == "" {
		return addr, false, nil
	}
	ci, err := a.channel(ctx, id)
	if err != nil {
		return addr, false, err
	}
	if ci.thread() && ci.ParentID != "" {
		addr.Channel, addr.Thread = ci.ParentID, id
		return addr, true, nil
	}
	return addr, false, nil
}

// target returns the Discord channel a message to addr goes to: its
// thread, else its channel.
func target(addr bot.Address) string {
	if addr.Thread != "" {
		return addr.Thread
	}
	return addr.Channel
}
