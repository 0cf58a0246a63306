"""Lambda Function URLs: the front end at ``<url-id>.lambda-url.<region>.on.aws`` (and ``.localhost``).

Emulates the 2.0 event, response mapping, NONE/AWS_IAM auth, CORS and streamed responses. Not emulated:
URLs inside a VPC, request size limits beyond 6 MB. Entry: ``front_end.FunctionUrlFrontEnd``.
"""
