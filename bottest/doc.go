// Package bottest is the test kit for Parley bots: an in-memory platform
// ([Adapter]) to send messages and click buttons as a user and read what the
// bot posted, a scripted model ([Model]), and a [Harness] that wires them
// to a bot and waits for it to settle.
//
// Parley's own tests use the same kit. A test of a tool typically reads:
//
//	model := bottest.NewModel(
//		bottest.Call("weather", map[string]any{"city": "Lisbon"}),
//		bottest.Reply("It is sunny in Lisbon."),
//	)
//	h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{weather}})
//	h.Send(bottest.Ana, "weather in Lisbon?")
//	if got := h.Adapter.LastText(); got != "It is sunny in Lisbon." { ... }
//
// Capabilities can be switched off ([Chat.SetCapabilities]) to exercise
// a tool's behaviour on platforms that lack them.
//
// # Waiting for a person, restarts and replicas
//
// [Harness.Send] and [Harness.Click] return once the bot has settled:
// every run answered, or waiting for a person. A test of an approval reads
// straight through — [Harness.Card] finds the card, a click decides it.
// [Harness.Restart] stops the bot gracefully and starts a new one over the
// same Store and the same [Chat], as a process restarting would;
// [Harness.Crash] kills it as SIGKILL would, and the new bot takes its work
// over once the dead one's leases lapse (set a short Config.LeaseTTL).
//
// A [Chat] is the platform; each [Adapter] is one bot's connection to it
// (see [Chat.Adapter]). Two bots, each with its own adapter on one Chat
// and sharing one bot.MemoryStore, act as two replicas of one bot.
package bottest
