package xlsxread

import (
	"archive/zip"
	"errors"
	"strings"
	"testing"
)

// TestDeclaredSizeLimit checks that parts the reader never inflates (here
// the styles, a zip bomb's favourite hiding place) count against
// MaxUncompressedBytes too: another reader of the same file, excelize
// making an annotated copy, would inflate them all.
func TestDeclaredSizeLimit(t *testing.T) {
	fx := oneSheet(`<row r="1"><c r="A1" t="inlineStr"><is><t>Group</t></is></c></row>`)
	fx.extra = []zipEntry{{name: "xl/styles.xml", body: "<styleSheet>" + strings.Repeat(" ", 2<<20) + "</styleSheet>", method: zip.Deflate}}
	path := fx.write(t)

	_, err := Open(path, Limits{MaxUncompressedBytes: 1 << 20})
	var e *Error
	if !errors.As(err, &e) || e.Kind != ErrLimit || !strings.Contains(e.Msg, "1 MiB") {
		t.Fatalf("Open with a 1 MiB limit: %v, want a limit error naming 1 MiB", err)
	}
	w, err := Open(path, Limits{MaxUncompressedBytes: 4 << 20})
	if err != nil {
		t.Fatalf("Open with a 4 MiB limit: %v", err)
	}
	w.Close()
}
