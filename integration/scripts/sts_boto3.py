"""Drives rolecall's STS and authentication through boto3 and checks AWS's answers.

Usage: AWS_ENDPOINT_URL=http://127.0.0.1:4566 python3 integration/scripts/sts_boto3.py
(integration/scripts_test.go runs it against an in-process server.)
"""
import datetime
import json
import os
import re
import sys
import urllib.error
import urllib.request
import uuid
from unittest import mock

try:
    import boto3
    from botocore.exceptions import ClientError
except ImportError:
    sys.exit("sts_boto3.py: boto3 is not installed (pip install boto3); it is needed for this test")

endpoint = os.environ.get("AWS_ENDPOINT_URL") or sys.exit("set AWS_ENDPOINT_URL to a running rolecall")
passed = 0

MISMATCH = ("The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
INVALID = "The security token included in the request is invalid"


def client(service, key="test", secret="test", token=None):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token)


def check(what, got, want):
    global passed
    if got != want:
        sys.exit(f"FAIL: {what}: got {got!r}, want {want!r}")
    passed += 1


def expect_error(status, code, message, fn, **kwargs):
    global passed
    try:
        fn(**kwargs)
    except ClientError as e:
        err = e.response["Error"]
        got_status = e.response["ResponseMetadata"]["HTTPStatusCode"]
        if err["Code"] != code or err["Message"] != message or got_status != status:
            sys.exit(f"FAIL: {fn.__name__}: got {got_status} {err['Code']}: {err['Message']}, want {status} {code}: {message}")
        passed += 1
        return
    sys.exit(f"FAIL: {fn.__name__}({kwargs}) succeeded, want {code}")


sts, iam = client("sts"), client("iam")
check("root", sts.get_caller_identity()["Arn"], "arn:aws:iam::000000000000:root")
expect_error(403, "SignatureDoesNotMatch", MISMATCH, client("sts", secret="wrong").get_caller_identity)
expect_error(403, "InvalidClientTokenId", INVALID, client("iam", key="AKIAIOSFODNN7EXAMPLE").list_roles)



def signing_at(skew):
    """Signs with botocore's own signer, its clock moved by skew."""
    import botocore.auth
    at = botocore.auth.get_current_datetime() + skew
    return at, mock.patch("botocore.auth.get_current_datetime", return_value=at)


def expect_stale(fn, skew):
    """AWS's answer to a signing time more than 15 minutes off, with the
    server's clock in it: "Signature expired: SIGNED is now earlier than
    NOW-15 (NOW - 15 min.)" or "Signature not yet current: SIGNED is still
    later than NOW+15 (NOW + 15 min.)"."""
    global passed
    at, patched = signing_at(skew)
    signed = at.strftime("%Y%m%dT%H%M%SZ")
    try:
        with patched:
            fn()
    except ClientError as e:
        err, status = e.response["Error"], e.response["ResponseMetadata"]["HTTPStatusCode"]
        if skew < datetime.timedelta(0):
            m = re.fullmatch(r"Signature expired: (\S+) is now earlier than (\S+) \((\S+) - 15 min\.\)", err["Message"])
            sign = -1
        else:
            m = re.fullmatch(r"Signature not yet current: (\S+) is still later than (\S+) \((\S+) \+ 15 min\.\)", err["Message"])
            sign = 1
        if status != 403 or err["Code"] != "SignatureDoesNotMatch" or not m or m.group(1) != signed:
            sys.exit(f"FAIL: stale signature ({skew}): got {status} {err['Code']}: {err['Message']}")
        parse = lambda v: datetime.datetime.strptime(v, "%Y%m%dT%H%M%SZ")
        now = parse(m.group(3))
        if parse(m.group(2)) != now + sign * datetime.timedelta(minutes=15) or abs(now - (at - skew)) > datetime.timedelta(minutes=2):
            sys.exit(f"FAIL: stale signature ({skew}): window in {err['Message']!r}")
        passed += 1
        return
    sys.exit(f"FAIL: a request signed {skew} off was accepted")


expect_stale(sts.get_caller_identity, -datetime.timedelta(minutes=20))
expect_stale(iam.list_roles, datetime.timedelta(minutes=20))
with signing_at(-datetime.timedelta(minutes=10))[1]:  # within AWS's window
    check("signed 10 minutes ago", sts.get_caller_identity()["Arn"], "arn:aws:iam::000000000000:root")

