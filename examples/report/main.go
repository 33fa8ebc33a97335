// Command report is a bot that makes files: its sales_report tool builds
// a quarter's figures, and posts them as a CSV and as a PNG bar chart
// drawn with gonum.org/v1/plot. It runs on the web page
// (http://127.0.0.1:8080), where the files download from the
// conversation; the figures are made up.
//
//	go run ./examples/report
package main

import "github.com/parleybot/parley/examples/internal/playground"

func main() {
	playground.Main("report", config(), offlineModel())
}
