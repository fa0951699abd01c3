# serverless-auth — see README.md. Every target needs only Go and make unless
# its comment names another tool; such targets say what is missing.

GO          ?= go
BUILD       := build
LAMBDA_TAGS := lambda.norpc
FUNCTIONS   := authorizer profile httpauthorizer
FUZZTIME    ?= 3s

AUTHORIZER  ?= exec $(CURDIR)/$(BUILD)/authorizer/bootstrap
PROFILE     ?= exec $(CURDIR)/$(BUILD)/profile/bootstrap
# The HTTP API functions: ours when AUTHORIZER and PROFILE are ours; otherwise the HTTP API scenarios are
# not applicable unless HTTP_AUTHORIZER= and HTTP_PROFILE= name your own.
ifeq ($(origin AUTHORIZER)$(origin PROFILE),filefile)
HTTP_AUTHORIZER ?= exec $(CURDIR)/$(BUILD)/httpauthorizer/bootstrap
HTTP_PROFILE    ?= $(PROFILE)
endif
REPORTS     := reports

.PHONY: all run test vet fmt-check fuzz build conformance conformance-node test-node node-deps conformance-python test-python python-deps smoke smoke-local package deploy destroy deploy-check bench clean

all: test

## run: the whole stack on 127.0.0.1 (ADDR= sets the gateway's address, default 127.0.0.1:3000). Ctrl-C stops it with
## exit status 0. Built rather than `go run` (which exits 1 on an interrupt); on a terminal it runs as a foreground job
## of its own (bash -m), so Ctrl-C reaches only the stack and not make, which would otherwise kill itself with SIGINT.
run:
	$(GO) build -o $(BUILD)/local ./cmd/local
	@if [ -t 0 ] && command -v bash >/dev/null 2>&1; then \
		bash -mc '"$$0" "$$@"; exit $$?' $(BUILD)/local $(ARGS); \
	else \
		exec $(BUILD)/local $(ARGS); \
	fi

## test: vet, gofmt, race-enabled unit tests, the whole suite in-process and against build/ binaries, brief fuzzing.
test: vet fmt-check build
	SCENARIOS_AUTHORIZER_BINARY=$(CURDIR)/$(BUILD)/authorizer/bootstrap \
	SCENARIOS_PROFILE_BINARY=$(CURDIR)/$(BUILD)/profile/bootstrap \
	SCENARIOS_HTTPAUTHORIZER_BINARY=$(CURDIR)/$(BUILD)/httpauthorizer/bootstrap \
	$(GO) test -race -count=1 ./...
	$(MAKE) --no-print-directory fuzz

vet:
	$(GO) vet ./...
	$(GO) vet -tags node ./fakelambda/
	$(GO) vet -tags python ./fakelambda/

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

## fuzz: every fuzz target of the parsing paths for FUZZTIME each (default 3s) on top of its checked-in seed corpus.
FUZZ_PACKAGES := ./authorizer/ ./fakegateway/ ./cloudformation/
fuzz:
	@for pkg in $(FUZZ_PACKAGES); do \
		for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
			echo "fuzz $$pkg $$target for $(FUZZTIME)"; \
			$(GO) test -run='^$$' -fuzz="^$$target$$" -fuzztime=$(FUZZTIME) $$pkg || exit 1; \
		done; \
	done

## build: host binaries build/authorizer/bootstrap, build/profile/bootstrap and build/httpauthorizer/bootstrap.
build: $(foreach f,$(FUNCTIONS),$(BUILD)/$(f)/bootstrap)

$(BUILD)/%/bootstrap: FORCE
	CGO_ENABLED=0 $(GO) build -tags $(LAMBDA_TAGS) -trimpath -o $@ ./deploy/$*

FORCE:

## conformance: the suite against build/ binaries (REST and HTTP API functions), or any AUTHORIZER=/PROFILE= commands
## (HTTP_AUTHORIZER=/HTTP_PROFILE= for HTTP API ones); Markdown + JSON report in reports/.
conformance: build
	@mkdir -p $(REPORTS)
	$(GO) run ./cmd/conformance -authorizer '$(AUTHORIZER)' -profile '$(PROFILE)' \
		$(if $(HTTP_AUTHORIZER),-http-authorizer '$(HTTP_AUTHORIZER)') $(if $(HTTP_PROFILE),-http-profile '$(HTTP_PROFILE)') \
		-strict -report $(REPORTS)/conformance.md -json $(REPORTS)/conformance.json -junit $(REPORTS)/conformance.xml

## conformance-node: the suite against examples/node (needs node >= 20.19 and npm) through our Node shim; with RIC=1
## through the official aws-lambda-ric instead (pinned in examples/node/ric, built natively once; needs cmake & co).
RIC_ENTRY := $(CURDIR)/examples/node/ric/node_modules/aws-lambda-ric/index.mjs
conformance-node: node-deps
	@mkdir -p $(REPORTS)
	@if [ "$(RIC)" = 1 ]; then \
		bash examples/node/ric/install.sh && \
		$(GO) run ./cmd/conformance -dir examples/node -name 'examples/node through aws-lambda-ric' \
			-authorizer '_HANDLER=authorizer.handler exec node $(RIC_ENTRY)' -profile '_HANDLER=profile.handler exec node $(RIC_ENTRY)' \
			-strict -report $(REPORTS)/conformance-node-ric.md -json $(REPORTS)/conformance-node-ric.json -junit $(REPORTS)/conformance-node-ric.xml; \
	else \
		$(GO) run ./cmd/conformance -runtime nodejs -dir examples/node -name 'examples/node (jsonwebtoken + jwks-rsa)' \
			-authorizer authorizer.handler -profile profile.handler \
			-strict -report $(REPORTS)/conformance-node.md -json $(REPORTS)/conformance-node.json -junit $(REPORTS)/conformance-node.xml; \
	fi

