// Package slack is Parley's Slack adapter, on github.com/slack-go/slack.
package slack
