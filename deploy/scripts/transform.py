#!/usr/bin/env python3
"""Run the AWS SAM transform (AWS::Serverless-2016-10-31) locally, offline.

Usage: transform.py [--region R] [--param Name=Value ...] [--drop-api-deployment] TEMPLATE OUT.json

TEMPLATE is a SAM template (YAML or JSON; CloudFormation short-form tags such as !Ref are
read). Local CodeUri paths (as in deploy/template.yaml before `aws cloudformation package`)
are replaced by s3://serverless-auth-offline/<file name>, which is what the transform needs
and all it looks at; a packaged template's s3:// URIs are kept. The result is the
CloudFormation template AWS itself would produce from the same input, written as JSON.

aws-sam-translator is the library CloudFormation runs for this transform. It is given a boto3
session that has a region but no credentials (the transform only needs the region for ARNs and
the AWS::Region/AWS::Partition pseudo parameters) and an empty managed-policy map plus a
lookup that refuses, so it never calls IAM: a template that names managed policies by name
fails here instead of reaching the network.
"""

import argparse
import copy
import json
import logging
import os
import sys

try:
    import boto3
    import yaml
    from samtranslator.model.exceptions import InvalidDocumentException
    from samtranslator.parser import parser
    from samtranslator.translator.translator import Translator
except ImportError as err:  # the calling scripts check first; this keeps the message exact anyway
    package = {"yaml": "pyyaml", "boto3": "boto3"}.get(err.name or "", "aws-sam-translator")
    sys.exit(f"transform.py: missing python module: {err.name} (pip install {package})")

PLACEHOLDER_BUCKET = "serverless-auth-offline"
API_DEPLOYMENT_TYPES = ("AWS::ApiGateway::Deployment", "AWS::ApiGateway::Stage")


class CloudFormationLoader(yaml.SafeLoader):
    """A YAML loader that turns CloudFormation's short-form tags into their long forms."""


def _construct_tag(loader, tag_suffix, node):
    name = tag_suffix if tag_suffix in ("Ref", "Condition") else "Fn::" + tag_suffix
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if tag_suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


CloudFormationLoader.add_multi_constructor("!", _construct_tag)


def load(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if path.endswith(".json"):
        return json.loads(text)
    return yaml.load(text, Loader=CloudFormationLoader)  # noqa: S506 - SafeLoader subclass


def replace_local_code_uris(template):
    for resource in template.get("Resources", {}).values():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        props = resource.get("Properties", {})
        uri = props.get("CodeUri")
        if isinstance(uri, str) and not uri.startswith("s3://"):
            props["CodeUri"] = f"s3://{PLACEHOLDER_BUCKET}/{os.path.basename(uri)}"


def drop_api_deployment(template):
    resources = template["Resources"]
    for logical_id in [k for k, v in resources.items() if v.get("Type") in API_DEPLOYMENT_TYPES]:
        del resources[logical_id]


def refuse_managed_policy_lookup():
    raise RuntimeError("the template names an IAM managed policy; the offline transform does not call IAM")


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--region", default=os.environ.get("AWS_REGION") or "us-east-1")
    ap.add_argument("--param", action="append", default=[], metavar="Name=Value")
    ap.add_argument(
        "--drop-api-deployment",
        action="store_true",
        help="remove the AWS::ApiGateway::Deployment and ::Stage resources (for moto, which "
        "ignores the OpenAPI body and so cannot deploy the API)",
    )
    ap.add_argument("template")
    ap.add_argument("out")
    args = ap.parse_args(argv)

    params = {}
    for p in args.param:
        name, sep, value = p.partition("=")
        if not sep or not name:
            ap.error(f"--param {p!r}: want Name=Value")
        params[name] = value

    # The default feature-toggle config has no entries; its "feature not available" warnings
    # describe the translator's own service configuration, not the template.
    logging.getLogger("samtranslator.feature_toggle").setLevel(logging.ERROR)

    template = load(args.template)
    declared = template.get("Parameters") or {}
    unknown = sorted(set(params) - set(declared))
    if unknown:
        print(f"transform.py: {args.template}: parameter(s) not declared in the template: {', '.join(unknown)}", file=sys.stderr)
        return 1
    replace_local_code_uris(template)
    session = boto3.session.Session(region_name=args.region)
    translator = Translator(managed_policy_map={}, sam_parser=parser.Parser(), boto_session=session)
    try:
        out = translator.translate(
            sam_template=copy.deepcopy(template),
            parameter_values=params,
            get_managed_policy_map=refuse_managed_policy_lookup,
        )
    except InvalidDocumentException as err:
        for cause in err.causes:
            print(f"transform.py: {args.template}: {cause.message}", file=sys.stderr)
        return 1
    if args.drop_api_deployment:
        drop_api_deployment(out)
    tmp = args.out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(tmp, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
