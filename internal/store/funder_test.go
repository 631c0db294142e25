package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/store"
)

// A funder's people: its contacts hold the funder role; the role cannot
// be given for a funder that does not exist (it would become an unseen
// reader later); taking the role back also stops the reports; the funder
// shows everyone who reads it; a link to a program can be undone.
func TestFunderPeople(t *testing.T) {
	s := migrated(t)
	ctx := context.Background()
	if _, err := s.AddGrant(ctx, auth.Grant{Email: "x@example.org", Role: auth.Funder, Funder: "later"}, "t"); !errors.Is(err, store.ErrUnknownFunder) {
		t.Fatalf("a grant for a funder never added = %v, want ErrUnknownFunder", err)
	}
	if err := s.AddFunder(ctx, store.Funder{Slug: "later", Name: "Later", Lang: "fr", Contacts: []string{"C@example.org"}}, "t"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddGrant(ctx, auth.Grant{Email: "reader@example.org", Role: auth.Funder, Funder: "later"}, "t"); err != nil {
		t.Fatal(err)
	}
	f, err := s.GetFunder(ctx, "later")
	if err != nil || !slices.Equal(f.Contacts, []string{"c@example.org"}) || !slices.Equal(f.Readers, []string{"c@example.org", "reader@example.org"}) {
		t.Fatalf("funder = %+v, %v", f, err)
	}
	if err := s.RemoveGrant(ctx, auth.Grant{Email: "c@example.org", Role: auth.Funder, Funder: "later"}); err != nil {
		t.Fatal(err)
	}
	if f, _ := s.GetFunder(ctx, "later"); len(f.Contacts) != 0 || !slices.Equal(f.Readers, []string{"reader@example.org"}) {
		t.Fatalf("after the contact's role was taken back: %+v", f)
	}
	if err := s.Fund(ctx, "ncc-2027", "nowhere", "later"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("funding a program that does not exist = %v", err)
	}
}
