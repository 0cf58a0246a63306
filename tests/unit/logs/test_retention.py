"""The kit's log sink keeps a learner's recent Lambda logs in moto and drops the oldest, within bounds."""

from __future__ import annotations

import time
import uuid
from typing import Any

from moto.logs.models import logs_backends

from infra.local.logs.retention import Retention
from infra.local.logs.sink import MotoLogSink, new_stream_name

ACCOUNT, REGION = "123456789012", "eu-west-3"


def backend() -> Any:
    return logs_backends[ACCOUNT][REGION]


def invocation(number: int, now_ms: int) -> list[tuple[int, str]]:
    """The four lines one warm invocation writes (START, one line of output, END, REPORT)."""
    rid = f"req-{number:08d}"
    return [
        (now_ms, f"START RequestId: {rid} Version: $LATEST"),
        (now_ms, f"hello from invocation {number}"),
        (now_ms, f"END RequestId: {rid}"),
        (now_ms, f"REPORT RequestId: {rid}\tDuration: 1.00 ms\tBilled Duration: 1 ms\t"),
    ]


def new_group() -> str:
    return f"/aws/lambda/retention-{uuid.uuid4().hex[:8]}"


def test_a_stream_written_far_past_its_cap_keeps_the_newest_and_stays_bounded() -> None:
    sink, group, stream = MotoLogSink(), new_group(), new_stream_name("$LATEST")
    now_ms = int(time.time() * 1000)
    for number in range(20_000):  # 80,000 events: 64 times the cap
        sink.put(ACCOUNT, REGION, group, stream, invocation(number, now_ms))
    events = backend().groups[group].streams[stream].events
    cap = sink.retention.max_events_per_stream
    assert cap <= len(events) <= cap * (1 + sink.retention.slack)
    assert [event.message for event in events[-4:]] == [message for _, message in invocation(19_999, now_ms)]
    found, _, _ = backend().filter_log_events(group, [], None, None, 10_000, None, '"invocation 19999"', True)
    assert [event["message"] for event in found] == ["hello from invocation 19999"]
    latest, _, _ = backend().get_log_events(group, None, stream, None, None, 4, None, False)
    assert latest[-1]["message"].startswith("REPORT RequestId: req-00019999")


def test_a_group_keeps_its_most_recently_written_streams() -> None:
    retention = Retention(max_events_per_stream=8, max_streams_per_group=5)
    sink, group = MotoLogSink(retention), new_group()
    now_ms = int(time.time() * 1000)
    streams = [new_stream_name("$LATEST") for _ in range(40)]
    for number, stream in enumerate(streams):
        sink.put(ACCOUNT, REGION, group, stream, invocation(number, now_ms))
        time.sleep(0.001)  # distinct ingestion times
    assert sorted(backend().groups[group].streams) == sorted(streams[-5:])


def test_the_byte_cap_drops_old_events_but_never_the_newest_write() -> None:
    retention = Retention(max_events_per_stream=1_000, max_bytes_per_stream=10_000, slack=0.0)
    sink, group, stream = MotoLogSink(retention), new_group(), new_stream_name("$LATEST")
    now_ms = int(time.time() * 1000)
    for number in range(100):
        sink.put(ACCOUNT, REGION, group, stream, [(now_ms, f"{number:04d}" + "x" * 996)])
    events = backend().groups[group].streams[stream].events
    assert sum(len(event.message) for event in events) <= 10_000
    assert events[-1].message.startswith("0099")
    big = [(now_ms, "y" * 6_000), (now_ms, "z" * 6_000)]  # one write larger than the cap: kept whole
    sink.put(ACCOUNT, REGION, group, stream, big)
    assert [event.message[0] for event in backend().groups[group].streams[stream].events] == ["y", "z"]


def test_dropped_events_are_let_go_not_kept_by_moto() -> None:
    import gc
    import weakref

    sink, group, stream = MotoLogSink(Retention(max_events_per_stream=10)), new_group(), new_stream_name("$LATEST")
    now_ms = int(time.time() * 1000)
    sink.put(ACCOUNT, REGION, group, stream, invocation(0, now_ms))
    first = weakref.ref(backend().groups[group].streams[stream].events[0])
    for number in range(1, 50):
        sink.put(ACCOUNT, REGION, group, stream, invocation(number, now_ms))
    gc.collect()
    assert first() is None  # moto's instance tracking would have kept it alive
