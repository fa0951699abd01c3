package cloudformation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// Limits on what a document may make Parse do.
const (
	maxSize  = 1 << 20 // CloudFormation's own limit for a template in S3
	maxDepth = 64
	maxNodes = 200_000 // after alias expansion: stops "billion laughs"
)

// parseDocument reads one YAML or JSON document whose top level is a mapping. A document whose
// first non-blank character is "{" is read as JSON; if it is not valid JSON it is read as YAML
// (a flow mapping), and the JSON error is reported when that fails too.
func parseDocument(data []byte) (map[string]any, error) {
	if len(data) > maxSize {
		return nil, fmt.Errorf("%w: template is %d bytes, more than the %d allowed", ErrLimit, len(data), maxSize)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a UTF-8 byte order mark
	var top any
	var err error
	if looksLikeJSON(data) {
		top, err = parseJSON(data)
		if err != nil {
			var yamlErr error
			if top, yamlErr = parseYAML(data); yamlErr == nil {
				err = nil
			}
		}
	} else {
		top, err = parseYAML(data)
	}
	if err != nil {
		return nil, err
	}
	m, ok := top.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: the top level of the template is not a mapping", ErrInvalid)
	}
	return m, nil
}

func looksLikeJSON(data []byte) bool {
	data = bytes.TrimLeft(data, " \t\r\n")
	return len(data) > 0 && data[0] == '{'
}

// jsonReader builds the same values as the YAML reader from a JSON document, under the same
// limits, and rejects duplicate keys as YAML does.
type jsonReader struct {
	dec   *json.Decoder
	nodes int
}

func parseJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	r := &jsonReader{dec: dec}
	v, err := r.value(0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: invalid JSON: data after the document at offset %d", ErrSyntax, dec.InputOffset())
	}
	return v, nil
}

func (r *jsonReader) token() (json.Token, error) {
	tok, err := r.dec.Token()
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return nil, fmt.Errorf("%w: invalid JSON: %w", ErrSyntax, err)
	}
	return tok, nil
}

func (r *jsonReader) value(depth int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("%w: offset %d: nested more than %d levels deep", ErrLimit, r.dec.InputOffset(), maxDepth)
	}
	r.nodes++
	if r.nodes > maxNodes {
		return nil, fmt.Errorf("%w: offset %d: template has more than %d nodes", ErrLimit, r.dec.InputOffset(), maxNodes)
	}
	tok, err := r.token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '[' {
			list := []any{}
			for r.dec.More() {
				v, err := r.value(depth + 1)
				if err != nil {
					return nil, err
				}
				list = append(list, v)
			}
			_, err := r.token() // ]
			return list, err
		}
		m := map[string]any{}
		for r.dec.More() {
			kt, err := r.token()
			if err != nil {
				return nil, err
			}
			key, _ := kt.(string) // the decoder only returns strings as object keys
			if _, dup := m[key]; dup {
				return nil, fmt.Errorf("%w: offset %d: duplicate key %q", ErrSyntax, r.dec.InputOffset(), key)
			}
			if m[key], err = r.value(depth + 1); err != nil {
				return nil, err
			}
		}
		_, err := r.token() // }
		return m, err
	case json.Number:
		if i, err := strconv.ParseInt(t.String(), 10, 64); err == nil {
			return i, nil
		}
		f, _ := strconv.ParseFloat(t.String(), 64) // valid JSON number syntax; out of range is ±Inf, as in YAML
		return f, nil
	default:
		return t, nil // string, bool or nil
	}
}
