package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	slackgo "github.com/slack-go/slack"

	"github.com/parleybot/parley/adapters/internal/platform"
	"github.com/parleybot/parley/bot"
)

// click is a block_actions payload as the adapter reads it, normalized from
// slack-go's InteractionCallback or, where slack-go refuses the payload (a
// block it cannot decode in the message echoed back), read directly.
type click struct {
	Type        string `json:"type"`
	TriggerID   string `json:"trigger_id"`
	ResponseURL string `json:"response_url"`
	Team        struct {
		ID string `json:"id"`
	} `json:"team"`
	User struct {
		ID       string `json:"id"`
		Username string `json:"username"`
		Name     string `json:"name"`
		TeamID   string `json:"team_id"`
	} `json:"user"`
	Channel struct {
		ID string `json:"id"`
	} `json:"channel"`
	Container struct {
		Type        string `json:"type"`
		MessageTS   string `json:"message_ts"`
		ThreadTS    string `json:"thread_ts"`
		ChannelID   string `json:"channel_id"`
		IsEphemeral bool   `json:"is_ephemeral"`
	} `json:"container"`
	Message struct {
		TS       string `json:"ts"`
		ThreadTS string `json:"thread_ts"`
	} `json:"message"`
	Actions []clickAction `json:"actions"`
}

type clickAction struct {
	ActionID       string `json:"action_id"`
	BlockID        string `json:"block_id"`
	Type           string `json:"type"`
	Value          string `json:"value"`
	SelectedOption struct {
		Value string `json:"value"`
	} `json:"selected_option"`
}

func (a *Adapter) decodeClick(payload []byte) (click, error) {
	var c click
	var ic slackgo.InteractionCallback
	err := json.Unmarshal(payload, &ic)
	if err == nil {
		c.Type, c.TriggerID, c.ResponseURL = string(ic.Type), ic.TriggerID, ic.ResponseURL
		c.Team.ID = ic.Team.ID
		c.User.ID, c.User.Username, c.User.Name, c.User.TeamID = ic.User.ID, ic.User.Name, ic.User.RealName, ic.User.TeamID
		c.Channel.ID = ic.Channel.ID
		c.Container.Type, c.Container.MessageTS, c.Container.ThreadTS, c.Container.ChannelID = ic.Container.Type, ic.Container.MessageTs, ic.Container.ThreadTs, ic.Container.ChannelID
		c.Container.IsEphemeral = ic.Container.IsEphemeral
		c.Message.TS, c.Message.ThreadTS = ic.Message.Timestamp, ic.Message.ThreadTimestamp
		for _, ba := range ic.ActionCallback.BlockActions {
			ca := clickAction{ActionID: ba.ActionID, BlockID: ba.BlockID, Type: string(ba.Type), Value: ba.Value}
			ca.SelectedOption.Value = ba.SelectedOption.Value
			c.Actions = append(c.Actions, ca)
		}
		return c, nil
	}
	c = click{}
	if jerr := json.Unmarshal(payload, &c); jerr != nil || c.Type == "" {
		return c, fmt.Errorf("%w: %v", errBadPayload, err)
	}
	a.cfg.Logger.Warn("slack: slack-go could not decode an interaction; read it with the adapter's own decoder", "type", c.Type, "err", err)
	return c, nil
}

// deliverClick hands the clicks of a block_actions payload to the inbox.
// Other interactions (a view submitted, a shortcut) are not the adapter's
// and are acknowledged without effect.
func (a *Adapter) deliverClick(ctx context.Context, inbox bot.Inbox, me identity, c click) error {
	if c.Type != "block_actions" {
		return nil
	}
	team := c.Team.ID
	if team == "" {
		team = c.User.TeamID
	}
	if team == "" {
		team = me.TeamID
	}
	channel := c.Container.ChannelID
	if channel == "" {
		channel = c.Channel.ID
	}
	ts := c.Container.MessageTS
	if ts == "" {
		ts = c.Message.TS
	}
	thread := c.Message.ThreadTS
	if thread == "" {
		thread = c.Container.ThreadTS
	}
	if thread == ts {
		thread = "" // the card is the root of a thread, posted outside one
	}
	if channel == "" || ts == "" {
		return nil
	}
	ref := bot.MessageRef{Address: bot.Address{Platform: Platform, Workspace: team, Channel: channel, Thread: thread}, ID: ts}
	if c.Container.IsEphemeral {
		// Slack keeps no ephemeral message: only the click's
		// response_url reaches it. Its ID is marked so that an Update
		// of it fails rather than post the message to the channel.
		ref.ID = ephemeralPrefix + ts
	}
	name := c.User.Username
	if name == "" {
		name = c.User.Name
	}
	var first error
	for i, act := range c.Actions {
		id := act.SelectedOption.Value
		if id == "" {
			// The adapter's buttons carry their id as both action_id
			// and value; a button without a value is not one of
			// them (a link button, say).
			if act.Value == "" || act.Value != act.ActionID {
				continue
			}
			id = act.Value
		}
		// A card Slack shows as several messages is one message to the
		// bot, under the id Post returned for the group; its blocks
		// carry that id, and a click names the group when the clicked
		// message is in it.
		msg := ref
		if group := messageIDOf(ts, act.BlockID); !c.Container.IsEphemeral && group != ts && slices.Contains(platform.SplitID(group), ts) {
			msg.ID = group
		}
		eventID := "act:" + c.TriggerID
		if i > 0 {
			eventID += "#" + strconv.Itoa(i)
		}
		if c.TriggerID == "" {
			eventID = ""
		}
		err := inbox.Action(ctx, bot.Action{
			ID: id, EventID: eventID,
			User:    bot.User{ID: c.User.ID, Name: name},
			Message: msg,
			Reply:   &actionReply{a: a, ref: msg, user: c.User.ID, responseURL: c.ResponseURL, ephemeral: c.Container.IsEphemeral},
		})
		if err != nil && first == nil && !isDuplicate(err) {
			first = err
		}
	}
	return first
}

