'use strict';

// IAM policies for API Gateway, in the JSON shape of aws-lambda-go's
// events.APIGatewayCustomAuthorizerResponse (Action and Resource are lists).

// parseMethodArn splits arn:PARTITION:execute-api:REGION:ACCOUNT:API/STAGE/VERB/PATH,
// returning null when it is not one.
function parseMethodArn(arn) {
  if (typeof arn !== 'string') return null;
  // IAM reads * and ? in a Resource as wildcards: echoed into the policy, a
  // "*" stage would allow every stage. API Gateway never sends them.
  if (/[*?\s]/.test(arn)) return null;
  const parts = arn.split(':');
  if (parts.length !== 6 || parts[0] !== 'arn' || parts[2] !== 'execute-api' || !parts[1] || !parts[3] || !parts[4]) {
    return null;
  }
  const path = parts[5].split('/');
  if (path.length < 3 || !path[0] || !path[1] || !path[2]) return null;
  return { partition: parts[1], region: parts[3], account: parts[4], apiId: path[0], stage: path[1] };
}

// resourceFor is the policy's resource: the method ARN itself, or the whole
// stage (what a cached result must cover) when policyResource is "stage".
function resourceFor(methodArn, policyResource) {
  const arn = parseMethodArn(methodArn);
  if (!arn) return null;
  if (policyResource === 'stage') {
    return `arn:${arn.partition}:execute-api:${arn.region}:${arn.account}:${arn.apiId}/${arn.stage}/*`;
  }
  return methodArn;
}

function allow(principalId, resource, context) {
  return {
    principalId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: ['execute-api:Invoke'], Effect: 'Allow', Resource: [resource] }],
    },
    context,
  };
}

module.exports = { parseMethodArn, resourceFor, allow };
