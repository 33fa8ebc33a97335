package discord

// InteractionBuckets returns how many interaction rate-limit buckets a
// keeps, for the tests.
func InteractionBuckets(a *Adapter) int { return a.ibuckets.len() }
