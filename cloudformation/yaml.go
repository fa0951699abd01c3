package cloudformation

import (
	"fmt"
	"math"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// longForm maps a CloudFormation YAML short-form tag (!Ref, !Sub, ...) to its long-form key.
func longForm(tag string) (string, bool) {
	switch tag {
	case "!Ref":
		return "Ref", true
	case "!Condition":
		return "Condition", true
	case "!GetAtt", "!Sub", "!If", "!Not", "!Equals", "!And", "!Or", "!Join", "!Select", "!Split",
		"!FindInMap", "!Base64", "!ImportValue", "!GetAZs", "!Cidr", "!Transform", "!ToJsonString", "!Length":
		return "Fn::" + tag[1:], true
	}
	return "", false
}

// yamlReader turns a goccy/go-yaml AST into plain Go values (map[string]any, []any, string,
// int64, float64, bool, nil), rewriting CloudFormation short-form tags into their long forms
// ({"Ref": x}, {"Fn::Sub": x}, ...), which a plain YAML decoder would drop or reject.
type yamlReader struct {
	anchors map[string]any
	nodes   int
}

// parseYAML reads one YAML document.
func parseYAML(data []byte) (any, error) {
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, fmt.Errorf("%w: invalid YAML: %w", ErrSyntax, err)
	}
	if len(file.Docs) != 1 {
		return nil, fmt.Errorf("%w: want exactly one YAML document, found %d", ErrSyntax, len(file.Docs))
	}
	y := &yamlReader{anchors: map[string]any{}}
	return y.convert(file.Docs[0].Body, 0)
}

func nodeLine(n ast.Node) int {
	if n == nil {
		return 0
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		return tk.Position.Line
	}
	return 0
}

// count counts one more node, after alias expansion.
func (y *yamlReader) count(line int) error {
	y.nodes++
	if y.nodes > maxNodes {
		return fmt.Errorf("%w: line %d: template expands to more than %d nodes", ErrLimit, line, maxNodes)
	}
	return nil
}

