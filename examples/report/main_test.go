package main

import (
	"bytes"
	"encoding/csv"
	"image/png"
	"strconv"
	"strings"
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
)

func start(t *testing.T, model bot.Model) *bottest.Harness {
	t.Helper()
	cfg := config()
	cfg.Model = model
	return bottest.Start(t, cfg)
}

func TestTheReportPostsACSVAndAChart(t *testing.T) {
	t.Parallel()
	model := bottest.NewModel(
		bottest.Call("sales_report", ReportArgs{Quarter: "Q2"}),
		bottest.Reply("Here is Q2."),
	)
	h := start(t, model)
	h.Send(bottest.Ana, "Q2 sales please")

	files := h.Adapter.Files()
	if len(files) != 2 {
		t.Fatalf("%d files posted, want the CSV and the chart", len(files))
	}
	table, chart := files[0], files[1]
	if table.Name != "sales-Q2.csv" || table.ContentType != "text/csv" || chart.Name != "sales-Q2.png" || chart.ContentType != "image/png" {
		t.Errorf("files %s (%s), %s (%s)", table.Name, table.ContentType, chart.Name, chart.ContentType)
	}

	rows, err := csv.NewReader(bytes.NewReader(table.Data)).ReadAll()
	if err != nil {
		t.Fatalf("the CSV does not parse: %v\n%s", err, table.Data)
	}
	if strings.Join(rows[0], ",") != "region,units,revenue_eur" || len(rows) != 1+len(regions) {
		t.Fatalf("CSV:\n%s", table.Data)
	}
	total := 0
	for i, r := range rows[1:] {
		units, err1 := strconv.Atoi(r[1])
		revenue, err2 := strconv.Atoi(r[2])
		if r[0] != regions[i] || err1 != nil || err2 != nil || units < 100 || revenue < units*40 {
			t.Errorf("row %d: %q", i+1, r)
		}
		total += revenue
	}

	img, err := png.Decode(bytes.NewReader(chart.Data))
	if err != nil {
		t.Fatalf("the chart is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != chartWidth || b.Dy() != chartHeight {
		t.Errorf("the chart is %dx%d, want %dx%d", b.Dx(), b.Dy(), chartWidth, chartHeight)
	}

	// The model reads the same figures the CSV holds.
	reqs := model.Requests()
	result := reqs[1].Messages[len(reqs[1].Messages)-1].Content
	if !strings.Contains(result, `"total_revenue_eur":`+strconv.Itoa(total)) || !strings.Contains(result, `"files_posted":["sales-Q2.csv","sales-Q2.png"]`) {
		t.Errorf("the model read %s (CSV total %d)", result, total)
	}
	if got := h.Adapter.LastText(); got != "Here is Q2." {
		t.Errorf("answer %q", got)
	}
}

// A chart is not blank: the bars are drawn in more than one colour.
func TestTheChartHasBars(t *testing.T) {
	t.Parallel()
	data, err := salesChart("Q1", salesIn("Q1"))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	colours := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, a := img.At(x, y).RGBA()
			colours[[4]uint32{r, g, bl, a}] = true
		}
	}
	if len(colours) < 3 {
		t.Errorf("the chart has %d colours: blank", len(colours))
	}
}

// A quarter outside the enum goes back to the model; no file is posted.
func TestAnUnknownQuarterPostsNothing(t *testing.T) {
	t.Parallel()
	h := start(t, bottest.NewModel(bottest.Call("sales_report", map[string]any{"quarter": "Q5"}), bottest.Reply("No Q5.")))
	h.Send(bottest.Ana, "Q5 sales")
	if n := len(h.Adapter.Files()); n != 0 {
		t.Errorf("%d files for Q5", n)
	}
}

// On a platform without files the model reads an error naming the
// capability.
func TestWithoutFilesTheModelIsTold(t *testing.T) {
	t.Parallel()
	model := bottest.NewModel(bottest.Call("sales_report", ReportArgs{Quarter: "Q3"}), bottest.Reply("No files here."))
	h := start(t, model)
	h.Chat.SetCapabilities(bot.AllCapabilities.Without(bot.CapFiles).Without(bot.CapStreaming))
	h.Send(bottest.Ana, "Q3 sales")
	reqs := model.Requests()
	if msg := reqs[1].Messages[len(reqs[1].Messages)-1].Content; !strings.Contains(msg, "error") || !strings.Contains(strings.ToLower(msg), "file") {
		t.Errorf("the model read %q", msg)
	}
}

func TestOfflineModelNamesTheTotalAndTheBestRegion(t *testing.T) {
	t.Parallel()
	m := offlineModel()
	m.WordDelay = 1
	h := start(t, m)
	h.Send(bottest.Ana, "the Q4 sales report")
	if len(h.Adapter.Files()) != 2 || !strings.Contains(h.Adapter.LastText(), "Q4 revenue was €") {
		t.Errorf("files %d, answer %q", len(h.Adapter.Files()), h.Adapter.LastText())
	}
}
