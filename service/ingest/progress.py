"""A minimal progress display on stderr, shown only when stderr is a terminal.

Written here rather than pulled in as a dependency: one bar, redrawn at most ten times a
second, is all the generator and the bulk import need.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

_WIDTH = 30


class Progress:
    def __init__(self, *, enabled: bool | None = None, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.started = time.perf_counter()
        self.label = ""
        self.remark = ""
        self.total = 0
        self.done = 0
        self._drawn_at = 0.0

    def phase(self, label: str, total: int = 0) -> None:
        """Start a new phase; ``total`` > 0 gives it a bar, otherwise just its name."""
        self.label, self.total, self.done, self.remark = label, total, 0, ""
        self._draw(force=True)

    def note(self, remark: str) -> None:
        """What runs meanwhile (the import writing while it reads), shown beside the current
        phase without resetting its bar."""
        self.remark = remark
        self._draw(force=True)

    def advance(self, amount: int) -> None:
        self.done += amount
        self._draw(force=self.done >= self.total)

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()

    def _draw(self, *, force: bool) -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        if not force and now - self._drawn_at < 0.1:
            return
        self._drawn_at = now
        elapsed = now - self.started
        if self.total:
            filled = _WIDTH * min(self.done, self.total) // self.total
            bar = "#" * filled + "-" * (_WIDTH - filled)
            text = f"{self.label:<28} [{bar}] {self.done:>10,}/{self.total:,} {elapsed:6.1f}s"
        else:
            text = f"{self.label:<28} {elapsed:6.1f}s"
        if self.remark:
            text = f"{text}  ({self.remark})"
        self.stream.write("\r" + text.ljust(100))
        self.stream.flush()
