"""Encode ``application/vnd.amazon.eventstream`` messages, as ``InvokeWithResponseStream`` returns them.

The binary framing (docs.aws.amazon.com/AmazonS3/latest/API/RESTSelectObjectAppendix.html, "Event Stream
Encoding", the same for every AWS event stream): total length and headers length (uint32, big-endian), a
CRC32 of those 8 bytes, the headers (name length, name, value type 7 = string, uint16 value length, value),
the payload, then a CRC32 of all that precedes it. botocore's ``EventStreamBuffer`` reads it back.
"""

from __future__ import annotations

import binascii
import struct

_STRING = 7


def _header(name: str, value: str) -> bytes:
    raw_name, raw_value = name.encode(), value.encode()
    return struct.pack("!B", len(raw_name)) + raw_name + struct.pack("!BH", _STRING, len(raw_value)) + raw_value


def encode_event(event_type: str, payload: bytes, content_type: str = "application/octet-stream") -> bytes:
    """One event message (``:message-type`` event) of ``event_type`` carrying ``payload``."""
    headers = (
        _header(":event-type", event_type) + _header(":content-type", content_type) + _header(":message-type", "event")
    )
    total = 12 + len(headers) + len(payload) + 4
    prelude = struct.pack("!II", total, len(headers))
    prelude += struct.pack("!I", binascii.crc32(prelude) & 0xFFFFFFFF)
    message = prelude + headers + payload
    return message + struct.pack("!I", binascii.crc32(message) & 0xFFFFFFFF)
