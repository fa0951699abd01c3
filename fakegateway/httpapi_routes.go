package fakegateway

import (
	"net/url"
	"strings"
)

// httpRouter selects an HTTP API's route the way "Create routes for HTTP APIs in API Gateway"
// describes: the most specific path wins (a literal segment over a {param}, a {param} over a
// greedy {proxy+}), and on the same path a route for the request's method over ANY. Paths are
// matched on their decoded segments ("API Gateway decodes URL-encoded request parameters").
type httpRouter struct {
	routes []compiledHTTPRoute
}

type compiledHTTPRoute struct {
	route HTTPRoute
	segs  []segment
}

func newHTTPRouter(routes []HTTPRoute) (*httpRouter, error) {
	rt := &httpRouter{}
	for _, r := range routes {
		segs, err := parseRoutePath(r.Path)
		if err != nil {
			return nil, err
		}
		rt.routes = append(rt.routes, compiledHTTPRoute{route: r, segs: segs})
	}
	return rt, nil
}

// match finds the route for method on the escaped request path (below the stage). ok is false
// when none matches, or the path has an empty segment or a bad escape.
func (rt *httpRouter) match(method, escaped string) (HTTPRoute, map[string]string, bool) {
	var segs []string
	if escaped != "" && escaped != "/" {
		if !strings.HasPrefix(escaped, "/") {
			return HTTPRoute{}, nil, false
		}
		for _, s := range strings.Split(escaped[1:], "/") {
			d, err := url.PathUnescape(s)
			if s == "" || err != nil {
				return HTTPRoute{}, nil, false
			}
			segs = append(segs, d)
		}
	}
	var best *compiledHTTPRoute
	var bestRank []segmentKind
	for i := range rt.routes {
		c := &rt.routes[i]
		if c.route.Method != method && c.route.Method != "ANY" {
			continue
		}
		rank, ok := matchSegments(c.segs, segs)
		if !ok {
			continue
		}
		switch {
		case best == nil, lessRank(rank, bestRank):
		case !lessRank(bestRank, rank) && best.route.Method == "ANY" && c.route.Method == method:
		default:
			continue
		}
		best, bestRank = c, rank
	}
	if best == nil {
		return HTTPRoute{}, nil, false
	}
	return best.route, pathParams(best.segs, segs), true
}
