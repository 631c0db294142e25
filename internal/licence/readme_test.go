package licence_test

import (
	"strings"
	"testing"

	"github.com/codecitoyen/suivi/internal/licence"
)

var readmeCases = []struct{ name, in, want string }{
	{"ATX", "# Demo\n\nIntro.\n\n## License\n\nMIT, see LICENSE.\n\n## Contributing\n\nPRs welcome.\n", "MIT, see LICENSE."},
	{"ATX closed", "# Demo\n\n## License ##\n\nMIT\n", "MIT"},
	{"ATX upper case", "# Demo\n\n## LICENSE\n\nMIT\n", "MIT"},
	{"ATX emoji and colon", "# Demo\n\n## 📜 License:\n\nMIT\n", "MIT"},
	{"ATX numbered", "# Demo\n\n## 5. Licence\n\nMIT\n", "MIT"},
	{"ATX link", "# Demo\n\n## [License](LICENSE)\n\nMIT\n", "MIT"},
	{"ATX without space is not a heading", "# Demo\n\n#License\n\nMIT\n", ""},
	{"setext", "Demo\n====\n\nLicense\n-------\n\nEUPL-1.2\n\nCredits\n-------\n\nUs\n", "EUPL-1.2"},
	{"setext level 1 keeps level 2", "Licence\n=======\n\nCode\n----\n\nMIT\n\nData\n----\n\nODbL\n", "Code\n----\n\nMIT\n\nData\n----\n\nODbL"},
	{"bold", "Intro.\n\n**License**\n\nMIT\n\n**Authors**\n\nUs\n", "MIT"},
	{"bold with colon", "Intro.\n\n__Licence:__\nCeCILL-B\n\n## Next\n", "CeCILL-B"},
	{"bold inside a paragraph is not a heading", "Intro\n**License**\n\nMIT\n", ""},
	{"French", "# Projet\n\n## Licence\n\nLicence Ouverte 2.0\n", "Licence Ouverte 2.0"},
	{"Licence slash License", "# Projet\n\n## Licence / License\n\nCeCILL-2.1\n", "CeCILL-2.1"},
	{"Lizenz", "# Projekt\n\n## Lizenz\n\nMIT\n", "MIT"},
	{"Licencia", "# Proyecto\n\n### Licencia\n\nMIT\n", "MIT"},
	{"Licensing", "# Demo\n\n## Licensing\n\nMIT\n", "MIT"},
	{"Licenses", "# Demo\n\n## Licenses\n\nMIT and ODbL\n", "MIT and ODbL"},
	{"CRLF", "# Demo\r\n\r\n## License\r\n\r\nMIT\r\nsee LICENSE\r\n\r\n## Next\r\n", "MIT\nsee LICENSE"},
	{"nested subsections", "## License\n\n### Code\n\nMIT\n\n### Data\n\nODbL\n\n## Thanks\n", "### Code\n\nMIT\n\n### Data\n\nODbL"},
	{"higher heading ends it", "## License\n\nMIT\n\n# Appendix\n\nx\n", "MIT"},
	{"runs to the end", "# Demo\n\n## License\n\nMIT\n\nCopyright Us\n", "MIT\n\nCopyright Us"},
	{"heading in a fence ignored", "# Demo\n\n```md\n## License\nfake\n```\n\n## Usage\n\nrun\n", ""},
	{"heading in a tilde fence ignored", "# Demo\n\n~~~\n## License\nfake\n~~~\n\n## Licence\n\nreal\n", "real"},
	{"heading in a fence inside the section", "## License\n\n```\n## Not a heading\n```\nMIT\n\n## Next\n", "```\n## Not a heading\n```\nMIT"},
	{"indented code ignored", "# Demo\n\n    ## License\n\n## Usage\n", ""},
	{"list then rule is not a setext heading", "## License\n\n- code: MIT\n- data: ODbL\n---\nfooter\n", "- code: MIT\n- data: ODbL\n---\nfooter"},
	{"rst", "=====\nDemo\n=====\n\nInstall\n-------\n\npip\n\nLicense\n-------\n\nBSD-3-Clause\n\nAuthors\n-------\n", "BSD-3-Clause"},
	{"rst tildes", "Demo\n====\n\nLicense\n~~~~~~~\n\nMIT\n\nAuthors\n~~~~~~~\n\nUs\n", "MIT"},
	{"other title", "# Demo\n\n## License and thanks\n\nMIT\n", ""},
	{"empty section", "## License\n## Next\n\nx\n", ""},
	{"no section", "# Demo\n\nNothing about it.\n", ""},
	{"empty input", "", ""},
}

func TestReadmeSection(t *testing.T) {
	for _, tt := range readmeCases {
		t.Run(tt.name, func(t *testing.T) {
			if got := licence.ReadmeSection(tt.in); got != tt.want {
				t.Errorf("ReadmeSection(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzReadmeSection(f *testing.F) {
	for _, tt := range readmeCases {
		f.Add(tt.in)
	}
	f.Add("License\n")
	f.Add("# License")
	f.Add("**License**")
	f.Add("===\nLicense\n")
	f.Fuzz(func(t *testing.T, s string) {
		got := licence.ReadmeSection(s)
		if got != "" && !strings.Contains(strings.ReplaceAll(s, "\r\n", "\n"), got) {
			t.Fatalf("ReadmeSection(%q) = %q, which is not in the input", s, got)
		}
	})
}
