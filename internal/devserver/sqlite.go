package devserver

import (
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"go.temporal.io/server/common/config"
	sqliteschema "go.temporal.io/server/schema/sqlite"
)

// dbMode keeps workflow histories (names, emails, payloads) to their owner.
// SQLite creates the -wal and -shm files with the mode of the database
// file, so this one mode covers all three.
const dbMode os.FileMode = 0o600

// SQLite result codes (https://sqlite.org/rescode.html) that mean the file
// is not, or no longer, a database.
const (
	sqliteCorrupt = 11
	sqliteNotADB  = 26
)

// createDB creates the database file with dbMode, then its schema. The
// file exists before SQLite opens it because SQLite would create it 0644;
// SQLite takes an existing empty file for an empty database.
func createDB(conf *config.SQL) error {
	file := conf.DatabaseName
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return fmt.Errorf("temporal: %w", err)
	}
	f, err := os.OpenFile(file, os.O_CREATE|os.O_EXCL|os.O_WRONLY, dbMode)
	if err != nil {
		return fmt.Errorf("temporal: create %s: %w", file, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("temporal: create %s: %w", file, err)
	}
	if err := sqliteschema.SetupSchema(conf); err != nil {
		_ = os.Remove(file)
		return fmt.Errorf("temporal: create SQLite schema in %s: %w", file, err)
	}
	return nil
}

// tightenDBFiles gives the database and its -wal and -shm files dbMode
// when an older Suivi created them readable by others.
func tightenDBFiles(file string, log *slog.Logger) error {
	for _, f := range []string{file, file + "-wal", file + "-shm"} {
		fi, err := os.Stat(f)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("temporal: %w", err)
		}
		if fi.Mode().Perm()&^dbMode == 0 {
			continue
		}
		if err := os.Chmod(f, dbMode); err != nil {
			return fmt.Errorf("temporal: restrict %s to its owner: %w", f, err)
		}
		log.Warn("restricted a Temporal database file to its owner", "file", f, "was", fi.Mode().Perm(), "now", dbMode)
	}
	return nil
}

// checkDB opens an existing database file and looks for Temporal's tables,
// so that a damaged or partial copy fails here, named, rather than deep
// inside the server's start.
func checkDB(file string) error {
	db, err := sql.Open("sqlite", "file:"+file+"?mode=rw")
	if err != nil {
		return fmt.Errorf("temporal: open %s: %w", file, err)
	}
	defer db.Close()
	var tables int
	err = db.QueryRow(`select count(*) from sqlite_master where type = 'table' and name in ('namespaces', 'executions')`).Scan(&tables)
	if err != nil {
		return dbError(file, fmt.Errorf("temporal: read %s: %w", file, err))
	}
	if tables < 2 {
		return &unreadableError{file: file, cause: "it holds no Temporal tables"}
	}
	return nil
}

// checkpoint copies every change from the -wal file into the database file
// and empties the -wal file. The server's SQLite connections are never
// closed (its plugin keeps them for the life of the process), so SQLite's
// own checkpoint at close never runs, and without this a stopped server
// leaves recent work only in the -wal file: a copy of temporal.db alone
// would silently miss it.
func checkpoint(file string) error {
	db, err := sql.Open("sqlite", "file:"+file+"?mode=rw")
	if err != nil {
		return err
	}
	defer db.Close()
	var busy, frames, done int
	if err := db.QueryRow("pragma wal_checkpoint(truncate)").Scan(&busy, &frames, &done); err != nil {
		return err
	}
	if busy != 0 {
		return errors.New("the database was busy")
	}
	return nil
}

// dbError explains err when SQLite says the file is not a database or is
// corrupt; other errors pass through unchanged.
func dbError(file string, err error) error {
	var coded interface {
		Code() int
		Error() string
	}
	if !errors.As(err, &coded) {
		return err
	}
	switch coded.Code() & 0xff { // the primary code, without the extended bits
	case sqliteNotADB, sqliteCorrupt:
		// SQLite's own words, e.g. "file is not a database (26)", less the code.
		cause := strings.TrimSuffix(coded.Error(), fmt.Sprintf(" (%d)", coded.Code()))
		return &unreadableError{file: file, cause: cause}
	}
	return err
}

// unreadableError is a Temporal database file that cannot be used as it is.
type unreadableError struct {
	file, cause string
}

func (e *unreadableError) Error() string {
	return fmt.Sprintf("Temporal's database %s is unreadable (%s): it was probably copied without its %s-wal file, or damaged; "+
		"restore the whole data dir from one backup (both databases together), or move the file away to start Temporal afresh",
		e.file, e.cause, filepath.Base(e.file))
}
