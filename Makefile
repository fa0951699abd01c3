# serverless-auth — see README.md. Every target needs only Go and make unless
# its comment names another tool; such targets say what is missing.

GO          ?= go
BUILD       := build
LAMBDA_TAGS := lambda.norpc
FUNCTIONS   := authorizer profile
FUZZTIME    ?= 5s

AUTHORIZER  ?= exec $(CURDIR)/$(BUILD)/authorizer/bootstrap
PROFILE     ?= exec $(CURDIR)/$(BUILD)/profile/bootstrap
REPORTS     := reports

.PHONY: all run test vet fmt-check fuzz build conformance clean

all: test

## run: the whole stack on 127.0.0.1 (ADDR= sets the gateway's address, default 127.0.0.1:3000).
run:
	$(GO) run ./cmd/local $(ARGS)

## test: vet, gofmt, race-enabled unit tests, the whole suite in-process and against build/ binaries, brief fuzzing.
test: vet fmt-check build
	SCENARIOS_AUTHORIZER_BINARY=$(CURDIR)/$(BUILD)/authorizer/bootstrap \
	SCENARIOS_PROFILE_BINARY=$(CURDIR)/$(BUILD)/profile/bootstrap \
	$(GO) test -race -count=1 ./...
	$(MAKE) --no-print-directory fuzz

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

## fuzz: each fuzz target for FUZZTIME (default 5s) on top of its checked-in seed corpus.
fuzz:
	$(GO) test -run='^$$' -fuzz='^FuzzBearer$$' -fuzztime=$(FUZZTIME) ./authorizer/
	$(GO) test -run='^$$' -fuzz='^FuzzVerify$$' -fuzztime=$(FUZZTIME) ./authorizer/

## build: host binaries build/authorizer/bootstrap and build/profile/bootstrap.
build: $(foreach f,$(FUNCTIONS),$(BUILD)/$(f)/bootstrap)

$(BUILD)/%/bootstrap: FORCE
	CGO_ENABLED=0 $(GO) build -tags $(LAMBDA_TAGS) -trimpath -o $@ ./deploy/$*

FORCE:

## conformance: the suite against build/ binaries, or any AUTHORIZER=/PROFILE= commands; Markdown + JSON report in reports/.
conformance: build
	@mkdir -p $(REPORTS)
	$(GO) run ./cmd/conformance -authorizer '$(AUTHORIZER)' -profile '$(PROFILE)' \
		-report $(REPORTS)/conformance.md -json $(REPORTS)/conformance.json -junit $(REPORTS)/conformance.xml

clean:
	rm -rf $(BUILD) reports
