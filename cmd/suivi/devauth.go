package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/store"
)

// DevCoordinator is the coordinator of every city that `suivi dev` makes,
// so the README's commands work on a fresh machine without signing in: its
// token is in the data dir, where the CLI looks when SUIVI_URL is local.
const DevCoordinator = "coordinator@suivi.localhost"

// devSignIn makes sure the local coordinator exists and that the data dir
// holds a live token for it; it returns the token file's path.
func devSignIn(ctx context.Context, st *store.Store, dataDir string) (string, error) {
	if _, err := st.AddGrant(ctx, auth.Grant{Email: DevCoordinator, Role: auth.Coordinator}, "suivi dev"); err != nil {
		return "", err
	}
	path := filepath.Join(dataDir, devTokenFile)
	if b, err := os.ReadFile(path); err == nil {
		secret := strings.TrimSpace(string(b))
		if auth.LooksLike(secret, auth.TokenPrefix) {
			_, err := st.TokenOwner(ctx, auth.Hash(secret), time.Now())
			if err == nil {
				return path, nil
			}
			if !errors.Is(err, store.ErrNotFound) {
				return "", err
			}
		}
	}
	secret, hash := auth.NewSecret(auth.TokenPrefix)
	if _, err := st.CreateToken(ctx, DevCoordinator, "suivi dev", hash); err != nil {
		return "", err
	}
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("data dir: %w", err)
	}
	return path, nil
}
