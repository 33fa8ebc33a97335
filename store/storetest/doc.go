// Package storetest is the conformance suite every [bot.Store] passes,
// and every [bot.Notifier] a Store comes with: action ids, choices
// resolved first-click-wins under concurrency, dedupe keys, the queue of
// accepted work with its leases and fencing tokens, run journals that two
// writers cannot both extend, transcripts, and Purge. A new Store is done
// when [Exercise] passes against it.
//
// The suite is written against the interfaces alone, with times every
// Store can keep exactly (UTC, whole milliseconds), so that the
// in-memory Store and database Stores run the same tests. It compares
// what a Store returns with what it was given up to what a Store may
// fairly change: the location of a time, the spelling of a JSON value, an
// empty slice for a nil one.
package storetest
