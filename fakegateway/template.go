package fakegateway

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/serverless-auth/serverless-auth/cloudformation"
)

// ErrTemplate is wrapped by every error LoadTemplate and ParseTemplate return about a template.
var ErrTemplate = errors.New("unusable SAM template")

// What a SAM template means to the local gateway when it does not say: the stack name (with
// DefaultRegion and DefaultAccountID, the pseudo parameters params may override), the implicit
// API and its stage, the Lambda timeout and the authorizer cache TTL.
const (
	defaultStackName  = "serverless-auth"
	samTransform      = "AWS::Serverless-2016-10-31"
	implicitAPI       = "ServerlessRestApi"
	implicitStage     = "Prod"
	defaultLambdaTime = 3 * time.Second
	defaultSAMTTL     = 300 // SAM's ReauthorizeEvery default, in seconds
)

// LoadTemplate reads a SAM template (AWS::Serverless-2016-10-31) and builds the Config of its
// REST API: the stage, the Api events of its functions, the TOKEN authorizer (identity header,
// validation expression, ReauthorizeEvery as TTL), the gateway responses, and every function's
// resolved environment and timeout. params sets template parameters (overriding defaults) and may
// set the pseudo parameters AWS::Region, AWS::AccountId and AWS::StackName. CloudFormation's
// short-form tags (!Ref, !Sub, !GetAtt, !If, !Not, !Equals, ...) and long forms are both read;
// conditions are evaluated (package cloudformation reads and evaluates the template). What the
// local gateway cannot model faithfully (OpenAPI DefinitionBody, Cors, REQUEST or Cognito
// authorizers, HttpApi) is an error, not a guess.
func LoadTemplate(path string, params map[string]string) (Config, error) {
	return loadSAM(path, func(tpl *cloudformation.Template) (Config, error) { return configOf(tpl, params) })
}

// ParseTemplate is LoadTemplate on the template's bytes.
func ParseTemplate(data []byte, params map[string]string) (Config, error) {
	return parseSAM(data, func(tpl *cloudformation.Template) (Config, error) { return configOf(tpl, params) })
}

// loadSAM parses the template file at path and builds a gateway's config from it with configOf;
// every error wraps ErrTemplate, and configOf's errors name the file.
func loadSAM[C any](path string, configOf func(*cloudformation.Template) (C, error)) (C, error) {
	var zero C
	tpl, err := cloudformation.ParseFile(path)
	if err != nil {
		return zero, fmt.Errorf("%w: %w", ErrTemplate, err)
	}
	cfg, err := configOf(tpl)
	if err != nil {
		return zero, fmt.Errorf("%w: %s: %w", ErrTemplate, path, err)
	}
	return cfg, nil
}

// parseSAM is loadSAM on the template's bytes.
func parseSAM[C any](data []byte, configOf func(*cloudformation.Template) (C, error)) (C, error) {
	var zero C
	tpl, err := cloudformation.Parse(data)
	if err != nil {
		return zero, fmt.Errorf("%w: %w", ErrTemplate, err)
	}
	cfg, err := configOf(tpl)
	if err != nil {
		return zero, fmt.Errorf("%w: %w", ErrTemplate, err)
	}
	return cfg, nil
}

type samFunction struct {
	id    string
	props map[string]any
}

type apiEvent struct {
	function   string
	name       string
	api        string
	path       string
	method     string
	authorizer string // "" = the API's default, "NONE" = no authorizer
	authSet    bool
}

// templateReader evaluates a template's values for the local gateway: a resource's Ref is its
// logical ID, a function's Arn is arn:aws:lambda:REGION:ACCOUNT:function:LOGICAL_ID and any
// other attribute is LOGICAL_ID.ATTRIBUTE.
type templateReader struct {
	ev      *cloudformation.Evaluator
	region  string
	account string
}

func newTemplateReader(tpl *cloudformation.Template, params map[string]string) (*templateReader, error) {
	params = maps.Clone(params)
	if params == nil {
		params = map[string]string{}
	}
	for name, def := range map[string]string{"AWS::Region": DefaultRegion, "AWS::AccountId": DefaultAccountID, "AWS::StackName": defaultStackName} {
		if _, ok := params[name]; !ok {
			params[name] = def
		}
	}
	r := &templateReader{region: params["AWS::Region"], account: params["AWS::AccountId"]}
	ev, err := cloudformation.NewEvaluator(tpl, params,
		cloudformation.WithRef(func(logicalID, _ string) string { return logicalID }),
		cloudformation.WithGetAtt(func(logicalID, resourceType, attribute string) string {
			if resourceType == "AWS::Serverless::Function" && attribute == "Arn" {
				return r.functionARN(logicalID)
			}
			return logicalID + "." + attribute
		}))
	if err != nil {
		return nil, err
	}
	r.ev = ev
	return r, nil
}

