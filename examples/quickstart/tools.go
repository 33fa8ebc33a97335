package main

import (
	"context"
	"fmt"
	"hash/fnv"
	"strings"
	"time"
	_ "time/tzdata" // zones work on machines without a zoneinfo database

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/render"
)

// Units is a temperature scale.
type Units string

// Enum lists the scales, for the tool's JSON Schema.
func (Units) Enum() []any { return []any{"celsius", "fahrenheit"} }

// WeatherArgs are the weather tool's arguments.
type WeatherArgs struct {
	City  string `json:"city" jsonschema:"the city, e.g. Lisbon"`
	Units Units  `json:"units,omitempty" jsonschema:"temperature scale; celsius if omitted"`
}

// Weather is what the weather tool reports. The figures are made up from
// the city's name and the date: this example reaches no weather service.
type Weather struct {
	City       string `json:"city"`
	Degrees    int    `json:"degrees"`
	Units      Units  `json:"units"`
	Conditions string `json:"conditions"`
	WindKmh    int    `json:"wind_kmh"`
	Note       string `json:"note"`
}

var weatherTool = bot.DefineTool(bot.ToolSpec[WeatherArgs]{
	Name:        "weather",
	Description: "Show the current weather in a city as a card in the chat, and return the figures.",
	Handler: func(ctx context.Context, args WeatherArgs, tc *bot.ToolContext) (any, error) {
		w := lookupWeather(args.City, args.Units, time.Now())
		if _, err := tc.Thread.Post(ctx, weatherCard(w)); err != nil {
			return nil, err
		}
		return w, nil
	},
})

func lookupWeather(city string, units Units, now time.Time) Weather {
	h := fnv.New32a()
	fmt.Fprintf(h, "%s|%s", strings.ToLower(city), now.Format("2006-01-02T15"))
	n := h.Sum32()
	conditions := []string{"sunny", "partly cloudy", "overcast", "light rain", "windy", "foggy"}
	c := int(n%30) - 2
	w := Weather{City: city, Degrees: c, Units: "celsius", Conditions: conditions[n/30%uint32(len(conditions))], WindKmh: int(n / 7 % 40), Note: "demo data, not a forecast"}
	if units == "fahrenheit" {
		w.Degrees, w.Units = c*9/5+32, units
	}
	return w
}

func weatherCard(w Weather) render.Card {
	sym := "°C"
	if w.Units == "fahrenheit" {
		sym = "°F"
	}
	return render.Card{
		Title: "Weather in " + w.City,
		Body: []render.Node{
			render.Fields(
				render.Field{Label: "Temperature", Value: fmt.Sprintf("%d%s", w.Degrees, sym)},
				render.Field{Label: "Conditions", Value: w.Conditions},
				render.Field{Label: "Wind", Value: fmt.Sprintf("%d km/h", w.WindKmh)},
			),
			render.Text("(" + w.Note + ")"),
		},
		Actions: render.Actions(render.Button("Refresh", w.City).OnAction("refresh")),
	}
}

// refreshWeather handles the card's Refresh button: it updates the card in
// place.
func refreshWeather(ctx context.Context, t *bot.Thread, e bot.ActionEvent) error {
	var city string
	if err := e.Decode(&city); err != nil {
		return err
	}
	return t.Update(ctx, e.Message, weatherCard(lookupWeather(city, "celsius", time.Now())))
}

// TimeArgs are the local_time tool's arguments.
type TimeArgs struct {
	Zone string `json:"zone" jsonschema:"an IANA time zone, e.g. Asia/Tokyo or Europe/Lisbon"`
}

var timeTool = bot.DefineTool(bot.ToolSpec[TimeArgs]{
	Name:        "local_time",
	Description: "Tell the current local time in an IANA time zone.",
	Handler: func(ctx context.Context, args TimeArgs, tc *bot.ToolContext) (any, error) {
		loc, err := time.LoadLocation(args.Zone)
		if err != nil {
			return nil, fmt.Errorf("unknown time zone %q: use an IANA name such as Europe/Paris", args.Zone)
		}
		return map[string]string{"zone": args.Zone, "time": time.Now().In(loc).Format("Mon 15:04")}, nil
	},
})
