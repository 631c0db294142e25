package devserver

import (
	"context"
	"log/slog"

	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
)

// serverLogger adapts Temporal's tag-based logger interface to slog, with a
// level of its own: the server's info logs are noise to a Suivi user.
type serverLogger struct {
	l     *slog.Logger
	level *slog.LevelVar
}

var _ log.Logger = serverLogger{}

func newServerLogger(l *slog.Logger, level *slog.LevelVar) serverLogger {
	return serverLogger{l: l, level: level}
}

func (s serverLogger) log(level slog.Level, msg string, tags []tag.Tag) {
	if level < s.level.Level() || !s.l.Enabled(context.Background(), level) {
		return
	}
	attrs := make([]slog.Attr, 0, len(tags))
	for _, t := range tags {
		attrs = append(attrs, slog.Any(t.Key(), t.Value()))
	}
	s.l.LogAttrs(context.Background(), level, msg, attrs...)
}

func (s serverLogger) Debug(msg string, tags ...tag.Tag) { s.log(slog.LevelDebug, msg, tags) }
func (s serverLogger) Info(msg string, tags ...tag.Tag)  { s.log(slog.LevelInfo, msg, tags) }
func (s serverLogger) Warn(msg string, tags ...tag.Tag)  { s.log(slog.LevelWarn, msg, tags) }
func (s serverLogger) Error(msg string, tags ...tag.Tag) { s.log(slog.LevelError, msg, tags) }

// DPanic is a development-time assertion in the server: log it, go on.
func (s serverLogger) DPanic(msg string, tags ...tag.Tag) { s.log(slog.LevelError, msg, tags) }

// Panic and Fatal keep their contract (the server does not expect to
// continue), but panic rather than exit so deferred clean-up still runs.
func (s serverLogger) Panic(msg string, tags ...tag.Tag) {
	s.log(slog.LevelError, msg, tags)
	panic(msg)
}

func (s serverLogger) Fatal(msg string, tags ...tag.Tag) {
	s.log(slog.LevelError, msg, tags)
	panic("temporal: fatal: " + msg)
}
