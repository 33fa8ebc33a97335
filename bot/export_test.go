package bot

// PendingReplies counts the click replies b keeps in memory (Bot.replies),
// for a test of their release.
func PendingReplies(b *Bot) int {
	n := 0
	b.replies.Range(func(any, any) bool { n++; return true })
	return n
}
