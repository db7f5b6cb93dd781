"""The mirror as a fuller Hub: file trees, paths-info, revision HEAD and unknown routes, driven
by the real huggingface_hub client (HfApi, snapshot_download, HfFileSystem) over real HTTP."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from huggingface_hub import HfApi, HfFileSystem, snapshot_download
from huggingface_hub.errors import RemoteEntryNotFoundError
from huggingface_hub.hf_api import RepoFile
from huggingface_hub.utils import get_session

from mining.mirror.faults import DISABLED_MESSAGE, HostileReadmes
from mining.mirror.server import MirrorConfig, MirrorServer
from mining.mirror.tree import RepoTree, git_blob_sha1
from mining.snapshot.reader import ModelRecord, Sibling, Snapshot

TOKEN = "hf_MirrorEchoTestToken0123456789ab"  # made up


@pytest.fixture(scope="module")
def url(snapshot: Snapshot) -> Iterator[str]:
    with MirrorServer(snapshot) as server:
        yield server.url


@pytest.fixture(scope="module")
def nested(snapshot: Snapshot) -> ModelRecord:
    """A model with a README and a file known by size (the snapshot's siblings are README.md
    and pytorch_model.bin only: directories are tested on a made-up file list below)."""
    return next(
        r
        for r in snapshot
        if snapshot.readme(r) is not None
        and {s.rfilename for s in r.siblings} == {"README.md", "pytorch_model.bin"}
    )


def test_list_repo_files_and_tree(url: str, snapshot: Snapshot, nested: ModelRecord) -> None:
    api = HfApi(endpoint=url, token=False)
    assert sorted(api.list_repo_files(nested.id)) == ["README.md", "pytorch_model.bin"]
    entries = {e.path: e for e in api.list_repo_tree(nested.id, recursive=True)}
    data = (snapshot.readme(nested) or "").encode()
    readme, weights = entries["README.md"], entries["pytorch_model.bin"]
    assert isinstance(readme, RepoFile) and readme.size == len(data)
    assert readme.blob_id == git_blob_sha1(data) and readme.lfs is None
    size = next(s.size for s in nested.siblings if s.rfilename == "pytorch_model.bin")
    assert isinstance(weights, RepoFile) and weights.size == size and weights.lfs is not None
    assert (
        api.get_hf_file_metadata(
            url=api.endpoint + f"/{nested.id}/resolve/main/pytorch_model.bin"
        ).size
        == size
    )
    with pytest.raises(RemoteEntryNotFoundError):
        list(api.list_repo_tree(nested.id, path_in_repo="no/such/dir"))


def test_tree_of_nested_files(snapshot: Snapshot, nested: ModelRecord) -> None:
    """Made-up file list (the snapshot has no subdirectories) over a real README."""
    names = ["a/b/c.bin", "a/d.txt", "e.json"]
    record = dataclasses.replace(nested, siblings=tuple(Sibling(n, 10) for n in names))
    tree = RepoTree.of(snapshot, record)
    assert [e["path"] for e in tree.listing("", recursive=False)] == ["README.md", "a", "e.json"]
    assert [e["path"] for e in tree.listing("a", recursive=False)] == ["a/b", "a/d.txt"]
    assert [e["path"] for e in tree.listing("a", recursive=True)] == ["a/b", "a/b/c.bin", "a/d.txt"]
    assert tree.is_directory("a/b") and not tree.is_directory("a/d.txt")
    assert [e["type"] for e in tree.paths_info(["a/b", "e.json", "zzz"])] == ["directory", "file"]


def test_paths_info(url: str, nested: ModelRecord) -> None:
    api = HfApi(endpoint=url, token=False)
    info = api.get_paths_info(nested.id, ["README.md", "pytorch_model.bin", "nope.txt"])
    assert [(type(e).__name__, e.path) for e in info] == [
        ("RepoFile", "README.md"),
        ("RepoFile", "pytorch_model.bin"),
    ]


def test_snapshot_download_with_allow_patterns(
    url: str, snapshot: Snapshot, nested: ModelRecord, tmp_path: Path
) -> None:
    folder = snapshot_download(
        nested.id, allow_patterns=["*.md"], endpoint=url, token=False, cache_dir=tmp_path
    )
    got = sorted(p.relative_to(folder).as_posix() for p in Path(folder).rglob("*") if p.is_file())
    assert got == ["README.md"]
    assert (Path(folder) / "README.md").read_text(encoding="utf-8") == snapshot.readme(nested)


def test_hf_file_system(url: str, snapshot: Snapshot, nested: ModelRecord) -> None:
    fs = HfFileSystem(endpoint=url, token=False)
    names = {Path(p).name for p in fs.ls(nested.id, detail=False)}
    assert "README.md" in names
    assert fs.read_text(f"{nested.id}/README.md", encoding="utf-8") == snapshot.readme(nested)
    assert fs.info(f"{nested.id}/README.md")["size"] == len(
        (snapshot.readme(nested) or "").encode()
    )


def test_revision_head_and_unknown_routes(url: str, nested: ModelRecord) -> None:
    api = HfApi(endpoint=url, token=False)
    assert api.model_info(nested.id, revision="HEAD").sha == nested.sha
    session = get_session()
    for path in (
        f"/api/models/{nested.id}/no-such-action",
        f"/api/models/{nested.id}/revision/main/extra",
        "/api/nothing-here",
        "/not/a/route",
    ):
        response = session.get(url + path)
        assert response.status_code == 404, path
        assert response.headers["X-Error-Code"] == "EntryNotFound", path
    legacy = session.get(f"{url}/api/models/gpt2/revision/main")
    assert legacy.status_code == 200 and legacy.json()["id"] == "gpt2"


def test_hostile_readmes_and_the_authorization_echo(snapshot: Snapshot) -> None:
    ids = sorted(r.id for r in snapshot if r.id.startswith("flair/"))
    hostile = HostileReadmes(
        disabled=frozenset({ids[0]}),
        failing=frozenset({ids[1]}),
        oversized=frozenset({ids[2]}),
        rate_limited=frozenset({ids[3]}),
        oversized_bytes=300_000,
        rate_limit_wait=100_000,
        echo_authorization=True,
    )
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with MirrorServer(snapshot, MirrorConfig(hostile=hostile)) as server:
        session = get_session()

        def readme(model_id: str) -> tuple[int, dict[str, str], bytes]:
            response = session.get(
                f"{server.url}/{model_id}/resolve/main/README.md", headers=headers
            )
            return response.status_code, dict(response.headers), response.content

        status, head, body = readme(ids[0])
        assert status == 403 and head["x-error-message"] == DISABLED_MESSAGE
        assert TOKEN in body.decode()  # the careless server quotes the header back
        assert readme(ids[1])[0] == 500
        status, head, body = readme(ids[2])
        assert status == 200 and len(body) == 300_000 and "content-length" not in head
        status, head, _ = readme(ids[3])
        assert status == 429 and head["retry-after"] == "100000"
        status, _, body = readme(ids[4])
        record = snapshot.get(ids[4])
        assert record is not None
        assert status == 200 and body.decode() == snapshot.readme(record)
