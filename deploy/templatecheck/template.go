package templatecheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
)

// ErrTemplate is wrapped by every error about a template's shape or evaluation.
var ErrTemplate = errors.New("cloudformation template")

// Template is a parsed CloudFormation template. Values are JSON values as encoding/json decodes
// them with UseNumber: map[string]any, []any, string, json.Number, bool and nil.
type Template struct {
	// Parameters maps a parameter name to its declaration (Type, Default, ...).
	Parameters map[string]map[string]any
	// Conditions maps a condition name to its (unevaluated) expression.
	Conditions map[string]any
	// Resources maps a logical ID to its declaration (Type, Properties, Condition, ...).
	Resources map[string]map[string]any
	// Outputs maps an output name to its declaration (Value, Description, Condition).
	Outputs map[string]map[string]any
}

// Load reads and parses the JSON template at path.
func Load(path string) (*Template, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTemplate, err)
	}
	t, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// Parse parses a JSON template.
func Parse(data []byte) (*Template, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var top map[string]any
	if err := dec.Decode(&top); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTemplate, err)
	}
	t := &Template{}
	var err error
	if t.Parameters, err = sectionOfMaps(top, "Parameters"); err != nil {
		return nil, err
	}
	if t.Resources, err = sectionOfMaps(top, "Resources"); err != nil {
		return nil, err
	}
	if t.Outputs, err = sectionOfMaps(top, "Outputs"); err != nil {
		return nil, err
	}
	t.Conditions = map[string]any{}
	if c, ok := top["Conditions"]; ok {
		m, ok := c.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%w: Conditions is not an object", ErrTemplate)
		}
		t.Conditions = m
	}
	if len(t.Resources) == 0 {
		return nil, fmt.Errorf("%w: no Resources", ErrTemplate)
	}
	for id, r := range t.Resources {
		if _, ok := r["Type"].(string); !ok {
			return nil, fmt.Errorf("%w: resource %s has no Type", ErrTemplate, id)
		}
	}
	return t, nil
}

func sectionOfMaps(top map[string]any, key string) (map[string]map[string]any, error) {
	out := map[string]map[string]any{}
	raw, ok := top[key]
	if !ok {
		return out, nil
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: %s is not an object", ErrTemplate, key)
	}
	for k, v := range m {
		entry, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%w: %s.%s is not an object", ErrTemplate, key, k)
		}
		out[k] = entry
	}
	return out, nil
}
