// Command weather is a bot with a card and a progress status: its
// forecast tool says what it is doing in the platform's status line
// ("Finding Lisbon…", "Fetching the forecast…") while it works, then
// posts the forecast as a card. It runs on the web page
// (http://127.0.0.1:8080); the forecasts are made up, not fetched.
//
//	go run ./examples/weather
package main

import (
	"time"

	"github.com/parleybot/parley/examples/internal/playground"
)

func main() {
	playground.Main("weather", config(demoForecasts{pause: 600 * time.Millisecond}), offlineModel())
}
