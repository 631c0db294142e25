package mail

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
)

// Tokens signs the links in emails that change a person's choices without
// logging in: the token names the person and only Suivi can make one.
type Tokens struct {
	Secret []byte
}

// ErrBadToken means a link was altered, truncated or made elsewhere.
var ErrBadToken = errors.New("this link is not valid (altered or incomplete); use the link from your latest email")

// Sign returns the token for an email address.
func (t Tokens) Sign(email string) string {
	payload := base64.RawURLEncoding.EncodeToString([]byte(strings.ToLower(email)))
	return payload + "." + t.mac(payload)
}

// Verify returns the email address a token was made for.
func (t Tokens) Verify(token string) (string, error) {
	payload, sig, ok := strings.Cut(token, ".")
	if !ok || len(t.Secret) == 0 || !hmac.Equal([]byte(sig), []byte(t.mac(payload))) {
		return "", ErrBadToken
	}
	b, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return "", ErrBadToken
	}
	return string(b), nil
}

func (t Tokens) mac(payload string) string {
	m := hmac.New(sha256.New, t.Secret)
	m.Write([]byte("suivi-prefs:" + payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
