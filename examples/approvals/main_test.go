package main

import (
	"strings"
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
)

// start starts the example's bot with model on bottest's platform, Ben
// the only approver.
func start(t *testing.T, model bot.Model) (*bottest.Harness, *Settings) {
	t.Helper()
	s := NewSettings()
	cfg := config(s, bottest.Ben.ID)
	cfg.Model = model
	return bottest.Start(t, cfg), s
}

func TestNothingIsWrittenBeforeAnApproverApproves(t *testing.T) {
	t.Parallel()
	model := bottest.NewModel(
		bottest.Call("change_setting", ChangeArgs{Key: "deploy_freeze", Value: "on", Why: "release day"}),
		bottest.Reply("Deploy freeze is on."),
	)
	h, s := start(t, model)
	h.Send(bottest.Ana, "freeze deploys please")

	card := h.Card(0)
	for _, want := range []string{"Change deploy_freeze?", "off → on", "@ana", "Why: release day", "Approve", "Deny"} {
		if !strings.Contains(card.Text(), want) {
			t.Errorf("the card lacks %q:\n%s", want, card.Text())
		}
	}
	if v, _ := s.Get("deploy_freeze"); v != "off" {
		t.Fatalf("written before approval: deploy_freeze=%s", v)
	}

	h.Click(card.Ref, "Approve", bottest.Ana) // not an approver
	if v, _ := s.Get("deploy_freeze"); v != "off" {
		t.Fatalf("a non-approver's click wrote: deploy_freeze=%s", v)
	}
	notice := false
	for _, p := range h.Adapter.Posts() {
		notice = notice || (p.Ephemeral && p.To == bottest.Ana.ID)
	}
	if !notice {
		t.Errorf("Ana was not told privately that she cannot approve: %v", h.Adapter.Texts())
	}

	h.Click(card.Ref, "Approve", bottest.Ben)
	if v, _ := s.Get("deploy_freeze"); v != "on" {
		t.Fatalf("after Ben's approval deploy_freeze=%s", v)
	}
	now, _ := h.Adapter.Lookup(card.Ref)
	if len(now.Options()) != 0 || !strings.Contains(now.Text(), "ben") {
		t.Errorf("the card was not closed with who decided: %q, options %v", now.Text(), now.Options())
	}
	if got := h.Adapter.LastText(); got != "Deploy freeze is on." {
		t.Errorf("last message %q", got)
	}
	reqs := model.Requests()
	if last := reqs[len(reqs)-1].Messages; !strings.Contains(last[len(last)-1].Content, `"changed":true`) {
		t.Errorf("the model read %q", last[len(last)-1].Content)
	}
}

func TestADeniedChangeIsNotWritten(t *testing.T) {
	t.Parallel()
	h, s := start(t, bottest.NewModel(
		bottest.Call("change_setting", ChangeArgs{Key: "signups", Value: "closed"}),
		bottest.Reply("Ben said no."),
	))
	h.Send(bottest.Ana, "close signups")
	h.Click(h.Card(0).Ref, "Deny", bottest.Ben)
	if v, _ := s.Get("signups"); v != "open" {
		t.Fatalf("a denied change was written: signups=%s", v)
	}
}

// The approval outlives a restart: the new bot resumes the waiting run
// when Ben clicks, and the write happens once.
func TestAnApprovalSurvivesARestart(t *testing.T) {
	t.Parallel()
	h, s := start(t, bottest.NewModel(
		bottest.Call("change_setting", ChangeArgs{Key: "maintenance_banner", Value: "on"}),
		bottest.Reply("Banner on."),
	))
	h.Send(bottest.Ana, "banner on")
	card := h.Card(0)
	h.Restart()
	h.Click(card.Ref, "Approve", bottest.Ben)
	if v, _ := s.Get("maintenance_banner"); v != "on" {
		t.Fatalf("maintenance_banner=%s after the approval", v)
	}
	if got := h.Adapter.LastText(); got != "Banner on." {
		t.Errorf("last message %q", got)
	}
}

func TestAnUnknownSettingGoesBackToTheModel(t *testing.T) {
	t.Parallel()
	model := bottest.NewModel(
		bottest.Call("change_setting", ChangeArgs{Key: "colour", Value: "red"}),
		bottest.Reply("No such setting."),
	)
	h, _ := start(t, model)
	h.Send(bottest.Ana, "make it red")
	if n := len(h.Adapter.Cards()); n != 0 {
		t.Fatalf("%d cards for an unknown setting", n)
	}
	reqs := model.Requests()
	if last := reqs[1].Messages; !strings.Contains(last[len(last)-1].Content, "deploy_freeze") {
		t.Errorf("the error does not list the settings: %q", last[len(last)-1].Content)
	}
}

// The offline model walks the same flow, so `go run` shows it with no key.
func TestOfflineModelAsksBenAndReports(t *testing.T) {
	t.Parallel()
	m := offlineModel()
	m.WordDelay = 1
	h, s := start(t, m)
	h.Send(bottest.Ana, "turn on deploy freeze")
	h.Click(h.Card(0).Ref, "Approve", bottest.Ben)
	if v, _ := s.Get("deploy_freeze"); v != "on" {
		t.Fatalf("deploy_freeze=%s", v)
	}
	if got := h.Adapter.LastText(); !strings.Contains(got, "deploy_freeze is now on, approved by ben") {
		t.Errorf("last message %q", got)
	}
	h.Send(bottest.Ana, "list the settings")
	if got := h.Adapter.LastText(); !strings.Contains(got, `"deploy_freeze":"on"`) {
		t.Errorf("last message %q", got)
	}
}
