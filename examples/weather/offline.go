package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/parleybot/parley/examples/internal/offline"
)

// offlineModel asks for a forecast when a message names a city it knows
// (Lisbon if it names none) and sums the forecast up in a sentence.
func offlineModel() *offline.Model {
	return &offline.Model{
		Help: `I'm the offline demo model. Ask "what's the weather in Paris?" or "forecast for Tokyo". ` +
			`Set OPENAI_API_KEY to talk to a real model.`,
		Rules: []offline.Rule{{
			Words: []string{"weather", "forecast", "rain", "sunny"},
			Step: func(msg string) offline.Step {
				city := "Lisbon"
				for _, c := range knownCities {
					if strings.Contains(strings.ToLower(msg), strings.ToLower(c)) {
						city = c
					}
				}
				return offline.Call("forecast", ForecastArgs{City: city})
			},
		}},
		Next: func(_, result string) offline.Step {
			var f struct {
				Forecast
				Error string `json:"error"`
			}
			json.Unmarshal([]byte(result), &f)
			if f.Error != "" || len(f.Days) == 0 {
				return offline.Say("That didn't work: " + f.Error)
			}
			lo, hi := f.Days[0].LowC, f.Days[0].HighC
			for _, d := range f.Days {
				lo, hi = min(lo, d.LowC), max(hi, d.HighC)
			}
			return offline.Say(fmt.Sprintf("Between %d and %d°C in %s over the next %d days (made-up figures).", lo, hi, f.City, len(f.Days)))
		},
	}
}
