"""A repository's file tree as the Hub serves it: `GET /api/models/{id}/tree/{rev}[/{path}]` and
`POST /api/models/{id}/paths-info/{rev}` (hub-api §3), so that `HfApi.list_repo_files`,
`list_repo_tree`, `get_paths_info`, `snapshot_download` and `HfFileSystem` work on the mirror.

The files are the snapshot's siblings (name and size) and the README.md whose text the snapshot
holds. A README's `oid` is its git blob id, as on the Hub. The other files are known by size
only: they are listed as LFS files (as the mirror's HEAD answers for them) whose `oid` and LFS
`oid` are stand-ins derived from id, name and size, not hashes of content the mirror never had.
Directories get a stand-in tree id. The whole tree is one page (no pagination cursor).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from mining.snapshot.reader import ModelRecord, Snapshot

LFS_POINTER_SIZE = 134


def size_only_etag(model_id: str, name: str, size: int) -> str:
    """The stand-in sha256 of a file known by its size only (HEAD's `X-Linked-Etag`)."""
    token = f"hubcarbon-size-only\0{model_id}\0{name}\0{size}".encode()
    return hashlib.sha256(token).hexdigest()


def git_blob_sha1(data: bytes) -> str:
    """The git blob id of a file: the ETag the Hub sends for regular (non-LFS) files."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class RepoTree:
    """The entries of one repository, by path (files and the directories above them)."""

    entries: dict[str, dict[str, Any]]

    @classmethod
    def of(cls, snapshot: Snapshot, record: ModelRecord) -> RepoTree:
        entries: dict[str, dict[str, Any]] = {}
        for sibling in record.siblings:
            if sibling.size is not None and sibling.rfilename != "README.md":
                entries[sibling.rfilename] = _size_only_file(
                    record.id, sibling.rfilename, sibling.size
                )
        readme = snapshot.readme(record)
        if readme is not None:
            data = readme.encode("utf-8")
            entries["README.md"] = {"type": "file", "oid": git_blob_sha1(data),
                                    "size": len(data), "path": "README.md"}  # fmt: skip
        for path in list(entries):
            parts = path.split("/")[:-1]
            for depth in range(1, len(parts) + 1):
                folder = "/".join(parts[:depth])
                entries.setdefault(folder, _directory(record.id, folder))
        return cls(dict(sorted(entries.items())))

    def is_directory(self, path: str) -> bool:
        return path == "" or self.entries.get(path, {}).get("type") == "directory"

    def listing(self, path: str, *, recursive: bool) -> list[dict[str, Any]]:
        """The entries under directory `path` ("" for the root): its children, or with
        `recursive` everything below it."""
        prefix = f"{path}/" if path else ""
        return [
            entry
            for name, entry in self.entries.items()
            if name.startswith(prefix) and (recursive or "/" not in name[len(prefix) :])
        ]

    def paths_info(self, paths: list[str]) -> list[dict[str, Any]]:
        """The entries of the given paths that exist, in the order asked (others are omitted,
        as the Hub does)."""
        wanted = dict.fromkeys(p.strip("/") for p in paths)
        return [self.entries[p] for p in wanted if p in self.entries]


def _size_only_file(model_id: str, name: str, size: int) -> dict[str, Any]:
    sha256 = size_only_etag(model_id, name, size)
    return {
        "type": "file",
        "oid": hashlib.sha1(sha256.encode(), usedforsecurity=False).hexdigest(),
        "size": size,
        "path": name,
        "lfs": {"oid": sha256, "size": size, "pointerSize": LFS_POINTER_SIZE},
    }


def _directory(model_id: str, path: str) -> dict[str, Any]:
    digest = hashlib.sha1(f"hubcarbon-tree\0{model_id}\0{path}".encode(), usedforsecurity=False)
    return {"type": "directory", "oid": digest.hexdigest(), "size": 0, "path": path}
