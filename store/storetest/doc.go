// Package storetest is the conformance suite every [bot.Store] passes:
// action records, choices resolved first-click-wins under concurrency,
// expiry, and run journals that two writers cannot both extend. A new
// Store is done when [Exercise] passes against it.
package storetest
