package licence_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/licenseclassifier/v2/assets"

	"github.com/codecitoyen/suivi/internal/licence"
)

// corpus reads a licence text shipped with licenseclassifier.
func corpus(t testing.TB, path string) string {
	t.Helper()
	b, err := assets.ReadLicenseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// latin1 encodes s as ISO-8859-1, as the official CeCILL files are.
func latin1(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r < 256 {
			b = append(b, byte(r))
		} else {
			b = append(b, '?')
		}
	}
	return string(b)
}

func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

// The French texts are long; these excerpts keep what identifies them (the
// title, the version, the parties, the distinctive clauses).
const cecillBFrench = `CONTRAT DE LICENCE DE LOGICIEL LIBRE CeCILL-B

Avertissement

Ce contrat est une licence de logiciel libre issue d'une concertation
entre ses auteurs afin que le respect de deux grands principes préside à
sa rédaction :

    * d'une part, le respect des principes de diffusion des logiciels
      libres : accès au code source, droits étendus conférés aux utilisateurs,
    * d'autre part, la désignation d'un droit applicable, le droit français,
      auquel elle est conforme, tant au regard du droit de la responsabilité
      civile que du droit de la propriété intellectuelle et de la protection
      qu'il offre aux auteurs et titulaires des droits patrimoniaux sur un
      logiciel.

Les auteurs de la licence CeCILL-B (pour Ce[a] C[nrs] I[nria] L[ogiciel] L[ibre])
sont :

Commissariat à l'Energie Atomique - CEA, établissement public de recherche
à caractère scientifique, technique et industriel.

Centre National de la Recherche Scientifique - CNRS, établissement public à
caractère scientifique et technologique.

Institut National de Recherche en Informatique et en Automatique - INRIA,
établissement public à caractère scientifique et technologique.

Préambule

Ce contrat est une licence de logiciel libre dont l'objectif est de conférer
aux utilisateurs une très large liberté de modification et de
redistribution du logiciel régi par cette licence.
`

// etalabExcerpt is the start of Licence Ouverte 2.0, as a README quotes it.
const etalabExcerpt = `LICENCE OUVERTE / OPEN LICENCE
Version 2.0

« RÉUTILISATION » DE L'« INFORMATION » SOUS CETTE LICENCE

Le « Concédant » concède au « Réutilisateur » un droit non exclusif et
gratuit de libre « Réutilisation » de l'« Information » objet de la présente
licence, à des fins commerciales ou non, dans le monde entier et pour une
durée illimitée, dans les conditions exprimées ci-dessous.

Le « Réutilisateur » est libre de réutiliser l'« Information » :
- de la reproduire, la copier,
- de l'adapter, la modifier, l'extraire et la transformer, pour créer des
  « Informations dérivées », des produits ou des services,
- de la communiquer, la diffuser, la redistribuer, la publier et la transmettre,
- de l'exploiter à titre commercial, par exemple en la combinant avec d'autres
  informations, ou en l'incluant dans son propre produit ou application.

Sous réserve de :
- mentionner la paternité de l'« Information » : sa source (au moins le nom du
  « Concédant ») et la date de dernière mise à jour de l'« Information »
  réutilisée.
`

const gplPreface = `Démocratie et crustacés — a civic-tech project.
Copyright (C) 2027 Les porteurs du projet

This program is free software: you can redistribute it and/or modify
it under the terms of the GNU General Public License as published by
the Free Software Foundation, either version 3 of the License, or
(at your option) any later version.

`

