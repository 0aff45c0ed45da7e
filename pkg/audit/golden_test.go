package audit

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"secmgr/examples/golfstream"
	"secmgr/internal/testtools"
	"secmgr/pkg/artifacts"
)

// golfStream is the sample environment, maintained in examples/golfstream.
func golfStream(t *testing.T) *artifacts.Environment {
	t.Helper()
	env, err := golfstream.Environment()
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// golfStreamSource points SARIF results into the sample's file, by the
// path a repository-root checkout of this project gives it.
func golfStreamSource(t *testing.T) *SARIFSource {
	t.Helper()
	lines, err := artifacts.IndexEntryLines(golfstream.EnvironmentJSON)
	if err != nil {
		t.Fatal(err)
	}
	return &SARIFSource{URI: "examples/golfstream/environment.json", Lines: lines}
}

func TestGolfStreamGolden(t *testing.T) {
	rep := Run(golfStream(t), nil)
	src := golfStreamSource(t)
	for _, f := range []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{"golfstream.txt", func(b *bytes.Buffer) error { return rep.WriteText(b) }},
		{"golfstream.json", func(b *bytes.Buffer) error { return rep.WriteJSON(b) }},
		{"golfstream.sarif", func(b *bytes.Buffer) error { return rep.WriteSARIF(b, src) }},
	} {
		t.Run(f.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := f.write(&b); err != nil {
				t.Fatal(err)
			}
			testtools.Golden(t, filepath.Join("testdata", f.name), b.Bytes())
		})
	}
}

// TestSARIF checks the parts of the SARIF log that code-scanning tools
// rely on.
func TestSARIF(t *testing.T) {
	rep := Run(env(func(e *artifacts.Environment) {
		users(e, "Kevin")
		setRole(e, "ManageMetadata", artifacts.Everyone)
		e.Entity = append(e.Entity, entity("Montreal", "Canada Finance", "Montreal_Mod"))
	}), nil)
	var b bytes.Buffer
	if err := rep.WriteSARIF(&b, nil); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Schema  string `json:"$schema"`
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID                   string            `json:"id"`
						ShortDescription     map[string]string `json:"shortDescription"`
						FullDescription      map[string]string `json:"fullDescription"`
						Help                 map[string]string `json:"help"`
						DefaultConfiguration map[string]string `json:"defaultConfiguration"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string            `json:"ruleId"`
				RuleIndex int               `json:"ruleIndex"`
				Level     string            `json:"level"`
				Message   map[string]string `json:"message"`
				Locations []struct {
					LogicalLocations []struct {
						Name, Kind string
					} `json:"logicalLocations"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || log.Schema == "" || len(log.Runs) != 1 || log.Runs[0].Tool.Driver.Name != "secmgr" {
		t.Fatalf("header: %+v", log)
	}
	run := log.Runs[0]
	if len(run.Tool.Driver.Rules) != len(Rules()) {
		t.Errorf("%d rules, want %d", len(run.Tool.Driver.Rules), len(Rules()))
	}
	for _, r := range run.Tool.Driver.Rules {
		if r.ShortDescription["text"] == "" || r.FullDescription["text"] == "" || r.Help["text"] == "" || r.DefaultConfiguration["level"] == "" {
			t.Errorf("rule %s is incomplete: %+v", r.ID, r)
		}
	}
	if len(run.Results) != len(rep.Findings) {
		t.Fatalf("%d results for %d findings", len(run.Results), len(rep.Findings))
	}
	wantLevel := map[Severity]string{High: "error", Medium: "warning", Low: "note", Info: "note"}
	for i, res := range run.Results {
		f := rep.Findings[i]
		if res.RuleID != f.Rule || run.Tool.Driver.Rules[res.RuleIndex].ID != f.Rule || res.Level != wantLevel[f.Severity] || res.Message["text"] == "" {
			t.Errorf("result %d: %+v for finding %+v", i, res, f)
		}
		if len(res.Locations) != len(f.Artifacts) || res.Locations[0].LogicalLocations[0].Name != strings.Join(f.Artifacts[0].Key, " / ") {
			t.Errorf("result %d: locations %+v for artifacts %v", i, res.Locations, f.Artifacts)
		}
	}
}
