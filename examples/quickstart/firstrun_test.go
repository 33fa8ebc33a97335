package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// firstRunLine is what make prints before a first run's silent download
// and build.
const firstRunLine = "first run: downloading and building, about 2 minutes"

// makeIn runs make target at the repository's root with env added to this
// process's environment (less make's own variables), and returns what it
// printed, stdout and stderr interleaved.
func makeIn(t *testing.T, target string, env ...string) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("make", "--no-print-directory", target)
	cmd.Dir = root
	for _, kv := range os.Environ() {
		switch k, _, _ := strings.Cut(kv, "="); k {
		case "MAKEFLAGS", "MFLAGS", "MAKELEVEL":
		default:
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	out, _ := cmd.CombinedOutput() // a cold run without a proxy fails: what it printed first is the point
	return string(out)
}

// On a machine that has neither the modules nor a build cache, `make run`
// and `make test` say so before the first module download, which is
// otherwise silent for minutes; on a warm machine they say nothing of it.
func TestMakeSaysFirstRunBeforeTheFirstDownload(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: runs make")
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	cold := t.TempDir()
	for _, target := range []string{"run", "test"} {
		t.Run(target, func(t *testing.T) {
			// An empty module cache and build cache, and no proxy: the
			// first download fails at once instead of taking minutes.
			out := makeIn(t, target,
				"GOMODCACHE="+filepath.Join(cold, "mod"), "GOCACHE="+filepath.Join(cold, "cache"), "GOPROXY=off",
				"PARLEY_CHROME=none") // the browser target then installs nothing
			first, _, _ := strings.Cut(out, "\n")
			if first != firstRunLine {
				t.Errorf("make %s on a cold machine printed first %q; want %q. It printed:\n%s", target, first, firstRunLine, out)
			}
			if !strings.Contains(out, "go: ") {
				t.Errorf("make %s on a cold machine did not reach go at all; the check proves nothing. It printed:\n%s", target, out)
			}
		})
	}
	t.Run("warm", func(t *testing.T) {
		// This test runs from a built package: modules and cache are there.
		if out := makeIn(t, "first-run"); strings.Contains(out, firstRunLine) {
			t.Errorf("make first-run on a warm machine printed %q", out)
		}
	})
}
