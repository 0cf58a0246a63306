"""The HTTP/1.1 shell every socket of the local cloud speaks, and the request/response values its cores share.

Emulates no AWS service: it carries bytes to ``HttpRequest`` and ``HttpResponse`` back to bytes.
Entry: ``server.serve_http`` (the connection loop); ``types`` is imported by every service.
"""
