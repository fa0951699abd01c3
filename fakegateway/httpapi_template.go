package fakegateway

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/serverless-auth/serverless-auth/cloudformation"
)

// implicitHTTPAPI is the logical ID SAM gives the HTTP API it creates for HttpApi events that
// name no ApiId (AWS SAM, AWS::Serverless::Function, HttpApi event, ApiId).
const implicitHTTPAPI = "ServerlessHttpApi"

// LoadHTTPTemplate reads a SAM template (AWS::Serverless-2016-10-31) and builds the HTTPConfig of
// its HTTP API: the HttpApi events of its functions (Path, Method, Auth.Authorizer,
// Auth.AuthorizationScopes), the API's Auth.Authorizers (a JwtConfiguration authorizer with
// issuer, audience and IdentitySource; a Lambda authorizer with FunctionArn,
// AuthorizerPayloadFormatVersion "2.0", EnableSimpleResponses, Identity.Headers /
// Identity.QueryStrings and Identity.ReauthorizeEvery as the result cache TTL), its
// CorsConfiguration, its StageName, and every function's resolved environment and timeout.
// api is the logical ID of the AWS::Serverless::HttpApi to serve ("" when the template's routes
// all belong to one); routes of other APIs are ignored. params sets template parameters as for
// LoadTemplate; package cloudformation evaluates the intrinsics and conditions. What the fake cannot model faithfully (payload format 1.0, IAM
// policy responses, OpenAPI DefinitionBody, IAM authorization, several HTTP APIs) is an error,
// not a guess.
func LoadHTTPTemplate(path, api string, params map[string]string) (HTTPConfig, error) {
	return loadSAM(path, func(tpl *cloudformation.Template) (HTTPConfig, error) { return httpConfigOf(tpl, api, params) })
}

// ParseHTTPTemplate is LoadHTTPTemplate on the template's bytes.
func ParseHTTPTemplate(data []byte, api string, params map[string]string) (HTTPConfig, error) {
	return parseSAM(data, func(tpl *cloudformation.Template) (HTTPConfig, error) { return httpConfigOf(tpl, api, params) })
}

// httpEvent is one HttpApi event of a function.
type httpEvent struct {
	function, name, api, path, method string
	authorizer                        string
	authSet                           bool
	scopes                            []string
}

func httpConfigOf(tpl *cloudformation.Template, api string, params map[string]string) (HTTPConfig, error) {
	sam, err := readSAM(tpl, params, httpAPIKind)
	if err != nil {
		return HTTPConfig{}, err
	}
	var cfg HTTPConfig
	var all []httpEvent
	if cfg.FunctionEnv, cfg.FunctionTimeout, all, err = readFunctions(sam, httpFunctionEvents); err != nil {
		return HTTPConfig{}, err
	}
	var events []httpEvent
	for _, ev := range all {
		if api == "" || ev.api == api {
			events = append(events, ev)
		}
	}
	if len(events) == 0 {
		if api != "" {
			return HTTPConfig{}, fmt.Errorf("no function has an HttpApi event on %s", api)
		}
		return HTTPConfig{}, errors.New("no function has an HttpApi event: the HTTP API has no routes")
	}
	apiID := events[0].api
	for _, ev := range events[1:] {
		if ev.api != apiID {
			return HTTPConfig{}, fmt.Errorf("routes are spread over HTTP APIs %s and %s; name the one to serve", apiID, ev.api)
		}
	}
	apiProps, ok := sam.apis[apiID]
	switch {
	case apiID == implicitHTTPAPI && !ok:
		apiProps = sam.globalAPI
	case !ok:
		return HTTPConfig{}, fmt.Errorf("ApiId %s is not an AWS::Serverless::HttpApi in this template (or its Condition is false)", apiID)
	}
	if err := applyHTTPAPI(sam.r, &cfg, apiProps, events, sam.funcIDs); err != nil {
		return HTTPConfig{}, fmt.Errorf("http api %s: %w", apiID, err)
	}
	if err := cfg.Validate(); err != nil {
		return HTTPConfig{}, err
	}
	return cfg, nil
}

