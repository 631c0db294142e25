package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/codecitoyen/suivi/internal/api"
	"github.com/codecitoyen/suivi/internal/config"
)

// clientSettings are the flags of every command that calls the API.
var clientSettings = []string{"server", "token"}

// apiClient returns the API client of a CLI command, with the token it
// finds (tokenFor).
func apiClient(cfg *config.Config) *api.Client {
	c := api.NewClient(cfg.URL)
	c.Token = tokenFor(cfg)
	return c
}

// tokenFor finds the API token for cfg.URL: SUIVI_TOKEN (--token), else
// the one `suivi login` saved for that server, else, for a server on this
// machine, the one `suivi dev` wrote in its data dir. None is "" (the
// server then answers that one must sign in).
func tokenFor(cfg *config.Config) string {
	if cfg.Token != "" {
		return cfg.Token
	}
	if t := savedTokens()[serverKey(cfg.URL)]; t != "" {
		return t
	}
	if u, err := url.Parse(cfg.URL); err == nil && config.IsLoopback(u.Hostname()) {
		if b, err := os.ReadFile(filepath.Join(cfg.DataDir, devTokenFile)); err == nil {
			return strings.TrimSpace(string(b))
		}
	}
	return ""
}

// devTokenFile is where `suivi dev` writes its local coordinator's token,
// in the data dir.
const devTokenFile = "token"

// tokensPath is the file `suivi login` keeps its tokens in, one per server.
func tokensPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no directory for the CLI's tokens (set HOME or XDG_CONFIG_HOME, or use SUIVI_TOKEN): %w", err)
	}
	return filepath.Join(dir, "suivi", "tokens.json"), nil
}

func savedTokens() map[string]string {
	out := map[string]string{}
	path, err := tokensPath()
	if err != nil {
		return out
	}
	if b, err := os.ReadFile(path); err == nil {
		_ = json.Unmarshal(b, &out)
	}
	return out
}

// saveToken keeps a token for a server, readable by its owner only.
func saveToken(server, token string) (string, error) {
	path, err := tokensPath()
	if err != nil {
		return "", err
	}
	all := savedTokens()
	if token == "" {
		delete(all, serverKey(server))
	} else {
		all[serverKey(server)] = token
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", fmt.Errorf("save the token: %w", err)
	}
	b, _ := json.MarshalIndent(all, "", "  ")
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return "", fmt.Errorf("save the token: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", fmt.Errorf("save the token: %w", err)
	}
	return path, nil
}

// serverKey is a server's address as tokens are filed under.
func serverKey(server string) string {
	return strings.TrimRight(strings.ToLower(server), "/")
}
