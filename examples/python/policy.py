"""IAM policies for API Gateway, in the JSON shape of aws-lambda-go's
events.APIGatewayCustomAuthorizerResponse (Action and Resource as lists)."""

import re

# IAM reads * and ? in a Resource as wildcards: echoed into the policy, a
# "*" stage would allow every stage. API Gateway never sends them.
_UNSAFE = re.compile(r"[*?\s]")


def parse_method_arn(arn):
    """Splits arn:PARTITION:execute-api:REGION:ACCOUNT:API/STAGE/VERB/PATH,
    or returns None when arn is not one."""
    if not isinstance(arn, str) or _UNSAFE.search(arn):
        return None
    parts = arn.split(":")
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "execute-api" or not all(parts[1:2] + parts[3:5]):
        return None
    path = parts[5].split("/")
    if len(path) < 3 or not all(path[:3]):
        return None
    return {"partition": parts[1], "region": parts[3], "account": parts[4], "api": path[0], "stage": path[1]}


def resource_for(method_arn, policy_resource):
    """The policy's resource: the method ARN itself, or the whole stage
    (what a cached result must cover) when policy_resource is "stage"."""
    arn = parse_method_arn(method_arn)
    if arn is None:
        return None
    if policy_resource == "stage":
        return "arn:%(partition)s:execute-api:%(region)s:%(account)s:%(api)s/%(stage)s/*" % arn
    return method_arn


def allow(principal_id, resource, context):
    return {
        "principalId": principal_id,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": ["execute-api:Invoke"], "Effect": "Allow", "Resource": [resource]}],
        },
        "context": context,
    }
