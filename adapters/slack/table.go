package slack

// The Slack app the adapter needs is described once, here: the events it
// subscribes to and the OAuth scopes it asks for, each with the reason. The
// inbound side handles exactly these events, and the manifest
// (`parley slack manifest`) and the scope check (`parley slack check`) are
// generated from the same tables, so the app and the adapter cannot drift.

// eventSpec is a bot event the adapter subscribes to.
type eventSpec struct {
	// Name is the subscription's name in the manifest (message.im).
	Name string
	// Type is the event's type on the wire ("message"), and ChannelType
	// the channel_type that tells message subscriptions apart ("im").
	Type, ChannelType string
	// Scopes are the OAuth scopes the subscription needs.
	Scopes []string
	// Why says what the adapter does with it.
	Why string
}

var botEvents = []eventSpec{
	{Name: "app_mention", Type: "app_mention", Scopes: []string{"app_mentions:read"}, Why: "a mention in a channel starts a conversation in its thread"},
	{Name: "message.im", Type: "message", ChannelType: "im", Scopes: []string{"im:history"}, Why: "direct messages and the assistant pane"},
	{Name: "message.channels", Type: "message", ChannelType: "channel", Scopes: []string{"channels:history"}, Why: "replies in public-channel threads the bot is part of; edits and deletions"},
	{Name: "message.groups", Type: "message", ChannelType: "group", Scopes: []string{"groups:history"}, Why: "replies in private-channel threads the bot is part of; edits and deletions"},
	{Name: "message.mpim", Type: "message", ChannelType: "mpim", Scopes: []string{"mpim:history"}, Why: "replies in group DMs the bot is part of"},
	{Name: "assistant_thread_started", Type: "assistant_thread_started", Scopes: []string{"assistant:write"}, Why: "suggested prompts when someone opens the assistant pane"},
	{Name: "assistant_thread_context_changed", Type: "assistant_thread_context_changed", Scopes: []string{"assistant:write"}, Why: "the channel the person is looking at while talking in the pane"},
}

// scopeSpec is an OAuth scope the bot asks for beyond its events'.
type scopeSpec struct {
	Scope string
	Why   string
}

var botScopes = []scopeSpec{
	{"chat:write", "post, edit and stream messages; ephemeral notices"},
	{"chat:write.public", "answer a slash command in a public channel the bot was not invited to"},
	{"commands", "slash commands"},
	{"users:read", "names of people, for mentions and LookupUser"},
	{"users:read.email", "LookupUser by email"},
	{"files:write", "PostFile"},
	{"files:read", "files.info: where PostFile's upload was shared, for its MessageRef"},
	{"reactions:write", "React"},
	{"im:write", "open a direct message to a person"},
	{"assistant:write", "status, suggested prompts and titles in the assistant pane"},
}

// requiredScopes lists every scope the adapter uses, each once, events'
// first.
func requiredScopes() []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, e := range botEvents {
		for _, s := range e.Scopes {
			add(s)
		}
	}
	for _, s := range botScopes {
		add(s.Scope)
	}
	return out
}

// subscribed reports whether the adapter handles an event of type typ in a
// channel of type channelType ("" where the event has none).
func subscribed(typ, channelType string) bool {
	for _, e := range botEvents {
		if e.Type == typ && (e.ChannelType == "" || e.ChannelType == channelType) {
			return true
		}
	}
	return false
}
