package bot

import (
	"strings"
	"testing"
)

// A divergence is told to people in the thread; a decision step's key is
// a choice's id, which they must never see.
func TestDivergenceNeverNamesAChoiceID(t *testing.T) {
	const id = "01JDX6Z7K3T9Q4V8M2N5R0W1YH"
	if got := stepName(StepDecision, id); strings.Contains(got, id) {
		t.Errorf("a decision step reads %q", got)
	}
	if got := stepName(StepPost, "Deploying…"); !strings.Contains(got, `"Deploying…"`) || !strings.Contains(got, "post") {
		t.Errorf("a post step reads %q; want its kind and key", got)
	}
}
