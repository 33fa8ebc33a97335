// Package tools holds ready-made tools for Parley bots, built with
// bot.DefineTool like any other: register the ones you want with
// Bot.Tool or bot.Config.Tools.
//
//   - [ReadThread] lets the model read the conversation's recent
//     messages — the current conversation only, unless
//     [ReadThreadConfig.Allow] lets it read others.
//   - [LookupUser] lets it look a person up by id.
//   - [PostFile] lets it post, into the conversation, one of the files
//     the bot's author lists, made by the author's code when asked.
//   - [Confirm] lets it ask a person to approve an action, and wait for
//     the answer (see bot.AwaitChoice).
//   - [Render] turns a card template into a render tool: the props
//     struct is the tool's input schema, so the model shows a card by
//     calling the tool with its props.
//
// Each works on any platform with the capability it needs; where the
// capability is missing, the model reads an error naming it and can
// answer without.
//
// What the model passes a tool is untrusted: it follows from what people
// wrote, and anyone who can talk to the bot can try to steer it. So these
// tools act on the conversation they are called from, and reach further
// only where their configuration says: read_thread reads other
// conversations only as Allow permits, post_file posts only the files its
// configuration lists, by names the schema enforces, and a render tool
// shows only what its template makes of the props.
package tools
