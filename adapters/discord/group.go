package discord

import (
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/parleybot/parley/adapters/internal/platform"
	"github.com/parleybot/parley/render/discordui"
)

// A card that needs several Discord messages is one message to the bot,
// under the ID Post returned: the ids of the group, comma separated. A
// click names the Discord message it was on; for the bot to recognise its
// card — and for the card's closing to edit every message of it — the
// click must name the group. The group is written into the custom_id of
// every button and select of its messages, after the bot's id: the id,
// groupMark, then the group's message ids in base 36, separated by
// groupIDSep, with selfID standing for the message the component is on
// (whose id is not known before it is posted). A click read back from any
// process names the whole group, without memory. A custom_id that would
// pass Discord's 100 characters is left bare: a click on it names its
// message alone.

const (
	groupMark  = "~"
	groupIDSep = "."
	selfID     = "_"
	// maxCustomID is Discord's limit on a custom_id.
	maxCustomID = 100
)

// stampGroup returns m with the group ids written into the custom_ids of
// its components; m is ids[self], and ids[self] may be "". A group of one
// is returned as it is.
func stampGroup(m discordui.Message, ids []string, self int) discordui.Message {
	if len(ids) < 2 || len(m.Components) == 0 {
		return m
	}
	code, ok := groupCode(ids, self)
	if !ok {
		return m
	}
	stamp := func(id string) string {
		if id == "" || len(id)+len(code) > maxCustomID {
			return id
		}
		return id + code
	}
	rows := make([]discordgo.MessageComponent, len(m.Components))
	for i, c := range m.Components {
		rows[i] = stampComponent(c, stamp)
	}
	m.Components = rows
	return m
}

// stampComponent returns c with stamp applied to its custom_id and to
// those of the components it holds.
func stampComponent(c discordgo.MessageComponent, stamp func(string) string) discordgo.MessageComponent {
	switch c := c.(type) {
	case discordgo.ActionsRow:
		inner := make([]discordgo.MessageComponent, len(c.Components))
		for i, x := range c.Components {
			inner[i] = stampComponent(x, stamp)
		}
		c.Components = inner
		return c
	case *discordgo.ActionsRow:
		return stampComponent(*c, stamp)
	case discordgo.Button:
		c.CustomID = stamp(c.CustomID)
		return c
	case *discordgo.Button:
		return stampComponent(*c, stamp)
	case discordgo.SelectMenu:
		c.CustomID = stamp(c.CustomID)
		return c
	case *discordgo.SelectMenu:
		return stampComponent(*c, stamp)
	}
	return c
}

// groupCode returns what stampGroup appends to a custom_id of message
// ids[self] of the group ids.
func groupCode(ids []string, self int) (string, bool) {
	var b strings.Builder
	b.WriteString(groupMark)
	for i, id := range ids {
		if i > 0 {
			b.WriteString(groupIDSep)
		}
		if i == self {
			b.WriteString(selfID)
			continue
		}
		n, err := strconv.ParseUint(id, 10, 64)
		if err != nil {
			return "", false // not a snowflake: not a group stampGroup can name
		}
		b.WriteString(strconv.FormatUint(n, 36))
	}
	return b.String(), true
}

// groupOf reads a custom_id of a component on the Discord message msg: it
// returns the custom_id as the bot wrote it and the ID of the group msg
// is in (the ID Post returned), or customID and msg when the custom_id
// names no group.
func groupOf(customID, msg string) (id, group string) {
	i := strings.LastIndex(customID, groupMark)
	if i < 0 {
		return customID, msg
	}
	parts := strings.Split(customID[i+len(groupMark):], groupIDSep)
	if len(parts) < 2 {
		return customID, msg
	}
	ids := make([]string, len(parts))
	selves := 0
	for k, p := range parts {
		if p == selfID {
			ids[k] = msg
			selves++
			continue
		}
		n, err := strconv.ParseUint(p, 36, 64)
		if err != nil || p == "" {
			return customID, msg
		}
		ids[k] = strconv.FormatUint(n, 10)
	}
	if selves != 1 {
		return customID, msg
	}
	return customID[:i], platform.JoinID(ids)
}
