// Package blockkit renders a render tree as Slack Block Kit, in slack-go's
// types, within every limit Slack sets on a message.
//
// A card becomes header, section, context, image, divider, table and
// actions blocks; markdown becomes Slack's mrkdwn; a card's accent colour
// becomes the colour of an attachment holding its blocks. What does not fit
// one message continues in the next, and what cannot be shown at all is
// cut with a visible note ("…and 12 more rows").
//
// Buttons and select options carry only the opaque ids their caller gives
// [Render], as action_id and value: a value never reaches Slack.
// [Validate] checks a rendered message against Slack's limits; the tests
// and fuzz targets hold every rendering to it.
package blockkit
