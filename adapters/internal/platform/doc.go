// Package platform holds what the platform adapters (adapters/slack,
// adapters/discord) and their fakes do alike, so that each does it one
// way: reading a request body under a cap, waiting with a context,
// filling a Config from the environment, the MessageRef ID of a group of
// messages, and a fake's WaitFor. It is internal: bot authors use the
// adapters, not this.
package platform
