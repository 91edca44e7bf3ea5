"""Validates the properties of every resource of one type in a CloudFormation template (JSON on stdin) against that
type's registry schema as bundled with cfn-lint, descending into nested property types (cfn-lint's own rules stop
short of the Region switch plan's workflow steps). Intrinsic functions are resolved as far as synth-time values allow:
Fn::Join of literals, AWS::Partition and AWS::AccountId (argv[3]), a role's Arn; any other one stands for a string.
Prints one line per error, "<path>: <message>", and exits 1 if there is any. Usage: resource-schema.py TYPE REGION ACCOUNT
"""
import json
import sys

import jsonschema
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

resource_type, region, account = sys.argv[1:4]
template = json.load(sys.stdin)
schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(region, resource_type).schema
schema = {k: v for k, v in schema.items() if k in ('definitions', 'properties', 'required', 'additionalProperties')}
schema['type'] = 'object'


def plain(x):
    if isinstance(x, dict) and len(x) == 1:
        (key, value), = x.items()
        if key == 'Fn::Join':
            separator, parts = value
            return separator.join(str(plain(part)) for part in parts)
        if x == {'Ref': 'AWS::Partition'}:
            return 'aws'
        if x == {'Ref': 'AWS::AccountId'}:
            return account
        if key == 'Fn::GetAtt' and value[1] == 'Arn' and template['Resources'][value[0]]['Type'] == 'AWS::IAM::Role':
            return f'arn:aws:iam::{account}:role/{value[0]}'
        if key == 'Ref' or key.startswith('Fn::'):
            return 'resolved-at-deploy'
    if isinstance(x, dict):
        return {k: plain(v) for k, v in x.items()}
    if isinstance(x, list):
        return [plain(v) for v in x]
    return x


def leaves(error):
    """
    The innermost errors of a oneOf (ExecutionBlockConfiguration is one of the block configurations), which name the
    property at fault; a branch the value was never meant for (its one required key is absent, or the value's key is
    not its own) fails at the oneOf's own place and is left out.
    """
    if not error.context:
        return [error]
    found = []
    for child in error.context:
        if not child.context and not child.relative_path and (
            'is a required property' in child.message or 'Additional properties are not allowed' in child.message
        ):
            continue
        found.extend(leaves(child))
    return found or [error]


errors = []
for name, resource in template['Resources'].items():
    if resource['Type'] != resource_type:
        continue
    for error in jsonschema.Draft7Validator(schema).iter_errors(plain(resource.get('Properties', {}))):
        for leaf in leaves(error):
            errors.append(f"{name}.{'.'.join(map(str, leaf.absolute_path))}: {leaf.message}")
print('\n'.join(errors))
sys.exit(1 if errors else 0)