func (y *yamlReader) convert(n ast.Node, depth int) (any, error) {
	if n == nil {
		return nil, nil
	}
	if depth > maxDepth {
		return nil, fmt.Errorf("%w: line %d: nested more than %d levels deep", ErrLimit, nodeLine(n), maxDepth)
	}
	if err := y.count(nodeLine(n)); err != nil {
		return nil, err
	}
	switch n := n.(type) {
	case *ast.DocumentNode:
		return y.convert(n.Body, depth+1)
	case *ast.NullNode:
		return nil, nil
	case *ast.BoolNode:
		return n.Value, nil
	case *ast.IntegerNode:
		switch v := n.Value.(type) {
		case int64:
			return v, nil
		case uint64:
			if v > math.MaxInt64 {
				return float64(v), nil
			}
			return int64(v), nil
		}
		return nil, fmt.Errorf("%w: line %d: unreadable integer %q", ErrSyntax, nodeLine(n), n.String())
	case *ast.FloatNode:
		return n.Value, nil
	case *ast.InfinityNode:
		return n.Value, nil
	case *ast.NanNode:
		return math.NaN(), nil
	case *ast.StringNode:
		return n.Value, nil
	case *ast.LiteralNode:
		if n.Value == nil {
			return "", nil
		}
		return n.Value.Value, nil
	case *ast.MappingNode:
		m := make(map[string]any, len(n.Values))
		var merges []any
		for _, mv := range n.Values {
			merge, err := y.addPair(m, mv, depth)
			if err != nil {
				return nil, err
			}
			if merge != nil {
				merges = append(merges, merge)
			}
		}
		return m, applyMerges(m, merges, nodeLine(n))
	case *ast.MappingValueNode:
		m := make(map[string]any, 1)
		merge, err := y.addPair(m, n, depth)
		if err != nil {
			return nil, err
		}
		if merge != nil {
			return m, applyMerges(m, []any{merge}, nodeLine(n))
		}
		return m, nil
	case *ast.SequenceNode:
		list := make([]any, 0, len(n.Values))
		for _, e := range n.Values {
			v, err := y.convert(e, depth+1)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		return list, nil
	case *ast.TagNode:
		return y.convertTag(n, depth)
	case *ast.AnchorNode:
		v, err := y.convert(n.Value, depth+1)
		if err != nil {
			return nil, err
		}
		if n.Name != nil {
			y.anchors[n.Name.String()] = v
		}
		return v, nil
	case *ast.AliasNode:
		name := ""
		if n.Value != nil {
			name = n.Value.String()
		}
		v, ok := y.anchors[name]
		if !ok {
			return nil, fmt.Errorf("%w: line %d: alias *%s names no anchor", ErrSyntax, nodeLine(n), name)
		}
		return y.copyValue(v, depth, nodeLine(n))
	default:
		return nil, fmt.Errorf("%w: line %d: unsupported YAML construct %s", ErrSyntax, nodeLine(n), n.Type())
	}
}

// addPair stores one key: value pair; it returns the value of a merge key ("<<") instead.
func (y *yamlReader) addPair(m map[string]any, mv *ast.MappingValueNode, depth int) (any, error) {
	if mv.Key == nil {
		return nil, fmt.Errorf("%w: line %d: mapping entry without a key", ErrSyntax, nodeLine(mv))
	}
	value, err := y.convert(mv.Value, depth+1)
	if err != nil {
		return nil, err
	}
	if mv.Key.IsMergeKey() {
		if value == nil {
			return nil, fmt.Errorf("%w: line %d: merge key without a value", ErrSyntax, nodeLine(mv))
		}
		return value, nil
	}
	var keyNode ast.Node = mv.Key
	if k, ok := mv.Key.(*ast.MappingKeyNode); ok {
		keyNode = k.Value
	}
	kv, err := y.convert(keyNode, depth+1)
	if err != nil {
		return nil, err
	}
	key, ok := Text(kv)
	if !ok {
		return nil, fmt.Errorf("%w: line %d: mapping key is not a scalar", ErrSyntax, nodeLine(mv))
	}
	if _, dup := m[key]; dup {
		return nil, fmt.Errorf("%w: line %d: duplicate key %q", ErrSyntax, nodeLine(mv), key)
	}
	m[key] = value
	return nil, nil
}

// applyMerges applies YAML merge keys: explicit keys win over merged ones.
func applyMerges(m map[string]any, merges []any, line int) error {
	for _, merge := range merges {
		var sources []any
		switch v := merge.(type) {
		case map[string]any:
			sources = []any{v}
		case []any:
			sources = v
		default:
			return fmt.Errorf("%w: line %d: merge key value is not a mapping", ErrSyntax, line)
		}
		for _, s := range sources {
			src, ok := s.(map[string]any)
			if !ok {
				return fmt.Errorf("%w: line %d: merge key value is not a mapping", ErrSyntax, line)
			}
			for k, v := range src {
				if _, exists := m[k]; !exists {
					m[k] = v
				}
			}
		}
	}
	return nil
}

func (y *yamlReader) convertTag(n *ast.TagNode, depth int) (any, error) {
	tag := ""
	if n.Start != nil {
		tag = n.Start.Value
	}
	value, err := y.convert(n.Value, depth+1)
	if err != nil {
		return nil, err
	}
	if long, ok := longForm(tag); ok {
		return map[string]any{long: value}, nil
	}
	switch tag {
	case "!!str":
		if s, ok := Text(value); ok {
			return s, nil
		}
		return nil, fmt.Errorf("%w: line %d: !!str on a non-scalar", ErrSyntax, nodeLine(n))
	case "!!int", "!!float", "!!bool", "!!null", "!!map", "!!seq", "!!binary", "!!timestamp":
		return value, nil
	}
	return nil, fmt.Errorf("%w: line %d: unsupported tag %s", ErrSyntax, nodeLine(n), tag)
}

// copyValue deep-copies an anchored value so that later edits of one use cannot change another.
func (y *yamlReader) copyValue(v any, depth, line int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("%w: line %d: alias nested more than %d levels deep", ErrLimit, line, maxDepth)
	}
	if err := y.count(line); err != nil {
		return nil, err
	}
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			c, err := y.copyValue(e, depth+1, line)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			c, err := y.copyValue(e, depth+1, line)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	default:
		return t, nil
	}
}