func httpFunctionEvents(r *templateReader, fn samFunction) ([]httpEvent, error) {
	evs, err := optionalMap(fn.props, "Events")
	if err != nil {
		return nil, err
	}
	var out []httpEvent
	for _, name := range sortedKeys(evs) {
		ev, ok := evs[name].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("event %s is not a mapping", name)
		}
		if typ, _ := ev["Type"].(string); typ != "HttpApi" {
			continue
		}
		props, err := optionalMap(ev, "Properties")
		if err != nil {
			return nil, fmt.Errorf("event %s: %w", name, err)
		}
		e := httpEvent{function: fn.id, name: name, api: implicitHTTPAPI}
		for _, k := range sortedKeys(props) {
			switch k {
			case "ApiId":
				m, isMap := props[k].(map[string]any)
				ref, isRef := m["Ref"].(string)
				if !isMap || len(m) != 1 || !isRef {
					return nil, fmt.Errorf("event %s: ApiId must be !Ref of an AWS::Serverless::HttpApi", name)
				}
				e.api = ref
			case "Path":
				if e.path, err = r.evalString(props[k]); err != nil || e.path == "" {
					return nil, fmt.Errorf("event %s: Path must be a string", name)
				}
			case "Method":
				m, err := r.evalString(props[k])
				if err != nil || m == "" {
					return nil, fmt.Errorf("event %s: Method must be a string", name)
				}
				e.method = strings.ToUpper(m)
			case "PayloadFormatVersion":
				if v, _ := r.evalString(props[k]); v != "2.0" {
					return nil, fmt.Errorf("event %s: PayloadFormatVersion %q is not modelled; only 2.0", name, v)
				}
			case "TimeoutInMillis":
			case "Auth":
				if err := readHTTPEventAuth(r, props[k], &e); err != nil {
					return nil, fmt.Errorf("event %s: %w", name, err)
				}
			default:
				return nil, fmt.Errorf("event %s: %s is not modelled by the local gateway", name, k)
			}
		}
		// An HttpApi event without Path and Method is the $default route (SAM, HttpApi event):
		// not modelled, the fake answers unknown routes with 404.
		if e.path == "" || e.method == "" {
			return nil, fmt.Errorf("event %s: Path and Method are required (the $default route is not modelled)", name)
		}
		if e.method == "ANY" || e.method == "X-AMAZON-APIGATEWAY-ANY-METHOD" {
			e.method = "ANY"
		}
		out = append(out, e)
	}
	return out, nil
}

func readHTTPEventAuth(r *templateReader, raw any, e *httpEvent) error {
	v, err := r.eval(raw)
	if err != nil {
		return fmt.Errorf("Auth: %w", err)
	}
	am, ok := v.(map[string]any)
	if !ok {
		return errors.New("Auth is not a mapping")
	}
	for _, k := range sortedKeys(am) {
		switch k {
		case "Authorizer":
			s, ok := cloudformation.Text(am[k])
			if !ok {
				return errors.New("Auth.Authorizer must be a name")
			}
			e.authorizer, e.authSet = s, true
		case "AuthorizationScopes":
			list, ok := am[k].([]any)
			if !ok {
				return errors.New("Auth.AuthorizationScopes is not a list")
			}
			for _, s := range list {
				str, ok := cloudformation.Text(s)
				if !ok || str == "" {
					return errors.New("Auth.AuthorizationScopes holds a non-string")
				}
				e.scopes = append(e.scopes, str)
			}
		default:
			return fmt.Errorf("Auth.%s is not modelled by the local gateway", k)
		}
	}
	return nil
}

// applyHTTPAPI reads the API's stage, CORS and authorizers and turns the events into routes.
func applyHTTPAPI(r *templateReader, cfg *HTTPConfig, rawProps map[string]any, events []httpEvent, funcIDs map[string]bool) error {
	for _, k := range sortedKeys(rawProps) {
		switch k {
		case "DefinitionBody", "DefinitionUri":
			return fmt.Errorf("%s (an OpenAPI definition) is not modelled; declare routes as function HttpApi events", k)
		}
	}
	v, err := r.eval(rawProps)
	if err != nil {
		return err
	}
	p := v.(map[string]any)
	cfg.Stage = DefaultHTTPStage
	if _, ok := p["StageName"]; ok {
		if cfg.Stage, err = requiredString(p, "StageName"); err != nil {
			return err
		}
	}
	if name, ok := p["Name"]; ok {
		cfg.APIName, _ = cloudformation.Text(name)
	}
	if vars, ok := p["StageVariables"]; ok {
		if cfg.StageVariables, err = stringMap(vars, "StageVariables"); err != nil {
			return err
		}
	}
	if raw, ok := p["CorsConfiguration"]; ok {
		if cfg.Cors, err = corsConfiguration(raw); err != nil {
			return fmt.Errorf("CorsConfiguration: %w", err)
		}
	}
	defaultAuth, err := httpAuthorizers(r, p, funcIDs, cfg)
	if err != nil {
		return fmt.Errorf("Auth: %w", err)
	}
	for _, ev := range events {
		name := defaultAuth
		if ev.authSet {
			name = ev.authorizer
		}
		if name == "NONE" {
			name = ""
		}
		if name != "" {
			if _, ok := cfg.Authorizers[name]; !ok {
				return fmt.Errorf("event %s of %s uses authorizer %q, which Auth.Authorizers does not define", ev.name, ev.function, name)
			}
		}
		cfg.Routes = append(cfg.Routes, HTTPRoute{Method: ev.method, Path: ev.path, Function: ev.function, Authorizer: name, Scopes: ev.scopes})
	}
	sort.Slice(cfg.Routes, func(i, j int) bool {
		if cfg.Routes[i].Path != cfg.Routes[j].Path {
			return cfg.Routes[i].Path < cfg.Routes[j].Path
		}
		return cfg.Routes[i].Method < cfg.Routes[j].Method
	})
	return nil
}

