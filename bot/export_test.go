package bot

// PendingReplies counts the click replies b keeps in memory (Bot.replies),
// for a test of their release.
func PendingReplies(b *Bot) int {
	n := 0
	b.replies.Range(func(any, any) bool { n++; return true })
	return n
}

// JournalSum is the hash a journal entry's Sum held of parts in releases
// before sums were versioned, for a test that writes a journal as they
// did.
func JournalSum(parts ...any) string { return sum(parts...) }
