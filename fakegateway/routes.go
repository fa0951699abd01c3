package fakegateway

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

type segmentKind int

const (
	segLiteral segmentKind = iota // most specific
	segParam                      // {name}
	segGreedy                     // {name+}, last segment only
)

type segment struct {
	kind segmentKind
	text string // the literal, or the parameter name
}

// parseRoutePath parses an API Gateway resource path ("/", "/pets/{id}", "/files/{proxy+}").
func parseRoutePath(p string) ([]segment, error) {
	if !strings.HasPrefix(p, "/") {
		return nil, errors.New("path must start with /")
	}
	if p == "/" {
		return nil, nil
	}
	parts := strings.Split(p[1:], "/")
	segs := make([]segment, 0, len(parts))
	names := map[string]bool{}
	for i, part := range parts {
		switch {
		case part == "":
			return nil, errors.New("path has an empty segment")
		case strings.HasPrefix(part, "{") && strings.HasSuffix(part, "}"):
			name := part[1 : len(part)-1]
			kind := segParam
			if strings.HasSuffix(name, "+") {
				kind = segGreedy
				name = strings.TrimSuffix(name, "+")
				if i != len(parts)-1 {
					return nil, errors.New("a greedy {name+} parameter must be the last segment")
				}
			}
			if name == "" || strings.ContainsAny(name, "{}+/") {
				return nil, fmt.Errorf("bad path parameter %q", part)
			}
			if names[name] {
				return nil, fmt.Errorf("path parameter %q appears twice", name)
			}
			names[name] = true
			segs = append(segs, segment{kind: kind, text: name})
		case strings.ContainsAny(part, "{}"):
			return nil, fmt.Errorf("bad path segment %q", part)
		default:
			segs = append(segs, segment{kind: segLiteral, text: part})
		}
	}
	return segs, nil
}

// resource is one resource path with the methods defined on it.
type resource struct {
	path    string
	segs    []segment
	methods map[string]Route
}

// router matches a request path to the most specific resource, then the method on it, the way
// API Gateway selects a resource before it looks at the method.
type router struct {
	resources []*resource
}

func newRouter(routes []Route) (*router, error) {
	byPath := map[string]*resource{}
	rt := &router{}
	for _, r := range routes {
		res, ok := byPath[r.Path]
		if !ok {
			segs, err := parseRoutePath(r.Path)
			if err != nil {
				return nil, err
			}
			res = &resource{path: r.Path, segs: segs, methods: map[string]Route{}}
			byPath[r.Path] = res
			rt.resources = append(rt.resources, res)
		}
		res.methods[r.Method] = r
	}
	return rt, nil
}

// routeMatch is a matched route with its path parameters.
type routeMatch struct {
	route  Route
	params map[string]string
}

// splitRequestPath splits an escaped resource path into its segments, percent-decoded (for
// matching) and as sent (for path parameters, which API Gateway passes on still encoded: recorded in
// test_lambda_aws_proxy_integration, invocation-payload-with-path-encoded-email). Slashes at
// either end are ignored, as API Gateway ignores a trailing one (recorded:
// invocation-payload-with-trailing-slash); an empty segment inside stays, for a greedy parameter to
// take (invocation-payload-with-double-slash). ok is false for a bad escape.
func splitRequestPath(escaped string) (decoded, raw []string, ok bool) {
	trimmed := strings.Trim(escaped, "/")
	if trimmed == "" {
		return nil, nil, true
	}
	raw = strings.Split(trimmed, "/")
	decoded = make([]string, len(raw))
	for i, s := range raw {
		d, err := url.PathUnescape(s)
		if err != nil {
			return nil, nil, false
		}
		decoded[i] = d
	}
	return decoded, raw, true
}

// match finds the route for method on the decoded path segments; the parameters take the
// segments as sent (raw, the same length as segs).
func (rt *router) match(method string, segs, raw []string) (routeMatch, bool) {
	var best *resource
	var bestRank []segmentKind
	for _, res := range rt.resources {
		rank, ok := matchSegments(res.segs, segs)
		if !ok {
			continue
		}
		if best == nil || lessRank(rank, bestRank) {
			best, bestRank = res, rank
		}
	}
	if best == nil {
		return routeMatch{}, false
	}
	r, ok := best.methods[method]
	if !ok {
		r, ok = best.methods["ANY"]
	}
	if !ok {
		return routeMatch{}, false
	}
	return routeMatch{route: r, params: pathParams(best.segs, raw)}, true
}

func matchSegments(pattern []segment, segs []string) ([]segmentKind, bool) {
	rank := make([]segmentKind, 0, len(pattern))
	for i, p := range pattern {
		if p.kind == segGreedy {
			if i >= len(segs) {
				return nil, false
			}
			return append(rank, segGreedy), true
		}
		if i >= len(segs) {
			return nil, false
		}
		if segs[i] == "" || p.kind == segLiteral && p.text != segs[i] {
			return nil, false
		}
		rank = append(rank, p.kind)
	}
	if len(pattern) != len(segs) {
		return nil, false
	}
	return rank, true
}

// lessRank reports whether a is more specific than b: literal beats {param} beats {proxy+},
// compared from the first segment.
func lessRank(a, b []segmentKind) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return len(a) > len(b)
}

func pathParams(pattern []segment, segs []string) map[string]string {
	var params map[string]string
	for i, p := range pattern {
		switch p.kind {
		case segParam:
			if params == nil {
				params = map[string]string{}
			}
			params[p.text] = segs[i]
		case segGreedy:
			if params == nil {
				params = map[string]string{}
			}
			params[p.text] = strings.Join(segs[i:], "/")
		}
	}
	return params
}
