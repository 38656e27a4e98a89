package store

import "github.com/google/uuid"

// newID returns a time-ordered random identifier (UUID version 7): unique
// across instances without a round trip, and not guessable from its
// neighbours.
func newID() string { return uuid.Must(uuid.NewV7()).String() }
