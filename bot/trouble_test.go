package bot

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

// A task that fails at every sweep while the Store is away logs its first
// failure and its recovery, not every failure.
func TestTroubleLogsTheStartAndTheEndOfAnOutage(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	var tr trouble
	down := errors.New("store down")
	tr.note(log, "sweeping", nil)
	for range 100 {
		tr.note(log, "sweeping", down)
	}
	tr.note(log, "sweeping", nil)
	tr.note(log, "sweeping", nil)
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "sweeping failed") || !strings.Contains(lines[1], "sweeping works again") {
		t.Fatalf("logged:\n%s", buf.String())
	}

	// A long outage is recalled once a minute, with the count not logged.
	buf.Reset()
	tr.note(log, "sweeping", down)
	tr.mu.Lock()
	tr.logged = tr.logged.Add(-troubleEvery)
	tr.mu.Unlock()
	tr.note(log, "sweeping", down)
	tr.note(log, "sweeping", down)
	if n := strings.Count(buf.String(), "still fails"); n != 1 {
		t.Fatalf("logged %d reminders, want 1:\n%s", n, buf.String())
	}
}
