"""List every account and role the access token reaches with botocore's
`sso` client and its paginators, as a tool that generates profiles does.
Usage: list_portal.py ACCESS_TOKEN REGION. Prints counts as JSON."""
import json
import sys

import boto3
from botocore.config import Config

token, region = sys.argv[1], sys.argv[2]
# The standard retry mode treats TooManyRequestsException as throttling and
# backs off; enough attempts to get through a rate limit.
sso = boto3.client("sso", region_name=region, config=Config(retries={"mode": "standard", "max_attempts": 20}))
pages = 0
retries = 0
accounts = []
for page in sso.get_paginator("list_accounts").paginate(accessToken=token, PaginationConfig={"PageSize": 100}):
    pages += 1
    retries += page["ResponseMetadata"].get("RetryAttempts", 0)
    accounts.extend(page["accountList"])
roles = 0
for account in accounts:
    for page in sso.get_paginator("list_account_roles").paginate(accessToken=token, accountId=account["accountId"]):
        pages += 1
        retries += page["ResponseMetadata"].get("RetryAttempts", 0)
        roles += len(page["roleList"])
print(json.dumps({
    "accounts": len(accounts),
    "distinct_accounts": len({a["accountId"] for a in accounts}),
    "roles": roles,
    "pages": pages,
    "retries": retries,
}))
