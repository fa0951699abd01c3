#!/usr/bin/env bash
# make destroy: delete the stack STACK in AWS_REGION and wait until it is gone. The zips that
# `make deploy` uploaded stay in ARTIFACT_BUCKET (under the prefix STACK/); docs/deploy.md says how to
# remove them.
set -euo pipefail
cd "$(dirname "$0")/../.."
. deploy/scripts/lib.sh

want_tools aws
want_vars STACK AWS_REGION
check_problems

echo "destroy: deleting stack $STACK in $AWS_REGION"
aws_cli cloudformation delete-stack --stack-name "$STACK"
aws_cli cloudformation wait stack-delete-complete --stack-name "$STACK"
echo "destroy: stack $STACK deleted"
