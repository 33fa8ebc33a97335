package slack

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	slackgo "github.com/slack-go/slack"

	"github.com/parleybot/parley/adapters/internal/platform"
	"github.com/parleybot/parley/bot"
)

// PostFile uploads f into the conversation at to (in its thread, when to
// has one) with Slack's external upload: files.getUploadURLExternal, the
// upload itself, then files.completeUploadExternal, which shares the file
// with f.Title and f.Comment as the message's text. Slack infers the type
// from f.Name; f.ContentType is not sent.
//
// The returned MessageRef is the message that shares the file, which
// Slack reports (files.info) a moment after the upload: PostFile looks a
// few times, for about three seconds. Should Slack not have reported it
// by then, the ref's ID is the file's id (F…) instead — the file is
// posted, but the ref cannot be edited or reacted to.
func (a *Adapter) PostFile(ctx context.Context, to bot.Address, f bot.File) (bot.MessageRef, error) {
	switch {
	case to.Channel == "":
		return bot.MessageRef{}, errors.New("slack: PostFile needs an address with a Channel")
	case f.Name == "":
		return bot.MessageRef{}, errors.New("slack: PostFile needs a file Name")
	case len(f.Data) == 0:
		return bot.MessageRef{}, fmt.Errorf("slack: file %q is empty, and Slack takes no empty upload", f.Name)
	}
	// completeUploadExternal posts a message in the channel: it is paced
	// with the others.
	if err := a.out.pace.wait(ctx, to.Channel, a.cfg.PostInterval); err != nil {
		return bot.MessageRef{}, fmt.Errorf("slack: uploading %q to %s: %w", f.Name, to.Channel, err)
	}
	sum, err := a.api.UploadFileContext(ctx, slackgo.UploadFileParameters{
		Reader:          bytes.NewReader(f.Data),
		FileSize:        len(f.Data),
		Filename:        f.Name,
		Title:           f.Title,
		InitialComment:  f.Comment,
		Channel:         to.Channel,
		ThreadTimestamp: to.Thread,
	})
	if err != nil {
		return bot.MessageRef{}, fmt.Errorf("slack: uploading %q to %s: %w", f.Name, to.Channel, err)
	}
	ref := bot.MessageRef{Address: to, ID: sum.ID}
	if ts := a.shareOf(ctx, sum.ID, to); ts != "" {
		ref.ID = ts
	}
	return ref, nil
}

// shareOf returns the ts of the message that shares file id at to, or ""
// if Slack has not reported one after the adapter's few looks.
func (a *Adapter) shareOf(ctx context.Context, id string, to bot.Address) string {
	for _, d := range a.out.shareWaits {
		if platform.Sleep(ctx, d) != nil {
			return ""
		}
		f, _, _, err := a.api.GetFileInfoContext(ctx, id, 1, 1)
		if err != nil {
			a.cfg.Logger.Debug("slack: files.info after an upload failed", "file", id, "err", err)
			continue
		}
		for _, shares := range []map[string][]slackgo.ShareFileInfo{f.Shares.Public, f.Shares.Private} {
			var ts string
			for _, s := range shares[to.Channel] {
				if s.ThreadTs == to.Thread {
					ts = max(ts, s.Ts) // the latest share, should the file be shared there twice
				}
			}
			if ts != "" {
				return ts
			}
		}
	}
	return ""
}
