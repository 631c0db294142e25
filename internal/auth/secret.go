package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// Secret prefixes make a leaked secret recognisable (secret scanners, a
// person reading a log) and say what it is for.
const (
	TokenPrefix = "suivi_"
	LinkPrefix  = "l_"
	FeedPrefix  = "c_"
)

// NewSecret returns a random secret of 32 bytes (256 bits), written with
// prefix in base64url, and the SHA-256 of it: only the hash is kept, so a
// copy of the database signs nobody in.
func NewSecret(prefix string) (secret string, hash []byte) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		// crypto/rand never fails on Linux; if it did, no secret is safe.
		panic("auth: crypto/rand: " + err.Error())
	}
	secret = prefix + base64.RawURLEncoding.EncodeToString(b)
	return secret, Hash(secret)
}

// Hash is how a secret is looked up: its SHA-256. A secret of 256 random
// bits needs no slow hash; comparing hashes in the database leaks nothing
// usable by timing.
func Hash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// LooksLike reports whether s has the shape of a secret with prefix:
// cheap, to refuse garbage before any query.
func LooksLike(s, prefix string) bool {
	rest, ok := strings.CutPrefix(s, prefix)
	if !ok || len(rest) != 43 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(rest)
	return err == nil
}
