"""TAP transport (IVOA Table Access Protocol, with pyvo): asynchronous jobs, retries, chunked uploads.

This module moves ADQL and tables to and from a service and knows nothing of symfind's tables; the
queries themselves are written by :mod:`symfind.query.sources.tap` from the column lists and criteria
that the local tables use too.

- :class:`TapRunner` runs one ADQL query as an asynchronous job (UWS), polls it, fetches the
  result and deletes the job. HTTP errors, timeouts and jobs that end in ERROR or ABORTED are
  retried with exponential backoff, a bounded number of times; then :class:`TapError` names the
  service and the piece of work (tile or chunk). A result that hit the service's row limit
  (``QUERY_STATUS = OVERFLOW``) raises :class:`TapOverflow`: it is never kept as if complete.
- Where ``maxrec`` is not set, a runner asks the service for the largest row limit it allows (the
  hard output limit of its TAPRegExt capabilities, ``pyvo``'s ``TAPService.hardlimit``) and sets
  it on every job, so that a service's default limit (GAVO DaCHS: 20,000 rows) does not truncate.
- :func:`fetch_by_upload` uploads identifiers in chunks (``TAP_UPLOAD.ids``) and runs a query
  that joins them to a table. No ``TOP``. A chunk whose result overflows the row limit is split
  into halves of its ids, down to ``max_split_depth`` levels (then :class:`TapOverflow` says so);
  the later chunks of the same fetch start at the size that fitted. With ``parts_dir``, each part
  that completed is kept there (a Parquet file named by a hash of its query and ids), so that a
  job that failed later resumes without querying those parts again.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..config import defaults

log = logging.getLogger(__name__)


class TapError(RuntimeError):
    """A TAP query failed after its retries; the message names the service and the tile or chunk."""


class TapOverflow(TapError):
    """The service truncated a result at its row limit."""


@dataclass
class TapRunner:
    """Runs ADQL on one TAP service as asynchronous jobs, with bounded retries.

    ``timeout_s`` bounds each job's wall time (polling) and each HTTP request; ``retries`` is the
    number of further attempts after the first; backoff doubles from ``backoff_s``. Left out, each
    takes the value of the ``tap`` section of the shipped configuration.
    """

    url: str
    maxrec: int | None = field(default_factory=lambda: defaults("tap")["maxrec"])
    timeout_s: float = field(default_factory=lambda: float(defaults("tap")["timeout_s"]))
    retries: int = field(default_factory=lambda: int(defaults("tap")["retries"]))
    backoff_s: float = field(default_factory=lambda: float(defaults("tap")["backoff_s"]))
    sleep: Callable[[float], None] = time.sleep

    def __post_init__(self) -> None:
        import pyvo
        import requests

        session = requests.Session()
        self._timeout_session(session)
        self.service = pyvo.dal.TAPService(self.url, session=session)
        self._limit_asked = self.maxrec is not None

    def row_limit(self) -> int | None:
        """The MAXREC every job asks for: ``maxrec`` where set, else the service's hard output
        limit (asked once, from its capabilities), else None (the service's default limit)."""
        if not self._limit_asked:
            self._limit_asked = True
            try:
                self.maxrec = int(self.service.hardlimit)
                log.info("%s allows at most %d rows per job (its hard output limit); every job asks for it", self.url, self.maxrec)
            except Exception as exc:  # no capabilities, or no limit in them: the service's default applies
                log.info("%s does not say its hard row limit (%s); jobs get the service's default limit", self.url, exc)
        return self.maxrec

    def _timeout_session(self, session) -> None:
        original = session.request
        timeout = self.timeout_s

        def request(method, url, **kwargs):
            kwargs.setdefault("timeout", timeout)
            return original(method, url, **kwargs)

        session.request = request

    def run(self, adql: str, what: str, uploads: Mapping[str, Any] | None = None) -> pd.DataFrame:
        """Run ``adql`` (``what`` names the work in errors and logs); return the rows as a DataFrame."""
        last: Exception | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                delay = self.backoff_s * 2 ** (attempt - 1)
                log.warning("%s: attempt %d of %d failed (%s); retrying in %.0f s", what, attempt, self.retries + 1, last, delay)
                self.sleep(delay)
            try:
                return self._run_once(adql, what, uploads)
            except TapOverflow:
                raise
            except Exception as exc:  # network, HTTP, UWS or VOTable errors: all retried
                last = exc
        raise TapError(f"{what}: TAP query to {self.url} failed after {self.retries + 1} attempts: {last}") from last

    def _run_once(self, adql: str, what: str, uploads: Mapping[str, Any] | None) -> pd.DataFrame:
        start = time.perf_counter()
        job = self.service.submit_job(adql, maxrec=self.row_limit(), uploads=uploads)
        try:
            job.run()
            job.wait(phases=["COMPLETED", "ERROR", "ABORTED"], timeout=self.timeout_s)
            if job.phase != "COMPLETED":
                try:
                    job.raise_if_error()
                    message = "no error message"
                except Exception as exc:  # the service's own error document
                    message = str(exc)
                raise RuntimeError(f"job {job.job_id} ended in {job.phase}: {message}")
            result = job.fetch_result()
        finally:
            try:
                job.delete()
            except Exception:  # cleaning up is best effort; the result is already in hand
                pass
        if str(result.query_status).upper() == "OVERFLOW":
            raise TapOverflow(f"{what}: result truncated at the row limit of {self.url} ({len(result)} rows)")
        frame = result.to_table().to_pandas()
        log.info("%s: %d rows in %.1f s", what, len(frame), time.perf_counter() - start)
        return frame


def _part_file(parts_dir: str | Path | None, adql: str, id_column: str, ids: np.ndarray) -> Path | None:
    """Where the result of one upload part is kept: named by a hash of the query and its ids."""
    if parts_dir is None:
        return None
    digest = hashlib.sha256(f"{adql}\n{id_column}\n".encode() + np.ascontiguousarray(ids, dtype=np.int64).tobytes())
    return Path(parts_dir) / f"{digest.hexdigest()[:32]}.parquet"


@dataclass
class _UploadFetch:
    """One :func:`fetch_by_upload`: the query, the parts folder and the part size that fits."""

    runner: TapRunner
    id_column: str
    adql: str
    parts_dir: str | Path | None
    part_size: int

    def part(self, ids: np.ndarray, what: str, depth: int) -> list[pd.DataFrame]:
        """The rows of ``ids``, as one or more frames (halves where the service's limit forces it)."""
        from astropy.table import Table

        kept = _part_file(self.parts_dir, self.adql, self.id_column, ids)
        if kept is not None and kept.exists():
            frame = pd.read_parquet(kept)
            log.info("%s: %d rows kept from an earlier attempt (%s)", what, len(frame), kept)
            return [frame]
        if len(ids) > self.part_size:  # an earlier chunk of this fetch fitted only at a smaller size
            return self._halves(ids, what, depth, f"parts of {self.part_size} ids fitted before", warn=False)
        try:
            frame = self.runner.run(self.adql, what, uploads={"ids": Table({self.id_column: ids})})
        except TapOverflow as exc:
            if depth <= 0 or len(ids) < 2:
                raise TapOverflow(f"{exc}; the upload of {len(ids)} ids cannot be split further "
                                  "(raise tap.max_upload_split_depth, or lower tap.upload_chunk)") from exc
            self.part_size = min(self.part_size, len(ids) // 2 + len(ids) % 2)
            return self._halves(ids, what, depth, "it overflowed the row limit", warn=True)
        if kept is not None:
            from ..io import write_table

            try:
                write_table(frame, kept)
            except Exception as exc:  # keeping a part only saves a later query; the rows are in hand
                log.warning("%s: could not keep the part in %s (%s)", what, kept, exc)
        return [frame]

    def _halves(self, ids: np.ndarray, what: str, depth: int, why: str, warn: bool) -> list[pd.DataFrame]:
        if depth <= 0:
            raise TapOverflow(f"{what}: {len(ids)} ids need splitting ({why}) beyond tap.max_upload_split_depth")
        half = len(ids) // 2 + len(ids) % 2
        (log.warning if warn else log.info)("%s: %s; splitting its %d ids in two", what, why, len(ids))
        return [frame for k, piece in enumerate((ids[:half], ids[half:]))
                for frame in self.part(piece, f"{what} part {k + 1}/2 ({len(piece)} ids)", depth - 1)]


def fetch_by_upload(
    runner: TapRunner,
    ids: np.ndarray,
    id_column: str,
    adql_template: str,
    what: str,
    chunk_size: int,
    max_split_depth: int | None = None,
    parts_dir: str | Path | None = None,
) -> pd.DataFrame:
    """Upload ``ids`` in chunks of ``chunk_size`` as table ``TAP_UPLOAD.ids`` (column
    ``id_column``) and run the template; a chunk that overflows the row limit is halved, at most
    ``max_split_depth`` times (None: ``tap.max_upload_split_depth`` of the shipped configuration);
    ``parts_dir``: where each completed part is kept for a resumed job."""
    from tqdm import tqdm

    if max_split_depth is None:
        max_split_depth = int(defaults("tap")["max_upload_split_depth"])
    ids = np.unique(np.asarray(ids, dtype=np.int64))
    n_chunks = max(1, -(-len(ids) // chunk_size))
    fetch = _UploadFetch(runner, id_column, adql_template, parts_dir, chunk_size)
    if parts_dir is not None:
        Path(parts_dir).mkdir(parents=True, exist_ok=True)
    parts = []
    # a progress bar on a terminal (stderr); the log gets one line per chunk either way
    with tqdm(total=n_chunks, desc=what, unit="chunk", disable=None) as bar:
        for start in range(0, len(ids), chunk_size):
            chunk = ids[start : start + chunk_size]
            parts += fetch.part(chunk, f"{what} chunk {start // chunk_size + 1}/{n_chunks} ({len(chunk)} ids)", max_split_depth)
            bar.update(1)
    parts = [part for part in parts if len(part.columns)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def runner_from_config(tap: Mapping[str, Any], service: str) -> TapRunner:
    """A :class:`TapRunner` for ``tap[service]`` with the configured limits."""
    return TapRunner(
        url=tap[service],
        maxrec=tap.get("maxrec"),
        timeout_s=float(tap["timeout_s"]),
        retries=int(tap["retries"]),
        backoff_s=float(tap["backoff_s"]),
    )