func (r *templateReader) functionARN(logicalID string) string {
	return "arn:aws:lambda:" + r.region + ":" + r.account + ":function:" + logicalID
}

func (r *templateReader) eval(v any) (any, error) { return r.ev.Value(v) }

// evalString evaluates v and requires a scalar, rendered as a string.
func (r *templateReader) evalString(v any) (string, error) {
	ev, err := r.ev.Value(v)
	if err != nil {
		return "", err
	}
	s, ok := cloudformation.Text(ev)
	if !ok {
		return "", errors.New("want a string")
	}
	return s, nil
}

// samAPIKind is what differs between the REST and the HTTP API when reading a SAM template's
// resources: the API resource type the gateway serves, its Globals section, the raw API Gateway
// resource types it refuses (describe the API with resourceType instead), and other resource
// types it refuses with the reason.
type samAPIKind struct {
	resourceType string
	globals      string
	raw          []string
	refused      map[string]string
}

var (
	// restAPIKind reads AWS::Serverless::Api and refuses HTTP APIs and raw API Gateway resources.
	restAPIKind = samAPIKind{
		resourceType: "AWS::Serverless::Api",
		globals:      "Api",
		raw: []string{"AWS::ApiGateway::RestApi", "AWS::ApiGateway::Resource", "AWS::ApiGateway::Method",
			"AWS::ApiGateway::Authorizer", "AWS::ApiGateway::GatewayResponse"},
		refused: map[string]string{"AWS::Serverless::HttpApi": "HTTP APIs (API Gateway v2) are not modelled; use AWS::Serverless::Api"},
	}
	// httpAPIKind reads AWS::Serverless::HttpApi and refuses raw API Gateway v2 resources.
	httpAPIKind = samAPIKind{
		resourceType: "AWS::Serverless::HttpApi",
		globals:      "HttpApi",
		raw:          []string{"AWS::ApiGatewayV2::Api", "AWS::ApiGatewayV2::Route", "AWS::ApiGatewayV2::Authorizer", "AWS::ApiGatewayV2::Integration"},
	}
)

// samResources is what both gateways read from a SAM template before their own API: the reader,
// the enabled functions (Globals.Function merged in) and their logical IDs, and the enabled APIs
// of the kind (its Globals section merged in), by logical ID.
type samResources struct {
	r         *templateReader
	functions []samFunction
	funcIDs   map[string]bool
	apis      map[string]map[string]any
	globalAPI map[string]any
}

// readSAM checks the SAM transform, evaluates conditions and collects the template's functions
// and APIs of kind; a resource kind refuses is an error.
func readSAM(tpl *cloudformation.Template, params map[string]string, kind samAPIKind) (*samResources, error) {
	if !slices.Contains(tpl.Transform, samTransform) {
		return nil, fmt.Errorf("Transform %s is missing", samTransform)
	}
	r, err := newTemplateReader(tpl, params)
	if err != nil {
		return nil, err
	}
	globalFunction, err := optionalMap(tpl.Globals, "Function")
	if err != nil {
		return nil, fmt.Errorf("Globals: %w", err)
	}
	globalAPI, err := optionalMap(tpl.Globals, kind.globals)
	if err != nil {
		return nil, fmt.Errorf("Globals: %w", err)
	}
	sam := &samResources{r: r, funcIDs: map[string]bool{}, apis: map[string]map[string]any{}, globalAPI: globalAPI}
	for _, id := range sortedKeys(tpl.Resources) {
		res := tpl.Resources[id]
		on, err := r.ev.Enabled(res)
		if err != nil {
			return nil, fmt.Errorf("resource %s: %w", id, err)
		}
		if !on {
			continue
		}
		props, err := optionalMap(res, "Properties")
		if err != nil {
			return nil, fmt.Errorf("resource %s: %w", id, err)
		}
		typ, _ := res["Type"].(string)
		switch {
		case typ == "AWS::Serverless::Function":
			sam.functions = append(sam.functions, samFunction{id: id, props: mergeGlobals(globalFunction, props)})
			sam.funcIDs[id] = true
		case typ == kind.resourceType:
			sam.apis[id] = mergeGlobals(globalAPI, props)
		case kind.refused[typ] != "":
			return nil, fmt.Errorf("resource %s: %s", id, kind.refused[typ])
		case slices.Contains(kind.raw, typ):
			return nil, fmt.Errorf("resource %s: raw %s resources are not modelled; describe the API with %s", id, typ, kind.resourceType)
		}
	}
	if len(sam.functions) == 0 {
		return nil, errors.New("no AWS::Serverless::Function resources")
	}
	return sam, nil
}

