// Command read-thread is a bot with a data tool: read_thread gives the
// model the conversation's recent messages, so it can summarize a
// discussion or say who asked for what. It runs on the web page
// (http://127.0.0.1:8080): write a few messages as Ana and Ben, then ask
// "summarize this thread".
//
//	go run ./examples/read-thread
package main

import "github.com/parleybot/parley/examples/internal/playground"

func main() {
	playground.Main("read-thread", config(), offlineModel())
}
