package cloudformation

import (
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
)

// Template is a parsed template: its sections as the plain Go values Parse produces
// (map[string]any, []any, string, int64, float64, bool and nil, with intrinsic functions in
// their long forms). Parse checks the shape of the sections; their values are evaluated by
// Evaluate or an Evaluator.
type Template struct {
	// Transform names the macros of the Transform section, such as
	// AWS::Serverless-2016-10-31 for a SAM template.
	Transform []string
	// Globals is SAM's Globals section (empty when there is none).
	Globals map[string]any
	// Parameters maps a parameter name to its declaration (Type, Default, AllowedValues, ...).
	Parameters map[string]map[string]any
	// Mappings is the Mappings section, which Fn::FindInMap reads: mapping name → top-level
	// key → second-level key → a scalar or a list of scalars.
	Mappings map[string]any
	// Conditions maps a condition name to its unevaluated expression.
	Conditions map[string]any
	// Resources maps a logical ID to its declaration (Type, Properties, Condition, ...).
	Resources map[string]map[string]any
	// Outputs maps an output name to its declaration (Value, Description, Condition, ...).
	Outputs map[string]map[string]any
}

// Parse parses a template, YAML or JSON: a document whose first non-blank character is "{" is
// read as JSON, or as YAML (a flow mapping) when it is not valid JSON. YAML short-form tags
// (!Ref, !Sub, !GetAtt, !If, !Condition, ...) become their long forms; anchors, aliases and
// merge keys are expanded, and duplicate keys are an error in either format.
// A document larger than 1 MiB (CloudFormation's limit for a template in S3), nested more than
// 64 levels deep or expanding to more than 200,000 values is rejected with ErrLimit. The
// template must declare at least one resource, each with a Type.
func Parse(data []byte) (*Template, error) {
	top, err := parseDocument(data)
	if err != nil {
		return nil, err
	}
	t := &Template{}
	if t.Transform, err = transforms(top["Transform"]); err != nil {
		return nil, err
	}
	if t.Globals, err = section(top, "Globals"); err != nil {
		return nil, err
	}
	if t.Mappings, err = section(top, "Mappings"); err != nil {
		return nil, err
	}
	if err := checkMappings(t.Mappings); err != nil {
		return nil, err
	}
	if t.Conditions, err = section(top, "Conditions"); err != nil {
		return nil, err
	}
	if t.Parameters, err = declarations(top, "Parameters", "parameter"); err != nil {
		return nil, err
	}
	if t.Resources, err = declarations(top, "Resources", "resource"); err != nil {
		return nil, err
	}
	if t.Outputs, err = declarations(top, "Outputs", "output"); err != nil {
		return nil, err
	}
	if len(t.Resources) == 0 {
		return nil, fmt.Errorf("%w: no Resources", ErrInvalid)
	}
	for _, id := range slices.Sorted(maps.Keys(t.Resources)) {
		if typ, ok := t.Resources[id]["Type"].(string); !ok || typ == "" {
			return nil, fmt.Errorf("%w: resource %s has no Type", ErrInvalid, id)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(t.Parameters)) {
		if typ, ok := t.Parameters[name]["Type"].(string); !ok || typ == "" {
			return nil, fmt.Errorf("%w: parameter %s has no Type", ErrInvalid, name)
		}
		if _, clash := t.Resources[name]; clash {
			return nil, fmt.Errorf("%w: parameter %s has the same name as a resource", ErrInvalid, name)
		}
	}
	return t, nil
}

// ParseFile reads the template in the named file and parses it. A file larger than Parse
// accepts is not read beyond that limit.
func ParseFile(name string) (*Template, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSize+1))
	if err != nil {
		return nil, err
	}
	t, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return t, nil
}

// transforms reads the Transform section: a macro name, or a list of names and
// {Name, Parameters} mappings.
func transforms(v any) ([]string, error) {
	var items []any
	switch t := v.(type) {
	case nil:
		return nil, nil
	case []any:
		items = t
	default:
		items = []any{t}
	}
	names := make([]string, 0, len(items))
	for _, item := range items {
		if m, ok := item.(map[string]any); ok {
			item = m["Name"]
		}
		name, ok := item.(string)
		if !ok || name == "" {
			return nil, fmt.Errorf("%w: Transform must name macros", ErrInvalid)
		}
		names = append(names, name)
	}
	return names, nil
}

// section returns the top-level mapping key (empty when it is absent or null).
func section(top map[string]any, key string) (map[string]any, error) {
	v, ok := top[key]
	if !ok || v == nil {
		return map[string]any{}, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: %s is not a mapping", ErrInvalid, key)
	}
	return m, nil
}

// declarations returns the top-level mapping key, each of whose entries is a mapping.
func declarations(top map[string]any, key, what string) (map[string]map[string]any, error) {
	m, err := section(top, key)
	if err != nil {
		return nil, err
	}
	out := make(map[string]map[string]any, len(m))
	for _, name := range slices.Sorted(maps.Keys(m)) {
		decl, ok := m[name].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%w: %s %s is not a mapping", ErrInvalid, what, name)
		}
		out[name] = decl
	}
	return out, nil
}

// checkMappings checks the shape of the Mappings section. As in CloudFormation, its values are
// scalars or lists of scalars: no intrinsic functions.
func checkMappings(mappings map[string]any) error {
	for _, name := range slices.Sorted(maps.Keys(mappings)) {
		top, ok := mappings[name].(map[string]any)
		if !ok {
			return fmt.Errorf("%w: mapping %s is not a mapping", ErrInvalid, name)
		}
		for _, k1 := range slices.Sorted(maps.Keys(top)) {
			second, ok := top[k1].(map[string]any)
			if !ok {
				return fmt.Errorf("%w: mapping %s.%s is not a mapping", ErrInvalid, name, k1)
			}
			for _, k2 := range slices.Sorted(maps.Keys(second)) {
				values, isList := second[k2].([]any)
				if !isList {
					values = []any{second[k2]}
				}
				for _, v := range values {
					if _, ok := Text(v); !ok {
						return fmt.Errorf("%w: mapping %s.%s.%s must be a string or a list of strings", ErrInvalid, name, k1, k2)
					}
				}
			}
		}
	}
	return nil
}
