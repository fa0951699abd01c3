#!/usr/bin/env bash
# make deploy: upload build/*.zip with `aws cloudformation package`, create or update the stack
# with `aws cloudformation deploy`, print the API URL and the `make smoke` line to run next.
#
# Required: STACK, ARTIFACT_BUCKET (an existing S3 bucket in AWS_REGION), TOKEN_ISSUER
# (https://TENANT/, with the trailing slash), AUDIENCE, AWS_REGION.
# Optional: JWKS_URI (default ${TOKEN_ISSUER}.well-known/jwks.json), CACHE_TTL (authorizer result
# cache in seconds, 0..3600, default 0 = off), STAGE (default prod; REST only), DESIGN (default rest).
#
# DESIGN picks the template: rest deploys deploy/template.yaml (a REST API, Lambda TOKEN
# authorizer); http-jwt and http-lambda deploy deploy/httpapi.yaml, one stack holding both HTTP API
# designs (docs/designs.md), and print the URL of the one named.
# Every parameter is passed on every run: leaving CACHE_TTL unset on an update turns the cache off.
#
# SAM_TRANSFORM says who runs the AWS::Serverless-2016-10-31 transform:
#   aws (default)  CloudFormation, as for any SAM template;
#   local          deploy/scripts/transform.py (aws-sam-translator, the library CloudFormation
#                  runs) before deploying: the stack then holds plain CloudFormation;
#   local-moto     local, minus the API's Deployment and Stage, for the offline rehearsal against
#                  moto (which ignores the OpenAPI body, so deploying the empty API fails there).
#                  Refused unless an endpoint override (AWS_ENDPOINT_URL) is set.
# AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_S3 are honoured with AWS CLI v1 and v2 (see lib.sh).
#
# With --check-inputs it only checks the inputs and tools (not the zips) and exits: make deploy
# runs that before building the zips, so a missing variable is reported at once.
set -euo pipefail
cd "$(dirname "$0")/../.."
. deploy/scripts/lib.sh

parse_check_inputs "$@"

want_tools aws
want_vars STACK ARTIFACT_BUCKET TOKEN_ISSUER AUDIENCE AWS_REGION
JWKS_URI=${JWKS_URI:-${TOKEN_ISSUER:+${TOKEN_ISSUER}.well-known/jwks.json}}
CACHE_TTL=${CACHE_TTL:-0}
STAGE=${STAGE:-prod}
SAM_TRANSFORM=${SAM_TRANSFORM:-aws}
DESIGN=${DESIGN:-rest}
case $DESIGN in
rest)
	template_file=deploy/template.yaml
	zips=(build/authorizer.zip build/profile.zip)
	url_output=ApiUrl
	;;
http-jwt | http-lambda)
	template_file=deploy/httpapi.yaml
	zips=(build/httpauthorizer.zip build/profile.zip)
	url_output=JwtApiUrl
	[[ $DESIGN == http-lambda ]] && url_output=LambdaApiUrl
	;;
*)
	problems+=("DESIGN \"$DESIGN\" must be rest, http-jwt or http-lambda")
	template_file=deploy/template.yaml
	zips=()
	url_output=ApiUrl
	;;
esac

