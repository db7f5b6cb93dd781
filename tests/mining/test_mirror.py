"""The mirror, driven by the real huggingface_hub client over a real loopback socket."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from pathlib import Path

import pytest
from huggingface_hub import HfApi, get_hf_file_metadata, hf_hub_download, hf_hub_url
from huggingface_hub.errors import (
    BadRequestError,
    GatedRepoError,
    RemoteEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from huggingface_hub.utils import get_session

from mining.mirror.routes import git_blob_sha1
from mining.mirror.server import MirrorConfig, MirrorServer, serve_snapshot
from mining.snapshot.reader import HUB_EPOCH, Snapshot


@pytest.fixture(scope="module")
def server(snapshot: Snapshot) -> Iterator[MirrorServer]:
    config = MirrorConfig(
        page_size=7, gated=frozenset({"bigscience/bloom"}), grants=frozenset({"hf_ok"})
    )
    with MirrorServer(snapshot, config) as running:
        yield running


@pytest.fixture
def api(server: MirrorServer) -> HfApi:
    return HfApi(endpoint=server.url, token=False)


def _author_with(snapshot: Snapshot, low: int, high: int) -> str:
    counts: dict[str, int] = {}
    for record in snapshot:
        if "/" in record.id:
            owner = record.id.split("/")[0]
            counts[owner] = counts.get(owner, 0) + 1
    return min(owner for owner, n in counts.items() if low <= n <= high)


def test_author_listing_spans_several_pages_in_created_order(
    api: HfApi, server: MirrorServer, snapshot: Snapshot
) -> None:
    author = _author_with(snapshot, 20, 30)
    expected = [r for r in snapshot if r.id.split("/")[0].lower() == author.lower() and "/" in r.id]
    before = server.requests["api"]
    listed = list(api.list_models(author=author, sort="created_at"))
    pages = server.requests["api"] - before
    assert [m.id for m in listed] == [
        r.id
        for r in sorted(
            expected, key=lambda r: (r.hub_created_at is None, _desc(r.hub_created_at), r.id)
        )
    ]
    assert pages == -(-len(expected) // 7)
    created = [m.created_at for m in listed if m.created_at]
    assert created == sorted(created, reverse=True)


def _desc(value: str | None) -> tuple[int, ...]:
    return tuple(-ord(c) for c in value or "")


def test_carbon_filter_with_card_data_returns_every_tagged_model(snapshot: Snapshot) -> None:
    expected = {r.id for r in snapshot if "co2_eq_emissions" in r.tags}
    with serve_snapshot(snapshot, page_size=250) as url:
        models = list(
            HfApi(endpoint=url, token=False).list_models(filter="co2_eq_emissions", cardData=True)
        )
    assert {m.id for m in models} == expected
    assert len(models) == 1_418
    bloom = next(m for m in models if m.id == "bigscience/bloom")
    assert (
        bloom.card_data is not None
        and bloom.card_data.to_dict()["co2_eq_emissions"]["emissions"] == 24_700_000
    )
    with_mapping = sum(
        isinstance(getattr(m.card_data, "co2_eq_emissions", None), dict) for m in models
    )
    assert with_mapping > 1_000


def test_search_filter_sort_and_limit(api: HfApi, snapshot: Snapshot) -> None:
    found = list(api.list_models(search="AUTOTRAIN-T5", limit=50))
    assert found and all("autotrain-t5" in m.id.lower() for m in found)
    expected = sorted(r.id for r in snapshot if "autotrain-t5" in r.id.lower())[:50]
    assert [m.id for m in found] == expected
    top = list(api.list_models(sort="downloads", limit=5))
    assert len(top) == 5
    downloads = [m.downloads or 0 for m in top]
    assert downloads == sorted(downloads, reverse=True)
    assert downloads[0] == max(r.downloads or 0 for r in snapshot)
    both = list(
        api.list_models(filter=["co2_eq_emissions", "autotrain"], author="abhishek", limit=100)
    )
    assert both and all({"co2_eq_emissions", "autotrain"} <= set(m.tags or []) for m in both)


def test_field_sets_per_mode(api: HfApi, server: MirrorServer) -> None:
    plain = next(iter(api.list_models(author="bigscience", limit=1)))
    assert plain.sha is None and plain.siblings is None and plain.card_data is None
    assert plain.created_at is not None and plain.tags is not None
    full = next(iter(api.list_models(filter="co2_eq_emissions", full=True, limit=1)))
    assert full.sha is not None and len(full.sha) == 40 and full.siblings
    assert full.gated is False and full.author
    expanded = next(
        iter(api.list_models(filter="co2_eq_emissions", expand=["cardData", "downloads"], limit=1))
    )
    assert expanded.card_data is not None and expanded.downloads is not None
    assert expanded.tags is None and expanded.created_at is None
    response = get_session().get(
        f"{server.url}/api/models", params={"expand": "cardData", "full": "true"}
    )
    assert response.status_code == 400 and response.headers["X-Error-Code"]
    with pytest.raises(BadRequestError):
        list(api.list_models(sort="bogus", limit=1))  # type: ignore[arg-type]


def test_link_header_is_absolute_and_built_from_host(server: MirrorServer) -> None:
    response = get_session().get(
        f"{server.url}/api/models", params={"filter": "co2_eq_emissions", "sort": "createdAt"}
    )
    link = response.headers["Link"]
    assert link.startswith(
        f"<{server.url}/api/models?filter=co2_eq_emissions&sort=createdAt&cursor="
    )
    assert link.endswith('>; rel="next"')
    assert response.headers["Content-Length"] == str(len(response.content))
    assert response.headers["X-Request-Id"].startswith("Root=1-")
    other = get_session().get(f"{server.url}/api/models", headers={"Host": "mirror.test:1234"})
    assert other.headers["Link"].startswith("<http://mirror.test:1234/api/models?cursor=")


def test_model_info_with_revision_and_file_sizes(api: HfApi, snapshot: Snapshot) -> None:
    record = snapshot.get("distilgpt2")
    assert record is not None
    info = api.model_info("distilgpt2", files_metadata=True)
    assert info.sha == record.sha
    assert info.created_at is not None and info.created_at.isoformat().startswith(HUB_EPOCH[:19])
    assert getattr(info, "hubcarbon:createdAtOriginal") == "2019-10-03T14:08:13.000Z"
    sizes = {s.rfilename: s.size for s in info.siblings or []}
    assert sizes["pytorch_model.bin"] == 352_833_716
    readme = snapshot.readme(record) or ""
    blob = next(s for s in info.siblings or [] if s.rfilename == "README.md")
    assert blob.blob_id == git_blob_sha1(readme.encode())
    assert api.model_info("distilgpt2", revision=record.sha).sha == record.sha
    assert api.model_info("distilgpt2", revision="main").id == "distilgpt2"
    with pytest.raises(RevisionNotFoundError):
        api.model_info("distilgpt2", revision="refs/pr/1")
    with pytest.raises(RepositoryNotFoundError):
        api.model_info("nobody/nothing-here")


def test_readme_download_is_byte_identical(
    server: MirrorServer, snapshot: Snapshot, tmp_path: Path
) -> None:
    record = next(
        r
        for r in snapshot
        if r.card_origin == "hf_modelcards_2023" and "\r\n" in (snapshot.readme(r) or "")
    )
    path = hf_hub_download(
        record.id, "README.md", endpoint=server.url, token=False, cache_dir=tmp_path
    )
    assert Path(path).read_bytes() == (snapshot.readme(record) or "").encode("utf-8")
    assert Path(path).parent.name == record.sha
    again = hf_hub_download(
        record.id, "README.md", endpoint=server.url, token=False, cache_dir=tmp_path
    )
    assert again == path


def test_download_errors(server: MirrorServer, snapshot: Snapshot, tmp_path: Path) -> None:
    with pytest.raises(RepositoryNotFoundError):
        hf_hub_download(
            "nobody/nothing-here", "README.md", endpoint=server.url, token=False, cache_dir=tmp_path
        )
    with pytest.raises(GatedRepoError):
        hf_hub_download(
            "bigscience/bloom", "README.md", endpoint=server.url, token=False, cache_dir=tmp_path
        )
    granted = hf_hub_download(
        "bigscience/bloom", "README.md", endpoint=server.url, token="hf_ok", cache_dir=tmp_path
    )
    assert Path(granted).read_text("utf-8") == snapshot.readme(snapshot.get("bigscience/bloom"))  # type: ignore[arg-type]
    no_card = next(r for r in snapshot if r.card_origin is None)
    with pytest.raises(RemoteEntryNotFoundError):
        hf_hub_download(
            no_card.id, "README.md", endpoint=server.url, token=False, cache_dir=tmp_path
        )


def test_resolve_headers(server: MirrorServer, snapshot: Snapshot) -> None:
    record = snapshot.get("distilgpt2")
    assert record is not None
    data = (snapshot.readme(record) or "").encode()
    head = get_session().head(
        f"{server.url}/distilgpt2/resolve/main/README.md", headers={"Accept-Encoding": "identity"}
    )
    assert head.status_code == 200
    assert head.headers["X-Repo-Commit"] == record.sha
    assert head.headers["ETag"] == f'"{git_blob_sha1(data)}"'
    assert head.headers["Content-Length"] == str(len(data))
    assert "Content-Encoding" not in head.headers
    part = get_session().get(
        f"{server.url}/distilgpt2/resolve/main/README.md", headers={"Range": "bytes=10-19"}
    )
    assert part.status_code == 206 and part.content == data[10:20]
    harnesses = get_session().get(f"{server.url}/api/agent-harnesses")
    assert harnesses.json() == {"standardEnvVars": [], "harnesses": {}}


def test_renamed_repos_redirect_like_the_hub(snapshot: Snapshot, tmp_path: Path) -> None:
    config = MirrorConfig(renames={"old-owner/old-bloom": "bigscience/bloom"})
    with MirrorServer(snapshot, config) as server:
        info = HfApi(endpoint=server.url, token=False).model_info("old-owner/old-bloom")
        assert info.id == "bigscience/bloom"
        path = hf_hub_download(
            "old-owner/old-bloom", "README.md", endpoint=server.url, token=False, cache_dir=tmp_path
        )
        assert Path(path).read_text("utf-8") == snapshot.readme(snapshot.get("bigscience/bloom"))  # type: ignore[arg-type]


def test_pipeline_tag_gated_and_expanded_creation(
    api: HfApi, server: MirrorServer, snapshot: Snapshot
) -> None:
    tabular = list(api.list_models(pipeline_tag="tabular-classification", author="abhishek"))
    expected = {
        r.id
        for r in snapshot
        if r.pipeline_tag == "tabular-classification" and r.id.startswith("abhishek/")
    }
    assert {m.id for m in tabular} == expected and expected
    gated = list(api.list_models(gated=True))
    assert [m.id for m in gated] == ["bigscience/bloom"]
    item = (
        get_session()
        .get(
            f"{server.url}/api/models",
            params=[("search", "distilgpt2"), ("expand[]", "createdAt"), ("limit", "1")],
        )
        .json()[0]
    )
    assert set(item) == {"_id", "id", "createdAt", "hubcarbon:createdAtOriginal"}
    unknown = get_session().get(f"{server.url}/api/models", params={"expand": "nonsense"})
    assert unknown.status_code == 400 and unknown.json()["error"].startswith("Invalid expand")
    bad_cursor = get_session().get(f"{server.url}/api/models", params={"cursor": "%%%"})
    assert bad_cursor.status_code == 400 and bad_cursor.headers["X-Error-Code"] == "BadRequest"


def test_size_only_files_answer_the_papers_metadata_head(
    server: MirrorServer, snapshot: Snapshot
) -> None:
    url = hf_hub_url("distilgpt2", "pytorch_model.bin", endpoint=server.url)
    metadata = get_hf_file_metadata(url, token=False)
    assert metadata.size == 352_833_716
    assert metadata.commit_hash == snapshot.get("distilgpt2").sha  # type: ignore[union-attr]
    content = get_session().get(url)
    assert content.status_code == 404 and content.headers["X-Error-Code"] == "EntryNotFound"


def test_a_saved_cursor_resumes_on_a_restarted_mirror(snapshot: Snapshot) -> None:
    params = {"filter": "co2_eq_emissions", "sort": "createdAt", "limit": "100"}
    with serve_snapshot(snapshot, page_size=100) as url:
        first = get_session().get(f"{url}/api/models", params=params)
        second_url = first.links["next"]["url"]
        second = get_session().get(second_url).json()
        cursor = second_url.split("cursor=")[1]
    with serve_snapshot(snapshot, page_size=100) as url:
        resumed = get_session().get(f"{url}/api/models", params={**params, "cursor": cursor}).json()
        crossed = get_session().get(
            f"{url}/api/models", params={"sort": "downloads", "cursor": cursor}
        )
    assert [m["id"] for m in resumed] == [m["id"] for m in second]
    assert not {m["id"] for m in first.json()} & {m["id"] for m in resumed}
    assert crossed.status_code == 400


def test_a_stopped_server_hangs_up_its_keep_alive_connections(snapshot: Snapshot) -> None:
    # a pooled connection must not go on being answered by the stopped server's handler thread
    with MirrorServer(snapshot, MirrorConfig(page_size=1)) as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        connection.request("GET", "/api/models?limit=1")
        reply = connection.getresponse()
        assert reply.status == 200 and reply.getheader("Connection") != "close"
        reply.read()
    assert connection.sock is not None and connection.sock.recv(1) == b""
    connection.close()
