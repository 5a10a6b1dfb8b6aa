"""Resolve a profile from the written config with boto3/botocore and print
GetCallerIdentity as JSON. Usage: caller_identity.py PROFILE [MFA_SECRET]"""
import json
import sys

import boto3
import botocore.exceptions

profile = sys.argv[1]
session = boto3.Session(profile_name=profile)
if len(sys.argv) > 2:
    # botocore asks for MFA codes through a prompter (getpass by default);
    # answer it with the code of the world's TOTP device.
    import time
    import hmac
    import hashlib
    import base64
    import struct

    secret = base64.b32decode(sys.argv[2])
    counter = struct.pack(">Q", int(time.time()) // 30)
    digest = hmac.new(secret, counter, hashlib.sha1).digest()
    offset = digest[19] & 0x0F
    code = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1000000
    provider = session._session.get_component("credential_provider").get_provider("assume-role")
    provider._prompter = lambda prompt: "%06d" % code
try:
    out = session.client("sts").get_caller_identity()
    print(json.dumps({"Arn": out["Arn"], "Account": out["Account"], "UserId": out["UserId"]}))
except botocore.exceptions.ClientError as e:
    print(json.dumps({"Code": e.response["Error"]["Code"], "Message": e.response["Error"]["Message"]}))
