"""What the kit prints for a learner, in English and Korean: one catalog, looked up by key.

Every learner-facing string that ``infra`` prints or puts in a table goes through :func:`t`, so a notebook's
code cell reads the same in both languages and only the setting differs (``KIT_LANG``, or the notebook's
folder: see :func:`infra.settings.resolve_language`). Korean follows the terms of AWS's Korean documentation
(docs.aws.amazon.com/ko_kr): 함수 URL, 응답 스트리밍, 간접 호출, 실행 환경, 배포 (a CloudFront distribution),
오리진 액세스 제어(OAC), 호스팅 영역, 별칭 레코드; API names, parameters, status values and error codes stay in
English, as those docs keep them.
"""

from __future__ import annotations

import string
from collections.abc import Mapping

from .settings import LANGUAGES, SettingsError, resolve_language

#: key -> {language: text}; texts are ``str.format`` templates, and both languages use the same fields.
CATALOG: Mapping[str, Mapping[str, str]] = {
    # -- what a deploy step did (the ``action`` of its result) ---------------------------------------------------
    "action.created": {"en": "created", "ko": "생성됨"},
    "action.updated": {"en": "updated", "ko": "업데이트됨"},
    "action.unchanged": {"en": "unchanged", "ko": "변경 없음"},
    "action.requested": {"en": "requested", "ko": "요청됨"},
    "action.found": {"en": "found", "ko": "찾음"},
    "action.published": {"en": "published", "ko": "게시됨"},
    # -- 00 setup ------------------------------------------------------------------------------------------------
    "setup.mode": {
        "en": "mode: {mode} | region: {region} | learner prefix: {learner}",
        "ko": "모드: {mode} | 리전: {region} | 학습자 접두사: {learner}",
    },
    "setup.local_cloud": {"en": "local cloud: {endpoint}", "ko": "로컬 클라우드: {endpoint}"},
    "checks.component": {"en": "component", "ko": "구성 요소"},
    "checks.version": {"en": "version", "ko": "버전"},
    "checks.missing": {
        "en": "MISSING: run the README's install command",
        "ko": "설치되지 않음: README의 설치 명령을 실행하세요",
    },
    # -- aws mode's banner ---------------------------------------------------------------------------------------
    "kit.banner": {
        "en": "aws mode: account {account}, region {region}, learner prefix '{learner}'.",
        "ko": "aws 모드: 계정 {account}, 리전 {region}, 학습자 접두사 '{learner}'.",
    },
    "kit.cost_warning": {
        "en": "aws mode creates real resources in this account. Lambda, CloudFront, ACM and Route 53 calls made by "
        "the notebooks fall mostly within the free tier, but a hosted zone costs USD 0.50 a month and anything "
        "left running can cost money: run notebooks/10_cleanup.ipynb when you are done.",
        "ko": "aws 모드는 이 계정에 실제 리소스를 만듭니다. 노트북이 호출하는 Lambda, CloudFront, ACM, Route 53은 "
        "대부분 프리 티어 안에 들지만, 호스팅 영역은 한 달에 USD 0.50이고 남겨 둔 리소스에는 요금이 나올 수 "
        "있습니다. 끝나면 notebooks/10_cleanup.ipynb를 실행하세요.",
    },
    # -- 01 deploy and invoke ------------------------------------------------------------------------------------
    "deploy.zip": {"en": "{size} bytes, CodeSha256 {sha}", "ko": "{size}바이트, CodeSha256 {sha}"},
    "reports.invocation": {"en": "invocation", "ko": "간접 호출"},
    "reports.start": {"en": "start", "ko": "시작"},
    "reports.cold": {"en": "cold", "ko": "콜드"},
    "reports.warm": {"en": "warm", "ko": "웜"},
    "reports.invocations_here": {"en": "invocations in this environment", "ko": "이 실행 환경의 간접 호출 수"},
    "logs.stream": {
        "en": "log stream {stream} holds {count} lines, starting with:",
        "ko": "로그 스트림 {stream} 안의 줄: {count}개. 처음 몇 줄:",
    },
    # -- 02 function URL -----------------------------------------------------------------------------------------
    "cors.preflight": {"en": "preflight: {status}", "ko": "사전 요청(preflight): {status}"},
    "cors.header_value": {"en": "header value", "ko": "헤더 값"},
    # -- 04 response streaming -----------------------------------------------------------------------------------
    "streaming.line": {"en": "line", "ko": "줄"},
    "streaming.written": {"en": "written by the function", "ko": "함수가 쓴 시각"},
    "streaming.arrived": {"en": "arrived, {mode}", "ko": "도착, {mode}"},
    "plot.seconds_after_request": {"en": "seconds after the request", "ko": "요청 후 경과 시간(초)"},
    "plot.lines_received": {"en": "lines received", "ko": "받은 줄 수"},
    "streaming.ttfb_shorter": {
        "en": "time to first byte is shorter when streaming: {verdict}",
        "ko": "스트리밍하면 첫 바이트까지의 시간이 더 짧다: {verdict}",
    },
    "streaming.plain_behind_stream": {
        "en": "a plain handler behind a RESPONSE_STREAM URL sends its result object as it is: {body}",
        "ko": "RESPONSE_STREAM URL 뒤의 평범한 핸들러는 결과 객체를 그대로 보냅니다: {body}",
    },
    "streaming.with_runtime": {
        "en": "the same handler with the streaming runtime: {body}",
        "ko": "같은 핸들러에 스트리밍 런타임을 붙이면: {body}",
    },
    "widget.counter": {"en": "counter", "ko": "카운터"},
    "apigw.cut_at_29": {
        "en": "cut off after 29 seconds, before the count of 35 was done: {verdict}",
        "ko": "35까지 세기 전에 29초에서 끊겼다: {verdict}",
    },
    # -- stream_view ---------------------------------------------------------------------------------------------
    "stream.waiting": {"en": "waiting for the first byte…", "ko": "첫 바이트를 기다리는 중…"},
    "stream.figures": {
        "en": "elapsed {elapsed} · {bytes} bytes · {lines} lines · time to first byte {ttfb}",
        "ko": "경과 {elapsed} · {bytes}바이트 · {lines}줄 · 첫 바이트까지 {ttfb}",
    },
    "stream.nothing": {"en": "nothing", "ko": "없음"},
    "stream.counter_line": {
        "en": "line {count}: written {written} s after the start, arrived after {arrived} s",
        "ko": "{count}번째 줄: 시작 {written}초 후에 쓰고, {arrived}초 후에 도착",
    },
    "stream.axis_seconds": {"en": "seconds since the request", "ko": "요청 후 경과 시간(초)"},
    "stream.axis_lines": {"en": "lines", "ko": "줄"},
    "stream.limit": {"en": "{seconds} s", "ko": "{seconds}초"},
    "stream.summary": {
        "en": "received {count} lines; the last one says {last}",
        "ko": "{count}줄을 받았습니다. 마지막 줄: {last}",
    },
    "stream.past": {
        "en": "; still streaming after {seconds} seconds: {verdict}",
        "ko": " · {seconds}초가 지나도 스트리밍 중: {verdict}",
    },
    "yes": {"en": "yes", "ko": "예"},
    "no": {"en": "no", "ko": "아니요"},
    # -- progress ------------------------------------------------------------------------------------------------
    "progress.waiting": {"en": "waiting", "ko": "대기 중"},
    "progress.checking": {"en": "{what}: checking…", "ko": "{what}: 확인 중…"},
    "progress.status": {
        "en": "{what}: <b>{status}</b> after {elapsed} s ({attempt} checks)",
        "ko": "{what}: {elapsed} s 후 <b>{status}</b> (확인 {attempt}번)",
    },
    # -- 05 CloudFront -------------------------------------------------------------------------------------------
    "cf.origin": {
        "en": "origin: {domain} | {protocol} | read timeout {timeout} s",
        "ko": "오리진: {domain} | {protocol} | 읽기 제한 시간 {timeout}초",
    },
    "cf.policies": {
        "en": "cache policy: {cache} | origin request policy: {origin_request}",
        "ko": "캐시 정책: {cache} | 오리진 요청 정책: {origin_request}",
    },
    "cf.header_compare": {
        "en": "{header:13} direct: {direct:10} through CloudFront: {edge}",
        "ko": "{header:13} 직접: {direct:10} CloudFront 경유: {edge}",
    },
    "cf.none": {"en": "(none)", "ko": "(없음)"},
    "cf.host_is_origin": {
        "en": "Host is the URL's own name: {verdict}",
        "ko": "Host는 함수 URL 자신의 이름이다: {verdict}",
    },
    "cf.timing": {
        "en": "{policy:17} median {median:.2f} ms, slowest {slowest:.2f} ms",
        "ko": "{policy:17} 중앙값 {median:.2f} ms, 가장 느린 요청 {slowest:.2f} ms",
    },
    "plot.request": {"en": "request", "ko": "요청"},
    "plot.twenty_gets": {"en": "20 GETs of /hello through CloudFront", "ko": "CloudFront를 거친 /hello GET 20번"},
    "cf.hits_faster": {
        "en": "cache hits are faster than going to the function: {verdict}",
        "ko": "캐시 적중이 함수까지 가는 것보다 빠르다: {verdict}",
    },
    "cf.timeout_504": {
        "en": "504 after CloudFront's 30-second read timeout, before the count of 35 was done: {verdict}",
        "ko": "35까지 세기 전에 CloudFront의 30초 읽기 제한 시간이 지나 504: {verdict}",
    },
    # -- costs (comparison) --------------------------------------------------------------------------------------
    "cost.volume": {"en": "million requests / month", "ko": "월 요청 수(백만 건)"},
    "cost.url_alone": {"en": "URL alone", "ko": "함수 URL만"},
    "cost.cloudfront_and_url": {"en": "CloudFront + URL", "ko": "CloudFront + 함수 URL"},
    "cost.api_gateway": {"en": "API Gateway REST", "ko": "API Gateway REST"},
    "plot.usd_per_month": {"en": "USD per month (requests only)", "ko": "월 USD(요청 요금만)"},
    "plot.request_charges": {
        "en": "Request charges by monthly volume, ap-northeast-2",
        "ko": "월 요청 수에 따른 요청 요금, ap-northeast-2",
    },
    "cost.saving": {
        "en": "at {volume} million requests a month, CloudFront in front of a URL saves USD {usd:.2f} over API Gateway",
        "ko": "한 달 요청이 {volume}×100만 건이면 함수 URL 앞에 CloudFront를 둔 쪽이 "
        "API Gateway보다 USD {usd:.2f} 쌉니다",
    },
    # -- 08 versions and aliases -------------------------------------------------------------------------------
    "versions.version": {"en": "version", "ko": "버전"},
    "versions.description": {"en": "description", "ko": "설명"},
    "versions.version_line": {"en": "version {number}: {action}", "ko": "버전 {number}: {action}"},
    "versions.published": {"en": "published", "ko": "게시됨"},
    "versions.unchanged": {
        "en": "nothing changed since it was published, so nothing new was published",
        "ko": "게시 이후 바뀐 것이 없어 새로 게시되지 않음",
    },
    "versions.accepted": {"en": "accepted", "ko": "받아들여짐"},
    "versions.url_on_version": {"en": "a URL on version 1:", "ko": "버전 1에 붙인 URL:"},
    "versions.alias_on_alias": {"en": "an alias of the alias live:", "ko": "별칭 live를 가리키는 별칭:"},
    "versions.weights_on_latest": {"en": "weights on an alias of $LATEST:", "ko": "$LATEST 별칭의 가중치:"},
    "versions.provisioned_on_latest": {
        "en": "provisioned concurrency on $LATEST:",
        "ko": "$LATEST의 프로비저닝된 동시성:",
    },
    "versions.rolled_back": {
        "en": "live points at version {version} again; the next answers came from: {answers}",
        "ko": "live가 다시 버전 {version}을(를) 가리킴. 다음 응답을 보낸 버전: {answers}",
    },
    "versions.stream_versions": {
        "en": "versions named by the log streams: {found}",
        "ko": "로그 스트림 이름에 있는 버전: {found}",
    },
    "versions.provisioned_removed": {
        "en": "provisioned concurrency of live removed: {verdict}",
        "ko": "live의 프로비저닝된 동시성 제거: {verdict}",
    },
    "label.provisioned": {"en": "provisioned concurrency of live", "ko": "live의 프로비저닝된 동시성"},
    "shift.asked": {"en": "share asked for version 2", "ko": "버전 2에 요청한 비율"},
    "shift.requests": {"en": "requests", "ko": "요청 수"},
    "shift.band": {"en": "expected band", "ko": "예상 범위"},
    "shift.within": {"en": "observed share inside it", "ko": "관측 비율이 범위 안"},
    "plot.observed_share": {"en": "answers from version {version}", "ko": "버전 {version}의 응답"},
    "plot.band": {"en": "band of a correct router", "ko": "올바른 라우터의 범위"},
    "plot.asked_share": {"en": "share asked for", "ko": "요청한 비율"},
    "plot.weight_step": {"en": "AdditionalVersionWeights step", "ko": "AdditionalVersionWeights 단계"},
    "plot.share_of_answers": {"en": "share of answers", "ko": "응답 비율"},
    "plot.shift_title": {
        "en": "Blue/green on the alias live: 200 requests per step",
        "ko": "별칭 live의 블루/그린: 단계마다 요청 200개",
    },
    # -- 09 cost -------------------------------------------------------------------------------------------------
    "price.column.what": {"en": "what", "ko": "항목"},
    "price.column.price": {"en": "price", "ko": "요금"},
    "price.column.free": {"en": "free each month", "ko": "매월 무료"},
    "price.column.source": {"en": "source", "ko": "출처"},
    "price.column.read": {"en": "read on", "ko": "확인한 날"},
    "price.column.line": {"en": "line", "ko": "항목"},
    "price.column.how": {"en": "how", "ko": "계산"},
    "price.duration": {"en": "Lambda duration, {architecture}", "ko": "Lambda 실행 시간, {architecture}"},
    "price.per_gb_second": {"en": "{price} per GB-second (billed per 1 ms)", "ko": "GB-초당 {price} (1ms 단위 과금)"},
    "price.free_gb_seconds": {"en": "400,000 GB-s (both together)", "ko": "400,000 GB-초 (두 아키텍처 합계)"},
    "price.requests": {"en": "Lambda requests", "ko": "Lambda 요청"},
    "price.per_million": {"en": "{price} per 1M", "ko": "100만 건당 {price}"},
    "price.per_10000": {"en": "{price} per 10,000", "ko": "1만 건당 {price}"},
    "price.streaming": {"en": "Lambda response streaming", "ko": "Lambda 응답 스트리밍"},
    "price.per_streamed_gb": {
        "en": "{price} per GB past each response's first 6 MB",
        "ko": "응답마다 처음 6MB를 넘는 GB당 {price}",
    },
    "price.url": {"en": "$0: its invocations are Lambda requests", "ko": "$0: 호출은 Lambda 요청으로 과금"},
    "price.cloudfront": {"en": "CloudFront HTTPS requests ({viewers})", "ko": "CloudFront HTTPS 요청 ({viewers})"},
    "seed.compute_full": {"en": "compute, no free tier", "ko": "컴퓨팅, 무료 구간 제외"},
    "seed.requests_full": {"en": "requests, no free tier", "ko": "요청, 무료 구간 제외"},
    "seed.total_full": {"en": "total, no free tier (the seed's $25.62)", "ko": "합계, 무료 구간 제외 (시드의 $25.62)"},
    "seed.compute_free": {
        "en": "compute, free tier deducted (the seed's $18.34)",
        "ko": "컴퓨팅, 무료 구간 포함 (시드의 $18.34)",
    },
    "seed.requests_free": {
        "en": "requests, free tier deducted: what $18.34 leaves out",
        "ko": "요청, 무료 구간 포함: $18.34에 빠진 것",
    },
    "seed.total_free": {"en": "total, free tier deducted (AWS's example)", "ko": "합계, 무료 구간 포함 (AWS 예제)"},
    "seed.compute_today": {
        "en": "compute, free tier deducted, at today's unrounded price",
        "ko": "컴퓨팅, 무료 구간 포함, 반올림 전 현재 요금",
    },
    "bill.service": {"en": "service", "ko": "서비스"},
    "bill.name": {"en": "name", "ko": "이름"},
    "bill.requests": {"en": "requests", "ko": "요청 수"},
    "bill.usd": {"en": "USD, no free tier", "ko": "USD, 무료 구간 제외"},
    "bill.checks": {
        "en": "every function of yours is in the bill, from its REPORT lines: {complete} | "
        "with the free tiers deducted: USD {free:.2f}",
        "ko": "내 함수가 모두 REPORT 줄로 청구서에 있음: {complete} | 무료 구간을 빼면: USD {free:.2f}",
    },
    "bill.arch": {
        "en": "the seed's example on arm64: USD {arm} instead of USD {x86} (compute {share:.0%} cheaper)",
        "ko": "시드 예제를 arm64에서: USD {x86} 대신 USD {arm} (컴퓨팅 {share:.0%} 저렴)",
    },
    "bill.no_crossing": {
        "en": "API Gateway REST and CloudFront + URL do not cross between {low}M and {high}M requests a month: "
        "CloudFront in front of the URL stays cheaper at every volume",
        "ko": "월 {low}백만~{high}백만 건 사이에서 API Gateway REST와 CloudFront + URL 선은 만나지 않음: "
        "모든 규모에서 URL 앞의 CloudFront가 더 쌈",
    },
    "bill.crossing": {
        "en": "API Gateway REST and CloudFront + URL cross at {at} requests a month",
        "ko": "API Gateway REST와 CloudFront + URL 선은 월 {at}건에서 만남",
    },
    "bill.memory": {"en": "memory (MB)", "ko": "메모리(MB)"},
    "bill.duration": {"en": "duration (ms)", "ko": "실행 시간(ms)"},
    "bill.monthly": {"en": "USD / month for 1M invocations", "ko": "호출 100만 건의 월 USD"},
    "bill.memory_verdict": {
        "en": "up to {one_vcpu} MB the cost stays within {spread:.1%} while the duration falls {faster:.0f}x; "
        "at {top} MB it costs {more:.1f}x as much and runs no faster",
        "ko": "{one_vcpu}MB까지는 요금 차이가 {spread:.1%} 이내인 채로 실행 시간이 {faster:.0f}배 줄고, "
        "{top}MB에서는 {more:.1f}배 비싸지만 더 빨라지지 않음",
    },
    "plot.workshop_bill": {
        "en": "This workshop, priced without the free tier (USD)",
        "ko": "이 워크숍의 요금, 무료 구간 제외(USD)",
    },
    "plot.front_doors": {
        "en": "One month: Lambda + front door, 10 ms at 128 MB, free tiers deducted",
        "ko": "한 달: Lambda + 앞단, 128MB에서 10ms, 무료 구간 포함",
    },
    "plot.memory": {
        "en": "A CPU-bound handler: 1M invocations a month, no free tier",
        "ko": "CPU를 쓰는 핸들러: 월 100만 호출, 무료 구간 제외",
    },
    # -- 06 origin access control --------------------------------------------------------------------------------
    "oac.through": {"en": "through CloudFront: {result}", "ko": "CloudFront 경유: {result}"},
    "oac.around": {"en": "around CloudFront:  {result}", "ko": "CloudFront 우회: {result}"},
    "oac.removed": {"en": "removed: {what}", "ko": "제거함: {what}"},
    "oac.added": {"en": "added: {what}", "ko": "추가함: {what}"},
    "oac.is_the_oac": {
        "en": "the origin's OriginAccessControlId is the OAC: {verdict}",
        "ko": "오리진의 OriginAccessControlId가 이 OAC다: {verdict}",
    },
    "oac.distribution_arn": {"en": "distribution ARN: {arn}", "ko": "배포 ARN: {arn}"},
    "oac.signed_by": {
        "en": "the function saw a request signed by: {arn}",
        "ko": "함수가 본 요청의 서명자: {arn}",
    },
    "oac.other_distribution": {
        "en": "a distribution the policy does not name: {result}",
        "ko": "정책에 없는 배포: {result}",
    },
    "oac.without_hash": {"en": "without x-amz-content-sha256: {result}", "ko": "x-amz-content-sha256 없이: {result}"},
    "oac.with_hash": {"en": "with x-amz-content-sha256:    {result}", "ko": "x-amz-content-sha256과 함께: {result}"},
    "widget.via_cloudfront": {"en": "via CloudFront", "ko": "CloudFront 경유"},
    "oac.silence": {
        "en": "lines received: {count}; longest silence between two lines: {gap:.1f} s "
        "(CloudFront would cut the stream after 30.0 s)",
        "ko": "받은 줄: {count} · 두 줄 사이의 가장 긴 침묵: {gap:.1f} s "
        "(30.0 s가 넘으면 CloudFront가 스트림을 끊습니다)",
    },
    "oac.one_by_one": {
        "en": "the lines arrived one by one as they were written, not all at the end: {verdict}",
        "ko": "줄이 끝에 한꺼번에가 아니라 쓰인 순간마다 하나씩 도착했다: {verdict}",
    },
    # -- 07 custom domain ----------------------------------------------------------------------------------------
    "domain.zone": {"en": "hosted zone: {zone}", "ko": "호스팅 영역: {zone}"},
    "domain.your_names": {"en": "your names:  {first} and {second}", "ko": "내 이름:    {first}, {second}"},
    "domain.zone_action": {"en": "{action} hosted zone {zone}", "ko": "호스팅 영역 {zone}: {action}"},
    "domain.status": {"en": "status: {status}", "ko": "상태: {status}"},
    "domain.accepted": {"en": "accepted", "ko": "수락됨"},
    "domain.refused": {"en": "refused: {message}", "ko": "거부됨: {message}"},
    "domain.issued_already": {
        "en": "the certificate is issued already (this cell ran before)",
        "ko": "인증서가 이미 발급되었습니다(이 셀을 전에 실행했습니다)",
    },
    "label.certificate": {"en": "certificate", "ko": "인증서"},
    "label.certificate_in": {"en": "certificate in {region}", "ko": "{region}의 인증서"},
    "domain.region": {"en": "region: {region}", "ko": "리전: {region}"},
    "domain.aliases": {
        "en": "  aliases: {aliases} | certificate: {region}",
        "ko": "  대체 도메인 이름: {aliases} | 인증서 리전: {region}",
    },
    "domain.in_a_browser": {"en": "in a browser: {url}", "ko": "브라우저에서: {url}"},
    "tls.field": {"en": "field", "ko": "항목"},
    "tls.value": {"en": "value", "ko": "값"},
    "tls.server_name": {"en": "server name asked (SNI)", "ko": "요청한 서버 이름(SNI)"},
    "tls.subject": {"en": "subject", "ko": "주체(subject)"},
    "tls.names": {"en": "names it covers (SANs)", "ko": "포함하는 이름(SAN)"},
    "tls.issuer": {"en": "issuer", "ko": "발급자"},
    "tls.valid_from": {"en": "valid from", "ko": "유효 시작"},
    "tls.valid_until": {"en": "valid until", "ko": "유효 종료"},
    "tls.days": {"en": "days of validity", "ko": "유효 기간(일)"},
    "tls.version": {"en": "TLS negotiated", "ko": "협상된 TLS"},
    "tls.refused": {"en": "{name}: handshake refused ({reason})", "ko": "{name}: 핸드셰이크 거부됨({reason})"},
    "tls.presented": {
        "en": "{name}: certificate for {names} over {version}",
        "ko": "{name}: {names}용 인증서, {version}",
    },
    "tls.same_serial": {
        "en": "the certificate presented is ACM's us-east-1 one: {verdict}; the Seoul one: {seoul}",
        "ko": "제시된 인증서가 us-east-1의 ACM 인증서인가: {verdict}, 서울 인증서인가: {seoul}",
    },
    "tls.plain_http": {"en": "over plain HTTP: {status} -> {location}", "ko": "일반 HTTP로: {status} -> {location}"},
    "tls.curl": {
        "en": "the same from a terminal (curl trusts your local CA with --cacert):\n{command}",
        "ko": "터미널에서 같은 요청(curl은 --cacert로 로컬 CA를 신뢰합니다):\n{command}",
    },
    # -- 08 cleanup ----------------------------------------------------------------------------------------------
    "cleanup.plan": {
        "en": "{count} resources of learner '{learner}' ({mode} mode)",
        "ko": "학습자 '{learner}'의 리소스 {count}개({mode} 모드)",
    },
    "cleanup.confirm": {
        "en": "Delete these {count} resources of '{learner}'? Type 'yes': ",
        "ko": "'{learner}'의 리소스 {count}개를 삭제할까요? 'yes'를 입력하세요: ",
    },
    "cleanup.nothing_deleted": {"en": "nothing deleted", "ko": "아무것도 삭제하지 않았습니다"},
    "cleanup.service": {"en": "service", "ko": "서비스"},
    "cleanup.kind": {"en": "kind", "ko": "종류"},
    "cleanup.name": {"en": "name", "ko": "이름"},
    "cleanup.region": {"en": "region", "ko": "리전"},
    "cleanup.global": {"en": "global", "ko": "글로벌"},
    "cleanup.outcome": {"en": "outcome", "ko": "결과"},
    "cleanup.count": {"en": "count", "ko": "개수"},
    "cleanup.deleted": {"en": "deleted", "ko": "삭제됨"},
    "cleanup.already_gone": {"en": "already gone", "ko": "이미 없음"},
    "cleanup.left": {"en": "{service:11} {count} LEFT", "ko": "{service:11} {count}개 남음"},
    "cleanup.nothing_left_in": {"en": "{service:11} nothing left", "ko": "{service:11} 남은 것 없음"},
    "cleanup.something_left": {
        "en": "something is left: run this notebook again",
        "ko": "남은 것이 있습니다: 이 노트북을 다시 실행하세요",
    },
    "cleanup.nothing_left": {"en": "nothing of {learner} is left", "ko": "{learner}의 리소스가 하나도 남지 않았습니다"},
    "teardown.deleted": {"en": "deleted {what} {name}", "ko": "삭제함: {what} {name}"},
    "teardown.disabled_distribution": {"en": "disabled distribution {name}", "ko": "비활성화함: 배포 {name}"},
    "teardown.deleted_certificate": {
        "en": "deleted certificate {name} ({region})",
        "ko": "삭제함: 인증서 {name} ({region})",
    },
    "teardown.deleted_url": {"en": "deleted the Function URL of {name}", "ko": "삭제함: {name} 함수의 함수 URL"},
    "teardown.deleted_function": {
        "en": "deleted function {name} (its permissions with it)",
        "ko": "삭제함: 함수 {name} (권한도 함께)",
    },
    "teardown.dns_record": {"en": "DNS record", "ko": "DNS 레코드"},
    "teardown.alias": {"en": "alias", "ko": "별칭"},
    "teardown.distribution": {"en": "distribution", "ko": "배포"},
    "teardown.origin_access_control": {"en": "origin access control", "ko": "오리진 액세스 제어"},
    "teardown.certificate": {"en": "certificate", "ko": "인증서"},
    "teardown.function": {"en": "function", "ko": "함수"},
    "teardown.user": {"en": "user", "ko": "사용자"},
    "teardown.role": {"en": "role", "ko": "역할"},
    "teardown.policy": {"en": "policy", "ko": "정책"},
    "teardown.iam_user": {"en": "IAM user", "ko": "IAM 사용자"},
    "teardown.iam_role": {"en": "IAM role", "ko": "IAM 역할"},
    "teardown.iam_policy": {"en": "IAM policy", "ko": "IAM 정책"},
    "teardown.log_group": {"en": "log group", "ko": "로그 그룹"},
    "classroom.learner": {"en": "learner", "ko": "학습자"},
    "classroom.notebook": {"en": "notebook reached", "ko": "도달한 노트북"},
    "classroom.evidence": {"en": "what shows it", "ko": "근거"},
    "classroom.none": {"en": "none yet", "ko": "아직 없음"},
    "classroom.refreshed": {
        "en": "the class at {time} (refreshed from the account)",
        "ko": "{time}의 수업 현황(계정에서 새로 읽음)",
    },
    "cleanup.second_run": {"en": "deleted on the second run: {count}", "ko": "두 번째 실행에서 삭제한 것: {count}개"},
}


