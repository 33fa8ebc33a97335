// Command approvals is a bot that asks before it writes: its
// change_setting tool shows the change on a card and waits until an
// approver clicks Approve, and only then writes it. It runs on the web
// page (http://127.0.0.1:8080), where Ben may approve and Ana and Cy may
// only ask.
//
//	go run ./examples/approvals
package main

import "github.com/parleybot/parley/examples/internal/playground"

func main() {
	playground.Main("approvals", config(NewSettings(), "ben"), offlineModel())
}
