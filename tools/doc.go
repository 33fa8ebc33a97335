// Package tools holds ready-made tools for Parley bots, built with
// bot.DefineTool like any other: register the ones you want with
// Bot.Tool or bot.Config.Tools.
//
//   - [ReadThread] lets the model read the conversation's recent messages.
//   - [LookupUser] lets it look a person up by id.
//   - [Confirm] lets it ask a person to approve an action, and wait for
//     the answer (see bot.AwaitChoice).
//
// Each works on any platform with the capability it needs; where the
// capability is missing, the model reads an error naming it and can
// answer without.
package tools
