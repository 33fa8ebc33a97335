package bot

import (
	"context"
	"strings"
)

// Notifier carries short notes between the replicas of a bot, so that a
// click decided on one wakes, at once, the run waiting for it on another,
// and a replica holding a thread hears that work is queued there. Postgres
// implements it with LISTEN/NOTIFY; [MemoryStore] within one process.
//
// A Notifier is optional: without one, a waiting run polls the Store every
// [Config.PollInterval], and a replica holding a lane learns of queued
// work when it renews the lane's lease. Notes may be lost (a reconnect);
// the polling that remains as a safety net keeps correctness.
type Notifier interface {
	// Publish sends note to every subscriber, in every process.
	Publish(ctx context.Context, note string) error
	// Subscribe calls receive with each note published after it returns,
	// in order, on a goroutine of its own, until ctx ends.
	Subscribe(ctx context.Context, receive func(note string)) error
}

// Notes the bot publishes: a choice that ended, and work queued in a lane
// (with the run it resumes, if any).
const (
	noteChoice = "choice:"
	noteLane   = "lane:"
)

func choiceNote(id string) string { return noteChoice + id }

func laneNote(lane, run string) string { return noteLane + run + " " + lane }

// parseNote splits a note into its kind and fields; ok is false for a note
// the bot did not write.
func parseNote(note string) (kind, a, b string, ok bool) {
	switch {
	case strings.HasPrefix(note, noteChoice):
		return noteChoice, note[len(noteChoice):], "", true
	case strings.HasPrefix(note, noteLane):
		run, lane, ok := strings.Cut(note[len(noteLane):], " ")
		return noteLane, lane, run, ok
	}
	return "", "", "", false
}
