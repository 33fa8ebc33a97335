package slack_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"slices"

	"github.com/parleybot/parley/adapters/slack"
)

// Check tells whose a token is and which scopes it lacks. Here a test
// server stands in for Slack, with a token granted only two scopes.
func ExampleCheck() {
	fakeSlack := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-OAuth-Scopes", "chat:write,commands")
		fmt.Fprint(w, `{"ok":true,"url":"https://acme.slack.com/","team":"Acme","user":"parley","team_id":"T0001","user_id":"U0001","bot_id":"B0001"}`)
	}))
	defer fakeSlack.Close()

	r, err := slack.Check(context.Background(), slack.Config{
		BotToken: "xoxb-example", // default: $SLACK_BOT_TOKEN
		APIURL:   fakeSlack.URL + "/",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s (%s), bot user %s\n", r.Team, r.TeamID, r.BotUserID)
	fmt.Println("granted:", r.Scopes)
	fmt.Println("lacks files:write:", slices.Contains(r.Missing, "files:write"))
	// Output:
	// Acme (T0001), bot user U0001
	// granted: [chat:write commands]
	// lacks files:write: true
}
