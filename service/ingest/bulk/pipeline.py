"""JSON Lines into staged blocks, in worker processes while the database takes the COPY.

Parsing and checking records is most of an import's Python time and needs no database. The
byte stream is cut into blocks of whole lines (numbered by counting newlines, which needs no
parsing); each block goes to a worker process (``stage.stage_block``), which answers with the
block's staging rows as COPY text; the importer copies each block as it comes back, in order,
while the workers stage the next ones. An input of one block is staged in the importer's own
process: starting a worker costs more than it saves there.
"""

from __future__ import annotations

import asyncio
import atexit
import multiprocessing
import os
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from service.ingest.bulk.stage import Block, stage_block

BLOCK_BYTES = 4 << 20
# Staged blocks kept waiting for the importer at most (each about BLOCK_BYTES of input and as
# much again of COPY text).
BLOCKS_AHEAD = 32

_executor: ProcessPoolExecutor | None = None


def worker_count() -> int:
    """As many workers as cores (up to four): while blocks are staged the database only takes
    their COPY, which leaves it most of a core to spare."""
    return min(4, max(1, os.cpu_count() or 1))


def _pool() -> ProcessPoolExecutor:
    global _executor
    if _executor is None:
        # Not fork: the importer's process runs an event loop and threads whose locks a
        # forked child could inherit held.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["service.ingest.bulk.stage"])
        _executor = ProcessPoolExecutor(worker_count(), mp_context=context)
        atexit.register(shutdown_workers)
    return _executor


def _discard_pool() -> None:
    global _executor
    if _executor is not None:
        _executor.shutdown(wait=False, cancel_futures=True)
        _executor = None


def shutdown_workers() -> None:
    """Stops the worker processes (a server keeps them between imports; a command ends them
    when it is done). Also run at exit: workers of a forkserver outlive a parent that exits
    without shutting its pool down (os._exit, as test runners' workers do)."""
    global _executor
    if _executor is not None:
        _executor.shutdown(wait=True, cancel_futures=True)
        _executor = None


async def line_blocks(
    chunks: AsyncIterable[bytes], block_bytes: int
) -> AsyncIterator[tuple[int, bytes, bool]]:
    """(number of the first line, whole lines, whether the input ends there)."""
    pending: list[bytes] = []
    size = 0
    first = 1
    async for chunk in chunks:
        if not chunk:
            continue
        pending.append(chunk)
        size += len(chunk)
        if size < block_bytes:
            continue
        data = b"".join(pending)
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            pending, size = [data], len(data)
            continue
        block, rest = data[:cut], data[cut:]
        yield first, block, False
        first += block.count(b"\n")
        pending, size = ([rest], len(rest)) if rest else ([], 0)
    yield first, b"".join(pending), True


async def staged_blocks(
    chunks: AsyncIterable[bytes],
    currencies: frozenset[str],
    *,
    workers: bool | None = None,
    block_bytes: int = BLOCK_BYTES,
) -> AsyncGenerator[Block, None]:
    """The input's blocks, staged, in order. ``workers``: None stages a one-block input in
    this process and anything longer in worker processes; True and False force either.

    With workers, the input is read and handed out by a task of its own, up to
    ``BLOCKS_AHEAD`` blocks ahead: while the importer waits on the database (a COPY, or the
    writes it starts before the input ends), the workers go on."""
    blocks = line_blocks(chunks, block_bytes)
    first, data, final = await anext(blocks)
    if workers is False or (workers is None and final):
        yield stage_block(data, first, final, currencies)
        async for first, data, final in blocks:
            yield stage_block(data, first, final, currencies)
        return
    loop = asyncio.get_running_loop()
    pool = _pool()
    ahead: asyncio.Queue[asyncio.Future[Block] | BaseException | None] = asyncio.Queue(BLOCKS_AHEAD)

    async def hand_out() -> None:
        try:
            await ahead.put(loop.run_in_executor(pool, stage_block, data, first, final, currencies))
            async for start, lines, last in blocks:
                await ahead.put(
                    loop.run_in_executor(pool, stage_block, lines, start, last, currencies)
                )
            await ahead.put(None)
        except Exception as exc:  # the input's own failure (a limit, a broken stream)
            await ahead.put(exc)

    reader = asyncio.create_task(hand_out())
    try:
        while (item := await ahead.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield await item
    except BrokenProcessPool:
        _discard_pool()
        raise
    finally:
        reader.cancel()
        while not ahead.empty():
            left = ahead.get_nowait()
            if isinstance(left, asyncio.Future):
                left.cancel()
