"""The mirror's dataset routes, over the snapshot's datasets part (`mining.snapshot.datasets`).

`GET /api/datasets` (search, author, limit, cursor, full, expand; every sort is by id, since the
part holds no dates or counts), `GET /api/datasets/{id}` and `.../revision/{rev}`, and
`HEAD`/`GET /datasets/{id}/resolve/{rev}/README.md`, so that `HfApi.dataset_info`,
`list_datasets` and `hf_hub_download(..., repo_type="dataset")` work against the mirror.

A dataset is served only when the part states its size: its card data is what the paper read
(`dataset_info.dataset_size`) and nothing else; its README is that front matter alone
(`hubcarbon:provenance` says so). Any other id is 404 `RepoNotFound`, as the Hub answers for a
private or missing dataset. Gated datasets answer the API (as the Hub does) and refuse README
downloads without a granted token.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote, urlencode

import yaml

from mining.mirror.index import QueryError, decode_cursor, encode_cursor
from mining.mirror.routes import Reply, Request, no_such_route, object_id, page_size, ranged
from mining.mirror.tree import git_blob_sha1
from mining.snapshot.datasets import DatasetPart, StatedSize

MAX_PAGE_SIZE = 1000
SORTS = frozenset(
    {"createdAt", "created_at", "downloads", "id", "lastModified", "last_modified", "likes",
     "trendingScore", "trending_score"}
)  # fmt: skip
EXPANDABLE = frozenset(
    {"author", "cardData", "createdAt", "disabled", "downloads", "gated", "lastModified",
     "likes", "private", "sha", "siblings", "tags", "trendingScore"}
)  # fmt: skip
PROVENANCE = "hubcarbon:provenance"
MODEL_DATA_SIZE = "hubcarbon:datasetsSize"
"""The field of a model's reply that carries its training-data size, when the part has one."""


def card_data(size: StatedSize) -> dict[str, Any]:
    return {"dataset_info": {"dataset_size": size.size_bytes}}


def readme(size: StatedSize) -> bytes:
    """The README the mirror serves: the card data as front matter, nothing else."""
    front = yaml.safe_dump(card_data(size), sort_keys=True)
    return f"---\n{front}---\n".encode()


def model_data_size(part: DatasetPart, model_id: str) -> dict[str, Any] | None:
    """`hubcarbon:datasetsSize` of a model: bytes, provenance, source rows, datasets named."""
    size = part.model(model_id)
    if size is None:
        return None
    return {
        "bytes": size.size_bytes,
        "provenance": size.provenance,
        "source": size.source,
        "datasets": list(size.datasets),
    }


