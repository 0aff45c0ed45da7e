package audit

import (
	"bytes"
	"encoding/json"
	"os"
	"secmgr/examples/golfstream"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// sarifSchema is the SARIF 2.1.0 JSON schema (OASIS, errata 01), vendored
// so that the test needs no network.
const sarifSchema = "testdata/sarif-schema-2.1.0.json"

// TestSARIFValidatesAgainstSchema checks the SARIF log of the sample, with
// physical locations, against the published SARIF 2.1.0 schema.
func TestSARIFValidatesAgainstSchema(t *testing.T) {
	f, err := os.Open(sarifSchema)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("sarif-schema-2.1.0.json", doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}

	e := golfStream(t)
	// Make every rule that can fire on the sample fire, reordered
	// exclusion entries included, so the log has results of each shape.
	for i := range e.GroupsInExGroups {
		if x := &e.GroupsInExGroups[i]; x.ExGroup == "Corporate Readers Except Auditors" {
			x.ProcessingOrder = 1 - x.ProcessingOrder
		}
	}
	var b bytes.Buffer
	if err := Run(e, nil).WriteSARIF(&b, golfStreamSource(t)); err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(inst); err != nil {
		t.Fatalf("the SARIF log does not validate against the SARIF 2.1.0 schema: %v", err)
	}

	// The schema is live: a region starting at line 0 is refused.
	broken, err := jsonschema.UnmarshalJSON(strings.NewReader(strings.Replace(b.String(), `"startLine": `, `"startLine": -`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if schema.Validate(broken) == nil {
		t.Fatal("the schema accepted a negative startLine: the validation checks nothing")
	}

	// Every result points into the file, at the line of an artifact's entry.
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID    string `json:"ruleId"`
				Locations []struct {
					PhysicalLocation *struct {
						ArtifactLocation struct{ URI string } `json:"artifactLocation"`
						Region           struct {
							StartLine int `json:"startLine"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
				PartialFingerprints map[string]string `json:"partialFingerprints"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(golfstream.EnvironmentJSON), "\n")
	for _, r := range log.Runs[0].Results {
		located := 0
		for _, l := range r.Locations {
			if p := l.PhysicalLocation; p != nil {
				located++
				if p.ArtifactLocation.URI != "examples/golfstream/environment.json" || strings.TrimSpace(lines[p.Region.StartLine-1]) != "{" {
					t.Errorf("%s: physical location %s:%d is not an artifact's entry", r.RuleID, p.ArtifactLocation.URI, p.Region.StartLine)
				}
			}
		}
		if located == 0 && r.RuleID != "OS-BP-PS-AM-002" && r.RuleID != "SM-010" {
			t.Errorf("%s: no physical location", r.RuleID)
		}
		if r.PartialFingerprints["secmgrFinding/v1"] == "" {
			t.Errorf("%s: no partial fingerprint", r.RuleID)
		}
	}
}
