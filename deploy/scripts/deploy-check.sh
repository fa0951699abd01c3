#!/usr/bin/env bash
# make deploy-check: the offline rehearsal of `make deploy`. No AWS account, no network.
#   1. cfn-lint on deploy/template.yaml and deploy/httpapi.yaml: a clean result (no error, warning
#      or informational) required;
#   2. the SAM transform done locally (transform.py, aws-sam-translator) of template.yaml for
#      AuthorizerCacheTtl 0, 300 and 3600 and of httpapi.yaml for 0 and 300, then Go tests that read
#      the CloudFormation it produced (package deploy/templatecheck, build tag deploycheck) and the
#      parity tests against fakegateway (REST and both HTTP APIs);
#   3. deploy.sh and destroy.sh themselves against moto_server on 127.0.0.1 (a free port, dummy
#      credentials, AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_S3): bucket, create, an unchanged
#      re-deploy, an update with changed parameters, delete; after each step the resources moto
#      really holds are captured with the AWS CLI and the Go tests assert on them.
# Needs build/authorizer.zip, build/profile.zip and build/httpauthorizer.zip (make package) and: go, cfn-lint, python3 with
# aws-sam-translator, the AWS CLI (v1 or v2), moto_server. Each missing one is named.
# With --check-inputs it only checks for the tools and exits (make deploy-check runs that before
# building the zips).
set -euo pipefail
cd "$(dirname "$0")/../.."
. deploy/scripts/lib.sh

parse_check_inputs "$@"

GO=${GO:-go}
want_tools "$GO" cfn-lint python3 aws moto_server
want_python_module samtranslator aws-sam-translator
want_python_module yaml pyyaml
if ! $check_only; then
	for zip in build/authorizer.zip build/profile.zip build/httpauthorizer.zip; do
		[[ -f $zip ]] || problems+=("missing $zip: run make package first")
	done
fi
check_problems
$check_only && exit 0

out=build/deploycheck
rm -rf "$out"
mkdir -p "$out/transform" "$out/moto"
DEPLOYCHECK_DIR=$(pwd)/$out
export DEPLOYCHECK_DIR

timings=()
# step NAME COMMAND...: runs the command, records and prints how long it took.
step() {
	local name=$1 start end
	shift
	echo "== deploy-check: $name"
	start=$(date +%s%N)
	"$@"
	end=$(date +%s%N)
	timings+=("$(printf '%-44s %6.1f s' "$name" "$(((end - start) / 1000000))e-3")")
}

lint() {
	local report template
	for template in deploy/template.yaml deploy/httpapi.yaml; do
		if ! report=$(cfn-lint "$template" 2>&1) || [[ -n $report ]]; then
			printf '%s\n' "$report" >&2
			die "cfn-lint $template is not clean"
		fi
		echo "cfn-lint $(cfn-lint --version | awk '{print $2}') $template: clean"
	done
}

# transform TEMPLATE DIR TTL [NAME=VALUE...]: the SAM transform of TEMPLATE with the tenant's
# parameters, the extra ones and AuthorizerCacheTtl=TTL, into DIR/ttl-TTL.json; the parameters
# (with the pseudo parameters) go to DIR/ttl-TTL.params.json, which the Go tests read back.
transform() {
	local template=$1 dir=$2 ttl=$3 p
	shift 3
	local params=(
		TokenIssuer=https://tenant.example.auth0.com/
		JwksUri=https://tenant.example.auth0.com/.well-known/jwks.json
		Audience=https://profile-api.example/
		"$@"
		"AuthorizerCacheTtl=$ttl"
	)
	local args=()
	mkdir -p "$dir"
	{
		printf '{\n  "AWS::Region": "eu-west-1",\n  "AWS::AccountId": "123456789012",\n  "AWS::StackName": "serverless-auth-check"'
		for p in "${params[@]}"; do
			printf ',\n  "%s": "%s"' "${p%%=*}" "${p#*=}"
			args+=(--param "$p")
		done
		printf '\n}\n'
	} >"$dir/ttl-$ttl.params.json"
	# No credentials, no AWS config, no instance metadata: the transform needs none.
	env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u AWS_PROFILE \
		AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true \
		python3 deploy/scripts/transform.py --region eu-west-1 "${args[@]}" "$template" "$dir/ttl-$ttl.json"
	echo "transformed $template with AuthorizerCacheTtl=$ttl: $dir/ttl-$ttl.json"
}

# deploy/template.yaml (the REST API) on stage "check", transformed into transform/.
transform_all() {
	local ttl
	for ttl in 0 300 3600; do
		transform deploy/template.yaml "$out/transform" "$ttl" StageName=check
	done
}

