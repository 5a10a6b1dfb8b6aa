"""A device-code sign-in driven through boto3's sso-oidc client, the token
written to the SSO cache as the AWS CLI writes it, then botocore resolving
an SSO profile and a role chained from it out of the config file; botocore
refreshes the (short-lived) token on the way. Prints what happened as JSON.
Usage: sso_device_login.py START_URL SESSION_NAME SSO_PROFILE CHAINED_PROFILE"""
import datetime
import hashlib
import json
import os
import sys
import time

import boto3
import botocore.exceptions

start_url, session_name, sso_profile, chained_profile = sys.argv[1:5]
oidc = boto3.client("sso-oidc", region_name="us-east-1")
reg = oidc.register_client(clientName="botocore-test", clientType="public", scopes=["sso:account:access"])
dev = oidc.start_device_authorization(clientId=reg["clientId"], clientSecret=reg["clientSecret"], startUrl=start_url)
result = {"pending_seen": False, "verification_uri_complete": dev["verificationUriComplete"]}
deadline = time.time() + 60
interval = dev["interval"]
while True:
    try:
        token = oidc.create_token(
            clientId=reg["clientId"],
            clientSecret=reg["clientSecret"],
            grantType="urn:ietf:params:oauth:grant-type:device_code",
            deviceCode=dev["deviceCode"],
        )
        break
    except oidc.exceptions.AuthorizationPendingException:
        result["pending_seen"] = True
    except oidc.exceptions.SlowDownException:
        interval += 5
    if time.time() > deadline:
        raise SystemExit("the device sign-in was never approved")
    time.sleep(interval)

now = datetime.datetime.now(datetime.timezone.utc)
fmt = "%Y-%m-%dT%H:%M:%SZ"
cache = {
    "startUrl": start_url,
    "region": "us-east-1",
    "accessToken": token["accessToken"],
    "expiresAt": (now + datetime.timedelta(seconds=token["expiresIn"])).strftime(fmt),
    "clientId": reg["clientId"],
    "clientSecret": reg["clientSecret"],
    "registrationExpiresAt": datetime.datetime.fromtimestamp(reg["clientSecretExpiresAt"], datetime.timezone.utc).strftime(fmt),
    "refreshToken": token["refreshToken"],
}
folder = os.path.join(os.path.expanduser("~"), ".aws", "sso", "cache")
os.makedirs(folder, exist_ok=True)
path = os.path.join(folder, hashlib.sha1(session_name.encode()).hexdigest() + ".json")
with open(path, "w") as f:
    json.dump(cache, f)
result["expires_in"] = token["expiresIn"]

result["sso_arn"] = boto3.Session(profile_name=sso_profile).client("sts").get_caller_identity()["Arn"]
result["chained_arn"] = boto3.Session(profile_name=chained_profile).client("sts").get_caller_identity()["Arn"]
with open(path) as f:
    after = json.load(f)
result["refreshed"] = after["accessToken"] != cache["accessToken"]
result["rotated"] = after.get("refreshToken") not in (None, cache["refreshToken"])
result["cache_path"] = path
print(json.dumps(result))
