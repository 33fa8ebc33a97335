// Package storebench holds the benchmarks of issue 10 that every database
// Store runs: journal appends/s ([JournalAppend]), decisions/s under 100
// concurrent deciders ([Decide100]), the Store calls and writes of one
// agent turn that does not wait ([Turn]), restart-to-ready time with
// 10,000 pending choices ([RestartWith10kPendingChoices]) and the
// database's size per parked choice ([ParkedChoiceSize]).
//
// Each is the body of a benchmark, written against the [bot.Store] and
// [bot.Notifier] interfaces alone and parameterised by functions that
// open the Store, as [storetest.Exercise] is for tests, so that
// store/sqlite and store/postgres measure the same work and keep in their
// own files only what is theirs: how a Store is opened, the commit modes
// or pool sizes they compare, and how a database's size is measured.
// Names of sub-benchmarks and reported metrics are fixed here, so that
// results of the two Stores line up.
//
// The Store calls of the bot's benchmarks are counted and timed by method
// through a wrapper around the Store under test; the calls per op are
// logged when b.N > 1.
package storebench