class CatalogError(KeyError):
    """A key the catalog does not have: a typo in a cell or a string added without its translations."""


def lang() -> str:
    """The language of this process: ``KIT_LANG``, or the notebook folder the kernel started in."""
    return resolve_language()


def t(key: str, /, lang: str | None = None, **fields: object) -> str:
    """The text for ``key`` in ``lang`` (default: this process's language), with ``fields`` filled in."""
    language = lang or resolve_language()
    if language not in LANGUAGES:
        raise SettingsError(f"{language!r} is not a language of the kit: use one of {', '.join(LANGUAGES)}.")
    try:
        template = CATALOG[key][language]
    except KeyError:
        raise CatalogError(f"no text {key!r} in infra/i18n.py's catalog for language {language!r}") from None
    return template.format(**fields)


def verdict(value: bool, lang: str | None = None) -> str:
    """``yes``/``no`` (예/아니요) for a check a notebook prints."""
    return t("yes" if value else "no", lang)


#: Fonts with Hangul that matplotlib may find (Noto CJK from Debian's fonts-noto-cjk, Nanum from fonts-nanum).
KOREAN_FONTS = ("Noto Sans CJK KR", "Noto Sans CJK JP", "NanumGothic", "Noto Serif CJK KR")


def use_korean_plot_font() -> str | None:
    """Let matplotlib draw Hangul in plot labels: name the first installed font of :data:`KOREAN_FONTS` after
    matplotlib's default one in ``font.family`` (matplotlib falls back glyph by glyph along that list; a generic
    family such as ``sans-serif`` stands for one font only). Returns the font's name, or None without one: the
    labels' Hangul is then drawn as empty boxes, and matplotlib's warning for each missing glyph is silenced so
    that a notebook's output does not depend on the fonts of the machine (a choice of the kit; install
    ``fonts-noto-cjk`` or ``fonts-nanum`` to see the labels)."""
    import warnings

    import matplotlib
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    found = next((name for name in KOREAN_FONTS if name in installed), None)
    if found is not None:
        default = font_manager.FontProperties(family=matplotlib.rcParams["font.family"])
        first = font_manager.fontManager.findfont(default)
        first_name = font_manager.FontProperties(fname=first).get_name()
        matplotlib.rcParams["font.family"] = [first_name, found] if first_name != found else [found]
    else:
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font", category=UserWarning)
    return found


def fields_of(template: str) -> set[str]:
    """The field names a ``str.format`` template uses (format specs and conversions left out)."""
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(template) if name}