// httpAuthorizers reads Auth.Authorizers and Auth.DefaultAuthorizer into cfg.Authorizers.
func httpAuthorizers(r *templateReader, p map[string]any, funcIDs map[string]bool, cfg *HTTPConfig) (string, error) {
	cfg.Authorizers = map[string]HTTPAuthorizer{}
	authRaw, ok := p["Auth"]
	if !ok {
		return "", nil
	}
	auth, ok := authRaw.(map[string]any)
	if !ok {
		return "", errors.New("not a mapping")
	}
	defaultAuth := ""
	for _, k := range sortedKeys(auth) {
		switch k {
		case "DefaultAuthorizer":
			s, ok := cloudformation.Text(auth[k])
			if !ok {
				return "", errors.New("DefaultAuthorizer must be a name")
			}
			defaultAuth = s
		case "Authorizers":
		case "EnableIamAuthorizer":
			if on, _ := cloudformation.Text(auth[k]); on == "true" {
				return "", errors.New("EnableIamAuthorizer (IAM authorization) is not modelled")
			}
		default:
			return "", fmt.Errorf("%s is not modelled by the local gateway", k)
		}
	}
	defs, err := optionalMap(auth, "Authorizers")
	if err != nil {
		return "", err
	}
	arnToID := map[string]string{}
	for id := range funcIDs {
		arnToID[r.functionARN(id)] = id
	}
	for _, name := range sortedKeys(defs) {
		def, ok := defs[name].(map[string]any)
		if !ok {
			return "", fmt.Errorf("authorizer %s is not a mapping", name)
		}
		var a HTTPAuthorizer
		var err error
		if _, jwt := def["JwtConfiguration"]; jwt {
			a, err = jwtAuthorizerDef(def)
		} else {
			a, err = lambdaAuthorizerDef(def, arnToID)
		}
		if err != nil {
			return "", fmt.Errorf("authorizer %s: %w", name, err)
		}
		cfg.Authorizers[name] = a
	}
	if defaultAuth != "" && defaultAuth != "NONE" {
		if _, ok := cfg.Authorizers[defaultAuth]; !ok {
			return "", fmt.Errorf("DefaultAuthorizer %q is not defined in Authorizers", defaultAuth)
		}
	}
	return defaultAuth, nil
}

// jwtAuthorizerDef reads SAM's OAuth2Authorizer: IdentitySource and JwtConfiguration (issuer,
// audience).
func jwtAuthorizerDef(def map[string]any) (HTTPAuthorizer, error) {
	a := HTTPAuthorizer{Type: HTTPAuthorizerJWT, IdentitySources: []string{DefaultHTTPIdentitySource}}
	for _, k := range sortedKeys(def) {
		switch k {
		case "IdentitySource":
			s, ok := cloudformation.Text(def[k])
			if !ok {
				return a, errors.New("IdentitySource must be a string")
			}
			a.IdentitySources = []string{s}
		case "JwtConfiguration":
			jc, ok := def[k].(map[string]any)
			if !ok {
				return a, errors.New("JwtConfiguration is not a mapping")
			}
			for _, jk := range sortedKeys(jc) {
				switch jk {
				case "issuer":
					s, ok := cloudformation.Text(jc[jk])
					if !ok {
						return a, errors.New("JwtConfiguration.issuer must be a string")
					}
					a.Issuer = s
				case "audience":
					list, ok := jc[jk].([]any)
					if !ok {
						return a, errors.New("JwtConfiguration.audience must be a list")
					}
					for _, v := range list {
						s, ok := cloudformation.Text(v)
						if !ok {
							return a, errors.New("JwtConfiguration.audience holds a non-string")
						}
						a.Audience = append(a.Audience, s)
					}
				default:
					return a, fmt.Errorf("JwtConfiguration.%s is not a JWT configuration property (issuer, audience)", jk)
				}
			}
		default:
			return a, fmt.Errorf("%s is not modelled for a JWT authorizer", k)
		}
	}
	return a, nil
}

