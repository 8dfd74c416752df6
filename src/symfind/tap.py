"""TAP transport (IVOA Table Access Protocol, with pyvo): asynchronous jobs, retries, chunked uploads.

This module moves ADQL and tables to and from a service and knows nothing of symfind's tables; the
queries themselves are written by :mod:`symfind.sources.tap` from the column lists and criteria
that the local tables use too.

- :class:`TapRunner` runs one ADQL query as an asynchronous job (UWS), polls it, fetches the
  result and deletes the job. HTTP errors, timeouts and jobs that end in ERROR or ABORTED are
  retried with exponential backoff, a bounded number of times; then :class:`TapError` names the
  service and the piece of work (tile or chunk). A result that hit the service's row limit
  (``QUERY_STATUS = OVERFLOW``) raises :class:`TapOverflow`: it is never kept as if complete.
- :func:`fetch_by_upload` uploads identifiers in chunks (``TAP_UPLOAD.ids``) and runs a query
  that joins them to a table. No ``TOP``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .config import defaults

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
        job = self.service.submit_job(adql, maxrec=self.maxrec, uploads=uploads)
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


def _chunks(values: np.ndarray, size: int):
    for start in range(0, len(values), size):
        yield start // size, values[start : start + size]


def fetch_by_upload(
    runner: TapRunner,
    ids: np.ndarray,
    id_column: str,
    adql_template: str,
    what: str,
    chunk_size: int,
) -> pd.DataFrame:
    """Upload ``ids`` in chunks as table ``TAP_UPLOAD.ids`` (column ``id_column``) and run the template."""
    from astropy.table import Table
    from tqdm import tqdm

    ids = np.unique(np.asarray(ids, dtype=np.int64))
    n_chunks = max(1, -(-len(ids) // chunk_size))
    parts = []
    # a progress bar on a terminal (stderr); the log gets one line per chunk either way
    with tqdm(total=n_chunks, desc=what, unit="chunk", disable=None) as bar:
        for k, chunk in _chunks(ids, chunk_size):
            upload = Table({id_column: chunk})
            parts.append(runner.run(adql_template, f"{what} chunk {k + 1}/{n_chunks} ({len(chunk)} ids)", uploads={"ids": upload}))
            bar.update(1)
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
