package cloudformation

import (
	"os"
	"testing"
)

// FuzzParse: Parse never panics, classifies every error, and what it accepts evaluates without
// panicking, with every error classified too.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"../deploy/template.yaml", "testdata/evaluate.json"} {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(sample))
	f.Add([]byte(intrinsicsTemplate))
	f.Add([]byte(`{"Resources": {"R": {"Type": "T", "Properties": {"A": {"Fn::Sub": ["${X}", {"X": 1}]}}}}}`))
	f.Add([]byte("{Resources: {R: {Type: T, Properties: {A: !Ref R}}}}"))
	f.Add([]byte("a: &a [x, x]\nb: &b [*a, *a]\nResources: {R: {Type: T, Properties: {B: *b}}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tpl, err := Parse(data)
		if err != nil {
			if !isClassified(err) {
				t.Fatalf("Parse: unclassified error %v", err)
			}
			return
		}
		if len(tpl.Resources) == 0 {
			t.Fatal("Parse accepted a template without resources")
		}
		for _, params := range []map[string]string{
			nil,
			{"TokenIssuer": "https://t/", "JwksUri": "https://t/j", "Audience": "a", "Name": "x"},
		} {
			st, err := tpl.Evaluate(params)
			if err != nil {
				if !isClassified(err) {
					t.Fatalf("Evaluate: unclassified error %v", err)
				}
				continue
			}
			for id, r := range st.Resources {
				if r.Type == "" {
					t.Fatalf("resource %s has no type", id)
				}
			}
		}
	})
}
