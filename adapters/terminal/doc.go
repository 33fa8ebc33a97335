// Package terminal is a Parley adapter for a terminal: what is typed on
// standard input is a message to the bot, and what the bot posts is printed
// on standard output. It lets a bot be tried with no Slack or Discord
// account.
//
// The terminal is a direct conversation between one person and the bot,
// so every line addresses the bot. Answers stream as they arrive. Cards are
// printed as text (see render/plaintext), their action buttons as numbered
// choices: typing a number alone on a line clicks that button of the latest
// message that has buttons. Files the bot uploads are written to a
// directory and their paths printed.
//
// The adapter implements streaming, status, reactions, files, ephemeral
// messages, user lookup (of the one person at the keyboard) and history:
// it remembers the last 500 messages it printed or read.
package terminal
