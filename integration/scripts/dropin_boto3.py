"""rolecall as a drop-in for suites written against moto: boto3 against
`rolecall serve --auth lenient --account 123456789012`.

Usage: AWS_ENDPOINT_URL=http://127.0.0.1:4566 python3 integration/scripts/dropin_boto3.py
(integration/scripts_test.go runs it against an in-process server started so.)
With moto installed, it also runs a moto server-mode test (mock_aws with
TEST_SERVER_MODE=true) against rolecall, moto's own reset calls included.
"""
import json
import os
import sys
import urllib.request

try:
    import boto3
    from botocore.exceptions import ClientError
except ImportError:
    sys.exit("dropin_boto3.py: boto3 is not installed (pip install boto3); it is needed for this test")

endpoint = os.environ.get("AWS_ENDPOINT_URL") or sys.exit("set AWS_ENDPOINT_URL to a running rolecall")
ACCOUNT = "123456789012"
passed = 0


def client(service, key="test", secret="test"):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=key, aws_secret_access_key=secret)


def check(what, got, want):
    global passed
    if got != want:
        sys.exit(f"FAIL: {what}: got {got!r}, want {want!r}")
    passed += 1


def lenient(response):
    return response["ResponseMetadata"]["HTTPHeaders"].get("x-rolecall-auth")


def trust(principal):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}]})


iam, sts = client("iam"), client("sts")
ident = sts.get_caller_identity()
check("the default account (--account)", (ident["Account"], ident["Arn"]), (ACCOUNT, f"arn:aws:iam::{ACCOUNT}:root"))
check("a request AWS takes as it is", lenient(ident), None)

# The root user assumes a role that trusts its account, as emulators let
# it; the answer says it was let through only because of --auth lenient.
role = iam.create_role(RoleName="app", AssumeRolePolicyDocument=trust({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}))["Role"]
out = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="boto")
check("root assumed the role", out["AssumedRoleUser"]["Arn"], f"arn:aws:sts::{ACCOUNT}:assumed-role/app/boto")
check("X-Rolecall-Auth of root's AssumeRole", lenient(out), "lenient")
# The trust policy still decides.
iam.create_role(RoleName="tasks", AssumeRolePolicyDocument=trust({"Service": "ecs-tasks.amazonaws.com"}))
try:
    sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/tasks", RoleSessionName="boto")
    sys.exit("FAIL: root assumed a role that trusts only ecs-tasks.amazonaws.com")
except ClientError as e:
    check("a role that does not trust root's account", (e.response["Error"]["Code"], e.response["Error"]["Message"]),
          ("AccessDenied", f"User: arn:aws:iam::{ACCOUNT}:root is not authorized to perform: sts:AssumeRole "
                           f"on resource: arn:aws:iam::{ACCOUNT}:role/tasks"))

# moto's reset, as its ServerModeMockAWS sends it: a plain POST, no body,
# no signature (moto/core/models.py).
with urllib.request.urlopen(urllib.request.Request(endpoint + "/moto-api/reset", data=b"", method="POST")) as resp:
    check("moto-api/reset", (resp.status, json.loads(resp.read())["status"]), (200, "ok"))
check("roles after the reset", iam.list_roles()["Roles"], [])

try:
    os.environ["TEST_SERVER_MODE"] = "true"
    os.environ["TEST_SERVER_MODE_ENDPOINT"] = endpoint
    from moto import mock_aws
except ImportError:
    print("dropin_boto3.py: moto is not installed: its server-mode test is left out")
else:
    # A moto server-mode test, unchanged: mock_aws resets rolecall when it
    # starts and stops, and signs with moto's fake keys (lenient mode makes
    # them the default account's root).
    with mock_aws():
        moto_iam = boto3.client("iam", region_name="us-east-1")
        moto_iam.create_role(RoleName="in-moto", AssumeRolePolicyDocument=trust({"AWS": ACCOUNT}))
        got = boto3.client("sts", region_name="us-east-1").assume_role(
            RoleArn=f"arn:aws:iam::{ACCOUNT}:role/in-moto", RoleSessionName="moto")
        check("moto's test assumed the role as root", got["AssumedRoleUser"]["Arn"],
              f"arn:aws:sts::{ACCOUNT}:assumed-role/in-moto/moto")
        check("roles inside mock_aws", [r["RoleName"] for r in moto_iam.list_roles()["Roles"]], ["in-moto"])
    check("roles after mock_aws", iam.list_roles()["Roles"], [])

print(f"dropin_boto3.py: {passed} passed, 0 failed")
