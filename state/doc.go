// Package state holds the types that a bot, its adapters and its Store
// share: the [Store] contract and its records, the [Notifier], and the
// messages, addresses, users and clicks that flow between them.
//
// It imports no other part of Parley but the widget tree (package render),
// so that every part can import it: package bot gives each type here its
// usual name (bot.Store is state.Store, bot.Message is state.Message) and
// can default to store/sqlite, which implements the Store on these types
// without importing bot. Code that uses a bot imports bot; code that
// implements a Store may import state alone.
package state