# The HTTP API designs (deploy/httpapi.yaml), transformed into transform-http/.
transform_http() {
	local ttl
	for ttl in 0 300; do
		transform deploy/httpapi.yaml "$out/transform-http" "$ttl"
	done
}

go_tests() {
	"$GO" test -tags deploycheck -count=1 -run "$1" ./deploy/templatecheck/
}

moto_pid=''
stop_moto() {
	if [[ -n $moto_pid ]]; then
		kill "$moto_pid" 2>/dev/null || true
		wait "$moto_pid" 2>/dev/null || true
		moto_pid=''
	fi
}
trap stop_moto EXIT

start_moto() {
	local port attempt i ready
	# A free port is picked, then bound by moto_server: another process may take it in between,
	# so a moto_server that exits early is retried on a new port.
	for attempt in 1 2 3; do
		port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
		moto_server -H 127.0.0.1 -p "$port" >"$out/moto/moto_server.log" 2>&1 &
		moto_pid=$!
		ready=false
		for i in $(seq 100); do
			kill -0 "$moto_pid" 2>/dev/null || break
			if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/', timeout=1)" 2>/dev/null; then
				ready=true
				break
			fi
			sleep 0.1
		done
		sleep 0.2
		if $ready && kill -0 "$moto_pid" 2>/dev/null; then
			break
		fi
		stop_moto
		((attempt < 3)) || die "moto_server did not start on 127.0.0.1 (3 attempts): see $out/moto/moto_server.log"
	done
	# Only moto: dummy credentials, no profile or config file of the user's, the endpoint set for
	# every service the way a user would for any AWS-compatible endpoint.
	export AWS_ACCESS_KEY_ID=rehearsal AWS_SECRET_ACCESS_KEY=rehearsal
	unset AWS_SESSION_TOKEN AWS_PROFILE AWS_DEFAULT_PROFILE
	export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
	export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
	export AWS_ENDPOINT_URL=http://127.0.0.1:$port AWS_ENDPOINT_URL_S3=http://127.0.0.1:$port
	echo "moto_server $(python3 -c 'import moto; print(moto.__version__)') on 127.0.0.1:$port (pid $moto_pid)"
}

REHEARSAL_STACK=sa-rehearsal
REHEARSAL_BUCKET=sa-rehearsal-artifacts

make_bucket() {
	aws_cli s3api create-bucket --bucket "$REHEARSAL_BUCKET" >/dev/null
	echo "bucket $REHEARSAL_BUCKET created"
}

# rehearse PHASE CACHE_TTL AUDIENCE: deploy.sh with these inputs, its output kept for the tests.
rehearse() {
	local phase=$1
	mkdir -p "$out/moto/$phase"
	cat >"$out/moto/$phase/inputs.json" <<-EOT
		{"STACK": "$REHEARSAL_STACK", "ARTIFACT_BUCKET": "$REHEARSAL_BUCKET", "AWS_REGION": "$AWS_REGION",
		 "TOKEN_ISSUER": "https://tenant.example.auth0.com/", "AUDIENCE": "$3", "CACHE_TTL": "$2", "STAGE": "prod"}
	EOT
	STACK=$REHEARSAL_STACK ARTIFACT_BUCKET=$REHEARSAL_BUCKET \
		TOKEN_ISSUER=https://tenant.example.auth0.com/ AUDIENCE=$3 CACHE_TTL=$2 STAGE=prod \
		SAM_TRANSFORM=local-moto deploy/scripts/deploy.sh 2>&1 | tee "$out/moto/$phase/deploy.out"
	capture "$phase"
}

