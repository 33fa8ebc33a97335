// Package offline is the stand-in model of the examples: a few scripted
// rules that call an example's tools and phrase their results, so that
// every example runs with no API key and no network. It is not a language
// model and says so; set OPENAI_API_KEY or OPENAI_BASE_URL to use one (see
// package playground).
package offline
