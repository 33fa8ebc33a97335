package discord

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/parleybot/parley/adapters/internal/platform"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/render/discordui"
)

// renderOut renders the bot's content as Discord messages; content with
// nothing to show is an error, as Discord takes no empty message.
func renderOut(m bot.Outgoing) ([]discordui.Message, error) {
	msgs, err := discordui.Render(m.Content, m.IDs)
	if err != nil {
		return nil, fmt.Errorf("discord: rendering the message: %w", err)
	}
	if len(msgs) == 0 {
		return nil, errors.New("discord: nothing to show: the content renders as no Discord message")
	}
	return msgs, nil
}

// allowed are the mentions a bot's message may ping: people named in it,
// never @everyone, @here or a role.
var allowed = &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{discordgo.AllowedMentionTypeUsers}}

// Post sends a new message into the conversation at to: into its thread
// when it has one, else into its channel.
//
// Content Discord cannot take in one message (2,000 characters of text,
// ten embeds of 6,000 characters, five rows of components) goes out as
// several, in order, and stays one message for the bot: the returned
// MessageRef's ID lists every message id, comma separated. Update edits
// them all from the ID alone, after a restart too; a click on any of them
// names the whole group, also in a process that did not post it: the
// group is written into the custom_ids of its buttons and selects (see
// stampGroup). When a message of a group fails, those posted before it
// are deleted again.
//
// The first post into a conversation opened by the slash command, within
// the interaction's 15 minutes, is its deferred answer: the "thinking…"
// Discord shows becomes the message.
func (a *Adapter) Post(ctx context.Context, to bot.Address, m bot.Outgoing) (bot.MessageRef, error) {
	if to.Channel == "" {
		return bot.MessageRef{}, errors.New("discord: Post needs an address with a Channel")
	}
	msgs, err := renderOut(m)
	if err != nil {
		return bot.MessageRef{}, err
	}
	ids, err := a.postGroup(ctx, to, msgs)
	if err != nil {
		return bot.MessageRef{}, err
	}
	return bot.MessageRef{Address: to, ID: platform.JoinID(ids)}, nil
}

// postGroup posts msgs in order and returns their ids; when one fails,
// those posted before it are deleted.
//
// The custom_ids of a group's components name the group: the last
// message's before it is posted, the ids before it being known then; any
// other message's with components by an edit once all are posted.
func (a *Adapter) postGroup(ctx context.Context, to bot.Address, msgs []discordui.Message) ([]string, error) {
	ids := make([]string, 0, len(msgs))
	last := len(msgs) - 1
	for i, m := range msgs {
		if i == last && i > 0 {
			m = stampGroup(m, append(slices.Clone(ids), ""), i)
		}
		id, err := a.postOne(ctx, to, m)
		if err != nil {
			a.discard(ctx, target(to), ids)
			if len(msgs) > 1 {
				err = fmt.Errorf("discord: message %d of %d: %w", i+1, len(msgs), err)
			}
			return nil, err
		}
		ids = append(ids, id)
	}
	for i, m := range msgs[:last] {
		if len(m.Components) == 0 {
			continue
		}
		if err := a.edit(ctx, target(to), ids[i], stampGroup(m, ids, i)); err != nil {
			// The message shows its buttons; a click on them names this
			// message alone, which the bot still closes.
			a.cfg.Logger.Warn("discord: naming the group in a message's components failed", "message", ids[i], "err", err)
		}
	}
	return ids, nil
}

// postOne posts one message, as the answer of a pending slash command in
// to if there is one, and returns its id.
func (a *Adapter) postOne(ctx context.Context, to bot.Address, m discordui.Message) (string, error) {
	ch := target(to)
	a.typing.stop(ch)
	if to.Thread != "" {
		a.channels.join(to.Thread, true) // posting there makes the bot a member
	}
	if i := a.inter.takeCommand(ctx, to); i != nil {
		msg, err := a.interactionEdit(ctx, i, "@original", &discordgo.WebhookEdit{
			Content: &m.Content, Embeds: &m.Embeds, Components: &m.Components, AllowedMentions: allowed,
		})
		if err == nil {
			a.inter.own(msg.ID, i)
			return msg.ID, nil
		}
		a.cfg.Logger.Warn("discord: answering the slash command in place failed; posting in the channel", "channel", ch, "err", err)
	}
	msg, err := a.s.ChannelMessageSendComplex(ch, &discordgo.MessageSend{
		Content: m.Content, Embeds: m.Embeds, Components: m.Components, AllowedMentions: allowed,
	}, discordgo.WithContext(ctx))
	if err != nil {
		return "", fmt.Errorf("discord: POST /channels/%s/messages: %w", ch, err)
	}
	return msg.ID, nil
}

