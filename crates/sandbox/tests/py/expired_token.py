"""Assume a role for DurationSeconds=900 with alice's profile, use the keys
at once, wait WAIT seconds and use them again; print both outcomes as JSON.
Usage: expired_token.py ROLE_ARN WAIT"""
import json
import sys
import time

import boto3
import botocore.exceptions

role, wait = sys.argv[1], float(sys.argv[2])
creds = boto3.Session(profile_name="alice").client("sts").assume_role(
    RoleArn=role, RoleSessionName="expiry-test", DurationSeconds=900
)["Credentials"]
client = boto3.client(
    "sts",
    region_name="us-east-1",
    aws_access_key_id=creds["AccessKeyId"],
    aws_secret_access_key=creds["SecretAccessKey"],
    aws_session_token=creds["SessionToken"],
)
result = {"expiration": creds["Expiration"].isoformat()}
result["first"] = client.get_caller_identity()["Arn"]
time.sleep(wait)
try:
    client.get_caller_identity()
    result["second"] = "ok"
except botocore.exceptions.ClientError as e:
    result["second"] = {
        "Code": e.response["Error"]["Code"],
        "Message": e.response["Error"]["Message"],
        "Status": e.response["ResponseMetadata"]["HTTPStatusCode"],
    }
print(json.dumps(result))