// actionReply answers a click: a notice to the clicker through
// chat.postEphemeral (the click's response_url where the bot is not in the
// conversation), and an edit of the clicked message — through the
// click's response_url when the message is ephemeral.
type actionReply struct {
	a           *Adapter
	ref         bot.MessageRef
	user        string
	responseURL string
	ephemeral   bool // the clicked message is shown to the clicker only
}

// ephemeralPrefix marks the MessageRef ID of an ephemeral message clicked:
// it is no ts, so that Update refuses it.
const ephemeralPrefix = "ephemeral:"

// Ephemeral shows m to the person who clicked, in the clicked message's
// conversation, with chat.postEphemeral. Where Slack refuses that because
// the bot is not a member of the conversation (a card shown by a slash
// command's answer, say), the notice goes through the click's
// response_url, which reaches the clicker wherever they clicked.
func (r *actionReply) Ephemeral(ctx context.Context, m bot.Outgoing) error {
	err := r.a.PostEphemeral(ctx, r.ref.Address, r.user, m)
	if err == nil || r.responseURL == "" || !slackCode(err, notMemberCodes...) {
		return err
	}
	msgs, rerr := renderOut(m)
	if rerr != nil {
		return rerr
	}
	for _, msg := range msgs {
		opts := append(messageOptions(msg, false), slackgo.MsgOptionResponseURL(r.responseURL, slackgo.ResponseTypeEphemeral))
		if r.ref.Thread != "" {
			opts = append(opts, slackgo.MsgOptionTS(r.ref.Thread))
		}
		if _, _, perr := r.a.api.PostMessageContext(ctx, r.ref.Channel, opts...); perr != nil {
			return fmt.Errorf("%w; through the click's response_url too: %w", err, perr)
		}
	}
	return nil
}

// notMemberCodes are the errors chat.postEphemeral answers when the bot
// cannot post in the conversation, which a click's response_url can.
var notMemberCodes = []string{"channel_not_found", "not_in_channel", "user_not_in_channel", "is_archived"}

// Update replaces the clicked message. An ephemeral one is replaced
// through the click's response_url, content too long for one message going
// on in further ephemeral messages; chat.update cannot reach it.
func (r *actionReply) Update(ctx context.Context, m bot.Outgoing) error {
	if !r.ephemeral {
		return r.a.Update(ctx, r.ref, m)
	}
	if r.responseURL == "" {
		return errors.New("slack: the clicked message is ephemeral and the click has no response_url to replace it through")
	}
	msgs, err := renderOut(m)
	if err != nil {
		return err
	}
	for i, msg := range msgs {
		opts := messageOptions(msg, true)
		if i == 0 {
			opts = append(opts, slackgo.MsgOptionReplaceOriginal(r.responseURL))
		} else {
			opts = append(opts, slackgo.MsgOptionResponseURL(r.responseURL, slackgo.ResponseTypeEphemeral))
			if r.ref.Thread != "" {
				opts = append(opts, slackgo.MsgOptionTS(r.ref.Thread))
			}
		}
		if _, _, err := r.a.api.PostMessageContext(ctx, r.ref.Channel, opts...); err != nil {
			return fmt.Errorf("slack: replacing the clicked ephemeral message through its response_url: %w", err)
		}
	}
	return nil
}

// command is a slash command as Slack sends it, form-encoded over HTTP and
// as JSON over Socket Mode.
type command struct {
	TeamID    string `json:"team_id"`
	ChannelID string `json:"channel_id"`
	UserID    string `json:"user_id"`
	UserName  string `json:"user_name"`
	Command   string `json:"command"`
	Text      string `json:"text"`
	TriggerID string `json:"trigger_id"`
}

// deliverCommand hands a slash command's text to the inbox as a message
// addressing the bot, in the channel where it was typed (outside any
// thread: Slack does not say where a command was typed within a channel).
func (a *Adapter) deliverCommand(ctx context.Context, inbox bot.Inbox, me identity, c command) error {
	if c.ChannelID == "" || c.UserID == "" {
		return fmt.Errorf("%w: a slash command without a channel or user", errBadPayload)
	}
	team := c.TeamID
	if team == "" {
		team = me.TeamID
	}
	m := bot.Message{
		Address: bot.Address{Platform: Platform, Workspace: team, Channel: c.ChannelID},
		User:    bot.User{ID: c.UserID, Name: c.UserName},
		Text:    a.markdown(ctx, team, strings.TrimSpace(c.Text)),
		Mention: true,
		Direct:  strings.HasPrefix(c.ChannelID, "D"),
		// A command asks the bot directly: the channel's chatter before
		// it is not its conversation — unlike a DM's, which is.
		Opens: !strings.HasPrefix(c.ChannelID, "D"),
	}
	if c.TriggerID != "" {
		m.EventID = "cmd:" + c.TriggerID
	}
	return inbox.Message(ctx, m)
}