// lambdaAuthorizerDef reads SAM's LambdaAuthorizer: FunctionArn, AuthorizerPayloadFormatVersion,
// EnableSimpleResponses and Identity (Headers, QueryStrings, ReauthorizeEvery).
func lambdaAuthorizerDef(def map[string]any, arnToID map[string]string) (HTTPAuthorizer, error) {
	a := HTTPAuthorizer{Type: HTTPAuthorizerLambda}
	for _, k := range sortedKeys(def) {
		s, _ := cloudformation.Text(def[k])
		switch k {
		case "FunctionArn":
			fn, ok := arnToID[s]
			if !ok {
				return a, errors.New("FunctionArn must be !GetAtt FUNCTION.Arn of an AWS::Serverless::Function here")
			}
			a.Function = fn
		case "AuthorizerPayloadFormatVersion":
			if s != "2.0" && s != "2" {
				return a, fmt.Errorf("AuthorizerPayloadFormatVersion %q is not modelled; only 2.0", s)
			}
		case "EnableSimpleResponses":
			a.SimpleResponses = s == "true"
		case "EnableFunctionDefaultPermissions", "FunctionInvokeRole":
		case "Identity":
			id, ok := def[k].(map[string]any)
			if !ok {
				return a, errors.New("Identity is not a mapping")
			}
			if err := readLambdaIdentity(id, &a); err != nil {
				return a, err
			}
		default:
			return a, fmt.Errorf("%s is not modelled for a Lambda authorizer", k)
		}
	}
	if _, ok := def["AuthorizerPayloadFormatVersion"]; !ok {
		// SAM requires it ("Lambda Authorizer must define 'AuthorizerPayloadFormatVersion'").
		return a, errors.New("AuthorizerPayloadFormatVersion is required")
	}
	if len(a.IdentitySources) == 0 {
		// No source found for an HTTP API Lambda authorizer without identity sources on every
		// request; the fake requires one.
		return a, errors.New("Identity.Headers or Identity.QueryStrings must name at least one identity source")
	}
	return a, nil
}

func readLambdaIdentity(id map[string]any, a *HTTPAuthorizer) error {
	for _, k := range sortedKeys(id) {
		switch k {
		case "Headers", "QueryStrings":
			list, ok := id[k].([]any)
			if !ok {
				return fmt.Errorf("Identity.%s is not a list", k)
			}
			prefix := "$request.header."
			if k == "QueryStrings" {
				prefix = "$request.querystring."
			}
			for _, v := range list {
				s, ok := cloudformation.Text(v)
				if !ok || s == "" {
					return fmt.Errorf("Identity.%s holds a non-string", k)
				}
				a.IdentitySources = append(a.IdentitySources, prefix+s)
			}
		case "ReauthorizeEvery":
			// SAM passes it through as authorizerResultTtlInSeconds; absent, the fake caches
			// nothing (no source found for API Gateway's default when the property is omitted).
			s, _ := cloudformation.Text(id[k])
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 || n > int(MaxAuthorizerTTL/time.Second) {
				return fmt.Errorf("Identity.ReauthorizeEvery %q must be whole seconds from 0 to 3600", s)
			}
			a.TTL = time.Duration(n) * time.Second
		default:
			return fmt.Errorf("Identity.%s is not modelled (headers and query strings only)", k)
		}
	}
	return nil
}

// corsConfiguration reads CorsConfiguration: true (SAM: allow every origin, header and method)
// or the HttpApiCorsConfiguration map.
func corsConfiguration(raw any) (*CorsConfig, error) {
	if s, ok := cloudformation.Text(raw); ok {
		if s != "true" {
			return nil, nil
		}
		return &CorsConfig{AllowOrigins: []string{"*"}, AllowHeaders: []string{"*"}, AllowMethods: []string{"*"}}, nil
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, errors.New("must be true or a mapping")
	}
	c := &CorsConfig{}
	list := func(k string) ([]string, error) {
		l, ok := m[k].([]any)
		if !ok {
			return nil, fmt.Errorf("%s is not a list", k)
		}
		out := make([]string, 0, len(l))
		for _, v := range l {
			s, ok := cloudformation.Text(v)
			if !ok {
				return nil, fmt.Errorf("%s holds a non-string", k)
			}
			out = append(out, s)
		}
		return out, nil
	}
	var err error
	for _, k := range sortedKeys(m) {
		switch k {
		case "AllowOrigins":
			c.AllowOrigins, err = list(k)
		case "AllowHeaders":
			c.AllowHeaders, err = list(k)
		case "AllowMethods":
			c.AllowMethods, err = list(k)
		case "ExposeHeaders":
			c.ExposeHeaders, err = list(k)
		case "MaxAge":
			s, _ := cloudformation.Text(m[k])
			c.MaxAge, err = strconv.Atoi(s)
		case "AllowCredentials":
			s, _ := cloudformation.Text(m[k])
			c.AllowCredentials = s == "true"
		default:
			err = fmt.Errorf("%s is not a CORS configuration property", k)
		}
		if err != nil {
			return nil, err
		}
	}
	return c, nil
}
