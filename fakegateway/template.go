package fakegateway

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ErrTemplate is wrapped by every error LoadTemplate and ParseTemplate return about a template.
var ErrTemplate = errors.New("unusable SAM template")

// Pseudo parameter values used when resolving a template; params may override them by name
// ("AWS::Region", "AWS::AccountId", "AWS::StackName").
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
// conditions are evaluated. What the local gateway cannot model faithfully (OpenAPI
// DefinitionBody, Cors, REQUEST or Cognito authorizers, HttpApi) is an error, not a guess.
func LoadTemplate(path string, params map[string]string) (Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return Config{}, fmt.Errorf("%w: %w", ErrTemplate, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxTemplateBytes+1))
	if err != nil {
		return Config{}, fmt.Errorf("%w: %s: %w", ErrTemplate, path, err)
	}
	cfg, err := ParseTemplate(data, params)
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// ParseTemplate is LoadTemplate on the template's bytes.
func ParseTemplate(data []byte, params map[string]string) (Config, error) {
	cfg, err := parseTemplate(data, params)
	if err != nil {
		return Config{}, fmt.Errorf("%w: %w", ErrTemplate, err)
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, fmt.Errorf("%w: %w", ErrTemplate, err)
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

func parseTemplate(data []byte, params map[string]string) (Config, error) {
	top, err := parseTemplateYAML(data)
	if err != nil {
		return Config{}, err
	}
	if !hasSAMTransform(top["Transform"]) {
		return Config{}, fmt.Errorf("Transform %s is missing", samTransform)
	}
	resources, ok := top["Resources"].(map[string]any)
	if !ok || len(resources) == 0 {
		return Config{}, errors.New("no Resources")
	}
	r := &resolver{
		resources: map[string]string{},
		condValue: map[string]bool{},
		condBusy:  map[string]bool{},
	}
	if r.conditions, err = optionalMap(top, "Conditions"); err != nil {
		return Config{}, err
	}
	if r.mappings, err = optionalMap(top, "Mappings"); err != nil {
		return Config{}, err
	}
	for _, id := range sortedKeys(resources) {
		res, ok := resources[id].(map[string]any)
		if !ok {
			return Config{}, fmt.Errorf("resource %s is not a mapping", id)
		}
		typ, ok := res["Type"].(string)
		if !ok || typ == "" {
			return Config{}, fmt.Errorf("resource %s has no Type", id)
		}
		r.resources[id] = typ
	}
	if err := setParameters(r, top, params); err != nil {
		return Config{}, err
	}
	globals, err := optionalMap(top, "Globals")
	if err != nil {
		return Config{}, err
	}
	globalFunction, err := optionalMap(globals, "Function")
	if err != nil {
		return Config{}, fmt.Errorf("Globals: %w", err)
	}
	globalAPI, err := optionalMap(globals, "Api")
	if err != nil {
		return Config{}, fmt.Errorf("Globals: %w", err)
	}

	var functions []samFunction
	apis := map[string]map[string]any{}
	for _, id := range sortedKeys(resources) {
		res := resources[id].(map[string]any)
		if cond, ok := res["Condition"]; ok {
			name, ok := cond.(string)
			if !ok {
				return Config{}, fmt.Errorf("resource %s: Condition must be a name", id)
			}
			on, err := r.condition(name)
			if err != nil {
				return Config{}, fmt.Errorf("resource %s: %w", id, err)
			}
			if !on {
				continue
			}
		}
		props, err := optionalMap(res, "Properties")
		if err != nil {
			return Config{}, fmt.Errorf("resource %s: %w", id, err)
		}
		switch typ := r.resources[id]; typ {
		case "AWS::Serverless::Function":
			functions = append(functions, samFunction{id: id, props: mergeGlobals(globalFunction, props)})
		case "AWS::Serverless::Api":
			apis[id] = mergeGlobals(globalAPI, props)
		case "AWS::Serverless::HttpApi":
			return Config{}, fmt.Errorf("resource %s: HTTP APIs (API Gateway v2) are not modelled; use AWS::Serverless::Api", id)
		case "AWS::ApiGateway::RestApi", "AWS::ApiGateway::Resource", "AWS::ApiGateway::Method",
			"AWS::ApiGateway::Authorizer", "AWS::ApiGateway::GatewayResponse":
			return Config{}, fmt.Errorf("resource %s: raw %s resources are not modelled; describe the API with AWS::Serverless::Api", id, typ)
		}
	}
	if len(functions) == 0 {
		return Config{}, errors.New("no AWS::Serverless::Function resources")
	}

	cfg := Config{
		FunctionEnv:     map[string]map[string]string{},
		FunctionTimeout: map[string]time.Duration{},
	}
	var events []apiEvent
	funcIDs := map[string]bool{}
	for _, fn := range functions {
		funcIDs[fn.id] = true
		env, err := functionEnv(r, fn.props)
		if err != nil {
			return Config{}, fmt.Errorf("function %s: %w", fn.id, err)
		}
		cfg.FunctionEnv[fn.id] = env
		timeout, err := functionTimeout(r, fn.props)
		if err != nil {
			return Config{}, fmt.Errorf("function %s: %w", fn.id, err)
		}
		cfg.FunctionTimeout[fn.id] = timeout
		evs, err := functionEvents(r, fn)
		if err != nil {
			return Config{}, fmt.Errorf("function %s: %w", fn.id, err)
		}
		events = append(events, evs...)
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
	apiProps, ok := apis[apiID]
	switch {
	case apiID == implicitAPI && !ok:
		apiProps = mergeGlobals(globalAPI, map[string]any{"StageName": implicitStage})
	case !ok:
		return Config{}, fmt.Errorf("RestApiId %s is not an AWS::Serverless::Api in this template (or its Condition is false)", apiID)
	}
	if err := applyAPI(r, &cfg, apiID, apiProps, events, funcIDs); err != nil {
		return Config{}, fmt.Errorf("api %s: %w", apiID, err)
	}
	return cfg, nil
}

func hasSAMTransform(v any) bool {
	switch t := v.(type) {
	case string:
		return t == samTransform
	case []any:
		for _, e := range t {
			if s, ok := e.(string); ok && s == samTransform {
				return true
			}
		}
	}
	return false
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
		_, gIntrinsic, _ := intrinsicName(gm)
		_, lIntrinsic, _ := intrinsicName(lm)
		gl, gIsList := gv.([]any)
		ll, lIsList := lv.([]any)
		switch {
		case gIsMap && lIsMap && gIntrinsic == nil && lIntrinsic == nil:
			out[k] = mergeGlobals(gm, lm)
		case gIsList && lIsList:
			out[k] = append(slices.Clone(gl), ll...)
		default:
			out[k] = lv
		}
	}
	return out
}

// setParameters resolves every declared parameter from params or its Default and checks it
// against the parameter's constraints, as CloudFormation does at deploy time.
func setParameters(r *resolver, top map[string]any, params map[string]string) error {
	declared, err := optionalMap(top, "Parameters")
	if err != nil {
		return err
	}
	r.params = map[string]any{}
	r.pseudo = map[string]any{
		"AWS::Region":           DefaultRegion,
		"AWS::AccountId":        DefaultAccountID,
		"AWS::StackName":        defaultStackName,
		"AWS::StackId":          "arn:aws:cloudformation:" + DefaultRegion + ":" + DefaultAccountID + ":stack/" + defaultStackName + "/local",
		"AWS::Partition":        "aws",
		"AWS::URLSuffix":        "amazonaws.com",
		"AWS::NotificationARNs": []any{},
	}
	for _, name := range slices.Sorted(maps.Keys(params)) {
		switch name {
		case "AWS::Region", "AWS::AccountId", "AWS::StackName":
			r.pseudo[name] = params[name]
			continue
		}
		if _, ok := declared[name]; !ok {
			return fmt.Errorf("parameter %q is not declared in the template", name)
		}
	}
	if region := r.pseudo["AWS::Region"].(string); !regionPattern.MatchString(region) {
		return fmt.Errorf("AWS::Region %q is not a region name", region)
	}
	if account := r.pseudo["AWS::AccountId"].(string); !accountPattern.MatchString(account) {
		return fmt.Errorf("AWS::AccountId %q must be 12 digits", account)
	}
	for _, name := range sortedKeys(declared) {
		if _, clash := r.resources[name]; clash {
			return fmt.Errorf("parameter %s has the same name as a resource", name)
		}
		def, ok := declared[name].(map[string]any)
		if !ok {
			return fmt.Errorf("parameter %s is not a mapping", name)
		}
		value, given := params[name]
		if !given {
			d, ok := def["Default"]
			if !ok {
				return fmt.Errorf("parameter %s has no Default and no value was given", name)
			}
			s, ok := scalarText(d)
			if !ok {
				if list, isList := d.([]any); isList {
					parts := make([]string, len(list))
					for i, e := range list {
						parts[i], _ = scalarText(e)
					}
					s = strings.Join(parts, ",")
				} else {
					return fmt.Errorf("parameter %s: Default is not a scalar", name)
				}
			}
			value = s
		}
		v, err := checkParameter(name, def, value)
		if err != nil {
			return err
		}
		r.params[name] = v
	}
	return nil
}

func checkParameter(name string, def map[string]any, value string) (any, error) {
	typ, _ := def["Type"].(string)
	if typ == "" {
		return nil, fmt.Errorf("parameter %s has no Type", name)
	}
	numberConstraint := func(key string) (float64, bool, error) {
		raw, ok := def[key]
		if !ok {
			return 0, false, nil
		}
		s, _ := scalarText(raw)
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return 0, false, fmt.Errorf("parameter %s: %s %q is not a number", name, key, s)
		}
		return f, true, nil
	}
	checkOne := func(v string) error {
		if allowed, ok := def["AllowedValues"].([]any); ok {
			found := false
			for _, a := range allowed {
				if s, _ := scalarText(a); s == v {
					found = true
					break
				}
			}
			if !found {
				return fmt.Errorf("parameter %s: %q is not one of its AllowedValues", name, v)
			}
		}
		if p, ok := def["AllowedPattern"].(string); ok {
			re, err := regexp.Compile(`^(?:` + p + `)$`)
			if err != nil {
				return fmt.Errorf("parameter %s: AllowedPattern: %w", name, err)
			}
			if !re.MatchString(v) {
				return fmt.Errorf("parameter %s: %q does not match AllowedPattern %s", name, v, p)
			}
		}
		return nil
	}
	switch typ {
	case "Number", "List<Number>":
		items := []string{value}
		if typ == "List<Number>" {
			items = strings.Split(value, ",")
		}
		for _, it := range items {
			f, err := strconv.ParseFloat(strings.TrimSpace(it), 64)
			if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				return nil, fmt.Errorf("parameter %s: %q is not a number", name, it)
			}
			if lo, ok, err := numberConstraint("MinValue"); err != nil {
				return nil, err
			} else if ok && f < lo {
				return nil, fmt.Errorf("parameter %s: %s is below MinValue %v", name, it, lo)
			}
			if hi, ok, err := numberConstraint("MaxValue"); err != nil {
				return nil, err
			} else if ok && f > hi {
				return nil, fmt.Errorf("parameter %s: %s is above MaxValue %v", name, it, hi)
			}
			if err := checkOne(strings.TrimSpace(it)); err != nil {
				return nil, err
			}
		}
		if typ == "List<Number>" {
			return splitList(value), nil
		}
		return value, nil
	case "CommaDelimitedList":
		for _, it := range strings.Split(value, ",") {
			if err := checkOne(it); err != nil {
				return nil, err
			}
		}
		return splitList(value), nil
	default:
		if strings.HasPrefix(typ, "AWS::SSM::Parameter::Value") {
			return nil, fmt.Errorf("parameter %s: SSM parameter types cannot be resolved locally", name)
		}
		if lo, ok, err := numberConstraint("MinLength"); err != nil {
			return nil, err
		} else if ok && float64(len(value)) < lo {
			return nil, fmt.Errorf("parameter %s: shorter than MinLength %v", name, lo)
		}
		if hi, ok, err := numberConstraint("MaxLength"); err != nil {
			return nil, err
		} else if ok && float64(len(value)) > hi {
			return nil, fmt.Errorf("parameter %s: longer than MaxLength %v", name, hi)
		}
		if err := checkOne(value); err != nil {
			return nil, err
		}
		return value, nil
	}
}

