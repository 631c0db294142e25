package licence_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/codecitoyen/suivi/internal/licence"
)

// realworld reads one of the files of testdata/realworld.
func realworld(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "realworld", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// rsalExcerpt is the start of the Redis Source Available License 2.0 as
// redis/redis ships it in LICENSE.txt, with its first restriction.
const rsalExcerpt = `1. Redis Source Available License 2.0 (RSALv2) Agreement
========================================================

Last Update: December 30, 2023

Acceptance
----------

This Agreement sets forth the terms and conditions on which the Licensor
makes available the Software. By installing, downloading, accessing,
Using, or distributing any of the Software, You agree to all of the
terms and conditions of this Agreement.

License
-------

The Licensor grants You a non-exclusive, royalty-free, worldwide,
non-sublicensable, non-transferable license to use, copy, distribute,
make available, and prepare derivative works of the Software, in each
case subject to the limitations and conditions below.

Limitations
-----------

You may not make the functionality of the Software or a Modified version
available to third parties as a service or distribute the Software or a
Modified version in a manner that makes the functionality of the
Software available to third parties.
`

// Issue 12: the verdicts on licence files as real projects ship them.
func TestIssue12LicenceFiles(t *testing.T) {
	ccPreambleMoved := regexp.MustCompile(`More considerations for licensors:\s+wiki\.creativecommons\.org/Considerations_for_licensors`).
		ReplaceAllString(realworld(t, "template-cc-by-4.0.LICENSE"), "See https://wiki.creativecommons.org/Considerations_for_licensors for more.")
	mit := corpus(t, "License/MIT/pristine.txt")
	cases := []struct {
		name, text, spdx string
		open             bool
	}{
		// 1. Parts of a known licence text are not added terms.
		{"CC-BY-4.0 legal code, preamble sentence reworded", ccPreambleMoved, "CC-BY-4.0", true},
		// 2. An SPDX line heads a long file.
		{"SPDX line above a long text", "SPDX-License-Identifier: EUPL-1.2\n\n" + strings.Repeat("This project is a civic-tech tool; the licence applies to all of its files.\n", 8), "EUPL-1.2", true},
		// 3. Statements in prose inside a licence file.
		{"Unlicense or MIT (ripgrep's COPYING)", "This project is dual-licensed under the Unlicense and MIT licenses.\n\nYou may use this code under the terms of either license.\n", "Unlicense OR MIT", true},
		{"MIT or Apache, or both", "Licensed under either the MIT License, or the Apache License 2.0, or both, at your option.\n", "MIT OR Apache-2.0", true},
		{"CeCILL for code, Licence Ouverte for docs, in French", "Le code source est publié sous licence CeCILL 2.1 ; la documentation est publiée sous Licence Ouverte 2.0.\n", "CECILL-2.1 AND etalab-2.0", true},
		{"CeCILL for code, Licence Ouverte for docs (vitam)", realworld(t, "vitam.LICENSE.md"), "CECILL-2.1 AND etalab-2.0", true},
		// 4. Source-available licences are named, and not open.
		{"BUSL-1.1 with its parameters", realworld(t, "busl-terraform.LICENSE"), "BUSL-1.1", false},
		{"PolyForm Noncommercial", realworld(t, "polyform-noncommercial.LICENSE.md"), "PolyForm-Noncommercial-1.0.0", false},
		{"RSALv2", rsalExcerpt, "LicenseRef-RSALv2", false},
		{"Apache with a Commons Clause in its own words", realworld(t, "commons-clause-dem-opencl.LICENSE.md"), "Apache-2.0 AND LicenseRef-Commons-Clause", false},
		{"a restriction worded \"may not\"", mit + "\nYou may not use the Software to train machine-learning models.\n", "NOASSERTION", false},
	}
	k := &licence.Classifier{}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := k.CheckFile([]byte(tc.text), "LICENSE")
			if err != nil {
				t.Fatal(err)
			}
			if r.SPDX != tc.spdx || r.Open != tc.open {
				t.Fatalf("spdx %q open %v (%s); want %q open %v", r.SPDX, r.Open, r.Reason, tc.spdx, tc.open)
			}
		})
	}
}

// Issue 12, 3: a README's licence section holding only a name or an id.
func TestIssue12BareReadmeSection(t *testing.T) {
	for _, sec := range []string{"MIT", "**Apache 2.0**", "[EUPL-1.2](LICENSE)", "AGPL-3.0-or-later."} {
		d := t.TempDir()
		if err := os.WriteFile(filepath.Join(d, "README.md"), []byte("# Projet\n\nUn outil.\n\n## Licence\n\n"+sec+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := (&licence.Classifier{}).Check(context.Background(), licence.Dir(d))
		if err != nil {
			t.Fatal(err)
		}
		if !r.Open || r.SPDX == "NONE" || r.SPDX == "NOASSERTION" {
			t.Errorf("README licence section %q: %s open %v (%s)", sec, r.SPDX, r.Open, r.Reason)
		}
	}
}

// Issue 12, 5: the reason names the file as the subject of one verb.
func TestIssue12ReasonGrammar(t *testing.T) {
	k := &licence.Classifier{}
	mit := corpus(t, "License/MIT/pristine.txt")
	for _, text := range []string{
		mit + "\nThe Software may only be used for non-commercial purposes.\n",
		"This licence lets you look at the code and nothing more, under a licence of our own making and with no permission given to copy it.\n" + strings.Repeat("Its terms are ours. ", 30),
	} {
		r, err := k.CheckFile([]byte(text), "LICENSE")
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(r.Reason, " is holds") || strings.Contains(r.Reason, "est contient") || !regexp.MustCompile(`^LICENSE (holds|is closest|looks like|says|only points)`).MatchString(r.Reason) {
			t.Errorf("reason %q", r.Reason)
		}
	}
}
