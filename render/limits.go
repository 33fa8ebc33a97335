package render

// SlackLimits are the limits Slack sets on a message's Block Kit payload
// (see LIMITS.md in the project's shared docs). Counts are in characters as
// [Len] measures them.
type SlackLimits struct {
	BlocksPerMessage  int // blocks in one message
	SectionText       int // text of a section block
	SectionFields     int // fields of a section block
	FieldText         int // text of one section field
	BlockID           int // block_id
	HeaderText        int // plain_text of a header block
	ButtonText        int // a button's label
	ActionID          int // action_id of an interactive element
	ButtonValue       int // a button's value
	URL               int // a button's or an image's url
	ActionsElements   int // elements of one actions block
	ContextElements   int // elements of one context block
	ContextText       int // text of one context element
	ImageAltText      int // alt_text of an image
	ImageTitle        int // title of an image block
	SelectOptions     int // options of a static select
	RadioOptions      int // options of a radio button group
	OptionText        int // an option's text
	OptionValue       int // an option's value
	OptionDescription int // an option's description
	Placeholder       int // a select's placeholder
	MessageText       int // the message's text field; kept well below the 40,000 Slack truncates at
	TotalBlockText    int // all text in a message's blocks, past which Slack answers msg_blocks_too_long
	// BlocksJSON is a budget, in bytes, for a message's blocks (or its
	// attachments, which hold them) marshalled as JSON the way slack-go
	// sends them. Slack answers msg_blocks_too_long near 40,000 characters
	// of blocks JSON, the exact point depending on the blocks' structure
	// (it adds a block_id to each, for one); the budget keeps a tenth
	// below that. JSON counts markup and escapes that TotalBlockText does
	// not: a table of short cells or a select of many options reaches it
	// long before its text fills TotalBlockText.
	BlocksJSON            int
	TableRows             int // rows of a table block, its header row included
	TableColumns          int // cells in one row of a table block
	TableText             int // the text of all cells of one table block together; larger tables are refused (reported from live use)
	TablesPerMessage      int // table blocks in one message
	AttachmentsPerMessage int // attachments in one message
}

// Slack holds Slack's limits.
var Slack = SlackLimits{
	BlocksPerMessage:      50,
	SectionText:           3000,
	SectionFields:         10,
	FieldText:             2000,
	BlockID:               255,
	HeaderText:            150,
	ButtonText:            75,
	ActionID:              255,
	ButtonValue:           2000,
	URL:                   3000,
	ActionsElements:       25,
	ContextElements:       10,
	ContextText:           3000,
	ImageAltText:          2000,
	ImageTitle:            2000,
	SelectOptions:         100,
	RadioOptions:          10,
	OptionText:            75,
	OptionValue:           150,
	OptionDescription:     75,
	Placeholder:           150,
	MessageText:           4000,
	TotalBlockText:        12000,
	BlocksJSON:            36000,
	TableRows:             100,
	TableColumns:          20,
	TableText:             10000,
	TablesPerMessage:      1,
	AttachmentsPerMessage: 1,
}

// DiscordLimits are the limits Discord sets on a message with embeds and
// classic components (see LIMITS.md in the project's shared docs). Counts
// are in characters as [Len] measures them.
type DiscordLimits struct {
	Content           int // message content
	EmbedsPerMessage  int // embeds in one message
	EmbedTotal        int // all text of all embeds of one message together
	EmbedTitle        int // an embed's title
	EmbedDescription  int // an embed's description
	EmbedFields       int // fields of one embed
	FieldName         int // a field's name
	FieldValue        int // a field's value
	Footer            int // an embed's footer text
	AuthorName        int // an embed's author name
	ActionRows        int // action rows of one message
	ButtonsPerRow     int // buttons in one action row
	SelectsPerRow     int // select menus in one action row (and nothing else)
	CustomID          int // custom_id of a component, at least 1
	ButtonLabel       int // a button's label
	SelectOptions     int // options of a select menu
	OptionLabel       int // an option's label
	OptionValue       int // an option's value
	OptionDescription int // an option's description
	Placeholder       int // a select menu's placeholder
	URL               int // a link button's url
}

// Discord holds Discord's limits.
var Discord = DiscordLimits{
	Content:           2000,
	EmbedsPerMessage:  10,
	EmbedTotal:        6000,
	EmbedTitle:        256,
	EmbedDescription:  4096,
	EmbedFields:       25,
	FieldName:         256,
	FieldValue:        1024,
	Footer:            2048,
	AuthorName:        256,
	ActionRows:        5,
	ButtonsPerRow:     5,
	SelectsPerRow:     1,
	CustomID:          100,
	ButtonLabel:       80,
	SelectOptions:     25,
	OptionLabel:       100,
	OptionValue:       100,
	OptionDescription: 100,
	Placeholder:       150,
	URL:               512,
}
