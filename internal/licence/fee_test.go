package licence_test

import (
	"testing"

	"github.com/codecitoyen/suivi/internal/licence"
)

// A payment or an agreement added to an open licence is a condition of the
// project's own: the whole is not that licence, and not open. github/docs
// once shipped the CC-BY-4.0 legal code followed by such a clause (see
// testdata/realworld/github-docs.LICENSE).
func TestAddedPaymentIsNotOpen(t *testing.T) {
	k := &licence.Classifier{}
	mit := corpus(t, "License/MIT/pristine.txt")
	cases := []struct {
		name, text string
		open       bool
		spdx       string
	}{
		{"github/docs LICENSE", realworld(t, "github-docs.LICENSE"), false, "NOASSERTION"},
		{"MIT and a licence fee", mit + "\nWhen making profits using a copy of the Software,\na license fee needs to be paid to the Author.\n", false, "NOASSERTION"},
		{"MIT and royalties", mit + "\nRoyalties are due to the Author on every sale of the Software.\n", false, "NOASSERTION"},
		{"MIT and an agreement", mit + "\nA proper agreement needs to be done with the Author before any use.\n", false, "NOASSERTION"},
		// The licences' own words about fees are not added terms.
		{"MIT alone", mit, true, "MIT"},
		{"GPL-3.0 (\"you may not impose a license fee\")", realworld(t, "template-gpl-3.0.LICENSE"), true, "GPL-3.0-only"},
		{"Apache-2.0 (\"charge a fee\")", realworld(t, "apache-debian.LICENSE-2.0.txt"), true, "Apache-2.0"},
	}
	for _, c := range cases {
		r, err := k.CheckFile([]byte(c.text), "LICENSE")
		if err != nil {
			t.Fatal(err)
		}
		if r.Open != c.open || r.SPDX != c.spdx {
			t.Errorf("%s: %s open %v, want %s open %v (%s)", c.name, r.SPDX, r.Open, c.spdx, c.open, r.Reason)
		}
	}
}
