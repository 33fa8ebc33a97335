package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/parleybot/parley/examples/internal/offline"
)

// offlineModel asks for the quarter a message names (Q1 if none) and
// names the total and the best region.
func offlineModel() *offline.Model {
	return &offline.Model{
		Help: `I'm the offline demo model. Ask for "the Q2 sales report". Set OPENAI_API_KEY to talk to a real model.`,
		Rules: []offline.Rule{{
			Words: []string{"report", "sales", "chart", "csv"},
			Step: func(msg string) offline.Step {
				q := "Q1"
				for _, c := range []string{"Q1", "Q2", "Q3", "Q4"} {
					if strings.Contains(strings.ToUpper(msg), c) {
						q = c
					}
				}
				return offline.Call("sales_report", ReportArgs{Quarter: Quarter(q)})
			},
		}},
		Next: func(_, result string) offline.Step {
			var r ReportResult
			if err := json.Unmarshal([]byte(result), &r); err != nil || len(r.Sales) == 0 {
				return offline.Say("That didn't work: " + result)
			}
			best := r.Sales[0]
			for _, s := range r.Sales {
				if s.Revenue > best.Revenue {
					best = s
				}
			}
			return offline.Say(fmt.Sprintf("%s revenue was €%d in all; %s led with €%d (made-up figures). The CSV and the chart are above.",
				r.Quarter, r.Total, best.Region, best.Revenue))
		},
	}
}
