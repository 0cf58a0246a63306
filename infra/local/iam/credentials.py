"""The credentials the kit uses in local mode, and hands to the handlers it runs.

They stand for the local cloud's default account's root user (``iam/identity.py``). They are not secret:
nothing outside this machine accepts them.
"""

LOCAL_ACCESS_KEY = "AKIAKITLOCAL00000000"
LOCAL_SECRET_KEY = "local-cloud-secret-key-not-a-real-secret"
