"""docs/log-catalogue.md: generated from the catalogue, current, and listing every source."""

from __future__ import annotations

from pathlib import Path

from tui.core.explain.coverage_doc import render_coverage_markdown
from tui.core.logs.catalogue.not_covered import NOT_COVERED
from tui.core.logs.catalogue.registry import ALL_SIGNATURES

PAGE = Path(__file__).resolve().parents[2] / "docs" / "log-catalogue.md"


def test_the_coverage_page_is_generated_and_current() -> None:
    assert PAGE.read_text(encoding="utf-8") == render_coverage_markdown(), (
        "docs/log-catalogue.md is stale: run "
        "`python -m tui.core.explain.coverage_doc > docs/log-catalogue.md`")


def test_every_source_string_and_every_reason_is_on_the_page() -> None:
    page = render_coverage_markdown()
    for signature in ALL_SIGNATURES:
        assert f"`{signature.id}`" in page, signature.id
        for source in signature.sources:
            assert source.format.replace("|", "\\|") in page, (signature.id, source.format)
    for uncovered in NOT_COVERED:
        assert uncovered.reason and f"not covered, because {uncovered.reason}" in page


def test_a_string_is_not_both_covered_and_left_out() -> None:
    covered = {(source.file, source.format) for signature in ALL_SIGNATURES
               for source in signature.sources}
    for uncovered in NOT_COVERED:
        assert (uncovered.source.file, uncovered.source.format) not in covered