class DatasetRoutes:
    """Replies to the dataset routes. `granted(authorization)` says whether a request's token
    opens gated datasets."""

    def __init__(
        self,
        part: DatasetPart,
        *,
        gated: frozenset[str] = frozenset(),
        granted: Callable[[str | None], bool] = lambda authorization: False,
        page_size: int = MAX_PAGE_SIZE,
    ) -> None:
        self.part = part
        self.gated = frozenset(g for g in gated if part.dataset(g) is not None)
        self.granted = granted
        self.page_size = page_size
        self._ids = [size.id for size in part.datasets]

    @staticmethod
    def serves(path: str) -> bool:
        """Whether a request path is a dataset route (listing, info or resolve)."""
        return path in ("/api/datasets", "/api/datasets/") or path.startswith(
            ("/api/datasets/", "/datasets/")
        )

    def handle(self, request: Request) -> Reply:
        path = request.raw_path
        if request.method == "POST":
            return Reply.error(405, "MethodNotAllowed", "POST is not supported here")
        if path in ("/api/datasets", "/api/datasets/"):
            return self.list_datasets(request)
        if path.startswith("/api/datasets/"):
            route = split_dataset_route(path[len("/api/datasets/") :].strip("/").split("/"))
            if route is None:
                return no_such_route(path)
            return self.dataset_info(request, *route)
        if "/resolve/" in path:
            return self.resolve(request)
        return no_such_route(path)

    def model_data_size(self, model_id: str) -> dict[str, Any] | None:
        return model_data_size(self.part, model_id)

    # -- listing --------------------------------------------------------------------------------

    def list_datasets(self, request: Request) -> Reply:
        expand = request.values("expand")
        full = request.flag("full")
        if expand and full:
            return Reply.error(400, "BadRequest", "Cannot use expand together with full")
        unknown = sorted(set(expand) - EXPANDABLE)
        if unknown:
            return Reply.error(400, "BadRequest", f"Invalid expand parameter: {', '.join(unknown)}")
        sort = request.first("sort")
        if sort is not None and sort not in SORTS:
            return Reply.error(400, "BadRequest", f"Invalid sort parameter: {sort!r}")
        try:
            page, cursor = self.page(
                search=request.first("search"),
                author=request.first("author"),
                cursor=request.first("cursor"),
                limit=request.first("limit"),
            )
        except QueryError as exc:
            return Reply.error(400, "BadRequest", str(exc))
        items = [self.expanded(s, expand) if expand else self.item(s, full=full) for s in page]
        headers = {}
        if cursor is not None:
            params = [(k, v) for k, v in request.query if k != "cursor"] + [("cursor", cursor)]
            next_url = f"http://{request.host}{request.raw_path}?{urlencode(params)}"
            headers["Link"] = f'<{next_url}>; rel="next"'
        return Reply.json(items, headers=headers)

    def page(
        self, *, search: str | None, author: str | None, cursor: str | None, limit: str | None
    ) -> tuple[list[StatedSize], str | None]:
        """One page of datasets in id order, and the cursor of the next (None on the last)."""
        size = page_size(limit, self.page_size)
        start = bisect.bisect_right(self._ids, decode_cursor(cursor)[1]) if cursor else 0
        needle = search.lower() if search else None
        owner = author.lower() if author else None
        found: list[StatedSize] = []
        for candidate in self.part.datasets[start:]:
            if needle is not None and needle not in candidate.id.lower():
                continue
            if owner is not None and candidate.id.split("/", 1)[0].lower() != owner:
                continue
            if len(found) == size:  # one more exists: this page is not the last
                return found, encode_cursor(None, found[-1].id)
            found.append(candidate)
        return found, None

    # -- items ----------------------------------------------------------------------------------

    def _properties(self, size: StatedSize) -> dict[str, Any]:
        return {
            "author": size.id.split("/", 1)[0] if "/" in size.id else None,
            "cardData": card_data(size),
            "disabled": False,
            "gated": "manual" if size.id in self.gated else False,
            "private": False,
            "sha": size.sha,
            "siblings": [{"rfilename": "README.md"}],
            "tags": [],
        }

    def item(self, size: StatedSize, *, full: bool) -> dict[str, Any]:
        props = self._properties(size)
        base = {"_id": object_id(f"datasets/{size.id}"), "id": size.id}
        if not full:
            return {**base, "private": False, "gated": props["gated"], "tags": []}
        present = {k: v for k, v in props.items() if v is not None}
        return {**base, **present, PROVENANCE: provenance(size)}

    def expanded(self, size: StatedSize, expand: list[str]) -> dict[str, Any]:
        props = self._properties(size)
        item: dict[str, Any] = {"_id": object_id(f"datasets/{size.id}"), "id": size.id}
        item.update({name: props[name] for name in expand if props.get(name) is not None})
        return item

    # -- one dataset ----------------------------------------------------------------------------

    def dataset_info(self, request: Request, raw_id: str, revision: str | None) -> Reply:
        size = self.part.dataset(unquote(raw_id))
        if size is None:
            return Reply.error(404, "RepoNotFound", "Repository not found")
        if revision is not None and not _known_revision(size, revision):
            return Reply.error(404, "RevisionNotFound", f"Invalid rev id: {revision}")
        expand = request.values("expand")
        unknown = sorted(set(expand) - EXPANDABLE)
        if unknown:
            return Reply.error(400, "BadRequest", f"Invalid expand parameter: {', '.join(unknown)}")
        if expand:
            return Reply.json(self.expanded(size, expand))
        return Reply.json(self.item(size, full=True))

    def resolve(self, request: Request) -> Reply:
        raw_repo, _, tail = request.raw_path[len("/datasets/") :].partition("/resolve/")
        raw_revision, _, raw_file = tail.partition("/")
        size = self.part.dataset(unquote(raw_repo))
        if size is None:
            return Reply.error(404, "RepoNotFound", "Repository not found")
        if not (size.id not in self.gated or self.granted(request.authorization)):
            message = (
                f"Access to dataset {size.id} is restricted. You must have access to it and be "
                "authenticated to access it. Please log in."
            )
            return Reply.error(401, "GatedRepo", message)
        revision = unquote(raw_revision)
        if not _known_revision(size, revision):
            return Reply.error(404, "RevisionNotFound", f"Invalid rev id: {revision}")
        commit = {"X-Repo-Commit": size.sha}
        if unquote(raw_file) != "README.md":
            return Reply.error(404, "EntryNotFound", "Entry not found", commit)
        data = readme(size)
        headers = {
            **commit,
            "ETag": f'"{git_blob_sha1(data)}"',
            "Content-Type": "text/plain; charset=utf-8",
            "Accept-Ranges": "bytes",
        }
        return ranged(data, request.range, headers)


def provenance(size: StatedSize) -> dict[str, str]:
    """`hubcarbon:provenance` of a dataset: where its size and its README come from."""
    return {
        "dataset_size": size.provenance,
        "source": size.source,
        "readme": "front matter stating the size only",
    }


def _known_revision(size: StatedSize, revision: str) -> bool:
    return revision in ("main", "HEAD", "refs/heads/main", size.sha)


def split_dataset_route(segments: list[str]) -> tuple[str, str | None] | None:
    """(raw id, revision or None) of the segments after /api/datasets/, or None for any other
    route (tree, paths-info, ...: unknown here)."""
    for id_length in (2, 1):
        dataset_id, rest = segments[:id_length], segments[id_length:]
        if len(dataset_id) < id_length or not all(dataset_id):
            continue
        if not rest:
            return "/".join(dataset_id), None
        if len(rest) == 2 and rest[0] == "revision" and rest[1]:
            return "/".join(dataset_id), unquote(rest[1])
    return None