name = "boto-" + uuid.uuid4().hex[:8]
iam.create_user(UserName=name)
iam.put_user_policy(UserName=name, PolicyName="assume", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}))
key = iam.create_access_key(UserName=name)["AccessKey"]
user_sts = client("sts", key["AccessKeyId"], key["SecretAccessKey"])
check("user", user_sts.get_caller_identity()["Arn"], f"arn:aws:iam::000000000000:user/{name}")

trust = {"Version": "2012-10-17",
         "Statement": [{"Effect": "Allow", "Principal": {"AWS": "000000000000"}, "Action": "sts:AssumeRole"}]}
role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]
expect_error(403, "AccessDenied", "Roles may not be assumed by root accounts.",
             sts.assume_role, RoleArn=role["Arn"], RoleSessionName="boto")
out = user_sts.assume_role(RoleArn=role["Arn"], RoleSessionName="boto")
check("assumed role", out["AssumedRoleUser"]["Arn"], f"arn:aws:sts::000000000000:assumed-role/{name}/boto")
check("assumed role id", out["AssumedRoleUser"]["AssumedRoleId"], role["RoleId"] + ":boto")
c = out["Credentials"]
session_sts = client("sts", c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
check("session", session_sts.get_caller_identity()["UserId"], role["RoleId"] + ":boto")
# Temporary credentials with a wrong secret, or without their token.
expect_error(403, "SignatureDoesNotMatch", MISMATCH,
             client("sts", c["AccessKeyId"], "wrong", c["SessionToken"]).get_caller_identity)
expect_error(403, "InvalidClientTokenId", INVALID, client("sts", c["AccessKeyId"], c["SecretAccessKey"]).get_caller_identity)
expect_stale(session_sts.get_caller_identity, -datetime.timedelta(minutes=20))
expect_error(400, "ValidationError",
             "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
             session_sts.assume_role, RoleArn=role["Arn"], RoleSessionName="again", DurationSeconds=7200)
expect_error(403, "AccessDenied", f"User: arn:aws:iam::000000000000:user/{name} is not authorized to perform: "
             f"sts:AssumeRole on resource: arn:aws:iam::000000000000:role/nope",
             user_sts.assume_role, RoleArn="arn:aws:iam::000000000000:role/nope", RoleSessionName="boto")

# GetSessionToken credentials: fine for STS, refused by IAM (no MFA).
t = user_sts.get_session_token()["Credentials"]
check("session token user", client("sts", t["AccessKeyId"], t["SecretAccessKey"], t["SessionToken"]).get_caller_identity()["Arn"],
      f"arn:aws:iam::000000000000:user/{name}")
expect_error(403, "InvalidClientTokenId", INVALID,
             client("iam", t["AccessKeyId"], t["SecretAccessKey"], t["SessionToken"]).list_roles)

# A presigned GetCallerIdentity URL, as EKS tokens carry. It must be signed
# for GET, as "aws eks get-token" does: boto3 presigns query-protocol
# operations for POST by default, and AWS then refuses the GET
# (SignatureDoesNotMatch, boto/boto3 #756).
url = user_sts.generate_presigned_url("get_caller_identity", ExpiresIn=60, HttpMethod="GET")
try:
    urllib.request.urlopen(user_sts.generate_presigned_url("get_caller_identity", ExpiresIn=60))
    sys.exit("FAIL: a URL presigned for POST was accepted for GET")
except urllib.error.HTTPError as e:
    check("URL presigned for POST", e.code, 403)
with urllib.request.urlopen(url) as resp:
    body = resp.read().decode()
check("presigned", f"<Arn>arn:aws:iam::000000000000:user/{name}</Arn>" in body, True)
try:
    urllib.request.urlopen(url.replace("GetCallerIdentity", "GetSessionToken"))
    sys.exit("FAIL: a tampered presigned URL was accepted")
except urllib.error.HTTPError as e:
    check("tampered presigned URL", (e.code, "<Code>SignatureDoesNotMatch</Code>" in e.read().decode()), (403, True))

print(f"sts_boto3.py: {passed} passed, 0 failed")
