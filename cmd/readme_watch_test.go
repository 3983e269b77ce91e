package cmd

import (
	"os"
	"testing"
)

// TestReadmeWatchLines keeps the README's sample of watch lines equal to
// what the renderer writes for the same changes.
func TestReadmeWatchLines(t *testing.T) {
	got := block(t, readme(t), "<!-- example:watch-lines")
	want, err := os.ReadFile("../reports/testdata/golden/watch-flapping.lines.txt")
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Fatalf("README watch lines differ from reports/testdata/golden/watch-flapping.lines.txt; copy the golden file into the README")
	}
}
