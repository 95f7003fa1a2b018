"""The import's progress line while it writes ahead: the reading bar stays, with a remark."""

from __future__ import annotations

import io

from service.ingest.progress import Progress


def test_a_remark_keeps_the_bar_of_the_phase() -> None:
    stream = io.StringIO()
    progress = Progress(enabled=True, stream=stream)
    progress.phase("reading", 100)
    progress.advance(40)
    progress.note("writing organization")
    last = stream.getvalue().rsplit("\r", 1)[-1]
    assert "reading" in last
    assert "#" * 12 + "-" in last  # 40% of the bar, still drawn
    assert "40/100" in last
    assert "(writing organization)" in last
    progress.phase("checking")
    assert "writing organization" not in stream.getvalue().rsplit("\r", 1)[-1]
