package discord_test

import (
	"fmt"

	"github.com/parleybot/parley/adapters/discord"
)

func ExampleNew() {
	_, err := discord.New(discord.Config{Env: func(string) string { return "" }})
	fmt.Println(err)
	// Output:
	// discord: Config.BotToken is empty and DISCORD_BOT_TOKEN is not set
	// discord: Config.AppID is empty and DISCORD_APP_ID is not set
}