// edit makes message id in ch show m: through the interaction that
// posted it while its token lives, else through the channel.
func (a *Adapter) edit(ctx context.Context, ch, id string, m discordui.Message) error {
	if i := a.inter.owner(id); i != nil {
		_, err := a.interactionEdit(ctx, i, "@original", &discordgo.WebhookEdit{
			Content: &m.Content, Embeds: &m.Embeds, Components: &m.Components, AllowedMentions: allowed,
		})
		if err == nil {
			return nil
		}
	}
	_, err := a.s.ChannelMessageEditComplex(&discordgo.MessageEdit{
		ID: id, Channel: ch, Content: &m.Content, Embeds: &m.Embeds, Components: &m.Components, AllowedMentions: allowed,
	}, discordgo.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("discord: PATCH /channels/%s/messages/%s: %w", ch, id, err)
	}
	return nil
}

// remove deletes message id; one already gone is no error.
func (a *Adapter) remove(ctx context.Context, ch, id string) error {
	err := a.s.ChannelMessageDelete(ch, id, discordgo.WithContext(ctx))
	if err != nil && !restCode(err, discordgo.ErrCodeUnknownMessage) {
		return fmt.Errorf("discord: DELETE /channels/%s/messages/%s: %w", ch, id, err)
	}
	return nil
}

// discard deletes messages posted by a call that then failed, so that
// trying again posts no copy; it goes on after ctx ends.
func (a *Adapter) discard(ctx context.Context, ch string, ids []string) {
	if len(ids) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	for _, id := range ids {
		if err := a.remove(ctx, ch, id); err != nil {
			a.cfg.Logger.Warn("discord: deleting a message of a group that failed to post failed", "channel", ch, "message", id, "err", err)
		}
	}
}

// Update replaces the content of a message the bot posted: every message
// of the group ref.ID names (see Post). When the new content needs fewer
// messages, the surplus ones are deleted; when it needs more, the extra
// ones are posted after them, and are not part of ref.
func (a *Adapter) Update(ctx context.Context, ref bot.MessageRef, m bot.Outgoing) error {
	ids := platform.SplitID(ref.ID)
	if len(ids) == 0 || ref.Channel == "" {
		return fmt.Errorf("discord: Update needs the ref of a posted message, with a Channel and an ID; got %+v", ref)
	}
	msgs, err := renderOut(m)
	if err != nil {
		return err
	}
	_, err = a.editGroup(ctx, ref.Address, ids, msgs)
	return err
}

// editGroup makes the messages ids at addr show msgs: it edits the
// messages both have, posts the extra ones, deletes the surplus, and
// posts again a message gone from Discord. It returns the group as it now
// is.
func (a *Adapter) editGroup(ctx context.Context, addr bot.Address, ids []string, msgs []discordui.Message) ([]string, error) {
	ch := target(addr)
	out := make([]string, 0, max(len(ids), len(msgs)))
	for i, m := range msgs {
		if i < len(ids) {
			err := a.edit(ctx, ch, ids[i], stampGroup(m, ids, i))
			if err == nil {
				out = append(out, ids[i])
				continue
			}
			if !restCode(err, discordgo.ErrCodeUnknownMessage) {
				return append(out, ids[i:]...), err
			}
		}
		id, err := a.postOne(ctx, addr, m)
		if err != nil {
			return append(out, ids[min(i+1, len(ids)):]...), err
		}
		out = append(out, id)
	}
	var errs []error
	for _, id := range ids[min(len(msgs), len(ids)):] {
		if err := a.remove(ctx, ch, id); err != nil {
			out = append(out, id)
			errs = append(errs, err)
		}
	}
	return out, errors.Join(errs...)
}
