// Package playground runs an example's bot: on the web page of
// adapters/web (http://127.0.0.1:8080 unless PARLEY_ADDR says otherwise),
// with the OpenAI-compatible model the environment names (OPENAI_API_KEY,
// OPENAI_BASE_URL, OPENAI_MODEL) or, when it names none, the example's
// offline scripted model, with a banner saying which. Each example's main
// is one call of [Main]; its bot's tools and settings live in a function
// the example's test drives through bottest.
package playground
