package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/codecitoyen/suivi/internal/licence"
)

// /dev/zero, a huge file or an endless pipe cannot fill memory: reading
// stops one byte past the limit. (The probe's `edition apply /dev/zero`
// reached 24 GB before the kernel killed it.)
func TestFilesAreReadBounded(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for _, args := range [][]string{{"edition", "apply", "/dev/zero"}, {"license", "check", "/dev/zero"}} {
		code, out, errOut := runCLI(t, nil, args...)
		if code != 1 || out != "" || !strings.Contains(errOut, "more than") || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v = %d %q %q", args, code, out, errOut)
		}
	}
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<20 {
		t.Errorf("reading /dev/zero twice allocated %d MiB", grew>>20)
	}
}

// A FIFO nobody writes to does not hold the command past Ctrl-C.
func TestReadGivesUpOnCancel(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "ff")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFO here:", err)
	}
	// Opening a FIFO blocks until a writer comes: keep one open, silent.
	go func() {
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err == nil {
			time.Sleep(30 * time.Second)
			w.Close()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := readBounded(ctx, fifo, 1<<10)
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("read of a silent FIFO = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the read ignores its context")
	}
}

// A FIFO named LICENSE in a checkout is not a licence file to wait on.
func TestLicenceCheckSkipsSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "LICENSE"), 0o600); err != nil {
		t.Skip("no FIFO here:", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := licence.Dir(dir).Read(context.Background(), "LICENSE")
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("Read of a FIFO = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("reading a FIFO named LICENSE blocks")
	}
}
