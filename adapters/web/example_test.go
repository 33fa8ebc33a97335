package web_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"os"

	"github.com/parleybot/parley/adapters/web"
)

// The page mounted under /play beside other handlers, on a server of
// your own; pass the adapter in bot.Config.Adapters and start the bot.
func Example() {
	dir, _ := os.MkdirTemp("", "parley-web-")
	defer os.RemoveAll(dir)
	page, err := web.New(web.Config{NoListen: true, Dir: dir, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer page.Close()
	mux := http.NewServeMux()
	mux.Handle("/play/", http.StripPrefix("/play", page))
	fmt.Println(page.Platform(), web.Address("c1"))
	// Output: web web:c1
}

// Served on every interface, the page needs a token.
func ExampleNew_token() {
	_, err := web.New(web.Config{Addr: ":8080"})
	fmt.Println(err != nil)
	// Output: true
}
