"""A class in one AWS account (aws mode): roster, scoped learner credentials, dashboard, class teardown.

    python -m infra.classroom create --roster roster.txt --out creds/ --regions ap-northeast-2
    python -m infra.classroom dashboard --roster roster.txt
    python -m infra.classroom teardown --roster roster.txt --yes

``roster.py`` reads the roster, ``learner_policy.py`` writes the policy documents, ``accounts.py`` creates and
deletes the learners' IAM users and their credential files, ``dashboard.py`` says who has reached which notebook,
``teardown.py`` removes a whole class. Everything runs against the local cloud too, where IAM users' calls are
authorized by their policies and boundaries (``infra/local/iam/api_authz.py``).
"""
