package main

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/render"
)

// ForecastArgs are the forecast tool's arguments.
type ForecastArgs struct {
	City string `json:"city" jsonschema:"the city, e.g. Lisbon"`
	Days int    `json:"days,omitempty" jsonschema:"how many days, 1 to 5; 3 if omitted"`
}

// Day is one day of a forecast.
type Day struct {
	Date       string `json:"date"`
	Conditions string `json:"conditions"`
	LowC       int    `json:"low_c"`
	HighC      int    `json:"high_c"`
}

// Forecast is what the forecast tool returns to the model.
type Forecast struct {
	City string `json:"city"`
	Days []Day  `json:"days"`
}

// Forecasts is where forecasts come from: a weather service in a real
// bot, made-up figures in this example.
type Forecasts interface {
	// Locate finds a city; it fails for a name it does not know.
	Locate(ctx context.Context, city string) (string, error)
	// Forecast gives days of forecast for a located city.
	Forecast(ctx context.Context, city string, days int) ([]Day, error)
}

// config is the bot of the example, less its platform and model: the
// forecast tool over src.
func config(src Forecasts) bot.Config {
	forecast := bot.DefineTool(bot.ToolSpec[ForecastArgs]{
		Name:        "forecast",
		Description: "Show the weather forecast for a city as a card in the chat, and return the figures.",
		Handler: func(ctx context.Context, args ForecastArgs, tc *bot.ToolContext) (any, error) {
			days := args.Days
			if days < 1 || days > 5 {
				days = 3
			}
			// The status line says what the tool is doing while it works;
			// a platform without one (ErrUnsupported) just shows less.
			status := func(s string) error {
				if err := tc.Thread.SetStatus(ctx, s); err != nil && !errors.Is(err, bot.ErrUnsupported) {
					return err
				}
				return nil
			}
			defer status("")
			if err := status("Finding " + args.City + "…"); err != nil {
				return nil, err
			}
			city, err := src.Locate(ctx, args.City)
			if err != nil {
				return nil, err
			}
			if err := status(fmt.Sprintf("Fetching %d days of forecast for %s…", days, city)); err != nil {
				return nil, err
			}
			ds, err := src.Forecast(ctx, city, days)
			if err != nil {
				return nil, err
			}
			f := Forecast{City: city, Days: ds}
			if _, err := tc.Thread.Post(ctx, card(f)); err != nil {
				return nil, err
			}
			return f, nil
		},
	})
	return bot.Config{
		Tools: []*bot.Tool{forecast},
		Instructions: "You tell the weather. For any weather question call the forecast tool, which shows a card; " +
			"then add one sentence, not a repeat of the card.",
	}
}

// card shows a forecast: a table of days.
func card(f Forecast) render.Card {
	rows := make([][]string, len(f.Days))
	for i, d := range f.Days {
		rows[i] = []string{d.Date, d.Conditions, fmt.Sprintf("%d°C", d.LowC), fmt.Sprintf("%d°C", d.HighC)}
	}
	return render.Card{
		Title:  "Forecast for " + f.City,
		Accent: render.Blue,
		Body: []render.Node{
			render.Table([]string{"Day", "Conditions", "Low", "High"}, rows...),
		},
		Footer: "demo data, not a real forecast",
	}
}

// demoForecasts makes figures up from the city's name and the date, with
// a pause at each step so that the status line can be seen.
type demoForecasts struct {
	pause time.Duration
	now   func() time.Time
}

var knownCities = []string{"Lisbon", "Paris", "London", "Berlin", "Tokyo", "New York", "Sydney", "Oslo"}

func (d demoForecasts) wait(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d.pause):
		return nil
	}
}

// Locate implements Forecasts.
func (d demoForecasts) Locate(ctx context.Context, city string) (string, error) {
	if err := d.wait(ctx); err != nil {
		return "", err
	}
	for _, c := range knownCities {
		if strings.EqualFold(c, strings.TrimSpace(city)) {
			return c, nil
		}
	}
	return "", fmt.Errorf("unknown city %q; the demo knows %s", city, strings.Join(knownCities, ", "))
}

// Forecast implements Forecasts.
func (d demoForecasts) Forecast(ctx context.Context, city string, days int) ([]Day, error) {
	if err := d.wait(ctx); err != nil {
		return nil, err
	}
	now := time.Now
	if d.now != nil {
		now = d.now
	}
	conditions := []string{"sunny", "partly cloudy", "overcast", "light rain", "windy"}
	out := make([]Day, days)
	for i := range out {
		date := now().AddDate(0, 0, i)
		h := fnv.New32a()
		fmt.Fprintf(h, "%s|%s", city, date.Format(time.DateOnly))
		n := h.Sum32()
		low := int(n%20) - 2
		out[i] = Day{Date: date.Format("Mon 2 Jan"), Conditions: conditions[n/20%uint32(len(conditions))], LowC: low, HighC: low + 4 + int(n/100%8)}
	}
	return out, nil
}
