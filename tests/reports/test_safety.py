"""Escaping, links and paths for untrusted ids and card text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reports.render import environment
from reports.safety import hub_url, is_model_id, script_json
from reports.site import model_file, write_files

HOSTILE_IDS = [
    "../../etc/passwd",
    "%2e%2e/%2e%2e/x",
    "..\\..\\win",
    "/abs/path",
    "a\x00b",
    "C:\\x",
    "..",
    "javascript:alert(1)",
    "evil/<script>alert(1)</script>",
    "a/b/c",
    "a/..",
    "https://evil.example/x",
]


@pytest.mark.parametrize("model_id", HOSTILE_IDS)
def test_hostile_ids_get_no_link(model_id: str) -> None:
    assert hub_url(model_id) is None


@pytest.mark.parametrize("model_id", ["gpt2", "google/flan-t5-base", "huggingtweets/_rdo"])
def test_hub_ids_link_to_the_hub_over_https(model_id: str) -> None:
    assert hub_url(model_id) == f"https://huggingface.co/{model_id}"


@given(st.text(max_size=200))
def test_hub_links_are_always_https_hub_urls(model_id: str) -> None:
    url = hub_url(model_id)
    if url is not None:
        assert url.startswith("https://huggingface.co/")
        assert is_model_id(model_id)
        path = url.removeprefix("https://huggingface.co/")
        assert (
            ".." not in path and "\\" not in path and ":" not in path and not path.startswith("/")
        )


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(), st.lists, max_leaves=20))
def test_script_json_round_trips_and_cannot_close_the_element(value: object) -> None:
    text = str(script_json({"v": value}))
    assert json.loads(text) == {"v": value}
    for forbidden in ("<", ">", "&", "\u2028", "\u2029"):
        assert forbidden not in text


def test_script_json_escapes_a_closing_script_tag() -> None:
    text = str(script_json(["</script><script>alert(1)</script>", "<!--"]))
    assert "</script" not in text.lower()
    assert "\\u003c/script\\u003e" in text


@pytest.mark.parametrize("model_id", HOSTILE_IDS)
def test_model_pages_stay_in_the_models_directory(tmp_path: Path, model_id: str) -> None:
    path = model_file(tmp_path, model_id)
    assert path.parent == (tmp_path / "models").resolve()
    assert path.suffix == ".html"


def test_the_writer_refuses_paths_outside_the_site(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    for name in ("../escape.html", "/tmp/escape.html", "models/../../escape.html"):
        with pytest.raises(ValueError, match="outside"):
            write_files(site, {name: b"x"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_every_template_autoescapes_html_and_svg_alike() -> None:
    env = environment()
    assert env.autoescape is True  # not chosen by file extension: .svg.j2 is escaped too
    svg = env.get_template("badge.svg.j2").render(
        model_id="<script>alert(1)</script>",
        label='"><svg onload=alert(1)>',
        message="</text><script>alert(2)</script>",
        color="#000",
        label_width=10,
        message_width=10,
    )
    assert "<script" not in svg and "<svg onload" not in svg
    assert "&lt;script&gt;" in svg


def test_templates_print_control_characters_as_replacement_characters() -> None:
    env = environment()
    html = env.from_string("<p>{{ value }}</p>").render(value="a\x00b\x1bc<")
    assert html == "<p>a\ufffdb\ufffdc&lt;</p>"
