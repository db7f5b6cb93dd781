"""Seeded faults and rate buckets: deterministic, and never wrong data, only failures."""

from __future__ import annotations

from collections import Counter

import pytest
from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError
from huggingface_hub.utils import get_session, httpx

from mining.mirror.faults import BUCKET_API, BUCKET_RESOLVERS, Fault, FaultPlan, RateBuckets
from mining.mirror.server import MirrorConfig, MirrorServer, serve_snapshot
from mining.snapshot.reader import Snapshot


def _outcomes(plan: FaultPlan, keys: int = 2_000) -> list[tuple[Fault, int]]:
    return [plan.decide(f"GET /api/models?page={i}", 0, BUCKET_API) for i in range(keys)]


def test_plan_is_deterministic_and_respects_fractions() -> None:
    plan = FaultPlan(fault_429=0.1, fault_5xx=0.2, drop=0.05, truncate=0.05, seed=11)
    first = _outcomes(plan)
    assert first == _outcomes(
        FaultPlan(fault_429=0.1, fault_5xx=0.2, drop=0.05, truncate=0.05, seed=11)
    )
    assert first != _outcomes(
        FaultPlan(fault_429=0.1, fault_5xx=0.2, drop=0.05, truncate=0.05, seed=12)
    )
    share = Counter(fault for fault, _ in first)
    assert abs(share[Fault.RATE_LIMITED] / 2_000 - 0.1) < 0.03
    assert abs(share[Fault.SERVER_ERROR] / 2_000 - 0.2) < 0.03
    assert abs(share[Fault.NONE] / 2_000 - 0.6) < 0.04
    assert {status for fault, status in first if fault is Fault.SERVER_ERROR} == {
        500,
        502,
        503,
        504,
    }
    capped = FaultPlan(fault_5xx=1.0, max_failures=2)
    assert [capped.decide("k", n, BUCKET_RESOLVERS)[0] for n in range(4)] == [
        Fault.SERVER_ERROR, Fault.SERVER_ERROR, Fault.NONE, Fault.NONE,
    ]  # fmt: skip
    assert (
        FaultPlan(fault_5xx=1.0, buckets=frozenset({BUCKET_API})).decide("k", 0, BUCKET_RESOLVERS)[
            0
        ]
        is Fault.NONE
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"fault_429": 1.5},
        {"fault_5xx": 0.6, "drop": 0.6},
        {"latency_ms": -1},
        {"server_statuses": (404,)},
    ],
)
def test_plan_rejects_impossible_settings(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        FaultPlan(**kwargs)  # type: ignore[arg-type]


def test_rate_buckets_count_fixed_windows() -> None:
    now = [1000.0]
    buckets = RateBuckets(
        {BUCKET_API: 2, BUCKET_RESOLVERS: None}, window_seconds=300, clock=lambda: now[0]
    )
    first, second, third = (buckets.hit(BUCKET_API) for _ in range(3))
    assert first is not None and first.allowed and first.remaining == 1
    assert second is not None and second.allowed and second.remaining == 0
    assert third is not None and not third.allowed
    assert third.headers() == {
        "RateLimit": '"api";r=0;t=300',
        "RateLimit-Policy": '"fixed window";"api";q=2;w=300',
        "Retry-After": "300",
    }
    now[0] += 299.5
    assert buckets.hit(BUCKET_API).reset_seconds == 1  # type: ignore[union-attr]
    now[0] += 1
    again = buckets.hit(BUCKET_API)
    assert again is not None and again.allowed and again.remaining == 1
    assert buckets.hit(BUCKET_RESOLVERS) is None


AUTHOR = "abhishek"


def test_client_retries_a_429_then_succeeds(snapshot: Snapshot) -> None:
    plan = FaultPlan(fault_429=1.0, max_failures=1, retry_after=0)
    config = MirrorConfig(page_size=1000, faults=plan)
    with MirrorServer(snapshot, config) as server:
        models = list(HfApi(endpoint=server.url, token=False).list_models(author=AUTHOR))
        assert server.injector.injected["429"] == 1
        assert server.requests["api"] == 2
    assert len(models) == sum(1 for r in snapshot if r.id.startswith(f"{AUTHOR}/"))


@pytest.mark.slow
def test_faults_never_change_the_data(snapshot: Snapshot) -> None:
    def listing(url: str) -> list[tuple[str, object]]:
        models = HfApi(endpoint=url, token=False).list_models(
            filter="co2_eq_emissions", cardData=True
        )
        return [(m.id, m.card_data.to_dict() if m.card_data else None) for m in models]

    with serve_snapshot(snapshot, page_size=300) as url:
        clean = listing(url)
    plan = FaultPlan(fault_5xx=0.25, drop=0.15, truncate=0.2, seed=5, max_failures=1)
    config = MirrorConfig(page_size=300, faults=plan)
    with MirrorServer(snapshot, config) as server:
        faulty = listing(server.url)
        injected = sum(server.injector.injected.values())
    assert injected >= 1
    assert faulty == clean


def _statuses(server: MirrorServer, paths: list[str]) -> list[str]:
    out = []
    for path in paths:
        try:
            response = get_session().get(server.url + path)
            response.read()
            out.append(str(response.status_code))
        except httpx.RemoteProtocolError:
            out.append("broken")
    return out


@pytest.mark.slow
def test_fault_sequences_repeat_with_the_same_seed(snapshot: Snapshot) -> None:
    paths = [f"/api/models?limit=3&search=bert{i}" for i in range(25)] * 2
    plan = FaultPlan(fault_429=0.2, fault_5xx=0.2, drop=0.1, truncate=0.1, seed=42)
    runs = []
    for _ in range(2):
        with MirrorServer(snapshot, MirrorConfig(faults=plan)) as server:
            runs.append(_statuses(server, paths))
    assert runs[0] == runs[1]
    assert {"200", "429", "broken"} <= set(runs[0])
    assert any(s.startswith("5") for s in runs[0])


def test_truncated_and_dropped_replies_are_detectable(snapshot: Snapshot) -> None:
    for plan in (FaultPlan(truncate=1.0), FaultPlan(drop=1.0)):
        with MirrorServer(snapshot, MirrorConfig(faults=plan)) as server:
            with pytest.raises(httpx.RemoteProtocolError):
                get_session().get(f"{server.url}/api/models?limit=20")
            with pytest.raises(httpx.RemoteProtocolError):  # a HEAD has no body to cut: dropped
                get_session().head(f"{server.url}/distilgpt2/resolve/main/README.md")
            assert get_session().get(f"{server.url}/").status_code == 404  # no bucket, no fault


def test_model_info_does_not_retry_server_errors(snapshot: Snapshot) -> None:
    with MirrorServer(snapshot, MirrorConfig(faults=FaultPlan(fault_5xx=1.0, seed=1))) as server:
        with pytest.raises(HfHubHTTPError):
            HfApi(endpoint=server.url, token=False).model_info("distilgpt2")
        assert server.requests["api"] == 1


def test_rate_buckets_over_http(snapshot: Snapshot) -> None:
    config = MirrorConfig(rate_api=3, rate_resolvers=1)
    with MirrorServer(snapshot, config) as server:
        replies = [get_session().get(f"{server.url}/api/models?limit=1") for _ in range(4)]
        assert [r.status_code for r in replies] == [200, 200, 200, 429]
        assert replies[0].headers["RateLimit"].startswith('"api";r=2;t=')
        assert replies[3].headers["X-Error-Code"] == "RateLimited"
        assert replies[3].headers["RateLimit"].startswith('"api";r=0;t=')
        assert int(replies[3].headers["Retry-After"]) > 0
        assert replies[3].headers["RateLimit-Policy"] == '"fixed window";"api";q=3;w=300'
        readme = [
            get_session().get(f"{server.url}/distilgpt2/resolve/main/README.md") for _ in range(2)
        ]
        assert [r.status_code for r in readme] == [200, 429]


def test_listing_waits_for_the_rate_window(snapshot: Snapshot) -> None:
    config = MirrorConfig(page_size=10, rate_api=2, rate_window=1.0)
    with MirrorServer(snapshot, config) as server:
        models = list(HfApi(endpoint=server.url, token=False).list_models(author=AUTHOR))
        assert server.requests["api"] > -(-len(models) // 10)
    assert len(models) == sum(1 for r in snapshot if r.id.startswith(f"{AUTHOR}/"))
