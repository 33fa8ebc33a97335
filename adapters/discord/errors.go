package discord

import "fmt"

func errInvalidID(field, v string) error {
	return fmt.Errorf("discord: %s %q is not a Discord id (a snowflake: digits only)", field, v)
}
