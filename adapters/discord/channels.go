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

// channelCache holds channels seen or looked up.
type channelCache struct {
	mu sync.Mutex
	m  map[string]chanInfo
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
	c.m[ch.ID] = chanInfo{Type: ch.Type, ParentID: ch.ParentID, GuildID: ch.GuildID, Name: ch.Name}
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
		return chanInfo{Type: ch.Type, ParentID: ch.ParentID, GuildID: ch.GuildID, Name: ch.Name}, nil
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
