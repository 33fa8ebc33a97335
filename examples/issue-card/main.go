// Command issue-card is a bot with a render tool: the model shows a bug
// report as a card by calling show_issue, whose arguments — title,
// severity, steps… — are the card's props. It runs on the web page
// (http://127.0.0.1:8080): describe a bug and the bot drafts the issue.
//
//	go run ./examples/issue-card
package main

import "github.com/parleybot/parley/examples/internal/playground"

func main() {
	playground.Main("issue-card", config(), offlineModel())
}
