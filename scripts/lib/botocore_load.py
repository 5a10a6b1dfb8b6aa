"""botocore merely loading a home's AWS files, as the AWS CLI and boto3 do
before their first request: the config file parsed into profiles and the
credentials file parsed beside it. Prints how many profiles it sees.

    HOME=DIR .venv/bin/python scripts/lib/botocore_load.py
"""

import os

import botocore.configloader
import botocore.session

session = botocore.session.Session()
profiles = set(session.full_config["profiles"])
credentials = os.path.expanduser(session.get_config_variable("credentials_file"))
profiles |= set(botocore.configloader.raw_config_parse(credentials))
print("profiles", len(profiles))
