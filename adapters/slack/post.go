package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/parleybot/parley/adapters/internal/platform"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/render/blockkit"
)

// isTS reports whether s looks like a Slack ts: digits, a dot, digits.
func isTS(s string) bool {
	sec, frac, ok := strings.Cut(s, ".")
	return ok && sec != "" && frac != "" && strings.Trim(sec, "0123456789") == "" && strings.Trim(frac, "0123456789") == ""
}

// firstTS returns the ts of the first message a MessageRef ID names: the
// one reactions and other single-message calls address.
func firstTS(id string) string {
	if tss := platform.SplitID(id); len(tss) > 0 {
		return tss[0]
	}
	return ""
}

// blockIDPrefix starts the block_id of a button or select block in a group
// of several messages: "parley:" + the group's ID + ":" + the block's
// number in its message, which keeps block_ids unique within the message
// as Slack requires.
const blockIDPrefix = "parley:"

// maxBlockID is Slack's limit on a block_id.
const maxBlockID = 255

// messageIDOf returns the ID, as Post returned it, of the bot's message
// whose block blockID was clicked in the Slack message ts: the ID of its
// group when the block carries one, else ts. The inbound side names a
// click's message with it, so that the bot, which knows the card by the ID
// Post returned, recognises a click on any of its messages.
func messageIDOf(ts, blockID string) string {
	rest, ok := strings.CutPrefix(blockID, blockIDPrefix)
	if !ok {
		return ts
	}
	i := strings.LastIndexByte(rest, ':')
	if i <= 0 {
		return ts
	}
	return rest[:i]
}

// stamp gives every block of m holding a button or select the block_id
// naming the group id, and reports whether it gave any. An id too long
// for a block_id (a group of more than about a dozen messages) is given
// to none: clicks then name the single message.
func stamp(m *blockkit.Message, id string) bool {
	if len(blockIDPrefix)+len(id)+len(":99") > maxBlockID {
		return false
	}
	n := 0
	mark := func(blocks []slackgo.Block) {
		for _, b := range blocks {
			var bid *string
			switch b := b.(type) {
			case *slackgo.ActionBlock:
				bid = &b.BlockID
			case *slackgo.SectionBlock:
				if b.Accessory != nil && b.Accessory.ImageElement == nil {
					bid = &b.BlockID
				}
			}
			if bid != nil {
				*bid = blockIDPrefix + id + ":" + strconv.Itoa(n)
				n++
			}
		}
	}
	mark(m.Blocks)
	for i := range m.Attachments {
		mark(m.Attachments[i].Blocks.BlockSet)
	}
	return n > 0
}

// renderOut renders the bot's content as Slack messages; content with
// nothing to show is an error, as Slack takes no empty message.
func renderOut(m bot.Outgoing) ([]blockkit.Message, error) {
	msgs, err := blockkit.Render(m.Content, m.IDs)
	if err != nil {
		return nil, fmt.Errorf("slack: rendering the message: %w", err)
	}
	if len(msgs) == 0 {
		return nil, errors.New("slack: nothing to show: the content renders as no Slack message (no text, and no button with an id)")
	}
	return msgs, nil
}

func (a *Adapter) post(ctx context.Context, to bot.Address, m bot.Outgoing) (bot.MessageRef, error) {
	if to.Channel == "" {
		return bot.MessageRef{}, errors.New("slack: Post needs an address with a Channel")
	}
	msgs, err := renderOut(m)
	if err != nil {
		return bot.MessageRef{}, err
	}
	tss, err := a.postGroup(ctx, to.Channel, to.Thread, msgs)
	if err != nil {
		return bot.MessageRef{}, err
	}
	ref := bot.MessageRef{Address: to, ID: platform.JoinID(tss)}
	if len(tss) > 1 {
		a.stampGroup(ctx, ref, tss, msgs)
	}
	return ref, nil
}

// postGroup posts msgs in order, in thread (top-level when empty), and
// returns their ts. When one fails, those posted before it are deleted.
func (a *Adapter) postGroup(ctx context.Context, channel, thread string, msgs []blockkit.Message) ([]string, error) {
	tss := make([]string, 0, len(msgs))
	for i, m := range msgs {
		ts, err := a.postOne(ctx, channel, thread, m)
		if err != nil {
			a.discard(ctx, channel, tss)
			if len(msgs) > 1 {
				err = fmt.Errorf("slack: message %d of %d: %w", i+1, len(msgs), err)
			}
			return nil, err
		}
		tss = append(tss, ts)
	}
	return tss, nil
}

// stampGroup edits each message of a group holding a button or select
// so that its blocks carry the group's ID. A failure costs only that a
// click names the single message, so it is logged, not returned.
func (a *Adapter) stampGroup(ctx context.Context, ref bot.MessageRef, tss []string, msgs []blockkit.Message) {
	for i := range msgs {
		if !stamp(&msgs[i], ref.ID) {
			continue
		}
		if err := a.edit(ctx, ref.Channel, tss[i], msgs[i]); err != nil {
			a.cfg.Logger.Warn("slack: marking a message of a group with the group's id failed; a click on it will name the message alone",
				"channel", ref.Channel, "ts", tss[i], "group", ref.ID, "err", err)
		}
	}
}

// discard deletes messages posted by a call that then failed, so that
// trying again posts no copy; it goes on after ctx ends.
func (a *Adapter) discard(ctx context.Context, channel string, tss []string) {
	if len(tss) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	for _, ts := range tss {
		if err := a.remove(ctx, channel, ts); err != nil {
			a.cfg.Logger.Warn("slack: deleting a message of a group that failed to post failed", "channel", channel, "ts", ts, "err", err)
		}
	}
}

