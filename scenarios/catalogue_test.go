package scenarios_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/serverless-auth/serverless-auth/scenarios"
)

// TestCatalogueIsDocumented keeps docs/spec.md's scenario table and the
// catalogue in step: every ID is listed, with its path, exactly once.
func TestCatalogueIsDocumented(t *testing.T) {
	readme, err := os.ReadFile("../docs/spec.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range scenarios.Catalogue() {
		row := "| " + s.ID + " | " + s.Path + " |"
		if n := strings.Count(string(readme), row); n != 1 {
			t.Errorf("docs/spec.md lists %q %d times, want once", row, n)
		}
	}
}

// TestCatalogueIDs checks the IDs are well formed and unique.
func TestCatalogueIDs(t *testing.T) {
	id := regexp.MustCompile(`^(AUTH|PROF|GW|FLOW|HTTP|LOG)-[0-9]{2}$`)
	seen := map[string]bool{}
	for _, s := range scenarios.Catalogue() {
		if !id.MatchString(s.ID) || seen[s.ID] {
			t.Errorf("catalogue ID %q is malformed or repeated", s.ID)
		}
		seen[s.ID] = true
		if got, ok := scenarios.Lookup(s.ID); !ok || got != s {
			t.Errorf("Lookup(%q) = %v, %v", s.ID, got, ok)
		}
		if scenarios.Family(s.ID) == "" {
			t.Errorf("Family(%q) is empty", s.ID)
		}
	}
}
