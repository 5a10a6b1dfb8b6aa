#!/usr/bin/env python3
"""Writes a generated, deterministic AWS home for benchmarks.

    python3 scripts/gen-home.py DIR

writes DIR/.aws/config, DIR/.aws/credentials, DIR/.aws/sso/cache/*.json and
DIR/.aws/cli/cache/*.json: 1,000 profiles over 100 sso-sessions, and 100
cache files, written for 2026-11-22T08:00:00Z. The benchmark in
crates/engine/benches/home/mod.rs builds the same files, byte for byte, in
memory; change both together.

What the home holds:
- [default] with settings only;
- 100 [sso-session team-NNN] sections, 5 SSO profiles over each (500);
- 20 legacy SSO profiles over 5 start URLs;
- 60 long-term key profiles (credentials file; half also have a
  [profile user-NN] section in the config file);
- 150 roles over those keys, some with role_session_name,
  duration_seconds or external_id;
- 100 chained roles over SSO profiles, roles and other chained roles;
- 50 MFA roles over long-term keys;
- 90 other tools' temporary keys with x_security_token_expires;
- 20 credential_process profiles and 9 broken ones;
- 60 SSO token cache files (55 sessions, 5 legacy start URLs) and 40 AWS CLI
  cache entries (20 SSO role credentials, 20 assumed roles).

Python 3 standard library only.
"""

import hashlib
import json
import os
import sys
from datetime import datetime, timezone

NOW_UNIX = 1_795_334_400  # 2026-11-22T08:00:00Z

SESSIONS = 100
SSO_PER_SESSION = 5
LEGACY = 20
LEGACY_URLS = 5
USERS = 60
ROLES_OVER_KEYS = 150
CHAINED = 100
MFA = 50
TEMPORARY = 90
PROCESS = 20
BROKEN = 9
TOKENS = 55
SSO_ROLE_ENTRIES = 20

REGIONS = ["us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-2"]
ROLES = ["Developer", "ReadOnly", "Admin", "PowerUser", "Billing"]
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
USER_ACCOUNT = "123456789012"


