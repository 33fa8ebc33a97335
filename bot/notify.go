package bot

import (
	"strings"
)

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
