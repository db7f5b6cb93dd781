"""The Hub's HTTP surface as pure functions: a parsed request in, a `Reply` out.

Routes (hub-api §3 and §7): `GET /api/models` (search, author, filter, pipeline_tag, gated, sort,
limit, full, cardData, config, expand, cursor), `GET /api/models/{id}` and
`.../revision/{rev}` (with `expand` and `blobs`), `HEAD`/`GET /{id}/resolve/{rev}/{path}`
(README.md with its bytes; files known by size only answer HEAD with their size),
`GET /api/agent-harnesses`; the dataset routes (`/api/datasets...`, `/datasets/.../resolve/...`)
are `mining.mirror.datasets`, handed in when the mirror serves a datasets part. Errors carry
`X-Error-Code`, `X-Error-Message` and a JSON body;
the server adds `X-Request-Id`. Besides the Hub's own fields the mirror serves
`hubcarbon:createdAtOriginal` (the real creation time; `createdAt` follows the Hub's
2022-03-02 floor) and, on single-model replies, `hubcarbon:provenance`, `hubcarbon:cardOrigin` and
(when the datasets part states one) `hubcarbon:datasetsSize`, the model's training-data size.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, unquote, urlencode

from mining.mirror.faults import HOSTILE_IDS, ListingFaults
from mining.mirror.index import ModelIndex, Query, QueryError
from mining.mirror.tree import RepoTree, git_blob_sha1, size_only_etag
from mining.snapshot.reader import ModelRecord

if TYPE_CHECKING:
    from mining.mirror.datasets import DatasetRoutes

MAX_PAGE_SIZE = 1000
EXPANDABLE = frozenset(
    {
        "author", "baseModels", "cardData", "childrenModelCount", "config", "createdAt",
        "disabled", "downloads", "downloadsAllTime", "evalResults", "gated", "gguf", "inference",
        "inferenceProviderMapping", "lastModified", "library_name", "likes", "mask_token",
        "model-index", "pipeline_tag", "private", "resourceGroup", "safetensors", "sha",
        "siblings", "spaces", "tags", "transformersInfo", "trendingScore", "usedStorage",
        "widgetData", "xetEnabled",
    }
)  # fmt: skip
ORIGINAL_CREATED = "hubcarbon:createdAtOriginal"


def page_size(limit: str | None, largest: int) -> int:
    """The page size a listing's `limit` asks for, at most `largest` (the default);
    QueryError (a 400, as the Hub answers) for a limit that is not a positive integer."""
    if limit is None:
        return largest
    try:
        value = int(limit)
    except ValueError:
        raise QueryError(f"Invalid limit parameter: {limit!r}") from None
    if value < 1:
        raise QueryError("limit must be a positive integer")
    return min(value, largest)


@dataclass
class Reply:
    """An HTTP reply; `body` is always sent with an exact Content-Length (HEAD: headers only)."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(
        cls, payload: Any, status: int = 200, headers: Mapping[str, str] | None = None
    ) -> Reply:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        return cls(
            status, body, {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
        )

    @classmethod
    def error(
        cls, status: int, code: str, message: str, headers: Mapping[str, str] | None = None
    ) -> Reply:
        extra = {"X-Error-Code": code, "X-Error-Message": message, **(headers or {})}
        return cls.json({"error": message}, status, extra)


@dataclass(frozen=True)
class Request:
    """What the routes need from an HTTP request. `raw_path` is still percent-encoded."""

    method: str
    raw_path: str
    query: Sequence[tuple[str, str]]
    host: str
    authorization: str | None = None
    range: str | None = None
    body: bytes = b""  # a POST's form body (paths-info)

    def values(self, key: str) -> list[str]:
        return [v for k, v in self.query if k in (key, key + "[]")]

    def first(self, key: str) -> str | None:
        values = self.values(key)
        return values[0] if values else None

    def flag(self, key: str) -> bool:
        value = self.first(key)
        return value is not None and value.strip().lower() in ("true", "1", "yes")


def object_id(model_id: str) -> str:
    """A stable 24-hex `_id`, shaped like the Hub's Mongo ids."""
    return hashlib.sha1(model_id.encode(), usedforsecurity=False).hexdigest()[:24]


class Routes:
    """Dispatches requests over a ModelIndex. `grants` are bearer tokens allowed into gated
    repos; `renames` maps old ids to new ones (answered with 307, as the Hub does)."""

    def __init__(
        self,
        index: ModelIndex,
        page_size: int = MAX_PAGE_SIZE,
        grants: frozenset[str] = frozenset(),
        renames: Mapping[str, str] | None = None,
        listing_faults: ListingFaults | None = None,
        datasets: DatasetRoutes | None = None,
    ) -> None:
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
        self.index = index
        self.snapshot = index.snapshot
        self.page_size = page_size
        self.grants = grants
        self.renames = dict(renames or {})
        self.listing_faults = listing_faults or ListingFaults()
        self.datasets = datasets  # the dataset routes (mining.mirror.datasets), when served

    # --- dispatch ---------------------------------------------------------------------------

    def handle(self, request: Request) -> Reply:
        path = request.raw_path
        if request.method not in ("GET", "HEAD", "POST"):
            return Reply.error(405, "MethodNotAllowed", f"{request.method} is not supported")
        if self.datasets is not None and self.datasets.serves(path):
            return self.datasets.handle(request)
        if path.startswith("/api/models/") and path != "/api/models/":
            return self.model_route(request, path[len("/api/models/") :])
        if request.method == "POST":
            return Reply.error(405, "MethodNotAllowed", "POST is not supported here")
        if path == "/api/agent-harnesses":
            return Reply.json({"standardEnvVars": [], "harnesses": {}})
        if path in ("/api/models", "/api/models/"):
            return self.list_models(request)
        if "/resolve/" in path:
            return self.resolve(request)
        return no_such_route(path)

    def model_route(self, request: Request, rest: str) -> Reply:
        """`{id}`, `{id}/revision/{rev}`, `{id}/tree/{rev}[/{path}]`, `{id}/paths-info/{rev}`;
        the id is `namespace/name` or a legacy bare `name`. Anything else is an unknown route,
        never read as a model id."""
        route = _split_model_route(rest.strip("/").split("/"))
        if route is None:
            return no_such_route(f"/api/models/{rest}")
        raw_id, action, args = route
        wants_post = action == "paths-info"
        if (request.method == "POST") != wants_post:
            return Reply.error(405, "MethodNotAllowed", f"{request.method} is not supported here")
        if action == "":
            return self.model_info(request, raw_id)
        revision = unquote(args[0])
        if action == "revision":
            return self.model_info(request, raw_id, revision)
        path = unquote("/".join(args[1:])).strip("/")
        return self.files(request, unquote(raw_id), revision, action, path)

    # --- listing ----------------------------------------------------------------------------

    def list_models(self, request: Request) -> Reply:
        expand = request.values("expand")
        full, card, config = request.flag("full"), request.flag("cardData"), request.flag("config")
        if expand and (full or card or config):
            return Reply.error(
                400, "BadRequest", "Cannot use expand together with full, cardData or config"
            )
        unknown = sorted(set(expand) - EXPANDABLE)
        if unknown:
            return Reply.error(400, "BadRequest", f"Invalid expand parameter: {', '.join(unknown)}")
        faults = self.listing_faults
        try:
            size = page_size(request.first("limit"), self.page_size)
            gated = request.first("gated")
            query = Query(
                search=request.first("search"),
                author=request.first("author"),
                filters=tuple(request.values("filter")),
                pipeline_tag=request.first("pipeline_tag"),
                sort=request.first("sort"),
                cursor=request.first("cursor"),
                gated=None if gated is None else request.flag("gated"),
            )
            hostile = list(HOSTILE_IDS) if faults.invalid_ids else []
            repeated = faults.repeated_model and query.cursor is not None
            page, cursor = self.index.page(query, max(1, size - len(hostile) - repeated))
            if repeated:
                page = self.index.page(replace(query, cursor=None), 1)[0] + page
            if faults.over_limit and cursor is not None:
                extra, _ = self.index.page(replace(query, cursor=cursor), faults.over_limit)
                page = page + extra
        except QueryError as exc:
            return Reply.error(400, "BadRequest", str(exc))
        items = [_hostile_item(value) for value in hostile] + [
            self.expanded(r, expand) if expand else self.listing_item(r, full=full, card=card)
            for r in page
        ]
        if faults.ill_typed and page:
            items[len(hostile)]["tags"] = "not-a-list"
        if faults.repeat_cursor and query.cursor is not None:
            cursor = query.cursor
        headers = {}
        if cursor is not None:
            headers["Link"] = f'<{self._next_url(request, cursor)}>; rel="next"'
        return Reply.json(items, headers=headers)

    def _next_url(self, request: Request, cursor: str) -> str:
        params = [(k, v) for k, v in request.query if k != "cursor"] + [("cursor", cursor)]
        host = self.listing_faults.foreign_link_host or request.host
        return f"http://{host}{request.raw_path}?{urlencode(params)}"

    # --- items --------------------------------------------------------------------------------

    def _gated(self, record: ModelRecord) -> str | bool:
        return "manual" if record.id in self.index.gated else False

    def listing_item(self, record: ModelRecord, *, full: bool, card: bool) -> dict[str, Any]:
        item: dict[str, Any] = {
            "_id": object_id(record.id),
            "id": record.id,
            "likes": record.likes,
            "trendingScore": 0,
            "private": False,
            "downloads": record.downloads,
            "tags": list(record.tags),
        }
        if record.pipeline_tag:
            item["pipeline_tag"] = record.pipeline_tag
        if record.library_name:
            item["library_name"] = record.library_name
        item["createdAt"] = record.hub_created_at
        item["modelId"] = record.id
        item[ORIGINAL_CREATED] = record.created_at
        if full:
            item.update(
                author=record.author,
                sha=record.sha,
                lastModified=record.last_modified,
                gated=self._gated(record),
                disabled=False,
                siblings=[{"rfilename": s.rfilename} for s in record.siblings],
            )
        if card and record.card_data_json is not None:
            item["cardData"] = record.card_data
        return item

    def _property(self, record: ModelRecord, name: str) -> tuple[bool, Any]:
        values: dict[str, Any] = {
            "author": record.author,
            "cardData": record.card_data,
            "createdAt": record.hub_created_at,
            "disabled": False,
            "downloads": record.downloads,
            "gated": self._gated(record),
            "lastModified": record.last_modified,
            "library_name": record.library_name,
            "likes": record.likes,
            "pipeline_tag": record.pipeline_tag,
            "private": False,
            "safetensors": record.safetensors,
            "sha": record.sha,
            "siblings": [{"rfilename": s.rfilename} for s in record.siblings],
            "spaces": [],
            "tags": list(record.tags),
            "trendingScore": 0,
        }
        if name in values and values[name] is not None:
            return True, values[name]
        return False, None

    def expanded(self, record: ModelRecord, expand: Sequence[str]) -> dict[str, Any]:
        item: dict[str, Any] = {"_id": object_id(record.id), "id": record.id}
        for name in expand:
            present, value = self._property(record, name)
            if present:
                item[name] = value
            if name == "createdAt":
                item[ORIGINAL_CREATED] = record.created_at
        return item

    # --- single model -------------------------------------------------------------------------

    def _check_revision(self, record: ModelRecord, revision: str) -> Reply | None:
        if revision in ("main", "HEAD", record.sha, "refs/heads/main"):
            return None
        return Reply.error(404, "RevisionNotFound", f"Invalid rev id: {revision}")

    def model_info(self, request: Request, raw_id: str, revision: str = "main") -> Reply:
        model_id = unquote(raw_id)
        if model_id in self.renames:
            target = quote(self.renames[model_id], safe="/")
            return Reply(307, b"", {"Location": f"/api/models/{target}"})
        record = self.snapshot.get(model_id)
        if record is None:
            return Reply.error(404, "RepoNotFound", "Repository not found")
        bad_revision = self._check_revision(record, revision)
        if bad_revision is not None:
            return bad_revision
        expand = request.values("expand")
        unknown = sorted(set(expand) - EXPANDABLE)
        if unknown:
            return Reply.error(400, "BadRequest", f"Invalid expand parameter: {', '.join(unknown)}")
        if expand:
            return Reply.json(self.expanded(record, expand))
        item = self.listing_item(record, full=True, card=True)
        item["spaces"] = []
        if record.safetensors is not None:
            item["safetensors"] = record.safetensors
        item["hubcarbon:cardOrigin"] = record.card_origin
        item["hubcarbon:provenance"] = dict(record.provenance)
        data_size = self.datasets.model_data_size(record.id) if self.datasets else None
        if data_size is not None:
            item["hubcarbon:datasetsSize"] = data_size
        if request.flag("blobs"):
            item["siblings"] = [self._blob(record, s.rfilename, s.size) for s in record.siblings]
            item["usedStorage"] = sum(s.size or 0 for s in record.siblings)
        return Reply.json(item)

    def _blob(self, record: ModelRecord, name: str, size: int | None) -> dict[str, Any]:
        entry: dict[str, Any] = {"rfilename": name, "size": size}
        if name == "README.md":
            readme = self.snapshot.readme(record)
            if readme is not None:
                entry["blobId"] = git_blob_sha1(readme.encode("utf-8"))
        return entry

    # --- files --------------------------------------------------------------------------------

    def files(
        self, request: Request, model_id: str, revision: str, action: str, path: str
    ) -> Reply:
        """The tree listing (`tree`) or the entries of given paths (`paths-info`)."""
        record = self.snapshot.get(model_id)
        if record is None:
            return Reply.error(404, "RepoNotFound", "Repository not found")
        bad_revision = self._check_revision(record, revision)
        if bad_revision is not None:
            return bad_revision
        tree = RepoTree.of(self.snapshot, record)
        if action == "paths-info":
            form = parse_qsl(request.body.decode("utf-8", errors="replace"))
            return Reply.json(tree.paths_info([v for k, v in form if k in ("paths", "paths[]")]))
        if not tree.is_directory(path):
            return Reply.error(404, "EntryNotFound", f"{path} is not a directory of {model_id}")
        return Reply.json(tree.listing(path, recursive=request.flag("recursive")))

    def resolve(self, request: Request) -> Reply:
        raw_repo, _, tail = request.raw_path.lstrip("/").partition("/resolve/")
        if raw_repo.split("/", 1)[0] in ("datasets", "spaces"):
            return Reply.error(404, "RepoNotFound", "Repository not found")
        raw_revision, _, raw_file = tail.partition("/")
        model_id, revision, filename = unquote(raw_repo), unquote(raw_revision), unquote(raw_file)
        if model_id in self.renames:
            target = quote(self.renames[model_id], safe="/")
            return Reply(307, b"", {"Location": f"/{target}/resolve/{raw_revision}/{raw_file}"})
        record = self.snapshot.get(model_id)
        if record is None:
            return Reply.error(404, "RepoNotFound", "Repository not found")
        if record.id in self.index.gated and not self._granted(request):
            message = (
                f"Access to model {record.id} is restricted. You must have access to it and be "
                "authenticated to access it. Please log in."
            )
            return Reply.error(401, "GatedRepo", message)
        bad_revision = self._check_revision(record, revision)
        if bad_revision is not None:
            return bad_revision
        commit = {"X-Repo-Commit": record.sha}
        readme = self.snapshot.readme(record) if filename == "README.md" else None
        if readme is None:
            sized = next((s for s in record.siblings if s.rfilename == filename), None)
            if sized is not None and sized.size is not None:
                return self._size_only(request, record, filename, sized.size)
            return Reply.error(404, "EntryNotFound", "Entry not found", commit)
        data = readme.encode("utf-8")
        headers = {
            **commit,
            "ETag": f'"{git_blob_sha1(data)}"',
            "Content-Type": "text/plain; charset=utf-8",
            "Accept-Ranges": "bytes",
        }
        return ranged(data, request.range, headers)

    def _size_only(self, request: Request, record: ModelRecord, name: str, size: int) -> Reply:
        """A file known by its size only (e.g. the paper's `pytorch_model.bin`): HEAD answers
        with the LFS-style metadata the Hub sends (`X-Linked-Size`, `X-Linked-Etag`), so
        `get_hf_file_metadata(...).size` works as in the paper; the etag is a stand-in derived
        from id, name and size, not the file's sha256. GET: 404, the bytes are not in the
        snapshot."""
        commit = {"X-Repo-Commit": record.sha}
        if request.method != "HEAD":
            message = f"{name} is known by its size only; its content is not in the snapshot"
            return Reply.error(404, "EntryNotFound", message, commit)
        etag = size_only_etag(record.id, name, size)
        linked = {"X-Linked-Size": str(size), "X-Linked-Etag": f'"{etag}"', "ETag": f'"{etag}"'}
        return Reply(200, b"", {**commit, **linked})

    def _granted(self, request: Request) -> bool:
        return self.token_granted(request.authorization)

    def token_granted(self, authorization: str | None) -> bool:
        """Whether an Authorization header carries a bearer token from `grants`."""
        auth = authorization or ""
        return auth.startswith("Bearer ") and auth[len("Bearer ") :] in self.grants


_TAKES_A_PATH = {"revision": False, "tree": True, "paths-info": False}  # each takes a revision


def _split_model_route(segments: list[str]) -> tuple[str, str, list[str]] | None:
    """(raw id, action, arguments) of the segments after /api/models/, or None. An action is
    looked for after a two-segment id first, then after a legacy bare id."""
    for id_length in (2, 1):
        model_id, rest = segments[:id_length], segments[id_length:]
        if len(model_id) < id_length or not all(model_id):
            continue
        if not rest:
            return "/".join(model_id), "", []
        action, args = rest[0], rest[1:]
        takes_path = _TAKES_A_PATH.get(action)
        if takes_path is None or not args or not args[0] or (len(args) > 1 and not takes_path):
            continue
        return "/".join(model_id), action, args
    return None


def no_such_route(raw_path: str) -> Reply:
    """An unknown route: 404 with the Hub's `EntryNotFound` code, as it answers them."""
    return Reply.error(404, "EntryNotFound", f"Sorry, we can't find the page {unquote(raw_path)!r}")


def _hostile_item(value: object) -> dict[str, Any]:
    """A listing item with an id no Hub would serve (`ListingFaults.invalid_ids`)."""
    item: dict[str, Any] = {"_id": object_id(repr(value)), "downloads": 1, "tags": []}
    if value is not None:
        item["id"] = value
    return item


def ranged(data: bytes, header: str | None, headers: dict[str, str]) -> Reply:
    """200 with the whole body, or 206 for a single `bytes=a-b` range (used to resume)."""
    if header and header.startswith("bytes=") and "," not in header:
        first, _, last = header[len("bytes=") :].partition("-")
        try:
            start = int(first) if first else max(0, len(data) - int(last))
            end = int(last) if first and last else len(data) - 1
        except ValueError:
            return Reply(200, data, headers)
        if start >= len(data) or start > end:
            return Reply(416, b"", {**headers, "Content-Range": f"bytes */{len(data)}"})
        end = min(end, len(data) - 1)
        content_range = f"bytes {start}-{end}/{len(data)}"
        return Reply(206, data[start : end + 1], {**headers, "Content-Range": content_range})
    return Reply(200, data, headers)


def parse_query(raw: str) -> list[tuple[str, str]]:
    """Query pairs in order; repeated keys kept (treated as lists by the routes)."""
    return parse_qsl(raw, keep_blank_values=True)
