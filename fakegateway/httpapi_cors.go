package fakegateway

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// CORS of an HTTP API, as "Configure CORS for HTTP APIs in API Gateway" documents it:
//
//   - "API Gateway automatically sends a response to preflight OPTIONS requests, even if there
//     isn't an OPTIONS route configured for your API" — no authorizer runs on it;
//   - "For a CORS request, API Gateway adds the configured CORS headers to the response from an
//     integration", and "If you configure CORS for an API, API Gateway ignores CORS headers
//     returned from your backend integration".
//
// The fake also adds them to the gateway's own answers (401, 403, 404), so a browser can read
// them; no source found for that either way. The preflight's status (204) and the headers sent
// for an origin that is not allowed (none) are likewise not documented (no source found).

// corsHeaderNames are the response headers the API's CORS configuration owns.
var corsHeaderNames = []string{
	"Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "Access-Control-Expose-Headers",
	"Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "Access-Control-Max-Age",
}

// allowedOrigin returns the Access-Control-Allow-Origin value for origin, or "".
func (c *CorsConfig) allowedOrigin(origin string) string {
	if origin == "" {
		return ""
	}
	for _, o := range c.AllowOrigins {
		if o == "*" {
			return "*"
		}
		if strings.EqualFold(o, origin) {
			return origin
		}
	}
	return ""
}

// preflight answers an OPTIONS request carrying Origin and Access-Control-Request-Method when the
// API has a CORS configuration.
func (g *HTTPGateway) preflight(r *http.Request) (reply, bool) {
	c := g.cfg.Cors
	if c == nil || r.Method != http.MethodOptions || r.Header.Get("Origin") == "" || r.Header.Get("Access-Control-Request-Method") == "" {
		return reply{}, false
	}
	rep := reply{status: http.StatusNoContent, header: http.Header{}}
	origin := c.allowedOrigin(r.Header.Get("Origin"))
	if origin == "" {
		return rep, true
	}
	rep.header.Set("Access-Control-Allow-Origin", origin)
	if len(c.AllowMethods) > 0 {
		rep.header.Set("Access-Control-Allow-Methods", strings.Join(c.AllowMethods, ","))
	}
	if len(c.AllowHeaders) > 0 {
		rep.header.Set("Access-Control-Allow-Headers", strings.Join(c.AllowHeaders, ","))
	}
	if c.MaxAge > 0 {
		rep.header.Set("Access-Control-Max-Age", strconv.Itoa(c.MaxAge))
	}
	if c.AllowCredentials {
		rep.header.Set("Access-Control-Allow-Credentials", "true")
	}
	return rep, true
}

// applyCors replaces whatever CORS headers rep carries with the API's, for a request with an
// allowed Origin. A preflight answer already has its own.
func (g *HTTPGateway) applyCors(r *http.Request, rep *reply) {
	c := g.cfg.Cors
	if c == nil {
		return
	}
	if rep.header == nil {
		rep.header = http.Header{}
	}
	if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
		return
	}
	for _, h := range corsHeaderNames {
		rep.header.Del(h)
	}
	origin := c.allowedOrigin(r.Header.Get("Origin"))
	if origin == "" {
		return
	}
	rep.header.Set("Access-Control-Allow-Origin", origin)
	if origin != "*" && !slices.Contains(rep.header.Values("Vary"), "Origin") {
		rep.header.Add("Vary", "Origin")
	}
	if len(c.ExposeHeaders) > 0 {
		rep.header.Set("Access-Control-Expose-Headers", strings.Join(c.ExposeHeaders, ","))
	}
	if c.AllowCredentials {
		rep.header.Set("Access-Control-Allow-Credentials", "true")
	}
}
