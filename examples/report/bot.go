package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"hash/fnv"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/parleybot/parley/bot"
)

// ReportArgs are the sales_report tool's arguments.
type ReportArgs struct {
	Quarter Quarter `json:"quarter" jsonschema:"the quarter to report on"`
}

// Quarter is a quarter of the year.
type Quarter string

// Enum lists the quarters, for the tool's JSON Schema.
func (Quarter) Enum() []any { return []any{"Q1", "Q2", "Q3", "Q4"} }

// Sale is one region's sales in a quarter.
type Sale struct {
	Region string `json:"region"`
	Units  int    `json:"units"`
	// Revenue is in euros.
	Revenue int `json:"revenue_eur"`
}

// ReportResult is what sales_report tells the model: the figures and
// the files it posted.
type ReportResult struct {
	Quarter Quarter  `json:"quarter"`
	Sales   []Sale   `json:"sales"`
	Total   int      `json:"total_revenue_eur"`
	Files   []string `json:"files_posted"`
}

// The chart's size in pixels.
const chartWidth, chartHeight = 800, 450

var regions = []string{"North", "South", "East", "West", "Online"}

// config is the bot of the example, less its platform and model: the
// sales_report tool.
func config() bot.Config {
	report := bot.DefineTool(bot.ToolSpec[ReportArgs]{
		Name:        "sales_report",
		Description: "Post a quarter's sales by region into the chat as a CSV file and a PNG bar chart, and return the figures.",
		Handler: func(ctx context.Context, args ReportArgs, tc *bot.ToolContext) (any, error) {
			sales := salesIn(args.Quarter)
			table, err := salesCSV(sales)
			if err != nil {
				return nil, err
			}
			chart, err := salesChart(args.Quarter, sales)
			if err != nil {
				return nil, err
			}
			res := ReportResult{Quarter: args.Quarter, Sales: sales}
			for _, s := range sales {
				res.Total += s.Revenue
			}
			for _, f := range []bot.File{
				{Name: "sales-" + string(args.Quarter) + ".csv", ContentType: "text/csv", Data: table, Comment: "Sales by region, " + string(args.Quarter)},
				{Name: "sales-" + string(args.Quarter) + ".png", ContentType: "image/png", Data: chart, Title: "Revenue by region, " + string(args.Quarter)},
			} {
				if _, err := tc.Thread.PostFile(ctx, f); err != nil {
					return nil, err
				}
				res.Files = append(res.Files, f.Name)
			}
			return res, nil
		},
	})
	return bot.Config{
		Tools: []*bot.Tool{report},
		Instructions: "You report on sales. For any question about a quarter's sales call sales_report, which posts " +
			"a CSV and a chart; then give the total and the best region in one sentence.",
	}
}

// salesIn makes a quarter's figures up, the same every time.
func salesIn(q Quarter) []Sale {
	out := make([]Sale, len(regions))
	for i, r := range regions {
		h := fnv.New32a()
		fmt.Fprintf(h, "%s|%s", q, r)
		n := h.Sum32()
		units := 100 + int(n%900)
		out[i] = Sale{Region: r, Units: units, Revenue: units * (40 + int(n/1000%30))}
	}
	return out
}

// salesCSV writes sales as CSV with a header row.
func salesCSV(sales []Sale) ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write([]string{"region", "units", "revenue_eur"})
	for _, s := range sales {
		w.Write([]string{s.Region, strconv.Itoa(s.Units), strconv.Itoa(s.Revenue)})
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// salesChart draws revenue by region as a bar chart, chartWidth by
// chartHeight pixels.
func salesChart(q Quarter, sales []Sale) ([]byte, error) {
	p := plot.New()
	p.Title.Text = "Revenue by region, " + string(q)
	p.Y.Label.Text = "EUR"
	values := make(plotter.Values, len(sales))
	names := make([]string, len(sales))
	for i, s := range sales {
		values[i], names[i] = float64(s.Revenue), s.Region
	}
	bars, err := plotter.NewBarChart(values, vg.Points(40))
	if err != nil {
		return nil, err
	}
	p.Add(bars)
	p.NominalX(names...)

	const dpi = 96
	c := vgimg.NewWith(vgimg.UseWH(vg.Length(chartWidth)*vg.Inch/dpi, vg.Length(chartHeight)*vg.Inch/dpi), vgimg.UseDPI(dpi))
	p.Draw(draw.New(c))
	var b bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
