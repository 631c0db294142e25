package licence_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/codecitoyen/suivi/internal/licence"
)

// shipped reads one of the FSF texts licensecheck keeps in its testdata as
// projects ship them, with the appendix ("How to Apply These Terms…") and
// today's https addresses, without the first lines that tell licensecheck's
// own tests what to expect.
func shipped(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/google/licensecheck").Output()
	if err != nil {
		t.Fatalf("find licensecheck in the module cache: %v", err)
	}
	b, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	_, text, ok := strings.Cut(string(b), "\n\n")
	if !ok {
		t.Fatalf("%s has no expectations header", name)
	}
	return text
}

// notice is how the FSF tells projects to say which version they chose.
func notice(t *testing.T, id string) string {
	return "Démocratie et crustacés — a civic-tech project.\nCopyright (C) 2027 Les porteurs du projet\n\n" + corpus(t, "Header/"+id+"/header.txt") + "\n\n"
}

// insertAfter inserts line after the first line of text that contains
// marker.
func insertAfter(t *testing.T, text, marker, line string) string {
	t.Helper()
	i := strings.Index(text, marker)
	if i < 0 {
		t.Fatalf("%q is not in the text", marker)
	}
	j := i + strings.IndexByte(text[i:], '\n') + 1
	return text[:j] + line + "\n" + text[j:]
}

// The GNU texts as shipped hold the licence's own appendix, which speaks of
// "proprietary programs" and shows an "or any later version" notice: it is
// neither added terms nor the project's choice of version.
func TestFSFTextsAsShipped(t *testing.T) {
	// licenseclassifier keeps the FSF's COPYING for GPL-3.0 in two parts:
	// the terms, and the appendix as a supplement.
	copying := corpus(t, "License/GPL-3.0/license.txt") + "\n" + corpus(t, "Supplement/GPL-3.0/application-a.txt")
	gpl3, agpl3, lgpl3 := shipped(t, "GPL-3.0.t1"), shipped(t, "AGPL-3.0.t1"), shipped(t, "LGPL-3.0.t1")
	const restriction = "The Program may only be used for non-commercial purposes."
	cases := []struct {
		name string
		text string
		spdx string
		open bool
	}{
		{"GPL-3.0 COPYING with its appendix", copying, "GPL-3.0-only", true},
		{"GPL-3.0 with its appendix, https addresses", gpl3, "GPL-3.0-only", true},
		{"AGPL-3.0 with its appendix", agpl3, "AGPL-3.0-only", true},
		{"AGPL-3.0 terms only", corpus(t, "License/AGPL-3.0/license.txt"), "AGPL-3.0-only", true},
		{"LGPL-3.0", lgpl3, "LGPL-3.0-only", true},
		{"GPL-3.0 with its appendix after the FSF's notice", notice(t, "GPL-3.0") + gpl3, "GPL-3.0-or-later", true},
		{"AGPL-3.0 with its appendix after the FSF's notice", notice(t, "AGPL-3.0") + agpl3, "AGPL-3.0-or-later", true},
		{"AGPL-3.0 after the FSF's notice", notice(t, "AGPL-3.0") + corpus(t, "License/AGPL-3.0/license.txt"), "AGPL-3.0-or-later", true},
		{"AGPL-3.0 after a one-paragraph notice", "Suivi is free software: you can redistribute it and/or modify it under the terms of the GNU Affero General Public License as published by the Free Software Foundation, either version 3 of the License, or (at your option) any later version.\n\n" + agpl3, "AGPL-3.0-or-later", true},
		{"a restriction written into the appendix", insertAfter(t, gpl3, "into proprietary programs", restriction), "NOASSERTION", false},
		{"a restriction after the appendix", copying + "\n" + restriction + "\n", "NOASSERTION", false},
		{"a restriction dressed as an address", insertAfter(t, gpl3, "into proprietary programs", "<https://example.org/ "+restriction+">"), "NOASSERTION", false},
		{"a restriction in the AGPL's appendix", insertAfter(t, agpl3, "interface could display", restriction), "NOASSERTION", false},
		{"the GPL's appendix beside MIT", corpus(t, "License/MIT/pristine.txt") + "\n\n" + corpus(t, "Supplement/GPL-3.0/application-a.txt"), "NOASSERTION", false},
	}
	k := &licence.Classifier{}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := k.CheckFile([]byte(tc.text), "COPYING")
			if err != nil {
				t.Fatal(err)
			}
			if r.SPDX != tc.spdx || r.Open != tc.open {
				t.Fatalf("spdx %q open %v (%s); want %q open %v", r.SPDX, r.Open, r.Reason, tc.spdx, tc.open)
			}
		})
	}
	r, _ := k.CheckFile([]byte(insertAfter(t, gpl3, "into proprietary programs", restriction)), "COPYING")
	if !strings.Contains(r.Reason, "COPYING holds GPL-3.0 plus terms of its own") || !strings.Contains(r.Reason, "non-commercial") {
		t.Fatalf("the reason should quote the added line: %s", r.Reason)
	}
}

// Suivi's own licence, AGPL-3.0-or-later, must stay recognised as such.
func TestOwnLicence(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("the repository root is not two levels above %s: %v", file, err)
	}
	r, err := (&licence.Classifier{}).Check(context.Background(), licence.Dir(root))
	if err != nil {
		t.Fatal(err)
	}
	if r.SPDX != "AGPL-3.0-or-later" || !r.Open || len(r.Files) != 1 || r.Files[0].Path != "LICENSE" {
		t.Fatalf("the repository's licence: %+v; want AGPL-3.0-or-later, open, from LICENSE", r)
	}
}
