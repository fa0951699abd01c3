//go:build deploycheck

package templatecheck

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/serverless-auth/serverless-auth/fakegateway"
)

// TestParityWithFakeGateway: fakegateway.LoadTemplate reads deploy/template.yaml itself (with
// the same parameters); what it serves locally must be what the SAM transform makes for AWS —
// stage, API name, routes, authorizer (function, identity header, expression, TTL), gateway
// responses, and each function's environment and timeout.
func TestParityWithFakeGateway(t *testing.T) {
	for _, tr := range transforms(t) {
		t.Run("TTL "+strconv.Itoa(tr.ttl), func(t *testing.T) {
			st := tr.stack
			cfg, err := fakegateway.LoadTemplate(templatePath, tr.params)
			if err != nil {
				t.Fatal(err)
			}
			_, stage := only(t, st, "AWS::ApiGateway::Stage")
			if want := textAt(t, stage.Properties, "StageName"); cfg.Stage != want {
				t.Errorf("stage: fakegateway %q, transform %q", cfg.Stage, want)
			}
			_, api := only(t, st, "AWS::ApiGateway::RestApi")
			if want := textAt(t, api.Properties, "Name"); cfg.APIName != want {
				t.Errorf("API name: fakegateway %q, transform %q", cfg.APIName, want)
			}

			a := authorizerOf(t, st)
			var local []route
			for _, r := range cfg.Routes {
				lr := route{method: r.Method, path: r.Path, function: r.Function}
				if !r.NoAuth {
					lr.authorizer = a.name
				}
				local = append(local, lr)
			}
			slices.SortFunc(local, func(x, y route) int { return strings.Compare(x.path+" "+x.method, y.path+" "+y.method) })
			if aws := routesOf(t, st); !slices.Equal(local, aws) {
				t.Errorf("routes: fakegateway %+v, transform %+v", local, aws)
			}

			want := fakegateway.Authorizer{
				Function:             a.function,
				IdentityHeader:       a.header,
				ValidationExpression: a.expression,
				TTL:                  time.Duration(a.ttl) * time.Second,
			}
			if cfg.Authorizer != want {
				t.Errorf("authorizer: fakegateway %+v, transform %+v", cfg.Authorizer, want)
			}
			if src := "method.request.header." + cfg.Authorizer.IdentityHeader; src != a.identitySource {
				t.Errorf("identity source: fakegateway %q, transform %q", src, a.identitySource)
			}

			aws := gatewayResponsesOf(t, st)
			if got, want := slices.Sorted(maps.Keys(cfg.GatewayResponses)), slices.Sorted(maps.Keys(aws)); !slices.Equal(got, want) {
				t.Errorf("gateway response types: fakegateway %v, transform %v", got, want)
			}
			for typ, gr := range aws {
				lg := cfg.GatewayResponses[typ]
				if lg.StatusCode != gr.statusCode || lg.Body != gr.body || !maps.Equal(nonNil(lg.Headers), gr.headers) {
					t.Errorf("gateway response %s: fakegateway %+v, transform %+v", typ, lg, gr)
				}
			}

			for _, fn := range st.OfType("AWS::Lambda::Function") {
				if got, want := nonNil(cfg.FunctionEnv[fn]), functionEnv(t, st, fn); !maps.Equal(got, want) {
					t.Errorf("%s environment: fakegateway %v, transform %v", fn, got, want)
				}
				secs, err := strconv.Atoi(textAt(t, st.Resources[fn].Properties, "Timeout"))
				if err != nil {
					t.Fatalf("%s: Timeout: %v", fn, err)
				}
				if got := cfg.FunctionTimeout[fn]; got != time.Duration(secs)*time.Second {
					t.Errorf("%s timeout: fakegateway %s, transform %ds", fn, got, secs)
				}
			}
			if got, want := slices.Sorted(maps.Keys(cfg.FunctionEnv)), st.OfType("AWS::Lambda::Function"); !slices.Equal(got, want) {
				t.Errorf("functions: fakegateway %v, transform %v", got, want)
			}
		})
	}
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
