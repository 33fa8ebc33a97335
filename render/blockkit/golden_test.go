package blockkit_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/parleybot/parley/render/blockkit"
	"github.com/parleybot/parley/render/internal/gallery"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestGallery renders every gallery card, checks each message with
// Validate, and compares the messages with testdata/<name>.json.
func TestGallery(t *testing.T) {
	t.Parallel()
	for _, e := range gallery.Cards() {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			msgs, err := blockkit.Render(e.Node, gallery.IDs(e.Node))
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			for i, m := range msgs {
				if err := blockkit.Validate(m); err != nil {
					t.Errorf("message %d:\n%v", i, err)
				}
			}
			got, err := json.MarshalIndent(msgs, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", e.Name+".json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to write it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the rendering (run go test -update to rewrite it):\n%s", path, firstDiff(got, want))
			}
		})
	}
}

// firstDiff shows the first line where got and want differ.
func firstDiff(got, want []byte) string {
	g, w := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	for i := range max(len(g), len(w)) {
		var gl, wl []byte
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if !bytes.Equal(gl, wl) {
			return fmt.Sprintf("line %d:\n got: %.300s\nwant: %.300s", i+1, gl, wl)
		}
	}
	return "lengths differ"
}
