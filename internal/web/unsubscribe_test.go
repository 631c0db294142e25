package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/codecitoyen/suivi/internal/mail"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/web"
)

// The List-Unsubscribe link opened in a browser (GET or HEAD, as people and
// scanners do) shows a page and changes nothing; its button unsubscribes and
// shows the new choice; a mail client's one-click POST unsubscribes too.
func TestUnsubscribeLinkOpenedInABrowser(t *testing.T) {
	tokens := mail.Tokens{Secret: []byte("unsubscribe-secret-0123456789abcdef")}
	f := newFixture(t, func(d *web.Deps) { d.Tokens = tokens })
	ctx := context.Background()
	who := emails[holder]
	link := "/prefs/unsubscribe?t=" + url.QueryEscape(tokens.Sign(who))
	for _, method := range []string{"GET", "HEAD"} {
		a := send(t, f.srv, method, link, "", "", map[string]string{"Authorization": "-", "Accept-Language": "en"})
		if a.status != http.StatusOK {
			t.Fatalf("%s of the unsubscribe link = %d %.300s", method, a.status, a.body)
		}
		if method == "GET" && (!strings.Contains(a.body, "Nothing has changed yet") || !strings.Contains(a.body, `name="confirm" value="page"`)) {
			t.Fatalf("the page: %.2000s", a.body)
		}
	}
	if p, err := f.st.GetPerson(ctx, who); err != nil || p.Reminders != "all" {
		t.Fatalf("after GET and HEAD: %+v %v; want nothing changed", p, err)
	}
	a := send(t, f.srv, "POST", link, "application/x-www-form-urlencoded", "confirm=page", map[string]string{"Authorization": "-", "Accept-Language": "en"})
	if a.status != http.StatusOK || !strings.Contains(a.body, `value="escalations" checked`) {
		t.Fatalf("the button = %d %.2000s", a.status, a.body)
	}
	if _, err := f.st.SetPerson(ctx, store.Person{Email: who, Reminders: "all"}); err != nil {
		t.Fatal(err)
	}
	a = send(t, f.srv, "POST", link, "application/x-www-form-urlencoded", "List-Unsubscribe=One-Click", map[string]string{"Authorization": "-"})
	if p, _ := f.st.GetPerson(ctx, who); a.status != http.StatusOK || p.Reminders != "escalations" || !strings.HasPrefix(a.ctype, "text/plain") {
		t.Fatalf("one-click = %d %q, reminders %q", a.status, a.ctype, p.Reminders)
	}
}