## test-node: fakelambda's Node shim tests and the Node example's own tests.
test-node: node-deps
	$(GO) test -race -count=1 -tags node ./fakelambda/
	cd examples/node && npm test

node-deps:
	@command -v node >/dev/null 2>&1 || { echo "this target needs node (>= 20.19) and npm: node is not installed"; exit 1; }
	@command -v npm >/dev/null 2>&1 || { echo "this target needs npm: npm is not installed"; exit 1; }
	cd examples/node && npm ci --no-audit --no-fund

## conformance-python: the suite against examples/python (PyJWT) through fakelambda's Python runtime. PYTHON= names the
## interpreter; by default the first of python3 and /usr/bin/python3 that can import jwt (Debian: apt-get install python3-jwt,
## which serves /usr/bin/python3, not a pyenv python3 earlier in PATH).
PYTHON ?= $(shell for p in python3 /usr/bin/python3; do $$p -c 'import jwt' >/dev/null 2>&1 && { command -v $$p; break; }; done)
conformance-python: python-deps
	@mkdir -p $(REPORTS)
	$(GO) run ./cmd/conformance -strict -runtime python3 -python '$(PYTHON)' -dir examples/python -name 'examples/python (PyJWT)' \
		-authorizer authorizer.handler -profile profile_handler.handler \
		-report $(REPORTS)/conformance-python.md -json $(REPORTS)/conformance-python.json -junit $(REPORTS)/conformance-python.xml

## test-python: fakelambda's Python runtime tests and the Python example's own tests.
test-python: python-deps
	FAKELAMBDA_PYTHON='$(PYTHON)' $(GO) test -race -count=1 -tags python ./fakelambda/
	cd examples/python && PYTHONDONTWRITEBYTECODE=1 '$(PYTHON)' -m unittest discover -s tests -t .

python-deps:
	@if [ -z '$(PYTHON)' ] || ! '$(PYTHON)' -c 'import jwt' >/dev/null 2>&1; then \
		echo "this target needs python3 with PyJWT: apt-get install python3-jwt (Debian), or PYTHON=/path/to/python3 that can import jwt"; exit 1; fi
	@echo "python: $(PYTHON)"

## package: build/authorizer.zip and build/profile.zip for Lambda (linux/arm64, provided.al2023, bootstrap at the zip root).
package:
	GO=$(GO) bash deploy/scripts/package.sh

## deploy: check inputs, make package, upload and create/update the stack (AWS CLI v1 or v2). Needs STACK, ARTIFACT_BUCKET,
## TOKEN_ISSUER, AUDIENCE, AWS_REGION (optional JWKS_URI, CACHE_TTL, STAGE, DESIGN=rest|http-jwt|http-lambda). See docs/deploy.md.
# DESIGN=rest (default), http-jwt or http-lambda picks the API for make run (cmd/local reads $DESIGN) and make deploy
# (deploy.sh reads it): see docs/designs.md.
DESIGN ?= rest
deploy:
	@DESIGN=$(DESIGN) bash deploy/scripts/deploy.sh --check-inputs
	@$(MAKE) --no-print-directory package
	DESIGN=$(DESIGN) bash deploy/scripts/deploy.sh

## destroy: delete the stack STACK in AWS_REGION and wait until it is gone (AWS CLI).
destroy:
	bash deploy/scripts/destroy.sh

## deploy-check: offline rehearsal of make deploy: cfn-lint, the SAM transform + Go tests, parity with fakegateway,
## deploy.sh/destroy.sh against moto_server. Needs cfn-lint, python3 with aws-sam-translator, the AWS CLI, moto_server.
deploy-check:
	@GO=$(GO) bash deploy/scripts/deploy-check.sh --check-inputs
	@$(MAKE) --no-print-directory package
	GO=$(GO) bash deploy/scripts/deploy-check.sh

## smoke: the HTTP-level scenarios against a deployed API: SMOKE_URL, TENANT (issuer), AUDIENCE, CLIENT_ID, CLIENT_SECRET
## (optionally UNSCOPED_CLIENT_ID, UNSCOPED_CLIENT_SECRET).
smoke:
	@missing=""; for v in SMOKE_URL TENANT AUDIENCE CLIENT_ID CLIENT_SECRET; do \
		eval "val=\$${v}"; [ -n "$$val" ] || missing="$$missing $$v"; done; \
	if [ -n "$$missing" ]; then echo "make smoke needs:$$missing (see docs/deploy.md)"; exit 2; fi
	@mkdir -p $(REPORTS)
	@$(GO) run ./cmd/conformance -strict -url "$$SMOKE_URL" -tenant "$$TENANT" -audience "$$AUDIENCE" \
		-client-id "$$CLIENT_ID" -client-secret "$$CLIENT_SECRET" \
		$${UNSCOPED_CLIENT_ID:+-unscoped-client-id "$$UNSCOPED_CLIENT_ID" -unscoped-client-secret "$$UNSCOPED_CLIENT_SECRET"} \
		-report $(REPORTS)/smoke.md -json $(REPORTS)/smoke.json -junit $(REPORTS)/smoke.xml

## smoke-local: make smoke against the make run stack (what CI runs).
smoke-local:
	bash deploy/scripts/smoke-local.sh

## bench: benchmarks and the comparison table, printed and written to docs/benchmarks.md with its SVG charts (about 3 minutes).
bench:
	$(GO) run ./cmd/bench -out docs/benchmarks.md

clean:
	rm -rf $(BUILD) reports
