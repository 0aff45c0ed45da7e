package workbook

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"secmgr/pkg/artifacts"
	"secmgr/pkg/validate"
)

func findingLines(fs validate.Findings) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.String())
	}
	return out
}

// usersHeader is the full Users header in export order.
func usersHeader() []any {
	var h []any
	for _, c := range artifacts.TabUsers.Tab().Columns {
		h = append(h, c.Name)
	}
	return h
}

func TestOpenHeaders(t *testing.T) {
	type sheetWant struct {
		tab     string
		name    string
		headers map[string]string // tab column -> header as written
	}
	tests := []struct {
		name     string
		sheets   []sheetFx
		want     []sheetWant
		findings []string
	}{
		{
			name: "any order, any casing, spaces, aliases",
			sheets: []sheetFx{
				{name: "user", rows: [][]any{row(" EMAIL ", "user", "Description")}},
				{name: "CUBEDATACELLACCESS", rows: [][]any{row("Type", "ProcessingOrdering", "cube")}},
				{name: "GroupsInGroups", rows: [][]any{row("Group name", "ParentGroup")}},
				{name: "Group", rows: [][]any{row("Group")}},
			},
			want: []sheetWant{
				{"Users", "user", map[string]string{"User": "user", "Email": "EMAIL", "Description": "Description"}},
				{"CubeDataCellAccess", "CUBEDATACELLACCESS", map[string]string{"Cube": "cube", "Type": "Type", "ProcessingOrdering": "ProcessingOrdering"}},
				{"GroupsInGroups", "GroupsInGroups", map[string]string{"Group": "Group name", "ParentGroup": "ParentGroup"}},
				{"Groups", "Group", map[string]string{"Group": "Group"}},
			},
		},
		{
			name:   "unknown column, like the spec's example",
			sheets: []sheetFx{{name: "Users", rows: [][]any{append(usersHeader(), "Notes")}}},
			want:   []sheetWant{{"Users", "Users", nil}},
			findings: []string{
				"Users!Q1: warning: column 'Notes' is not part of the Users tab; it is ignored [unknown-column]",
			},
		},
		{
			name:   "duplicate column",
			sheets: []sheetFx{{name: "Groups", rows: [][]any{row("Group", "Description", "description")}}},
			want:   []sheetWant{{"Groups", "Groups", map[string]string{"Group": "Group", "Description": "Description"}}},
			findings: []string{
				"Groups!C1: error: column 'description' appears twice in the Groups tab (B1 and C1); delete one of them [duplicate-column]",
			},
		},
		{
			name: "missing key columns",
			sheets: []sheetFx{
				{name: "Groups", rows: [][]any{row("Description")}},
				{name: "UsersInGroups", rows: [][]any{row("ActionType")}},
			},
			findings: []string{
				"Groups row 1: error: the Groups tab has no Group column; it is needed to identify each group [missing-key-column]",
				"UsersInGroups row 1: error: the UsersInGroups tab has no User and ParentGroup columns; they are needed to identify each group membership [missing-key-column]",
			},
		},
		{
			name: "no header",
			sheets: []sheetFx{
				{name: "Groups"},
				{name: "Users", rows: [][]any{nil, row("User")}},
				{name: "Cube", rows: [][]any{row("", " ")}},
			},
			findings: []string{
				"Groups!A1: error: the Groups tab is empty; row 1 must hold the column headers (Group, Description, ActionType, ActionValue) [no-header]",
				"Users!A1: error: row 1 of the Users tab is empty; row 1 must hold the column headers (User, Description, UserType, IsEnabled, …) [no-header]",
				"Cube!A1: error: row 1 of the Cube tab is empty; row 1 must hold the column headers (Cube, AccessGroup, MaintenanceGroup) [no-header]",
			},
		},
		{
			name: "a near miss of a missing column is an error, other unknown headers warn",
			sheets: []sheetFx{
				{name: "Entity", rows: [][]any{row("Entity", "ReadWrite Group", "read_group", "ReadGroup3", "Notes", "ReadGroup2")}},
				{name: "GroupsInGroups", rows: [][]any{row("Group name", "ParentGrop")}},
			},
			want: []sheetWant{{"Entity", "Entity", map[string]string{"Entity": "Entity", "ReadGroup2": "ReadGroup2"}}},
			findings: []string{
				"Entity!B1: error: column 'ReadWrite Group' is not a column of the Entity tab — did you mean ReadWriteGroup? Correct the header, or the edits in this column are not read [misspelt-column]",
				"Entity!C1: error: column 'read_group' is not a column of the Entity tab — did you mean ReadGroup? Correct the header, or the edits in this column are not read [misspelt-column]",
				"Entity!D1: error: column 'ReadGroup3' is not a column of the Entity tab — did you mean ReadGroup? Correct the header, or the edits in this column are not read [misspelt-column]",
				"Entity!E1: warning: column 'Notes' is not part of the Entity tab; it is ignored [unknown-column]",
				"GroupsInGroups!B1: error: column 'ParentGrop' is not a column of the GroupsInGroups tab — did you mean ParentGroup? Correct the header, or the edits in this column are not read [misspelt-column]",
				"GroupsInGroups row 1: error: the GroupsInGroups tab has no ParentGroup column; it is needed to identify each group membership [missing-key-column]",
			},
		},
		{
			name: "no security tab at all is an error naming the tabs",
			sheets: []sheetFx{
				{name: "Sheet1", rows: [][]any{row("anything")}},
				{name: "User List", rows: [][]any{row("User")}},
				{name: "Sheet Users", rows: [][]any{row("User")}},
				{name: "Lists", rows: [][]any{row("x")}, hidden: true},
			},
			findings: []string{
				"error: the workbook has no security tab: its tabs are 'Sheet1', 'User List', 'Sheet Users' (did you mean Users for 'User List'? did you mean Users for 'Sheet Users'?); a security workbook has the tabs Users, UsersInGroups, Groups, GroupsInGroups, AppRoles, SystemRoles, ExGroup, UsersInExGroups, GroupsInExGroups, Workflow, Cube, CubeDataCellAccess, Entity, Scenario, Dimensions, DisplayMembers, CubeViewGroups, CubeViewProfiles, DashboardMaintenanceUnits, DashboardGroups, DashboardProfiles, XformRules, XformProfiles (an export of secmgr or BDA Security Manager, or an access review) [no-security-tab]",
			},
		},
		{
			name: "unknown tab warns, Lists is ignored, a tab twice is an error",
			sheets: []sheetFx{
				{name: "Notes", rows: [][]any{row("anything")}},
				{name: "Groups", rows: [][]any{row("Group")}},
				{name: "LISTS", rows: [][]any{row("UserType")}, hidden: true},
				{name: "group", rows: [][]any{row("Group")}},
			},
			want: []sheetWant{{"Groups", "Groups", map[string]string{"Group": "Group"}}},
			findings: []string{
				"Groups: error: the workbook has the Groups tab twice ('Groups' and 'group'); delete or rename one of them [duplicate-tab]",
				"Notes: warning: tab 'Notes' is not a security tab; it is ignored [unknown-tab]",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wb, err := Open(book(t, tt.sheets...), Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer wb.Close()
			if diff := cmp.Diff(tt.findings, findingLines(wb.Findings)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			if len(wb.Sheets) != len(tt.want) {
				t.Fatalf("got %d sheets, want %d", len(wb.Sheets), len(tt.want))
			}
			for i, w := range tt.want {
				s := wb.Sheets[i]
				if s.Tab.Name != w.tab || s.Name != w.name {
					t.Errorf("sheet %d: got %s (%q), want %s (%q)", i, s.Tab.Name, s.Name, w.tab, w.name)
				}
				if w.headers == nil {
					continue
				}
				got := make(map[string]string)
				for ci, p := range s.Present {
					if p {
						got[s.Tab.Columns[ci].Name] = s.Headers[ci]
					}
				}
				if diff := cmp.Diff(w.headers, got); diff != "" {
					t.Errorf("headers (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestSheetRefs(t *testing.T) {
	wb, err := Open(book(t, sheetFx{name: "user", rows: [][]any{row("Notes", "Email", "User")}}), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	s := wb.Sheets[0]
	if s.Hidden {
		t.Error("visible sheet reads hidden")
	}
	if got := s.Ref(0, 7); got != "user!C7" {
		t.Errorf("Ref(User, 7) = %q, want user!C7", got)
	}
	f := s.Finding(validate.Error, validate.CodeDomain, 7, 3, "bad")
	want := validate.Finding{Severity: validate.Error, Code: validate.CodeDomain, Tab: "Users", Row: 3, Column: "Email", Cell: "user!B3", Message: "bad"}
	if f != want {
		t.Errorf("Finding = %+v, want %+v", f, want)
	}
}

func TestReadRows(t *testing.T) {
	users := artifacts.TabUsers.Tab()
	col := func(name string) int { return users.Column(name) }
	vals := func(kv ...string) []string {
		v := make([]string, len(users.Columns))
		for i := 0; i < len(kv); i += 2 {
			v[col(kv[i])] = kv[i+1]
		}
		return v
	}
	header := row("User", "IsEnabled", "NumGridRows", "Description", "Notes", "ActionType", "ActionValue")
	tests := []struct {
		name     string
		rows     [][]any
		merge    []string
		want     []Row
		findings []string
	}{
		{
			name: "values trimmed, key white space warned",
			rows: [][]any{header,
				row("Jessica ", nil, nil, "  the boss\t"),
				row("\u00a0Jim", nil, nil, nil, " ignored "),
			},
			want: []Row{
				{2, vals("User", "Jessica", "Description", "the boss")},
				{3, vals("User", "Jim")},
			},
			findings: []string{
				"Users!A2: warning: leading or trailing spaces in 'Jessica ' were removed [whitespace-trimmed]",
				"Users!A3: warning: leading or trailing spaces in '\u00a0Jim' were removed [whitespace-trimmed]",
			},
		},
		{
			name: "booleans and numbers",
			rows: [][]any{header,
				row("a", true, 30.0),
				row("b", false, 3.0),
				row("c", "true", "40"),
				row("d", nil, 2.5),
			},
			want: []Row{
				{2, vals("User", "a", "IsEnabled", "TRUE", "NumGridRows", "30")},
				{3, vals("User", "b", "IsEnabled", "FALSE", "NumGridRows", "3")},
				{4, vals("User", "c", "IsEnabled", "true", "NumGridRows", "40")},
				{5, vals("User", "d", "NumGridRows", "2.5")},
			},
		},
		{
			name: "formula in a key is an error, elsewhere its cached value",
			rows: [][]any{header,
				row(excelize.Cell{Formula: `"Jess"&"ica"`, Value: "Jessica"}, nil, nil, excelize.Cell{Formula: `"x"`, Value: "x"}),
			},
			want: []Row{{2, vals("User", "Jessica", "Description", "x")}},
			findings: []string{
				"Users!A2: error: the User cell holds a formula; a key must be typed as a value (copy the cells and use Paste Special > Values) [formula-in-key]",
			},
		},
		{
			name: "blank rows skipped, action-only rows are errors",
			rows: [][]any{header,
				row("a"),
				nil,
				row("", " ", nil, nil, "only notes"),
				row(nil, nil, nil, nil, nil, "Remove"),
				row(nil, nil, nil, nil, nil, nil, "Admins"),
				row("b", nil, nil, nil, nil, "remove"),
			},
			want: []Row{
				{2, vals("User", "a")},
				{7, vals("User", "b", "ActionType", "remove")},
			},
			findings: []string{
				"Users!F5: error: row 5 has only an ActionType (Remove) and no User; write the user it applies to, or clear the row [action-without-row]",
				"Users!G6: error: row 6 has only an ActionValue (Admins) and no User; write the user it applies to, or clear the row [action-without-row]",
			},
		},
		{
			name:  "merged cells in data rows",
			rows:  [][]any{header, row("a", nil, nil, "x"), row("b")},
			merge: []string{"A1:B1", "D2:D3", "E2:E3", "B3:C3"},
			want: []Row{
				{2, vals("User", "a", "Description", "x")},
				{3, vals("User", "b")},
			},
			findings: []string{
				"Users!D2: error: cells D2:D3 are merged; unmerge them (Home > Merge & Center) so each cell holds its own value [merged-cells]",
				"Users!B3: error: cells B3:C3 are merged; unmerge them (Home > Merge & Center) so each cell holds its own value [merged-cells]",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := book(t, sheetFx{name: "Users", rows: tt.rows, merge: tt.merge})
			wb, rows := readAll(t, path, Options{})
			lines := findingLines(wb.Findings)
			// The header's Notes column warns every time; leave it out.
			lines = lines[1:]
			if len(lines) == 0 {
				lines = nil
			}
			if diff := cmp.Diff(tt.findings, lines); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, rows["Users"]); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

// A number written "3.0" (as some programs do) reads "3"; an inline
// string and a shared-string-less boolean read as shown.
func TestReadRawCells(t *testing.T) {
	path := rawBook(t, "UsersInExGroups",
		`<row r="1"><c r="A1" t="inlineStr"><is><t>User</t></is></c><c r="B1" t="inlineStr"><is><t>ExGroup</t></is></c>`+
			`<c r="C1" t="inlineStr"><is><t>ProcessingOrder</t></is></c><c r="D1" t="inlineStr"><is><t>AllowAccess</t></is></c></row>`+
			`<row r="2"><c r="A2" t="inlineStr"><is><t>Jim</t></is></c><c r="B2" t="str"><v>Ex1</v></c><c r="C2"><v>3.0</v></c><c r="D2" t="b"><v>1</v></c></row>`+
			`<row r="3"><c r="A3" t="inlineStr"><is><t>Jo</t></is></c><c r="B3" t="str"><f>"Ex"&amp;"2"</f><v>Ex2</v></c><c r="C3"><v>1E+1</v></c><c r="D3" t="b"><v>0</v></c></row>`)
	wb, rows := readAll(t, path, Options{})
	wantFindings := []string{"UsersInExGroups!B3: error: the ExGroup cell holds a formula; a key must be typed as a value (copy the cells and use Paste Special > Values) [formula-in-key]"}
	if diff := cmp.Diff(wantFindings, findingLines(wb.Findings)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	want := []Row{
		{2, []string{"Jim", "Ex1", "3", "TRUE", "", ""}},
		{3, []string{"Jo", "Ex2", "10", "FALSE", "", ""}},
	}
	if diff := cmp.Diff(want, rows["UsersInExGroups"]); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}

func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	xls := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 1024)...)
	tests := []struct {
		name string
		path string
		want string
	}{
		{"missing", filepath.Join(dir, "nope.xlsx"), "nope.xlsx: no such file"},
		{"text", write("edits.csv", []byte("User,Group\nJim,Admins\n")), "edits.csv: the file looks like a text or CSV file"},
		{"legacy", write("edits.xls", xls), "edits.xls: this is an Excel 97-2003 .xls file"},
		{"empty", write("empty.xlsx", nil), "empty.xlsx: the file is empty"},
		{"truncated", write("cut.xlsx", rawBookBytes("Users", "", "")[:300]), "cut.xlsx: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(tt.path, Options{})
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			var we *Error
			if !errors.As(err, &we) || we.Path != tt.path {
				t.Errorf("error %#v is not a *workbook.Error for %s", err, tt.path)
			}
		})
	}
}

func TestReadCellLimit(t *testing.T) {
	path := book(t, sheetFx{name: "Groups", rows: [][]any{row("Group", "Description"), row("a", "short"), row("b", strings.Repeat("x", 50))}})
	wb, err := Open(path, Options{MaxCellChars: 20})
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	n := 0
	err = wb.Read(wb.Sheets[0], func(*Row) error { n++; return nil })
	var we *Error
	if !errors.As(err, &we) || we.Cell != "Groups!B3" || !we.Limit {
		t.Fatalf("error %v: want a limit error at Groups!B3", err)
	}
	if !strings.HasPrefix(err.Error(), path+": Groups!B3: ") {
		t.Errorf("error %q does not name the file and cell", err)
	}
	if n != 1 {
		t.Errorf("%d rows before the error, want 1", n)
	}
}

func TestReadColumnLimit(t *testing.T) {
	path := book(t, sheetFx{name: "Groups", rows: [][]any{row("Group", "Description"), row("a", "b", nil, nil, "far")}})
	wb, err := Open(path, Options{MaxColumns: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	err = wb.Read(wb.Sheets[0], func(*Row) error { return nil })
	var we *Error
	if !errors.As(err, &we) || we.Cell != "Groups!E2" || !we.Limit {
		t.Fatalf("error %v: want a limit error at Groups!E2", err)
	}
}

func TestReadStopsOnCallbackError(t *testing.T) {
	path := book(t, sheetFx{name: "Groups", rows: [][]any{row("Group"), row("a"), row("b")}})
	wb, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	stop := errors.New("stop")
	n := 0
	if err := wb.Read(wb.Sheets[0], func(*Row) error { n++; return stop }); err != stop {
		t.Errorf("Read returned %v, want the callback's error", err)
	}
	if n != 1 {
		t.Errorf("callback ran %d times", n)
	}
}

func TestHiddenSheetRead(t *testing.T) {
	path := book(t,
		sheetFx{name: "Groups", rows: [][]any{row("Group"), row("a")}},
		sheetFx{name: "GroupsInGroups", rows: [][]any{row("Group", "ParentGroup"), row("a", "b")}, hidden: true})
	wb, rows := readAll(t, path, Options{})
	if !wb.Sheets[1].Hidden || len(rows["GroupsInGroups"]) != 1 {
		t.Errorf("hidden sheet: hidden=%v rows=%v", wb.Sheets[1].Hidden, rows["GroupsInGroups"])
	}
}

// A cell with no value to read — an error value, or a formula never
// calculated — is an error at its cell in any column, and its row is not
// read: neither empty nor the error text may become a change.
func TestReadUnreadableCells(t *testing.T) {
	header := `<row r="1"><c r="A1" t="inlineStr"><is><t>User</t></is></c><c r="B1" t="inlineStr"><is><t>Description</t></is></c><c r="C1" t="inlineStr"><is><t>NumGridRows</t></is></c></row>`
	path := rawBook(t, "Users", header+
		`<row r="2"><c r="A2" t="e"><v>#N/A</v></c><c r="B2" t="inlineStr"><is><t>pasted</t></is></c></row>`+
		`<row r="3"><c r="A3" t="inlineStr"><is><t>Jo</t></is></c><c r="B3"><f>CONCAT("a","b")</f><v></v></c></row>`+
		`<row r="4"><c r="A4" t="inlineStr"><is><t>Jim</t></is></c><c r="C4"><f>10*3</f></c></row>`+
		`<row r="5"><c r="A5" t="inlineStr"><is><t>Ann</t></is></c><c r="B5" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>`+
		`<row r="6"><c r="A6" t="inlineStr"><is><t>Bo</t></is></c><c r="B6" t="str"><f>""</f><v></v></c><c r="C6"><f>10*3</f><v>30</v></c></row>`)
	wb, rows := readAll(t, path, Options{})
	uncalc := "the cell holds a formula that was never calculated; open and save the workbook in Excel or LibreOffice, or type the value [formula-not-calculated]"
	want := []string{
		"Users!A2: error: the cell holds the error value #N/A, not a value (a formula failed there, and Paste Values keeps the error); type the value the cell should hold [error-value]",
		"Users!B3: error: " + uncalc,
		"Users!C4: error: " + uncalc,
		"Users!B5: error: the cell holds the error value #DIV/0!, not a value (a formula failed there, and Paste Values keeps the error); type the value the cell should hold [error-value]",
	}
	if diff := cmp.Diff(want, findingLines(wb.Findings)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	// A formula calculated to empty text is a value: empty.
	v := make([]string, 16)
	v[0], v[9] = "Bo", "30"
	if diff := cmp.Diff([]Row{{6, v}}, rows["Users"]); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}
