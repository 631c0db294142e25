package store_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/codecitoyen/suivi/internal/pgtest"
	"github.com/codecitoyen/suivi/internal/store"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func open(t *testing.T) (*store.Store, string) {
	t.Helper()
	url := pgtest.NewDatabase(t)
	s, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s, url
}

func TestMigrateConcurrentlyAppliesOnce(t *testing.T) {
	_, url := open(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := store.Open(ctx, url)
			if err != nil {
				errs[i] = err
				return
			}
			defer s.Close()
			_, errs[i] = s.Migrate(ctx, nil)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("concurrent migrate: %v", err)
		}
	}
	s, _ := store.Open(ctx, url)
	defer s.Close()
	st, err := s.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Current != st.Latest || len(st.Pending) != 0 || st.Latest < 1 {
		t.Fatalf("schema after migrate = %+v, want current == latest and nothing pending", st)
	}
	if err := s.CheckSchema(ctx); err != nil {
		t.Fatalf("CheckSchema after migrate: %v", err)
	}
}

func TestCheckSchemaOlderAndNewer(t *testing.T) {
	s, url := open(t)
	ctx := context.Background()
	if err := s.CheckSchema(ctx); !errors.Is(err, store.ErrSchemaOlder) {
		t.Fatalf("CheckSchema on empty database = %v, want ErrSchemaOlder", err)
	}
	if _, err := s.Migrate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `update suivi_schema_version set version = version + 1`); err != nil {
		t.Fatal(err)
	}
	if err := s.CheckSchema(ctx); !errors.Is(err, store.ErrSchemaNewer) {
		t.Fatalf("CheckSchema on newer schema = %v, want ErrSchemaNewer", err)
	}
	if _, err := s.Migrate(ctx, nil); !errors.Is(err, store.ErrSchemaNewer) {
		t.Fatalf("Migrate on newer schema = %v, want ErrSchemaNewer", err)
	}
}

func TestUpsertProgramIsIdempotentAndOrdered(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	if _, err := s.Migrate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	started := time.Date(2027, 3, 5, 18, 0, 0, 0, time.UTC)
	p := store.Program{Edition: "ncc-2027", Project: "demoscampi", Name: "Démocratie et crustacés",
		Holders: []string{"holder@example.org"}, Repositories: []string{"https://github.com/CodeCitoyen/Demoscampi"},
		City: "Lyon", Phase: "applied", WorkflowID: "program/ncc-2027/demoscampi", StartedAt: started, Seq: 2}
	for range 2 {
		if err := s.UpsertProgram(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	older := p
	older.Seq, older.Phase = 1, "stale"
	if err := s.UpsertProgram(ctx, older); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetProgram(ctx, "ncc-2027", "demoscampi")
	if err != nil {
		t.Fatal(err)
	}
	if got.Phase != "applied" || got.Seq != 2 || got.Name != p.Name || got.City != "Lyon" ||
		!got.StartedAt.Equal(started) || len(got.Holders) != 1 || got.Repositories[0] != p.Repositories[0] {
		t.Fatalf("GetProgram = %+v, want the seq-2 projection", got)
	}
	newer := p
	newer.Seq, newer.Phase = 3, "selected"
	if err := s.UpsertProgram(ctx, newer); err != nil {
		t.Fatal(err)
	}
	list, err := s.ListPrograms(ctx, store.ProgramFilter{Edition: "ncc-2027"})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Phase != "selected" {
		t.Fatalf("ListPrograms = %+v, want one program in phase selected", list)
	}
	if _, err := s.GetProgram(ctx, "ncc-2027", "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetProgram(missing) = %v, want ErrNotFound", err)
	}
	if list, _ := s.ListPrograms(ctx, store.ProgramFilter{Phase: "applied"}); len(list) != 0 {
		t.Fatalf("ListPrograms(phase=applied) = %d programs, want 0", len(list))
	}
}

func TestOpenUnreachable(t *testing.T) {
	_, err := store.Open(context.Background(), "postgres://suivi:secret@127.0.0.1:1/suivi")
	if err == nil {
		t.Fatal("Open on a closed port succeeded")
	}
	if msg := err.Error(); !contains(msg, "unreachable") || contains(msg, "secret") {
		t.Fatalf("Open error = %q, want a message saying unreachable without the password", msg)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