def iso(minutes, suffix):
    t = datetime.fromtimestamp(NOW_UNIX + minutes * 60, tz=timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + suffix


def z(minutes):
    return iso(minutes, "Z")


def utc(minutes):
    return iso(minutes, "+00:00")


def filler(seed, length):
    return "".join(ALPHABET[(seed * 7 + i * 13) % len(ALPHABET)] for i in range(length))


def account(n):
    return "%012d" % (200_000_000_000 + n * 1013)


def session(s):
    return "team-%03d" % s


def start_url(s):
    return "https://d-90670%05d.awsapps.com/start" % s


def legacy_url(u):
    return "https://legacy-%d.awsapps.com/start" % u


def sso_profile(s, r):
    return "team-%03d-%s" % (s, ROLES[r].lower())


def key_role(j):
    """(role_arn, role_session_name, duration_seconds, external_id)"""
    return (
        "arn:aws:iam::%s:role/%s" % (account(700 + j), ROLES[j % 5]),
        "bench-%03d" % j if j % 3 == 0 else None,
        3600 * (1 + j % 12) if j % 4 == 0 else None,
        "ext-%03d" % j if j % 10 == 0 else None,
    )


def chain_role(c):
    return "arn:aws:iam::%s:role/CrossAccount%d" % (account(850 + c), c % 3)


def chain_source(c):
    if c % 5 == 0 and c > 0:
        return "chain-%03d" % (c - 1)
    if c % 2 == 0:
        return sso_profile((c * 7) % SESSIONS, c % 5)
    return "role-%03d" % ((c * 3) % ROLES_OVER_KEYS)


def mfa_role(m):
    return (
        "arn:aws:iam::%s:role/Privileged" % account(950 + m),
        "arn:aws:iam::%s:mfa/user-%02d" % (USER_ACCOUNT, m % USERS),
    )


def sha1(text):
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def config():
    w = ["# A generated AWS config for benchmarks.\n[default]\nregion = us-east-1\noutput = json\n\n"]
    for s in range(SESSIONS):
        w.append(
            "[sso-session %s]\nsso_start_url = %s\nsso_region = %s\n"
            "sso_registration_scopes = sso:account:access\n\n" % (session(s), start_url(s), REGIONS[s % 4])
        )
    for s in range(SESSIONS):
        w.append("# Accounts of %s\n" % session(s))
        for r, role in enumerate(ROLES):
            w.append(
                "[profile %s]\nsso_session = %s\nsso_account_id = %s\nsso_role_name = %s\n"
                "region = %s\noutput = json\n\n"
                % (sso_profile(s, r), session(s), account(s * SSO_PER_SESSION + r), role, REGIONS[(s + r) % 4])
            )
    for l in range(LEGACY):
        w.append(
            "[profile legacy-%02d]\nsso_start_url = %s\nsso_region = us-east-1\nsso_account_id = %s\n"
            "sso_role_name = %s\n\n" % (l, legacy_url(l % LEGACY_URLS), account(600 + l), ROLES[l % 5])
        )
    for k in range(0, USERS, 2):
        w.append("[profile user-%02d]\nregion = %s\n\n" % (k, REGIONS[k % 4]))
    for j in range(ROLES_OVER_KEYS):
        arn, name, duration, external = key_role(j)
        w.append("[profile role-%03d]\nrole_arn = %s\nsource_profile = user-%02d\n" % (j, arn, j % USERS))
        if name is not None:
            w.append("role_session_name = %s\n" % name)
        if duration is not None:
            w.append("duration_seconds = %d\n" % duration)
        if external is not None:
            w.append("external_id = %s\n" % external)
        w.append("region = %s\n\n" % REGIONS[j % 4])
    for c in range(CHAINED):
        w.append("[profile chain-%03d]\nrole_arn = %s\nsource_profile = %s\n\n" % (c, chain_role(c), chain_source(c)))
    for m in range(MFA):
        arn, serial = mfa_role(m)
        w.append(
            "[profile mfa-%02d]\nrole_arn = %s\nsource_profile = user-%02d\nmfa_serial = %s\n"
            "duration_seconds = 3600\n\n" % (m, arn, m % USERS, serial)
        )
    for p in range(PROCESS):
        w.append(
            "[profile vault-%02d]\ncredential_process = /usr/local/bin/vault-aws-creds --role reader-%02d\n\n" % (p, p)
        )
    for b in range(BROKEN):
        w.append(
            "[profile broken-%d]\nrole_arn = arn:aws:iam::%s:role/Nowhere\nsource_profile = missing-%d\n\n"
            % (b, USER_ACCOUNT, b)
        )
    return "".join(w)


def credentials():
    w = ["# Long-term keys.\n"]
    for k in range(USERS):
        w.append(
            "[user-%02d]\naws_access_key_id = AKIABENCHUSER%07d\n"
            "aws_secret_access_key = benchSecretKeyDoNotUse%018d\n\n" % (k, k, k)
        )
    w.append("# Written by other sign-in tools; they renew them themselves.\n")
    for t in range(TEMPORARY):
        token = "IQoJb3JpZ2luX2Vj" + filler(t, 600)
        minutes = t * 37 % 720 - 240
        expires = z(minutes) if t % 2 == 0 else utc(minutes)
        w.append(
            "[okta-%02d]\naws_access_key_id = ASIABENCHTEMP%07d\n"
            "aws_secret_access_key = benchSecretKeyDoNotUse%018d\naws_session_token = %s\n"
            % (t, t, 1000 + t, token)
        )
        if t % 3 == 0:
            w.append("aws_security_token = %s\n" % token)
        w.append("x_security_token_expires = %s\n\n" % expires)
    return "".join(w)


def sso_cache():
    files = []
    for s in range(TOKENS):
        registration = -24 * 60 if s % 11 == 0 else (30 + s) * 24 * 60
        text = (
            '{\n  "startUrl": "%s",\n  "region": "%s",\n  "accessToken": "aoa%s",\n  "expiresAt": "%s",\n'
            '  "clientId": "benchClient%03d%s",\n  "clientSecret": "%s",\n  "registrationExpiresAt": "%s",\n'
            '  "refreshToken": "aor%s"\n}\n'
            % (
                start_url(s),
                REGIONS[s % 4],
                filler(s, 400),
                z(s * 53 % 600 - 120),
                s,
                filler(s + 1, 8),
                filler(s + 2, 600),
                z(registration),
                filler(s + 3, 300),
            )
        )
        files.append((sha1(session(s)) + ".json", text))
    for u in range(LEGACY_URLS):
        text = '{\n  "startUrl": "%s",\n  "region": "us-east-1",\n  "accessToken": "aoa%s",\n  "expiresAt": "%s"\n}\n' % (
            legacy_url(u),
            filler(100 + u, 400),
            z(u * 90 - 120),
        )
        files.append((sha1(legacy_url(u)) + ".json", text))
    return sorted(files)


def credentials_json(i, expiration):
    return (
        '"Credentials": {"AccessKeyId": "ASIABENCHCACHE%06d", "SecretAccessKey": "benchSecretKeyDoNotUse%018d", '
        '"SessionToken": "IQoJb3JpZ2luX2Vj%s", "Expiration": "%s"}' % (i, 2000 + i, filler(200 + i, 600), expiration)
    )


def assumed_role_entry(i, arn):
    session_id = 1_795_330_000 + i
    acct, role = arn[len("arn:aws:iam::") :].split(":role/", 1)
    return (
        '{%s, "AssumedRoleUser": {"AssumedRoleId": "AROABENCH%011d:botocore-session-%d", '
        '"Arn": "arn:aws:sts::%s:assumed-role/%s/botocore-session-%d"}, '
        '"ResponseMetadata": {"RequestId": "00000000-0000-4000-8000-%012d", "HTTPStatusCode": 200, "RetryAttempts": 0}}\n'
        % (credentials_json(i, utc(i * 29 % 180 - 60)), i, session_id, acct, role, session_id, i)
    )


def assume_role_key(args):
    """botocore's AssumeRoleCredentialFetcher._create_cache_key."""
    return sha1(json.dumps(args, sort_keys=True))


def sso_role_key(account_id, role_name, session_name):
    """botocore's SSOCredentialFetcher._create_cache_key."""
    args = {"accountId": account_id, "roleName": role_name, "sessionName": session_name}
    return sha1(json.dumps(args, sort_keys=True, separators=(",", ":")))


def cli_cache():
    files = []
    for s in range(SSO_ROLE_ENTRIES):
        r = s % 5
        key = sso_role_key(account(s * SSO_PER_SESSION + r), ROLES[r], session(s))
        text = '{"ProviderType": "sso", %s}\n' % credentials_json(s, z(s * 29 % 180 - 60))
        files.append((key + ".json", text))
    i = SSO_ROLE_ENTRIES
    for j in range(0, 40, 5):
        arn, name, duration, external = key_role(j)
        args = {"RoleArn": arn}
        if name is not None:
            args["RoleSessionName"] = name
        if duration is not None:
            args["DurationSeconds"] = duration
        if external is not None:
            args["ExternalId"] = external
        files.append((assume_role_key(args) + ".json", assumed_role_entry(i, arn)))
        i += 1
    for c in range(7):
        arn = chain_role(c)
        files.append((assume_role_key({"RoleArn": arn}) + ".json", assumed_role_entry(i, arn)))
        i += 1
    for m in range(5):
        arn, serial = mfa_role(m)
        args = {"RoleArn": arn, "DurationSeconds": 3600, "SerialNumber": serial}
        files.append((assume_role_key(args) + ".json", assumed_role_entry(i, arn)))
        i += 1
    return sorted(files)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def main(argv):
    if len(argv) != 2 or argv[1].startswith("-"):
        sys.stderr.write("usage: gen-home.py DIR\n")
        return 2
    aws = os.path.join(argv[1], ".aws")
    write(os.path.join(aws, "config"), config())
    write(os.path.join(aws, "credentials"), credentials())
    for name, text in sso_cache():
        write(os.path.join(aws, "sso", "cache", name), text)
    for name, text in cli_cache():
        write(os.path.join(aws, "cli", "cache", name), text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
