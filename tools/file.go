package tools

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"github.com/google/jsonschema-go/jsonschema"

	"github.com/parleybot/parley/bot"
)

// PostFileConfig configures the tool [PostFile] returns.
type PostFileConfig struct {
	// Name is the tool's name. Default "post_file".
	Name string
	// Description tells the model when to post a file. Default: post one
	// of the files, listed with their descriptions, into the conversation.
	Description string
	// Files are the files the model may post, in the order it sees them.
	// At least one; names must differ.
	Files []FileSource
}

// FileSource is a file the model may post: the bot's author makes it,
// the model only picks it by name.
type FileSource struct {
	// Name is what the model picks the file by, and the posted file's name
	// unless Make names it otherwise ("sales.csv").
	Name string
	// Description tells the model what the file holds.
	Description string
	// Make makes the file when the model asks for it, for the
	// conversation tc belongs to. It may refuse with an error, which the
	// model reads; tc.User is the person who asked. The file's Comment is
	// posted with it unless the model writes one.
	//
	// If the bot restarts while the tool runs, the call may be replayed:
	// Make then runs again and must make the same file (the replay
	// compares it with the one posted), so derive it from data, not from
	// the clock.
	Make func(ctx context.Context, tc *bot.ToolContext) (bot.File, error)
}

// PostFileArgs are post_file's arguments.
type PostFileArgs struct {
	File    string `json:"file" jsonschema:"the name of the file to post"`
	Comment string `json:"comment,omitempty" jsonschema:"a short message posted with the file"`
}

// PostFileResult is what post_file returns to the model.
type PostFileResult struct {
	Posted string `json:"posted"`
	// MessageID is the platform's id of the message that holds the file.
	MessageID string `json:"message_id"`
}

// PostFile returns the post_file tool: the model posts, into the
// conversation it was called from, one of the files cfg lists, made by the
// bot author's code when asked (a CSV export, a chart). It needs the file
// upload capability (bot.CapFiles); without it the model reads an error
// naming the capability, and nothing is made.
//
// What the model may do is small on purpose. Its arguments come from what
// people wrote, and a message can ask it for anything, so it picks a file
// by a name the schema limits to cfg's list — never a path, a URL or other
// content — and writes an optional comment; where the file goes is always
// the current conversation. What a file holds, and who may have it, is
// decided by its Make, which sees who asked.
//
// PostFile panics if cfg lists no files, a file without a name or Make, or
// two files of one name: a definition that can never work.
func PostFile(cfg PostFileConfig) *bot.Tool {
	cfg.Name = cmp.Or(cfg.Name, "post_file")
	if len(cfg.Files) == 0 {
		panic("tools: PostFile: no Files")
	}
	byName := make(map[string]FileSource, len(cfg.Files))
	names := make([]any, len(cfg.Files))
	var list strings.Builder
	for i, f := range cfg.Files {
		switch {
		case f.Name == "":
			panic(fmt.Sprintf("tools: PostFile: Files[%d] has no Name", i))
		case f.Make == nil:
			panic(fmt.Sprintf("tools: PostFile: file %q has no Make", f.Name))
		case byName[f.Name].Make != nil:
			panic(fmt.Sprintf("tools: PostFile: two files named %q", f.Name))
		}
		byName[f.Name] = f
		names[i] = f.Name
		fmt.Fprintf(&list, "\n- %s", f.Name)
		if f.Description != "" {
			fmt.Fprintf(&list, ": %s", f.Description)
		}
	}
	if cfg.Description == "" {
		cfg.Description = "Post one of these files into this conversation, with an optional comment:" + list.String()
	}
	schema, err := jsonschema.For[PostFileArgs](nil)
	if err != nil {
		panic("tools: PostFile: " + err.Error()) // a fixed type: never
	}
	schema.Properties["file"].Enum = names
	return bot.DefineTool(bot.ToolSpec[PostFileArgs]{
		Name:        cfg.Name,
		Description: cfg.Description,
		Schema:      schema,
		Handler: func(ctx context.Context, args PostFileArgs, tc *bot.ToolContext) (any, error) {
			if !tc.Thread.Capabilities().Has(bot.CapFiles) {
				// Before making a file for nothing.
				return nil, &bot.UnsupportedError{Platform: tc.Thread.Platform(), Capability: bot.CapFiles}
			}
			src := byName[args.File] // the schema admits listed names only
			f, err := src.Make(ctx, tc)
			if err != nil {
				return nil, fmt.Errorf("tools: making %s: %w", args.File, err)
			}
			f.Name = cmp.Or(f.Name, args.File)
			if args.Comment != "" {
				f.Comment = args.Comment
			}
			ref, err := tc.Thread.PostFile(ctx, f)
			if err != nil {
				return nil, err
			}
			return PostFileResult{Posted: f.Name, MessageID: ref.ID}, nil
		},
	})
}
