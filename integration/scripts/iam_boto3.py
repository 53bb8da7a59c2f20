"""Drives rolecall's IAM through boto3 and checks AWS's answers.

Usage: AWS_ENDPOINT_URL=http://127.0.0.1:4566 python3 integration/scripts/iam_boto3.py
(integration/cli_test.go runs it against an in-process server.)
"""
import json
import os
import sys
import uuid

try:
    import boto3
    from botocore.exceptions import ClientError
except ImportError:
    sys.exit("iam_boto3.py: boto3 is not installed (pip install boto3); it is needed for this test")

endpoint = os.environ.get("AWS_ENDPOINT_URL") or sys.exit("set AWS_ENDPOINT_URL to a running rolecall")
iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                   aws_access_key_id="test", aws_secret_access_key="test")
passed = 0


def check(what, got, want):
    global passed
    if got != want:
        sys.exit(f"FAIL: {what}: got {got!r}, want {want!r}")
    passed += 1


def expect_error(code, message, fn, **kwargs):
    global passed
    try:
        fn(**kwargs)
    except ClientError as e:
        err = e.response["Error"]
        if err["Code"] != code or err["Message"] != message:
            sys.exit(f"FAIL: {fn.__name__}: got {err['Code']}: {err['Message']}, want {code}: {message}")
        passed += 1
        return e
    sys.exit(f"FAIL: {fn.__name__}({kwargs}) succeeded, want {code}")


name = "boto-" + uuid.uuid4().hex[:8]
trust = {"Version": "2012-10-17",
         "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust), Description="task role",
                       Tags=[{"Key": "team", "Value": "core"}])["Role"]
check("arn", role["Arn"], f"arn:aws:iam::000000000000:role/{name}")
check("role id prefix", role["RoleId"][:4], "AROA")
check("role id length", len(role["RoleId"]), 21)

got = iam.get_role(RoleName=name)["Role"]
# boto3 decodes the URL-encoded document into a dict, as it does against AWS.
check("trust policy", got["AssumeRolePolicyDocument"], trust)
check("description", got["Description"], "task role")
check("tags", got["Tags"], [{"Key": "team", "Value": "core"}])
check("role last used", got["RoleLastUsed"], {})

e = expect_error("EntityAlreadyExists", f"Role with name {name.upper()} already exists.",
                 iam.create_role, RoleName=name.upper(), AssumeRolePolicyDocument=json.dumps(trust))
check("status", e.response["ResponseMetadata"]["HTTPStatusCode"], 409)
e = expect_error("NoSuchEntity", "The role with name missing-role cannot be found.", iam.get_role, RoleName="missing-role")
check("status", e.response["ResponseMetadata"]["HTTPStatusCode"], 404)

# Pagination across ListRoles.
for i in range(5):
    iam.create_role(RoleName=f"{name}-page-{i}", Path="/paged/", AssumeRolePolicyDocument=json.dumps(trust))
pages = list(iam.get_paginator("list_roles").paginate(PathPrefix="/paged/", PaginationConfig={"PageSize": 2}))
check("pages", len(pages), 3)
check("paged names", [r["RoleName"] for p in pages for r in p["Roles"]], [f"{name}-page-{i}" for i in range(5)])

# Attached policy counts follow attachments.
arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
iam.attach_role_policy(RoleName=name, PolicyArn=arn)
check("attachment count", iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"], 1)
entities = iam.list_entities_for_policy(PolicyArn=arn)
check("entities", [r["RoleName"] for r in entities["PolicyRoles"]], [name])
expect_error("NoSuchEntity", "Policy arn:aws:iam::000000000000:policy/nope does not exist or is not attachable.",
             iam.attach_role_policy, RoleName=name, PolicyArn="arn:aws:iam::000000000000:policy/nope")
iam.detach_role_policy(RoleName=name, PolicyArn=arn)
check("attachment count after detach", iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"], 0)

# Service-linked roles: created with the service's path and policy,
# protected from DeleteRole, deleted by an asynchronous task.
slr = iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")["Role"]
check("slr name", slr["RoleName"], "AWSServiceRoleForECS")
check("slr path", slr["Path"], "/aws-service-role/ecs.amazonaws.com/")
check("slr policy", [p["PolicyName"] for p in iam.list_attached_role_policies(RoleName="AWSServiceRoleForECS")["AttachedPolicies"]],
      ["AmazonECSServiceRolePolicy"])
expect_error("InvalidInput", "Custom suffix is not allowed for ecs.amazonaws.com",
             iam.create_service_linked_role, AWSServiceName="ecs.amazonaws.com", CustomSuffix="x")
expect_error("UnmodifiableEntity",
             "Cannot perform the operation on the protected role 'AWSServiceRoleForECS' - this role is only modifiable by AWS",
             iam.delete_role, RoleName="AWSServiceRoleForECS")
task = iam.delete_service_linked_role(RoleName="AWSServiceRoleForECS")["DeletionTaskId"]
check("task id prefix", task.startswith("task/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS/"), True)
status = iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"]
check("task status", status in ("NOT_STARTED", "IN_PROGRESS", "SUCCEEDED"), True)

print(f"iam_boto3.py: {passed} passed, 0 failed")