func TestClassifyTexts(t *testing.T) {
	mit := corpus(t, "License/MIT/pristine.txt")
	apache := corpus(t, "License/Apache-2.0/pristine.txt")
	gpl3 := corpus(t, "License/GPL-3.0/license.txt")
	cases := []struct {
		name string
		text string
		spdx string
		open bool
	}{
		{"MIT as published", mit, "MIT", true},
		{"MIT with a copyright line, Markdown and CRLF", crlf("# MIT License\n\nCopyright (c) 2027 Les porteurs de Démocratie et crustacés\n\n" + mit), "MIT", true},
		{"Apache-2.0 with extra notices", "Copyright 2027 CodeCitoyen\nThis NOTICE file is part of the project.\n\n" + apache, "Apache-2.0", true},
		{"GPL-3.0 with an or-later preface", gplPreface + gpl3, "GPL-3.0-or-later", true},
		{"GPL-3.0 bare", gpl3, "GPL-3.0-only", true},
		{"MIT with the Commons Clause rider", corpus(t, "License/Commons-Clause/license.txt") + "\n\n" + mit, "LicenseRef-Commons-Clause AND MIT", false},
		{"dual MIT or Apache-2.0", "This project is dual-licensed under either of the licences below, at your option.\n\n" + apache + "\n\n" + mit, "Apache-2.0 OR MIT", true},
		{"CeCILL-2.1 (English) in Latin-1", latin1(corpus(t, "License/CECILL-2.1/license.txt")), "CECILL-2.1", true},
		{"CeCILL-B (French) in Latin-1 with CRLF", crlf(latin1(cecillBFrench)), "CECILL-B", true},
		{"Licence Ouverte 2.0 (French text)", licence.TemplateText("etalab-2.0"), "etalab-2.0", true},
		{"Licence Ouverte 2.0 in Latin-1 with CRLF", crlf(latin1(licence.TemplateText("etalab-2.0"))), "etalab-2.0", true},
		{"CeCILL-C (English)", licence.TemplateText("CECILL-C"), "CECILL-C", true},
		{"EUPL-1.2 (English)", licence.TemplateText("EUPL-1.2"), "EUPL-1.2", true},
		{"MIT plus a non-commercial term", mit + "\nThe Software may only be used for non-commercial purposes.\n", "NOASSERTION", false},
		{"GPL-3.0 and CC-BY-NC-SA-4.0 in one file", gpl3 + "\n\n" + corpus(t, "License/CC-BY-NC-SA-4.0/license.txt"), "CC-BY-NC-SA-4.0 AND GPL-3.0-only", false},
		{"a mention of Licence Ouverte is not the licence", "Ce projet n'est pas sous Licence Ouverte version 2.0 ; toute réutilisation est interdite. Tous droits réservés.", "LicenseRef-All-Rights-Reserved", false},
		{"CC-BY-NC-4.0", corpus(t, "License/CC-BY-NC-4.0/license.txt"), "CC-BY-NC-4.0", false},
		{"CC-BY-4.0", corpus(t, "License/CC-BY-4.0/license.txt"), "CC-BY-4.0", true},
		{"all rights reserved", "Copyright 2027 Someone. All rights reserved.", "LicenseRef-All-Rights-Reserved", false},
		{"an SPDX line only", "SPDX-License-Identifier: EUPL-1.2\n", "EUPL-1.2", true},
		{"MIT with half its text gone", mit[:len(mit)/3], "NOASSERTION", false},
		{"empty", "  \n", "NONE", false},
	}
	k := &licence.Classifier{}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := k.CheckFile([]byte(tc.text), "LICENSE")
			if err != nil {
				t.Fatal(err)
			}
			if r.SPDX != tc.spdx || r.Open != tc.open {
				t.Fatalf("spdx %q open %v (confidence %.2f, %s); want %q open %v", r.SPDX, r.Open, r.Confidence, r.Reason, tc.spdx, tc.open)
			}
		})
	}
	if k.LoadTime() == 0 {
		t.Error("the corpus load time was not measured")
	}
}

func TestPointerAndNearest(t *testing.T) {
	k := &licence.Classifier{}
	r, _ := k.CheckFile([]byte("See COPYING for the licence.\n"), "LICENSE")
	if r.SPDX != "NOASSERTION" || !strings.Contains(r.Reason, "COPYING") {
		t.Fatalf("pointer: %+v", r)
	}
	mit := corpus(t, "License/MIT/pristine.txt")
	r, _ = k.CheckFile([]byte(mit[:len(mit)/2]), "LICENSE")
	if r.SPDX != "NOASSERTION" || !strings.Contains(r.Reason, "MIT") {
		t.Fatalf("a damaged MIT should name MIT as nearest: %+v", r)
	}
}

