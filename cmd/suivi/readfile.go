package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/codecitoyen/suivi/internal/validate"
)

// errTooLarge is a file over the limit of what reads it.
var errTooLarge = errors.New("too large")

// readBounded reads at most limit bytes of path and stops there, so
// /dev/zero, a huge log or an endless pipe cannot fill memory; and it gives
// up when ctx ends (Ctrl-C), since a FIFO or a terminal may never answer.
func readBounded(ctx context.Context, path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, limit+1))
		done <- result{b, err}
	}()
	select {
	case <-ctx.Done():
		// Closing unblocks a read on a pipe; the goroutine then ends.
		f.Close()
		return nil, fmt.Errorf("reading %s: %w", validate.Quote(path), ctx.Err())
	case r := <-done:
		if r.err != nil {
			return nil, r.err
		}
		if int64(len(r.b)) > limit {
			return nil, fmt.Errorf("%w: more than %s", errTooLarge, validate.ByteSize(limit))
		}
		return r.b, nil
	}
}
