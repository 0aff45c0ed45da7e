package xlsxread

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const customXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">
<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="secmgr.base"><vt:lpwstr>sha256:ab&amp;c</vt:lpwstr></property>
<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="3" name="count"><vt:i4>7</vt:i4></property>
<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="4" name="empty"/>
<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="5" name="long"><vt:lpwstr>` + "LONG" + `</vt:lpwstr></property>
<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="6" name="after"><vt:lpwstr><![CDATA[x<y]]></vt:lpwstr></property>
</Properties>`

const coreXML = `<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier>sha256:ff</dc:identifier><dc:title>T</dc:title><nested><dc:identifier>inner</dc:identifier></nested></cp:coreProperties>`

func propsFixture(custom, core string, rels bool) fixture {
	fx := oneSheet(`<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>`)
	fx.extra = []zipEntry{{name: "docProps/custom.xml", body: custom}, {name: "docProps/core.xml", body: core}}
	if rels {
		// The relationships name the parts elsewhere; the defaults hold decoys.
		fx.noRootRels = true
		fx.extra = []zipEntry{
			{name: "_rels/.rels", body: `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
				`<Relationship Id="rId1" Type="` + relNS + `/officeDocument" Target="xl/workbook.xml"/>` +
				`<Relationship Id="rId2" Type="` + relNS + `/custom-properties" Target="meta/c.xml"/>` +
				`<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="/meta/core.xml"/></Relationships>`},
			{name: "meta/c.xml", body: custom}, {name: "meta/core.xml", body: core},
			{name: "docProps/custom.xml", body: `<Properties><property name="secmgr.base"><vt:lpwstr>decoy</vt:lpwstr></property></Properties>`},
		}
	}
	return fx
}

func TestCustomProperties(t *testing.T) {
	long := strings.Repeat("x", maxCustomPropChars+1)
	for _, rels := range []bool{false, true} {
		path := propsFixture(strings.Replace(customXML, "LONG", long, 1), coreXML, rels).write(t)
		w, err := Open(path, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		got, err := w.CustomProperties()
		if err != nil {
			t.Fatal(err)
		}
		// A value past the bound is left out; the others are read.
		want := map[string]string{"secmgr.base": "sha256:ab&c", "count": "7", "after": "x<y"}
		if !maps.Equal(got, want) {
			t.Errorf("rels=%v: CustomProperties() = %q, want %q", rels, got, want)
		}
		core, err := w.CoreProperties()
		if err != nil {
			t.Fatal(err)
		}
		if core["identifier"] != "sha256:ff" || core["title"] != "T" {
			t.Errorf("rels=%v: CoreProperties() = %q", rels, core)
		}
		w.Close()
	}
}

func TestNoProperties(t *testing.T) {
	w, err := Open(oneSheet("").write(t), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if p, err := w.CustomProperties(); err != nil || len(p) != 0 {
		t.Fatalf("CustomProperties() = %v, %v", p, err)
	}
}

func TestCustomPropertiesMalformed(t *testing.T) {
	w, err := Open(propsFixture(`<Properties><property name="a"><vt:lpwstr>x&bogus;</vt:lpwstr>`, "", false).write(t), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	_, err = w.CustomProperties()
	var e *Error
	if !errors.As(err, &e) || e.Part != "docProps/custom.xml" {
		t.Fatalf("error %v does not name the part", err)
	}
}

// FuzzCustomProperties puts the input into a valid archive as the custom
// and core properties: reading them returns an *Error or properties
// within the bounds, never a panic.
func FuzzCustomProperties(f *testing.F) {
	f.Add([]byte(customXML), []byte(coreXML))
	f.Add([]byte(`<Properties><property name="a"><vt:vector><vt:lpwstr>1</vt:lpwstr></vt:vector></property><property name="a"/></Properties>`), []byte(`<x><y/></x>`))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, custom, core []byte) {
		path := filepath.Join(dir, "p.xlsx")
		if err := os.WriteFile(path, zipBytes(t, propsFixture(string(custom), string(core), false).entries()), 0o600); err != nil {
			t.Fatal(err)
		}
		w, err := Open(path, fuzzLimits)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		for _, read := range []func() (map[string]string, error){w.CustomProperties, w.CoreProperties} {
			props, err := read()
			if err != nil {
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("error %T %v is not an *Error", err, err)
				}
				continue
			}
			if len(props) > maxCustomProps {
				t.Fatalf("%d properties", len(props))
			}
			for _, v := range props {
				if len(v) > maxCustomPropChars*4 {
					t.Fatalf("a value of %d bytes", len(v))
				}
			}
		}
	})
}
