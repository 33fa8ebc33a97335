package bottest_test

import (
	"slices"
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
)

// The harness's Send and Click return while a tool waits for a person in
// AwaitChoice, with the default ParkAfter: a run that waits does not keep
// the bot busy. (Were it counted, each call would fail the test after the
// harness's ten seconds.) Restart keeps the card clickable, and the
// helpers find it and its buttons.
func TestHarnessDoesNotWaitForAPersonsDecision(t *testing.T) {
	t.Parallel()
	model := bottest.NewModel(
		bottest.Call("confirm_write", bottest.ApprovalArgs{Action: "drop table users"}),
		bottest.Reply("Not dropped."),
		bottest.Reply("Still here."),
	)
	h := bottest.Start(t, bot.Config{Model: model, Tools: []*bot.Tool{bottest.ApprovalTool(bottest.Ana.ID)}})
	h.Send(bottest.Ana, "drop the users table") // returns with the tool waiting
	card := h.Card(0)
	if got := card.Options(); !slices.Equal(got, []string{"Approve", "Deny"}) {
		t.Fatalf("the card shows %q; want [Approve Deny]", got)
	}
	if card.ID("Approve") == "" || card.ID("Deny") == "" || card.ID("Approve") == card.ID("Deny") {
		t.Fatalf("the card's buttons have ids %q and %q; want two", card.ID("Approve"), card.ID("Deny"))
	}
	h.Click(card.Ref, "Approve", bottest.Ben) // not an approver: the wait goes on
	h.Send(bottest.Ben, "is anyone there?")   // queued behind the waiting run, or beside it
	h.Restart()
	h.Click(card.Ref, "Deny", bottest.Ana)
	if err := h.Chat.WaitClosed(t.Context(), card.Ref); err != nil {
		t.Fatal(err)
	}
	h.Wait()
	texts := h.Chat.Texts()
	if !slices.Contains(texts, "Not dropped.") || !slices.Contains(texts, "Still here.") {
		t.Errorf("both runs should have answered once the person decided; posted %q", texts)
	}
}