func splitList(v string) []any {
	parts := strings.Split(v, ",")
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out
}

func functionEnv(r *resolver, props map[string]any) (map[string]string, error) {
	env := map[string]string{}
	raw, ok := props["Environment"]
	if !ok {
		return env, nil
	}
	ev, err := r.eval(raw, 0)
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
	vm, ok := vars.(map[string]any)
	if !ok {
		return nil, errors.New("Environment.Variables is not a mapping")
	}
	for k, v := range vm {
		s, ok := scalarText(v)
		if !ok {
			return nil, fmt.Errorf("Environment.Variables.%s is %s, not a string", k, describe(v))
		}
		env[k] = s
	}
	return env, nil
}

func functionTimeout(r *resolver, props map[string]any) (time.Duration, error) {
	raw, ok := props["Timeout"]
	if !ok {
		return defaultLambdaTime, nil
	}
	s, err := r.evalString(raw, 0)
	if err != nil {
		return 0, fmt.Errorf("Timeout: %w", err)
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 900 {
		return 0, fmt.Errorf("Timeout %q must be whole seconds from 1 to 900", s)
	}
	return time.Duration(n) * time.Second, nil
}

func functionEvents(r *resolver, fn samFunction) ([]apiEvent, error) {
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
		if e.path, err = r.evalString(props["Path"], 0); err != nil || e.path == "" {
			return nil, fmt.Errorf("event %s: Path is required", name)
		}
		method, err := r.evalString(props["Method"], 0)
		if err != nil || method == "" {
			return nil, fmt.Errorf("event %s: Method is required", name)
		}
		e.method = strings.ToUpper(method)
		if authRaw, ok := props["Auth"]; ok {
			auth, err := r.eval(authRaw, 0)
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
					s, ok := scalarText(am[k])
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
func applyAPI(r *resolver, cfg *Config, apiID string, rawProps map[string]any, events []apiEvent, funcIDs map[string]bool) error {
	for _, k := range sortedKeys(rawProps) {
		switch k {
		case "DefinitionBody", "DefinitionUri":
			return fmt.Errorf("%s (an OpenAPI definition) is not modelled; declare routes as function Api events", k)
		case "Cors":
			return errors.New("Cors is not modelled (API Gateway would add OPTIONS methods)")
		}
	}
	props, err := r.eval(rawProps, 0)
	if err != nil {
		return err
	}
	p := props.(map[string]any)
	if cfg.Stage, err = requiredString(p, "StageName"); err != nil {
		return err
	}
	if name, ok := p["Name"]; ok {
		cfg.APIName, _ = scalarText(name)
	}
	if vars, ok := p["Variables"]; ok {
		vm, ok := vars.(map[string]any)
		if !ok {
			return errors.New("Variables is not a mapping")
		}
		cfg.StageVariables = map[string]string{}
		for k, v := range vm {
			s, ok := scalarText(v)
			if !ok {
				return fmt.Errorf("Variables.%s is not a string", k)
			}
			cfg.StageVariables[k] = s
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
	s, ok := scalarText(v)
	if !ok || s == "" {
		return "", fmt.Errorf("%s must be a non-empty string", key)
	}
	return s, nil
}

// apiAuthorizers reads Auth.Authorizers (TOKEN Lambda authorizers only) and Auth.DefaultAuthorizer.
func apiAuthorizers(r *resolver, p map[string]any, funcIDs map[string]bool) (map[string]Authorizer, string, error) {
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
			s, ok := scalarText(auth[k])
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
			if s, _ := scalarText(pt); s != "TOKEN" {
				return nil, "", fmt.Errorf("authorizer %s: FunctionPayloadType %q is not modelled; only TOKEN", name, s)
			}
		}
		arn, _ := scalarText(def["FunctionArn"])
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
				s, ok := scalarText(id[k])
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
				s, _ := scalarText(def[k])
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
							s, ok := scalarText(hv)
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
					s, ok := scalarText(body)
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
