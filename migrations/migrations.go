// Package migrations embeds Suivi's numbered SQL migrations, applied by tern.
// Files are named NNN_what.sql; never edit one that has shipped: add a new one.
package migrations

import "embed"

// FS holds every migration file.
//
//go:embed *.sql
var FS embed.FS
