package archtest

import (
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "secmgr"

// rows gives each package its row of docs/architecture.md: a package may
// import only packages of lower rows. A package missing here fails the
// test, so that a new package is placed in the picture when it is made.
var rows = map[string]int{
	"internal/graph":    0,
	"internal/jsonx":    0,
	"internal/oserr":    0,
	"internal/textfmt":  0,
	"internal/archtest": 0,
	"internal/limits":   0,
	"internal/cellref":  0,

	"pkg/artifacts": 1,
	"pkg/validate":  2,
	"pkg/plans":     3,
	"pkg/access":    3,

	"pkg/audit":                           4,
	"pkg/workbook":                        4,
	"pkg/workbook/internal/xlsxread":      1,
	"pkg/actions":                         5,
	"pkg/impact":                          6,
	"pkg/history":                         6,
	"pkg/export":                          6,
	"pkg/migrate":                         6,
	"pkg/review":                          6,
	"pkg/idp":                             2,
	"pkg/reconcile":                       6,
	"pkg/synthetic":                       2,
	"pkg/console":                         7,
	"cmd/secmgr":                          8,
	"internal/randenv":                    2,
	"internal/testtools":                  0,
	"examples/golfstream":                 2,
	"examples/golfstream/internal/gen":    3,
	"examples/golfstream/internal/sample": 2,
	"examples/synthetic":                  8,
	"bench/compare":                       8,
}

// forbidden lists imports a package must not have even from a lower row,
// and third-party packages only some may use.
var forbidden = map[string][]string{
	// Plan data knows nothing of files.
	"pkg/plans": {"pkg/workbook", "github.com/xuri/excelize/v2"},
	// The lock-and-journal package does not read workbooks: password
	// values reach it through a reader its caller passes.
	"pkg/history": {"pkg/workbook", "github.com/xuri/excelize/v2"},
}

// excelizeUsers are the only packages that may import the spreadsheet
// library: every workbook is read by pkg/workbook's bounded reader and
// written with its shared styles, the security tabs and the layouts of
// other sheets (an access review, its evidence) alike.
var excelizeUsers = []string{"pkg/workbook"}

func TestImportDirection(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	pkgs := map[string][]string{} // package → its imports (module-relative or full)
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != root && (strings.HasPrefix(name, ".") || name == "testdata") {
			return filepath.SkipDir
		}
		p, err := build.ImportDir(path, 0)
		if err != nil {
			if _, ok := err.(*build.NoGoError); ok {
				return nil
			}
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		var imps []string
		for _, imp := range p.Imports {
			if r, ok := strings.CutPrefix(imp, module+"/"); ok {
				imps = append(imps, r)
			} else if strings.Contains(imp, ".") {
				imps = append(imps, imp)
			}
		}
		pkgs[rel] = imps
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) < 10 {
		t.Fatalf("found only %d packages under %s", len(pkgs), root)
	}
	for pkg, imps := range pkgs {
		row, ok := rows[pkg]
		if !ok {
			t.Errorf("package %s is not placed in docs/architecture.md and this test's rows", pkg)
			continue
		}
		for _, imp := range imps {
			if slices.Contains(forbidden[pkg], imp) {
				t.Errorf("%s imports %s, which docs/architecture.md forbids", pkg, imp)
			}
			if strings.HasPrefix(imp, "github.com/xuri/excelize") && !slices.ContainsFunc(excelizeUsers, func(u string) bool { return pkg == u || strings.HasPrefix(pkg, u+"/") }) {
				t.Errorf("%s imports excelize; only %v may", pkg, excelizeUsers)
			}
			irow, known := rows[imp]
			if !known {
				continue // third-party or standard
			}
			inside := strings.HasPrefix(imp, pkg+"/internal/")
			if irow >= row && !inside {
				t.Errorf("%s (row %d) imports %s (row %d): against the direction of docs/architecture.md", pkg, row, imp, irow)
			}
		}
	}
	for pkg := range rows {
		if _, err := os.Stat(filepath.Join(root, pkg)); err != nil && !slices.Contains(plannedPackages, pkg) {
			t.Errorf("rows lists %s, which does not exist", pkg)
		}
	}
}

// plannedPackages may be listed before they exist.
var plannedPackages = []string{}
