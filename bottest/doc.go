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
// Capabilities can be switched off ([Adapter.SetCapabilities]) to exercise
// a tool's behaviour on platforms that lack them.
package bottest