func write(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCheckRepositories(t *testing.T) {
	mit := corpus(t, "License/MIT/pristine.txt")
	apache := corpus(t, "License/Apache-2.0/pristine.txt")
	cecill := corpus(t, "License/CECILL-2.1/license.txt")
	cases := []struct {
		name     string
		files    map[string]string
		spdx     string
		open     bool
		category licence.Category
	}{
		{"two root licences are alternatives", map[string]string{"LICENSE-MIT": mit, "LICENSE-APACHE": apache}, "Apache-2.0 OR MIT", true, licence.CategoryCode},
		{"code and data under different licences", map[string]string{"LICENSE": cecill, "LICENCE-DONNEES.md": licence.TemplateText("etalab-2.0")}, "CECILL-2.1 AND etalab-2.0", true, licence.CategoryCode},
		{"a LICENSE that points to COPYING", map[string]string{"LICENSE": "See COPYING.", "COPYING": gplPreface + corpus(t, "License/GPL-3.0/license.txt")}, "GPL-3.0-or-later", true, licence.CategoryCode},
		{"REUSE", map[string]string{"LICENSES/MIT.txt": mit, "LICENSES/CC-BY-4.0.txt": corpus(t, "License/CC-BY-4.0/license.txt")}, "CC-BY-4.0 AND MIT", true, licence.CategoryCode},
		{"SPDX lines in the sources", map[string]string{"main.go": "// SPDX-License-Identifier: Apache-2.0\npackage main\n", "web/app.js": "/* SPDX-License-Identifier: Apache-2.0 */\n"}, "Apache-2.0", true, licence.CategoryCode},
		{"a README section in French", map[string]string{"README.md": "# Démoscampi\n\nUn projet.\n\n## Licence\n\nLe code est publié sous licence MIT.\n\n## Contribuer\n\nVenez !\n"}, "MIT", true, licence.CategoryCode},
		{"package.json", map[string]string{"package.json": `{"name": "x", "license": "ISC"}`}, "ISC", true, licence.CategoryCode},
		{"Cargo.toml dual", map[string]string{"Cargo.toml": "[package]\nname = \"x\"\nlicense = \"MIT OR Apache-2.0\"\n"}, "MIT OR Apache-2.0", true, licence.CategoryCode},
		{"data only", map[string]string{"LICENSE": licence.TemplateText("etalab-2.0")}, "etalab-2.0", true, licence.CategoryData},
		{"non-commercial docs", map[string]string{"LICENSE": corpus(t, "License/CC-BY-NC-4.0/license.txt")}, "CC-BY-NC-4.0", false, licence.CategoryDocs},
		{"nothing", map[string]string{"main.go": "package main\n"}, "NONE", false, licence.CategoryCode},
		{"code open, images non-commercial", map[string]string{"LICENSE": apache, "LICENSE-IMAGES": corpus(t, "License/CC-BY-NC-4.0/license.txt")}, "Apache-2.0 AND CC-BY-NC-4.0", false, licence.CategoryCode},
		{"a custom EULA beside open docs", map[string]string{"LICENSE": "END USER LICENSE AGREEMENT\n\nYou may install this software on one computer. Copying, modification and redistribution require our written permission.\n", "LICENSE-DOCS": corpus(t, "License/CC-BY-4.0/license.txt")}, "NOASSERTION", false, licence.CategoryCode},
		{"a Commons Clause beside MIT", map[string]string{"LICENSE": mit, "LICENSE-COMMONS-CLAUSE": corpus(t, "License/Commons-Clause/license.txt")}, "MIT AND LicenseRef-Commons-Clause", false, licence.CategoryCode},
		{"a README that says not MIT", map[string]string{"README.md": "# X\n\n## License\n\nThis is NOT under MIT. Proprietary.\n"}, "NONE", false, licence.CategoryCode},
		{"a README still hesitating", map[string]string{"README.md": "# X\n\n## License\n\nTODO: choose a licence (MIT? Apache 2.0?)\n"}, "NONE", false, licence.CategoryCode},
		{"a German README", map[string]string{"README.md": "# X\n\n## Lizenz\n\nAlle Rechte vorbehalten. Anfragen mit einer E-Mail an uns.\n"}, "NONE", false, licence.CategoryCode},
		{"a README licence section quoting Licence Ouverte", map[string]string{"README.md": "# X\n\n## Licence\n\n" + etalabExcerpt}, "etalab-2.0", true, licence.CategoryData},
		{"a README with proprietary code and open data", map[string]string{"README.md": "# X\n\n## Licence\n\nLe code est propriétaire. Les données sont sous Licence Ouverte 2.0.\n"}, "NONE", false, licence.CategoryCode},
		{"an addition that is no exception", map[string]string{"package.json": `{"license": "Apache-2.0 WITH Commons-Clause"}`}, "Apache-2.0 WITH Commons-Clause", false, licence.CategoryCode},
		{"SPDX lines that add up", map[string]string{"a.go": "// SPDX-License-Identifier: MIT OR Apache-2.0\n", "b.go": "// SPDX-License-Identifier: CC-BY-NC-4.0\n"}, "(MIT OR Apache-2.0) AND CC-BY-NC-4.0", false, licence.CategoryCode},
		{"a pointer out of the repository", map[string]string{"LICENSE": "See ../outside/LICENSE"}, "NOASSERTION", false, licence.CategoryCode},
	}
	k := &licence.Classifier{}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, tc.files)
			r, err := k.Check(context.Background(), licence.Dir(dir))
			if err != nil {
				t.Fatal(err)
			}
			if r.SPDX != tc.spdx || r.Open != tc.open || r.Category != tc.category {
				t.Fatalf("%s open %v %s (%s); want %s open %v %s", r.SPDX, r.Open, r.Category, r.Reason, tc.spdx, tc.open, tc.category)
			}
			if r.Reason == "" {
				t.Fatal("no reason given")
			}
		})
	}
}

func BenchmarkClassifyFile(b *testing.B) {
	k := &licence.Classifier{}
	text := []byte(corpus(b, "License/Apache-2.0/pristine.txt"))
	if _, err := k.Classify(text); err != nil { // load once, outside the timing
		b.Fatal(err)
	}
	b.ReportMetric(k.LoadTime().Seconds(), "corpus-load-s")
	for b.Loop() {
		if _, err := k.Classify(text); err != nil {
			b.Fatal(err)
		}
	}
}
