package main

import (
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/tools"
)

// config is the bot of the example, less its platform and model: the
// ready-made data tools read_thread (this conversation's recent messages,
// and no other's) and lookup_user.
func config() bot.Config {
	return bot.Config{
		Tools: []*bot.Tool{tools.ReadThread(tools.ReadThreadConfig{}), tools.LookupUser()},
		Instructions: "You summarize conversations. When asked about what was said, call read_thread first and " +
			"answer from its messages only, naming who said what. Be brief.",
	}
}
