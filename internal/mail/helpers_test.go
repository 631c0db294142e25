package mail_test

import (
	"encoding/base64"
	"errors"
	"strings"

	suivimail "github.com/codecitoyen/suivi/internal/mail"
)

func base64Decode(dst, src []byte) (int, error) {
	return base64.StdEncoding.Decode(dst, []byte(strings.Join(strings.Fields(string(src)), "")))
}

func asTemp(err error, target **suivimail.TempError) bool { return errors.As(err, target) }