// settings reads a function's resolved environment and timeout.
func (s *samResources) settings(fn samFunction) (map[string]string, time.Duration, error) {
	env, err := functionEnv(s.r, fn.props)
	if err != nil {
		return nil, 0, fmt.Errorf("function %s: %w", fn.id, err)
	}
	timeout, err := functionTimeout(s.r, fn.props)
	if err != nil {
		return nil, 0, fmt.Errorf("function %s: %w", fn.id, err)
	}
	return env, timeout, nil
}

// readFunctions reads every function of the template: its environment, its
// timeout and, with events, the events that route to it (REST Api events or
// HTTP API HttpApi events).
func readFunctions[E any](sam *samResources, events func(*templateReader, samFunction) ([]E, error)) (map[string]map[string]string, map[string]time.Duration, []E, error) {
	env, timeout := map[string]map[string]string{}, map[string]time.Duration{}
	var all []E
	for _, fn := range sam.functions {
		var err error
		if env[fn.id], timeout[fn.id], err = sam.settings(fn); err != nil {
			return nil, nil, nil, err
		}
		evs, err := events(sam.r, fn)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("function %s: %w", fn.id, err)
		}
		all = append(all, evs...)
	}
	return env, timeout, all, nil
}

// configOf builds and validates the Config of a parsed SAM template.
func configOf(tpl *cloudformation.Template, params map[string]string) (Config, error) {
	sam, err := readSAM(tpl, params, restAPIKind)
	if err != nil {
		return Config{}, err
	}
	var cfg Config
	var events []apiEvent
	if cfg.FunctionEnv, cfg.FunctionTimeout, events, err = readFunctions(sam, functionEvents); err != nil {
		return Config{}, err
	}
	if len(events) == 0 {
		return Config{}, errors.New("no function has an Api event: the API has no routes")
	}
	apiID := events[0].api
	for _, ev := range events[1:] {
		if ev.api != apiID {
			return Config{}, fmt.Errorf("routes are spread over APIs %s and %s; the local gateway serves one", apiID, ev.api)
		}
	}
	apiProps, ok := sam.apis[apiID]
	switch {
	case apiID == implicitAPI && !ok:
		apiProps = mergeGlobals(sam.globalAPI, map[string]any{"StageName": implicitStage})
	case !ok:
		return Config{}, fmt.Errorf("RestApiId %s is not an AWS::Serverless::Api in this template (or its Condition is false)", apiID)
	}
	if err := applyAPI(sam.r, &cfg, apiID, apiProps, events, sam.funcIDs); err != nil {
		return Config{}, fmt.Errorf("api %s: %w", apiID, err)
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

func optionalMap(m map[string]any, key string) (map[string]any, error) {
	v, ok := m[key]
	if !ok || v == nil {
		return map[string]any{}, nil
	}
	out, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s is not a mapping", key)
	}
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// mergeGlobals applies SAM's Globals rules: maps merge (the resource wins on conflicts), lists
// concatenate (globals first), scalars from the resource win.
func mergeGlobals(global, local map[string]any) map[string]any {
	out := make(map[string]any, len(global)+len(local))
	maps.Copy(out, global)
	for k, lv := range local {
		gv, ok := out[k]
		if !ok {
			out[k] = lv
			continue
		}
		gm, gIsMap := gv.(map[string]any)
		lm, lIsMap := lv.(map[string]any)
		_, _, gIntrinsic := cloudformation.Intrinsic(gv)
		_, _, lIntrinsic := cloudformation.Intrinsic(lv)
		gl, gIsList := gv.([]any)
		ll, lIsList := lv.([]any)
		switch {
		case gIsMap && lIsMap && !gIntrinsic && !lIntrinsic:
			out[k] = mergeGlobals(gm, lm)
		case gIsList && lIsList:
			out[k] = append(slices.Clone(gl), ll...)
		default:
			out[k] = lv
		}
	}
	return out
}

func functionEnv(r *templateReader, props map[string]any) (map[string]string, error) {
	env := map[string]string{}
	raw, ok := props["Environment"]
	if !ok {
		return env, nil
	}
	ev, err := r.eval(raw)
	if err != nil {
		return nil, fmt.Errorf("Environment: %w", err)
	}
	em, ok := ev.(map[string]any)
	if !ok {
		return nil, errors.New("Environment is not a mapping")
	}
	vars, ok := em["Variables"]
	if !ok {
		return env, nil
	}
	return stringMap(vars, "Environment.Variables")
}

// stringMap reads a mapping of strings (environment or stage variables); key names it in errors.
func stringMap(v any, key string) (map[string]string, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s is not a mapping", key)
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		s, ok := cloudformation.Text(v)
		if !ok {
			return nil, fmt.Errorf("%s.%s is not a string", key, k)
		}
		out[k] = s
	}
	return out, nil
}

func functionTimeout(r *templateReader, props map[string]any) (time.Duration, error) {
	raw, ok := props["Timeout"]
	if !ok {
		return defaultLambdaTime, nil
	}
	s, err := r.evalString(raw)
	if err != nil {
		return 0, fmt.Errorf("Timeout: %w", err)
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 900 {
		return 0, fmt.Errorf("Timeout %q must be whole seconds from 1 to 900", s)
	}
	return time.Duration(n) * time.Second, nil
}

func functionEvents(r *templateReader, fn samFunction) ([]apiEvent, error) {
	evs, err := optionalMap(fn.props, "Events")
	if err != nil {
		return nil, err
	}
	var out []apiEvent
	for _, name := range sortedKeys(evs) {
		ev, ok := evs[name].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("event %s is not a mapping", name)
		}
		typ, _ := ev["Type"].(string)
		switch typ {
		case "Api":
		case "HttpApi":
			return nil, fmt.Errorf("event %s: HttpApi events are not modelled; use Type: Api", name)
		default:
			continue
		}
		props, err := optionalMap(ev, "Properties")
		if err != nil {
			return nil, fmt.Errorf("event %s: %w", name, err)
		}
		e := apiEvent{function: fn.id, name: name, api: implicitAPI}
		if raw, ok := props["RestApiId"]; ok {
			m, isMap := raw.(map[string]any)
			ref, isRef := m["Ref"].(string)
			if !isMap || len(m) != 1 || !isRef {
				return nil, fmt.Errorf("event %s: RestApiId must be !Ref of an AWS::Serverless::Api", name)
			}
			e.api = ref
		}
		if e.path, err = r.evalString(props["Path"]); err != nil || e.path == "" {
			return nil, fmt.Errorf("event %s: Path is required", name)
		}
		method, err := r.evalString(props["Method"])
		if err != nil || method == "" {
			return nil, fmt.Errorf("event %s: Method is required", name)
		}
		e.method = strings.ToUpper(method)
		if authRaw, ok := props["Auth"]; ok {
			auth, err := r.eval(authRaw)
			if err != nil {
				return nil, fmt.Errorf("event %s: Auth: %w", name, err)
			}
			am, ok := auth.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("event %s: Auth is not a mapping", name)
			}
			for _, k := range sortedKeys(am) {
				switch k {
				case "Authorizer":
					s, ok := cloudformation.Text(am[k])
					if !ok {
						return nil, fmt.Errorf("event %s: Auth.Authorizer must be a name", name)
					}
					e.authorizer, e.authSet = s, true
				default:
					return nil, fmt.Errorf("event %s: Auth.%s is not modelled by the local gateway", name, k)
				}
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// applyAPI reads the API's stage, authorizer, gateway responses, stage variables and binary media
// types, and turns the events into routes.
func applyAPI(r *templateReader, cfg *Config, apiID string, rawProps map[string]any, events []apiEvent, funcIDs map[string]bool) error {
	for _, k := range sortedKeys(rawProps) {
		switch k {
		case "DefinitionBody", "DefinitionUri":
			return fmt.Errorf("%s (an OpenAPI definition) is not modelled; declare routes as function Api events", k)
		case "Cors":
			return errors.New("Cors is not modelled (API Gateway would add OPTIONS methods)")
		}
	}
	props, err := r.eval(rawProps)
	if err != nil {
		return err
	}
	p := props.(map[string]any)
	if cfg.Stage, err = requiredString(p, "StageName"); err != nil {
		return err
	}
	if name, ok := p["Name"]; ok {
		cfg.APIName, _ = cloudformation.Text(name)
	}
	if vars, ok := p["Variables"]; ok {
		if cfg.StageVariables, err = stringMap(vars, "Variables"); err != nil {
			return err
		}
	}
	if types, ok := p["BinaryMediaTypes"]; ok {
		list, ok := types.([]any)
		if !ok {
			return errors.New("BinaryMediaTypes is not a list")
		}
		for _, t := range list {
			s, ok := t.(string)
			if !ok {
				return errors.New("BinaryMediaTypes holds a non-string")
			}
			cfg.BinaryMediaTypes = append(cfg.BinaryMediaTypes, strings.ReplaceAll(s, "~1", "/"))
		}
	}
	if grs, ok := p["GatewayResponses"]; ok {
		if cfg.GatewayResponses, err = gatewayResponses(grs); err != nil {
			return fmt.Errorf("GatewayResponses: %w", err)
		}
	}
	authorizers, defaultAuth, err := apiAuthorizers(r, p, funcIDs)
	if err != nil {
		return fmt.Errorf("Auth: %w", err)
	}
	used := ""
	for _, ev := range events {
		name := defaultAuth
		if ev.authSet {
			name = ev.authorizer
		}
		route := Route{Method: ev.method, Path: ev.path, Function: ev.function}
		if name == "" || name == "NONE" {
			route.NoAuth = true
		} else {
			if _, ok := authorizers[name]; !ok {
				return fmt.Errorf("event %s of %s uses authorizer %q, which Auth.Authorizers does not define", ev.name, ev.function, name)
			}
			if used != "" && used != name {
				return fmt.Errorf("routes use authorizers %s and %s; the local gateway models one", used, name)
			}
			used = name
		}
		cfg.Routes = append(cfg.Routes, route)
	}
	sort.Slice(cfg.Routes, func(i, j int) bool {
		if cfg.Routes[i].Path != cfg.Routes[j].Path {
			return cfg.Routes[i].Path < cfg.Routes[j].Path
		}
		return cfg.Routes[i].Method < cfg.Routes[j].Method
	})
	if used != "" {
		cfg.Authorizer = authorizers[used]
	}
	return nil
}

func requiredString(m map[string]any, key string) (string, error) {
	v, ok := m[key]
	if !ok {
		return "", fmt.Errorf("%s is required", key)
	}
	s, ok := cloudformation.Text(v)
	if !ok || s == "" {
		return "", fmt.Errorf("%s must be a non-empty string", key)
	}
	return s, nil
}

// apiAuthorizers reads Auth.Authorizers (TOKEN Lambda authorizers only) and Auth.DefaultAuthorizer.
func apiAuthorizers(r *templateReader, p map[string]any, funcIDs map[string]bool) (map[string]Authorizer, string, error) {
	out := map[string]Authorizer{}
	authRaw, ok := p["Auth"]
	if !ok {
		return out, "", nil
	}
	auth, ok := authRaw.(map[string]any)
	if !ok {
		return nil, "", errors.New("not a mapping")
	}
	defaultAuth := ""
	for _, k := range sortedKeys(auth) {
		switch k {
		case "DefaultAuthorizer":
			s, ok := cloudformation.Text(auth[k])
			if !ok {
				return nil, "", errors.New("DefaultAuthorizer must be a name")
			}
			defaultAuth = s
		case "Authorizers", "AddDefaultAuthorizerToCorsPreflight":
		default:
			return nil, "", fmt.Errorf("%s is not modelled by the local gateway", k)
		}
	}
	defs, err := optionalMap(auth, "Authorizers")
	if err != nil {
		return nil, "", err
	}
	arnToID := map[string]string{}
	for id := range funcIDs {
		arnToID[r.functionARN(id)] = id
	}
	for _, name := range sortedKeys(defs) {
		def, ok := defs[name].(map[string]any)
		if !ok {
			return nil, "", fmt.Errorf("authorizer %s is not a mapping", name)
		}
		if _, ok := def["UserPoolArn"]; ok {
			return nil, "", fmt.Errorf("authorizer %s: Cognito authorizers are not modelled", name)
		}
		if pt, ok := def["FunctionPayloadType"]; ok {
			if s, _ := cloudformation.Text(pt); s != "TOKEN" {
				return nil, "", fmt.Errorf("authorizer %s: FunctionPayloadType %q is not modelled; only TOKEN", name, s)
			}
		}
		arn, _ := cloudformation.Text(def["FunctionArn"])
		fn, ok := arnToID[arn]
		if !ok {
			return nil, "", fmt.Errorf("authorizer %s: FunctionArn must be !GetAtt FUNCTION.Arn of an AWS::Serverless::Function here", name)
		}
		a := Authorizer{Function: fn, IdentityHeader: DefaultIdentityHeader, TTL: defaultSAMTTL * time.Second}
		if idRaw, ok := def["Identity"]; ok {
			id, ok := idRaw.(map[string]any)
			if !ok {
				return nil, "", fmt.Errorf("authorizer %s: Identity is not a mapping", name)
			}
			for _, k := range sortedKeys(id) {
				s, ok := cloudformation.Text(id[k])
				if !ok {
					return nil, "", fmt.Errorf("authorizer %s: Identity.%s must be a scalar", name, k)
				}
				switch k {
				case "Header":
					a.IdentityHeader = s
				case "ValidationExpression":
					a.ValidationExpression = s
				case "ReauthorizeEvery":
					n, err := strconv.Atoi(s)
					if err != nil || n < 0 || n > int(MaxAuthorizerTTL/time.Second) {
						return nil, "", fmt.Errorf("authorizer %s: ReauthorizeEvery %q must be whole seconds from 0 to 3600", name, s)
					}
					a.TTL = time.Duration(n) * time.Second
				default:
					return nil, "", fmt.Errorf("authorizer %s: Identity.%s is not modelled (TOKEN authorizers read one header)", name, k)
				}
			}
		}
		out[name] = a
	}
	if defaultAuth != "" && defaultAuth != "NONE" {
		if _, ok := out[defaultAuth]; !ok {
			return nil, "", fmt.Errorf("DefaultAuthorizer %q is not defined in Authorizers", defaultAuth)
		}
	}
	return out, defaultAuth, nil
}

// gatewayResponses reads SAM's GatewayResponses: StatusCode, ResponseParameters.Headers and the
// application/json entry of ResponseTemplates (ResponseParameters.Paths and QueryStrings have no
// effect on a response and are ignored).
func gatewayResponses(v any) (map[string]GatewayResponse, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("not a mapping")
	}
	out := map[string]GatewayResponse{}
	for _, typ := range sortedKeys(m) {
		if !isResponseType(typ) {
			return nil, fmt.Errorf("%q is not a gateway response type", typ)
		}
		def, ok := m[typ].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s is not a mapping", typ)
		}
		var gr GatewayResponse
		for _, k := range sortedKeys(def) {
			switch k {
			case "StatusCode":
				s, _ := cloudformation.Text(def[k])
				n, err := strconv.Atoi(s)
				if err != nil || n < 100 || n > 599 {
					return nil, fmt.Errorf("%s: StatusCode %q", typ, s)
				}
				gr.StatusCode = n
			case "ResponseParameters":
				rp, ok := def[k].(map[string]any)
				if !ok {
					return nil, fmt.Errorf("%s: ResponseParameters is not a mapping", typ)
				}
				for _, section := range sortedKeys(rp) {
					switch section {
					case "Headers":
						hm, ok := rp[section].(map[string]any)
						if !ok {
							return nil, fmt.Errorf("%s: ResponseParameters.Headers is not a mapping", typ)
						}
						gr.Headers = map[string]string{}
						for name, hv := range hm {
							s, ok := cloudformation.Text(hv)
							if !ok {
								return nil, fmt.Errorf("%s: header %s is not a string", typ, name)
							}
							gr.Headers[name] = s
						}
					case "Paths", "QueryStrings":
					default:
						return nil, fmt.Errorf("%s: ResponseParameters.%s is not a SAM section", typ, section)
					}
				}
			case "ResponseTemplates":
				rt, ok := def[k].(map[string]any)
				if !ok {
					return nil, fmt.Errorf("%s: ResponseTemplates is not a mapping", typ)
				}
				if body, ok := rt["application/json"]; ok {
					s, ok := cloudformation.Text(body)
					if !ok {
						return nil, fmt.Errorf("%s: the application/json template is not a string", typ)
					}
					gr.Body = s
				}
			default:
				return nil, fmt.Errorf("%s: %s is not a gateway response property", typ, k)
			}
		}
		out[typ] = gr
	}
	return out, nil
}
