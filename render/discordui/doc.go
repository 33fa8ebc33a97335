// Package discordui renders a render tree as Discord message parts, in
// discordgo's types — content, embeds and classic components — within
// every limit Discord sets on a message.
//
// A card becomes an embed (title, description, inline fields, image,
// footer, colour) with action rows of buttons and select menus; markdown
// becomes Discord's markdown; tables become code blocks. What does not fit
// one message continues in the next, and what cannot be shown at all is
// cut with a visible note ("…and 12 more rows").
//
// Buttons and select options carry only the opaque ids their caller gives
// [Render], as custom_id and option value: a value never reaches Discord.
// [Validate] checks a rendered message against Discord's limits; the tests
// and fuzz targets hold every rendering to it.
package discordui