# capture PHASE: what moto holds now, as the AWS CLI reports it, one JSON file per call.
capture() {
	local dir=$out/moto/$1 fn role policy
	aws_cli lambda list-functions >"$dir/list-functions.json"
	aws_cli iam list-roles >"$dir/list-roles.json"
	aws_cli logs describe-log-groups >"$dir/log-groups.json"
	aws_cli s3api list-objects-v2 --bucket "$REHEARSAL_BUCKET" >"$dir/artifacts.json"
	aws_cli apigateway get-rest-apis >"$dir/rest-apis.json"
	aws_cli cloudformation list-stacks >"$dir/list-stacks.json"
	for fn in $(python3 -c 'import json, sys; print(" ".join(f["FunctionName"] for f in json.load(sys.stdin)["Functions"]))' <"$dir/list-functions.json"); do
		aws_cli lambda get-function --function-name "$fn" >"$dir/function-$fn.json"
		aws_cli lambda get-policy --function-name "$fn" >"$dir/function-$fn.policy.json"
	done
	for role in $(python3 -c 'import json, sys; print(" ".join(r["RoleName"] for r in json.load(sys.stdin)["Roles"]))' <"$dir/list-roles.json"); do
		aws_cli iam list-attached-role-policies --role-name "$role" >"$dir/role-$role.attached.json"
		for policy in $(aws_cli iam list-role-policies --role-name "$role" --query 'PolicyNames[]' --output text); do
			# AWS returns the document URL-encoded (the CLI decodes it to JSON); moto returns a
			# Python literal inside a string: both become the same JSON object here.
			aws_cli iam get-role-policy --role-name "$role" --policy-name "$policy" | python3 -c '
import ast, json, sys
d = json.load(sys.stdin)
p = d["PolicyDocument"]
if isinstance(p, str):
    p = json.loads(p) if p.lstrip().startswith("{\"") else ast.literal_eval(p)
d["PolicyDocument"] = p
json.dump(d, sys.stdout, indent=1)' >"$dir/role-$role.policy-$policy.json"
		done
	done
	echo "captured moto's state after $1: $dir"
}

HTTP_REHEARSAL_STACK=sa-http-rehearsal

# rehearse_http: deploy.sh DESIGN=http-lambda (deploy/httpapi.yaml, both HTTP APIs) as a second
# stack, captured as phase http-created; then destroy.sh, captured as http-destroyed.
rehearse_http() {
	mkdir -p "$out/moto/http-created"
	cat >"$out/moto/http-created/inputs.json" <<-EOT
		{"STACK": "$HTTP_REHEARSAL_STACK", "ARTIFACT_BUCKET": "$REHEARSAL_BUCKET", "AWS_REGION": "$AWS_REGION",
		 "TOKEN_ISSUER": "https://tenant.example.auth0.com/", "AUDIENCE": "https://profile-api.example/", "CACHE_TTL": "300", "DESIGN": "http-lambda"}
	EOT
	STACK=$HTTP_REHEARSAL_STACK ARTIFACT_BUCKET=$REHEARSAL_BUCKET DESIGN=http-lambda \
		TOKEN_ISSUER=https://tenant.example.auth0.com/ AUDIENCE=https://profile-api.example/ CACHE_TTL=300 \
		SAM_TRANSFORM=local-moto deploy/scripts/deploy.sh 2>&1 | tee "$out/moto/http-created/deploy.out"
	capture http-created
	mkdir -p "$out/moto/http-destroyed"
	cp "$out/moto/http-created/inputs.json" "$out/moto/http-destroyed/inputs.json"
	STACK=$HTTP_REHEARSAL_STACK deploy/scripts/destroy.sh 2>&1 | tee "$out/moto/http-destroyed/deploy.out"
	capture http-destroyed
}

destroy() {
	STACK=$REHEARSAL_STACK deploy/scripts/destroy.sh 2>&1 | tee "$out/moto/destroy.out"
	mkdir -p "$out/moto/destroyed"
	capture destroyed
}

step "cfn-lint" lint
step "SAM transform x3 (TTL 0, 300, 3600)" transform_all
step "SAM transform of httpapi.yaml x2 (TTL 0, 300)" transform_http
step "Go tests on the transformed templates" go_tests 'Transformed|Parity|ValidationExpression'
step "moto_server start" start_moto
step "artifact bucket" make_bucket
step "deploy.sh: create (TTL 0)" rehearse created 0 https://profile-api.example/
# Unchanged right after the create: moto keeps a stack's creation parameters through updates, so
# after an update it would see changes in any re-deploy.
step "deploy.sh: unchanged (empty change set)" rehearse unchanged 0 https://profile-api.example/
step "deploy.sh: update (TTL 300, new audience)" rehearse updated 300 https://profile-api-v2.example/
step "destroy.sh" destroy
step "deploy.sh DESIGN=http-lambda, then destroy.sh" rehearse_http
step "moto_server stop" stop_moto
step "Go tests on moto's state" go_tests 'Moto'

echo
echo "deploy-check: all steps passed. Timings:"
printf '  %s\n' "${timings[@]}"
printf '  (cfn-lint %s, aws-sam-translator %s, moto %s, %s)\n' \
	"$(cfn-lint --version | awk '{print $2}')" \
	"$(python3 -c 'import samtranslator; print(samtranslator.__version__)')" \
	"$(python3 -c 'import moto; print(moto.__version__)')" \
	"$(aws --version 2>&1 | awk '{print $1}')"