func (a *Adapter) update(ctx context.Context, ref bot.MessageRef, m bot.Outgoing) error {
	tss := platform.SplitID(ref.ID)
	if len(tss) == 0 || ref.Channel == "" {
		return fmt.Errorf("slack: Update needs the ref of a posted message, with a Channel and an ID; got %+v", ref)
	}
	for _, ts := range tss {
		if strings.HasPrefix(ts, ephemeralPrefix) {
			return fmt.Errorf("slack: Update of %q: an ephemeral message can be replaced only through the Reply of a click on it", ref.ID)
		}
		if !isTS(ts) {
			// A file's id, from a PostFile that did not learn its message.
			return fmt.Errorf("slack: Update of %q: %q is not the ts of a message", ref.ID, ts)
		}
	}
	msgs, err := renderOut(m)
	if err != nil {
		return err
	}
	id := platform.JoinID(tss)
	if len(msgs) > 1 || len(tss) > 1 {
		for i := range msgs {
			stamp(&msgs[i], id)
		}
	}
	replyTo := ref.Thread
	if replyTo == "" {
		replyTo = tss[0]
	}
	_, err = a.editGroup(ctx, ref.Channel, tss, msgs, replyTo, nil)
	return err
}

// editGroup makes the group of messages tss in channel show msgs: it
// edits the messages both have, posts the extra ones in replyTo (top-level
// when empty), and deletes the surplus. A message of the group gone from
// Slack is posted again in replyTo. It returns the group's messages as
// they now are — those it failed to reach included, so that a later call
// tries them again.
//
// sent, when not nil, maps each ts to the payload last sent to it (see
// payload): a message whose new payload is the same is not edited, and
// sent is brought up to date.
func (a *Adapter) editGroup(ctx context.Context, channel string, tss []string, msgs []blockkit.Message, replyTo string, sent map[string]string) ([]string, error) {
	out := make([]string, 0, max(len(tss), len(msgs)))
	for i, m := range msgs {
		p := payload(m)
		if i < len(tss) {
			ts := tss[i]
			if sent != nil && sent[ts] == p {
				out = append(out, ts)
				continue
			}
			err := a.edit(ctx, channel, ts, m)
			if err == nil {
				if sent != nil {
					sent[ts] = p
				}
				out = append(out, ts)
				continue
			}
			if !slackCode(err, "message_not_found") {
				return append(out, tss[i:]...), err
			}
			delete(sent, ts)
		}
		ts, err := a.postOne(ctx, channel, replyTo, m)
		if err != nil {
			return append(out, tss[min(i+1, len(tss)):]...), err
		}
		if sent != nil {
			sent[ts] = p
		}
		out = append(out, ts)
	}
	var errs []error
	for _, ts := range tss[min(len(msgs), len(tss)):] {
		if err := a.remove(ctx, channel, ts); err != nil {
			out = append(out, ts) // still there: the next edit deletes it
			errs = append(errs, err)
			continue
		}
		delete(sent, ts)
	}
	return out, errors.Join(errs...)
}

// payload identifies what a message shows, to tell whether an edit would
// change anything.
func payload(m blockkit.Message) string {
	b, err := json.Marshal(m)
	if err != nil {
		return "" // never equal to a payload that marshalled: the edit is sent
	}
	return string(b)
}

// messageOptions returns the options that make a message show m. An edit
// sends blocks and attachments even when m has none, as Slack keeps those
// of the old message otherwise.
func messageOptions(m blockkit.Message, edit bool) []slackgo.MsgOption {
	opts := []slackgo.MsgOption{slackgo.MsgOptionText(m.Text, false)}
	if len(m.Blocks) > 0 || edit {
		opts = append(opts, slackgo.MsgOptionBlocks(m.Blocks...))
	}
	switch {
	case len(m.Attachments) > 0:
		opts = append(opts, slackgo.MsgOptionAttachments(m.Attachments...))
	case edit:
		opts = append(opts, slackgo.MsgOptionAttachments([]slackgo.Attachment{}...))
	}
	return opts
}

// postOne posts one message, paced per channel, and returns its ts.
func (a *Adapter) postOne(ctx context.Context, channel, thread string, m blockkit.Message) (string, error) {
	if err := a.out.pace.wait(ctx, channel, a.cfg.PostInterval); err != nil {
		return "", fmt.Errorf("slack: chat.postMessage to %s: %w", channel, err)
	}
	opts := messageOptions(m, false)
	if thread != "" {
		opts = append(opts, slackgo.MsgOptionTS(thread))
	}
	_, ts, err := a.api.PostMessageContext(ctx, channel, opts...)
	if err != nil {
		return "", fmt.Errorf("slack: chat.postMessage to %s: %w", channel, err)
	}
	return ts, nil
}

// edit makes the message ts show m.
func (a *Adapter) edit(ctx context.Context, channel, ts string, m blockkit.Message) error {
	if _, _, _, err := a.api.UpdateMessageContext(ctx, channel, ts, messageOptions(m, true)...); err != nil {
		return fmt.Errorf("slack: chat.update of %s in %s: %w", ts, channel, err)
	}
	return nil
}

// remove deletes the message ts; one already gone is no error.
func (a *Adapter) remove(ctx context.Context, channel, ts string) error {
	if _, _, err := a.api.DeleteMessageContext(ctx, channel, ts); err != nil && !slackCode(err, "message_not_found") {
		return fmt.Errorf("slack: chat.delete of %s in %s: %w", ts, channel, err)
	}
	return nil
}

// slackCode reports whether err is Slack's answer with one of the error
// codes ("message_not_found").
func slackCode(err error, codes ...string) bool {
	var se slackgo.SlackErrorResponse
	return errors.As(err, &se) && slices.Contains(codes, se.Err)
}