# The template's own constraints, checked before anything is uploaded.
if [[ -n ${TOKEN_ISSUER:-} && ! $TOKEN_ISSUER =~ ^https?://[^[:space:]]+/$ ]]; then
	problems+=("TOKEN_ISSUER \"$TOKEN_ISSUER\" must be an http(s) URL ending in \"/\" (Auth0: https://TENANT/)")
fi
if [[ -n $JWKS_URI && ! $JWKS_URI =~ ^https?://[^[:space:]]+$ ]]; then
	problems+=("JWKS_URI \"$JWKS_URI\" must be an http(s) URL")
fi
if ! [[ $CACHE_TTL =~ ^(0|[1-9][0-9]{0,3})$ ]] || ((CACHE_TTL > 3600)); then
	problems+=("CACHE_TTL \"$CACHE_TTL\" must be whole seconds from 0 (off) to 3600")
fi
[[ $STAGE =~ ^[A-Za-z0-9_]+$ ]] || problems+=("STAGE \"$STAGE\" must be letters, digits and underscores")
if [[ -n ${STACK:-} && ! $STACK =~ ^[A-Za-z][-A-Za-z0-9]{0,127}$ ]]; then
	problems+=("STACK \"$STACK\" must start with a letter and hold only letters, digits and hyphens")
fi
case $SAM_TRANSFORM in
aws) ;;
local | local-moto)
	if [[ $SAM_TRANSFORM == local-moto && -z ${AWS_ENDPOINT_URL:-} ]]; then
		problems+=("SAM_TRANSFORM=local-moto deploys an API without a stage: it is for an emulator, set AWS_ENDPOINT_URL")
	fi
	want_tools python3
	want_python_module samtranslator aws-sam-translator
	want_python_module yaml pyyaml
	;;
*) problems+=("SAM_TRANSFORM \"$SAM_TRANSFORM\" must be aws, local or local-moto") ;;
esac
if ! $check_only; then
	for zip in "${zips[@]}"; do
		[[ -f $zip ]] || problems+=("missing $zip: run make package first")
	done
fi
check_problems
$check_only && exit 0

params=(
	"TokenIssuer=$TOKEN_ISSUER"
	"JwksUri=$JWKS_URI"
	"Audience=$AUDIENCE"
)
# The HTTP APIs serve the $default stage: deploy/httpapi.yaml has no StageName.
[[ $DESIGN == rest ]] && params+=("StageName=$STAGE")
params+=("AuthorizerCacheTtl=$CACHE_TTL")

echo "deploy: uploading ${zips[*]} to s3://$ARTIFACT_BUCKET"
aws_cli cloudformation package \
	--template-file "$template_file" \
	--s3-bucket "$ARTIFACT_BUCKET" \
	--s3-prefix "$STACK" \
	--output-template-file build/packaged.yaml >build/package.log ||
	{
		cat build/package.log >&2
		die "aws cloudformation package failed (does bucket $ARTIFACT_BUCKET exist in $AWS_REGION, and may these credentials write to it?)"
	}

template=build/packaged.yaml
if [[ $SAM_TRANSFORM != aws ]]; then
	transform_args=(--region "$AWS_REGION")
	for p in "${params[@]}"; do
		transform_args+=(--param "$p")
	done
	[[ $SAM_TRANSFORM == local-moto ]] && transform_args+=(--drop-api-deployment)
	python3 deploy/scripts/transform.py "${transform_args[@]}" build/packaged.yaml build/packaged.json
	template=build/packaged.json
	echo "deploy: SAM transform done locally ($SAM_TRANSFORM): $template"
fi

echo "deploy: stack $STACK in $AWS_REGION"
aws_cli cloudformation deploy \
	--template-file "$template" \
	--stack-name "$STACK" \
	--capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND \
	--no-fail-on-empty-changeset \
	--parameter-overrides "${params[@]}"

url=$(aws_cli cloudformation describe-stacks --stack-name "$STACK" \
	--query "Stacks[0].Outputs[?OutputKey=='$url_output'].OutputValue | [0]" --output text)
if [[ -z $url || $url == None ]] && [[ $DESIGN != rest ]]; then
	emulated || die "stack $STACK has no $url_output output"
	# As below, for the HTTP API the template names ${AWS::StackName}-$DESIGN.
	ids=$(aws_cli apigatewayv2 get-apis --query "Items[?Name=='$STACK-$DESIGN'].ApiId" --output text)
	read -r -a ids <<<"$ids"
	case ${#ids[@]} in
	1)
		url="https://${ids[0]}.execute-api.$AWS_REGION.amazonaws.com"
		echo "deploy: the endpoint reports no $url_output output (an emulator): URL built from the HTTP API named $STACK-$DESIGN"
		;;
	0)
		# moto's CloudFormation creates the functions, roles and log groups but no
		# AWS::ApiGatewayV2 resources (observed with moto 5): there is no API to call.
		url="(none: the emulator holds no HTTP API named $STACK-$DESIGN)"
		echo "deploy: the endpoint reports no $url_output output and holds no HTTP API named $STACK-$DESIGN (an emulator that does not model them)"
		;;
	*) die "stack $STACK has no $url_output output, and ${#ids[@]} HTTP APIs are named $STACK-$DESIGN" ;;
	esac
elif [[ -z $url || $url == None ]]; then
	emulated || die "stack $STACK has no ApiUrl output"
	# moto records no outputs for stacks made through change sets, and loses track of the RestApi
	# resource when an update changes it: find the API by the name the template gives it
	# (${AWS::StackName}-api) and build the URL as the ApiUrl output does.
	ids=$(aws_cli apigateway get-rest-apis --query "items[?name=='$STACK-api'].id" --output text)
	read -r -a ids <<<"$ids"
	((${#ids[@]} == 1)) || die "stack $STACK has no ApiUrl output, and ${#ids[@]} APIs are named $STACK-api"
	url="https://${ids[0]}.execute-api.$AWS_REGION.amazonaws.com/$STAGE"
	echo "deploy: the endpoint reports no ApiUrl output (an emulator): URL built from the API named $STACK-api"
fi

if [[ $DESIGN != rest ]]; then
	call="GET $url/profile with the header \"Authorization: Bearer <access token>\""
	[[ $url == https://* ]] || call="nothing to call on this endpoint"
	cat <<EOT

API URL: $url
  design $DESIGN: $call
  (make smoke judges the REST design only; for this one, curl the URL with a token from the tenant)
EOT
	exit 0
fi
cat <<EOT

API URL: $url
  GET $url/profile with the header "Authorization: Bearer <access token>"

Next, the smoke scenarios against it, with a machine-to-machine application authorized for the API
(add UNSCOPED_CLIENT_ID=... UNSCOPED_CLIENT_SECRET=... for one granted no scope, to see the 403):
  SMOKE_URL=$url TENANT=$TOKEN_ISSUER AUDIENCE=$AUDIENCE CLIENT_ID=<client id> CLIENT_SECRET=<client secret> make smoke
EOT
