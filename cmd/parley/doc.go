// Parley is the command-line helper of the Parley framework: it sets up
// the app a bot needs on a chat platform and checks its credentials, so
// that a misconfigured app shows up before the bot runs rather than as
// events that never arrive.
//
// Usage:
//
//	parley slack manifest [-url URL] [-name NAME] [-command /ask|-] [-description TEXT] [-prompt TITLE=MESSAGE]...
//	parley slack check [-api-url URL]
//	parley help [platform]
//
// "parley slack manifest" prints, on standard output, the JSON app
// manifest the Slack adapter needs: its bot user, the assistant pane, the
// slash command, interactivity, and the scopes and events the adapter
// handles, taken from the adapter's own table (see
// github.com/parleybot/parley/adapters/slack.Manifest). Paste it at
// https://api.slack.com/apps under Create New App → From a manifest. With
// -url, Slack sends events, interactivity and the slash command to that
// URL, where the adapter's http.Handler is mounted; without it the app
// uses Socket Mode, and the bot needs an app-level token
// (SLACK_APP_TOKEN) with the connections:write scope.
//
// "parley slack check" calls Slack's auth.test with SLACK_BOT_TOKEN from
// the environment and prints the token's workspace, its bot user, the
// scopes it was granted and those the adapter needs but it lacks. -api-url
// points it at another Web API, such as a test server.
//
// The exit status is 0 when all is well, 1 when a check found something to
// fix (a refused token, a missing scope) or a call failed, and 2 when the
// command line is wrong.
//
// Commands are grouped by platform, so Discord's join the Slack ones as
// "parley discord …".
package main
