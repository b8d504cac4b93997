"""On-disk run store: one directory per run, tidy parquet records, atomic writes, SQL over all runs.

Layout of a run directory ``<root>/<run_id>/``::

    config.json                    resolved config + axes (any JSON-able dict)
    status.json                    {"status": "running"|"done"|"failed", "started", "finished", "parts_done", ...}
    records/part-<name>.parquet    tidy metric records of one finished chunk (the part's commit marker)
    params/part-<name>.npz         final parameters of that chunk (leading axis = lanes, plus a ``lane`` array)
    params/ckpt-<name>.npz         with train.save_every: parameters [lanes, steps, ...], ``lane`` and ``step``
    summary.json, figures/*.png, report.html
    tags.json                      {"tags": [...], "note": "..."} (``sslab tag``; kept by ``--force``)

Every file is written atomically: to ``.<name>.tmp-<pid>-<rand>`` in the same directory, fsync'd, then
``os.replace``'d into place. Readers ignore names starting with ``.``, so a crash leaves at most a stray
temp file, never a half-written part. A part is *done* only when its records parquet exists and its
footer is readable; for the same reason params are written before records.

The root is the ``root`` argument, else ``$SSLAB_RUNS``, else ``./runs``. Records columns are ``run``,
``experiment``, ``lane``, ``seed``, ``step``, ``metric``, ``value`` plus config columns named by dotted
paths (quote them in SQL: ``SELECT "data.tau", avg(value) FROM records GROUP BY 1``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import math
import os
import re
import secrets
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, Iterator, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = [
    "RunStore", "RunHandle", "new_run_id", "canonical_json", "config_hash", "check_run_id",
    "atomic_write_bytes", "atomic_write_text", "mean_std", "BASE_COLUMNS", "STATUSES", "jsonable",
    "RUN_COLUMNS", "RECORDED_ONLY", "RunLocked", "check_tag", "identity",
]

log = logging.getLogger(__name__)

ENV_ROOT = "SSLAB_RUNS"
DEFAULT_ROOT = "runs"
STATUSES = ("running", "done", "failed")
#: what ``runs`` shows: a "running" run whose lock nobody holds was interrupted (re-running its command resumes it)
SHOWN_STATUSES = STATUSES + ("interrupted",)

#: Columns of the ``runs`` view (provenance: sslab version, code hash and JAX version are part of a run's
#: identity; git commit, CPU, ISA flags and device record where it was computed; ``lanes``, ``axes`` (the swept
#: keys and their sizes, e.g. ``seed×20 data.tau×3``), ``overrides`` (the command's ``key=value`` strings, or the
#: settings that differ from the experiment's defaults), ``finished``, ``tags`` (comma-separated) and ``note``).
RUN_COLUMNS = ("run_id", "experiment", "status", "started", "path", "n_parts", "n_records", "sslab", "code", "jax",
               "git", "cpu", "isa", "device", "lanes", "axes", "overrides", "finished", "tags", "note")

#: config.json entries that are recorded but not part of a run's identity: where it was computed and the command's
#: own words (two spellings of one plan are one run)
RECORDED_ONLY = ("machine", "overrides")

#: a tag: letters, digits and _ . + @ - (no commas, no spaces), at most 64 characters
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+@-]{0,63}$")


class RunLocked(ValueError):
    """A run that a process is computing right now (its lock is held): it is not removed."""


def check_tag(tag: str) -> str:
    """A tag names runs in ``sslab runs``, ``sslab query`` (``tags`` view): letters, digits and _ . + @ -."""
    if not isinstance(tag, str) or not _TAG.match(tag):
        raise ValueError(f"invalid tag {tag!r}: use up to 64 letters, digits and _ . + @ - (not starting with "
                         "one of . + @ -)")
    return tag


def identity(record: Any) -> Any:
    """The part of a config.json record that is a run's identity (without :data:`RECORDED_ONLY`)."""
    return {k: v for k, v in record.items() if k not in RECORDED_ONLY} if isinstance(record, dict) else record

#: Base record columns and their arrow types; any further columns are config columns.
BASE_COLUMNS: dict[str, pa.DataType] = {
    "run": pa.string(), "experiment": pa.string(), "lane": pa.int64(), "seed": pa.int64(),
    "step": pa.int64(), "metric": pa.string(), "value": pa.float64(),
}
_INT_COLUMNS = ("lane", "seed", "step")
_STR_COLUMNS = ("run", "experiment", "metric")

_SAFE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.=+,@-]*$")
_RUN_ID_TAIL = re.compile(r"^(?P<exp>.+)-\d{8}-\d{6}-[0-9a-f]{8}$")


# --- atomic writes --------------------------------------------------------------------------------

def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # e.g. Windows: directories cannot be opened
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def _atomic_file(path: str | os.PathLike) -> Iterator[BinaryIO]:
    """Yield a binary file that replaces ``path`` atomically when the block exits without error."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        with open(tmp, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` via a same-directory temp file, fsync and ``os.replace``."""
    with _atomic_file(path) as f:
        f.write(data)


def atomic_write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> None:
    """Text version of :func:`atomic_write_bytes`."""
    atomic_write_bytes(path, text.encode(encoding))


# --- JSON helpers ---------------------------------------------------------------------------------

def _jsonable(obj: Any) -> Any:
    """Convert configs (dataclasses, numpy values, tuples, paths) to plain JSON types."""
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, Mapping):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (set, frozenset)):
        return sorted((_jsonable(v) for v in obj), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(obj, os.PathLike):
        return os.fspath(obj)
    if isinstance(obj, datetime):
        return obj.isoformat()
    raise TypeError(f"value of type {type(obj).__name__} is not JSON-serialisable: {obj!r}")


jsonable = _jsonable  # public name: configs, dataclasses and numpy values as plain JSON types


def canonical_json(obj: Any) -> str:
    """Canonical JSON (sorted keys, no whitespace, ASCII) used for config hashes and comparisons."""
    return json.dumps(_jsonable(obj), sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def config_hash(config: Any) -> str:
    """Full sha256 hex digest of the canonical JSON of ``config``."""
    return hashlib.sha256(canonical_json(config).encode("utf-8")).hexdigest()


def _dumps(obj: Any) -> str:
    return json.dumps(_jsonable(obj), indent=2, sort_keys=False, ensure_ascii=False) + "\n"


def _now_iso() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def new_run_id(experiment: str, config: Mapping[str, Any], now: datetime | None = None) -> str:
    """``f"{experiment}-{YYYYmmdd-HHMMSS}-{hash8}"``; deterministic given ``config`` and ``now``."""
    now = datetime.now() if now is None else now
    exp = re.sub(r"[^A-Za-z0-9_.=+,@-]", "_", str(experiment)).lstrip(".") or "run"
    return f"{exp}-{now:%Y%m%d-%H%M%S}-{config_hash(config)[:8]}"


def _config_diff(a: Any, b: Any, prefix: str = "") -> list[str]:
    """Dotted paths at which two JSON values differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        out: list[str] = []
        for k in sorted(set(a) | set(b)):
            p = f"{prefix}.{k}" if prefix else k
            if k not in a or k not in b:
                out.append(p)
            else:
                out.extend(_config_diff(a[k], b[k], p))
        return out
    same = json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    return [] if same else [prefix or "<root>"]


def _check_name(kind: str, name: str) -> str:
    if not isinstance(name, str) or not _SAFE_NAME.match(name) or ".." in name:
        raise ValueError(f"invalid {kind} {name!r}: use letters, digits and _ . = + , @ - "
                         "(not starting with '.' and without '..' or path separators)")
    return name


def check_run_id(run_id: str) -> str:
    """A run id names one folder of the store: letters, digits and _ . = + , @ -, not starting with '.', no '..'."""
    return _check_name("run id", run_id)


def _natural_key(name: str) -> list[Any]:
    return [(0, int(t), "") if t.isdigit() else (1, 0, t) for t in re.split(r"(\d+)", name) if t]


def _experiment_of(run_id: str, config: Any) -> str:
    if isinstance(config, Mapping):
        for key in ("experiment", "name"):
            v = config.get(key)
            if isinstance(v, str) and v:
                return v
    m = _RUN_ID_TAIL.match(run_id)
    return m.group("exp") if m else run_id


def _parse_time(s: Any) -> float:
    try:
        return datetime.fromisoformat(str(s)).timestamp()
    except (TypeError, ValueError, OverflowError, OSError):
        return math.inf


# --- parquet helpers ------------------------------------------------------------------------------

def _part_files(directory: Path, suffix: str) -> dict[str, Path]:
    """``{part name: path}`` for ``part-<name><suffix>`` in ``directory``, ignoring dot-files."""
    out: dict[str, Path] = {}
    try:
        entries = list(os.scandir(directory))
    except (FileNotFoundError, NotADirectoryError):
        return out
    for e in entries:
        n = e.name
        if n.startswith(".") or not n.startswith("part-") or not n.endswith(suffix):
            continue
        name = n[len("part-"):-len(suffix)]
        if name and e.is_file():
            out[name] = Path(e.path)
    return dict(sorted(out.items(), key=lambda kv: _natural_key(kv[0])))


def _parquet_rows(path: Path) -> int:
    """Number of rows from the parquet footer; raises if the file is not a readable parquet file."""
    return pq.read_metadata(path).num_rows


def _empty_records() -> pd.DataFrame:
    return pa.schema(list(BASE_COLUMNS.items())).empty_table().to_pandas()


def _records_table(df: pd.DataFrame, run: str, experiment: str) -> pa.Table:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"records must be a pandas DataFrame, got {type(df).__name__}")
    cols = [str(c) for c in df.columns]
    if len(set(cols)) != len(cols):
        raise ValueError(f"records have duplicate column names: {cols}")
    df = df.copy()
    df.columns = cols
    df = df.reset_index(drop=True)
    if "run" not in df:
        df["run"] = run
    if "experiment" not in df:
        df["experiment"] = experiment
    missing = [c for c in BASE_COLUMNS if c not in df]
    if missing:
        raise ValueError(f"records lack required columns {missing}; have {cols}")
    arrays: dict[str, pa.Array] = {}
    for c in _INT_COLUMNS:
        a = np.asarray(df[c])
        if a.dtype.kind not in "iub":
            try:
                af = a.astype(np.float64)
            except (TypeError, ValueError):
                raise ValueError(f"records column {c!r} must be integer, got dtype {a.dtype}") from None
            if not (np.isfinite(af).all() and (af == np.round(af)).all()):
                raise ValueError(f"records column {c!r} must hold integers (no NaN/fractions)")
            a = af
        arrays[c] = pa.array(a.astype(np.int64), type=pa.int64())
    try:
        arrays["value"] = pa.array(np.asarray(df["value"], dtype=np.float64), type=pa.float64())
    except (TypeError, ValueError) as e:
        raise ValueError(f"records column 'value' must be numeric: {e}") from None
    for c in _STR_COLUMNS:
        s = df[c]
        if s.isna().any():
            raise ValueError(f"records column {c!r} has missing values")
        arrays[c] = pa.array([str(v) for v in s], type=pa.string())
    extra = [c for c in cols if c not in BASE_COLUMNS]
    if extra:
        try:
            t = pa.Table.from_pandas(df[extra], preserve_index=False)
        except (pa.ArrowException, TypeError, ValueError) as e:
            raise ValueError(f"records config columns {extra} are not storable (use one natural type "
                             f"per column: float, int, str, bool): {e}") from None
        for c in extra:
            a = t.column(c)
            if pa.types.is_large_string(a.type):
                a = a.cast(pa.string())
            arrays[c] = a
    order = list(BASE_COLUMNS) + extra
    return pa.table({c: arrays[c] for c in order})


# --- run handle -----------------------------------------------------------------------------------

class RunHandle:
    """One run directory: write finished parts atomically, read records/params/status back."""

    def __init__(self, run_id: str, path: str | os.PathLike, problems: list[str] | None = None):
        self.run_id = run_id
        self.path = Path(path)
        #: human-readable messages about files that were skipped (shared with the owning RunStore)
        self.problems: list[str] = [] if problems is None else problems

    def __repr__(self) -> str:
        return f"RunHandle({self.run_id!r}, {str(self.path)!r})"

    def _problem(self, msg: str) -> None:
        if msg not in self.problems:
            self.problems.append(msg)
            log.warning(msg)

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the run's exclusive lock (``.lock``, POSIX ``flock``) while computing it.

        Two processes that need the same run (claims of one ``sslab check`` on a process pool, or two
        commands) do not compute it twice: the second blocks here, then finds it done. The OS drops the
        lock when its holder exits, so a killed run leaves no stale lock. Without ``fcntl`` it is a no-op.
        """
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            yield
            return
        self.path.mkdir(parents=True, exist_ok=True)
        with open(self.path / ".lock", "a+b") as f:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f.fileno(), fcntl.LOCK_UN)

    # paths
    @property
    def records_dir(self) -> Path:
        return self.path / "records"

    @property
    def params_dir(self) -> Path:
        return self.path / "params"

    @property
    def figures_dir(self) -> Path:
        d = self.path / "figures"
        d.mkdir(parents=True, exist_ok=True)
        return d

    @property
    def report_path(self) -> Path:
        return self.path / "report.html"

    def config(self) -> dict:
        return self.read_json("config.json")

    @property
    def experiment(self) -> str:
        try:
            cfg = self.config()
        except (OSError, ValueError):
            cfg = None
        return _experiment_of(self.run_id, cfg)

    def records_path(self, name: str) -> Path:
        return self.records_dir / f"part-{_check_name('part name', name)}.parquet"

    def params_path(self, name: str) -> Path:
        return self.params_dir / f"part-{_check_name('part name', name)}.npz"

    def checkpoints_path(self, name: str) -> Path:
        return self.params_dir / f"ckpt-{_check_name('part name', name)}.npz"

    # parts
    def _good_parts(self) -> dict[str, tuple[Path, int]]:
        """Readable record parts ``{name: (path, n_rows)}``; unreadable ones go to ``problems``."""
        good: dict[str, tuple[Path, int]] = {}
        for name, p in _part_files(self.records_dir, ".parquet").items():
            try:
                good[name] = (p, _parquet_rows(p))
            except Exception as e:  # noqa: BLE001 - any unreadable file is skipped
                self._problem(f"{p}: unreadable parquet part skipped ({type(e).__name__}: "
                              f"{str(e).splitlines()[0] if str(e) else ''})")
        return good

    def parts(self) -> list[str]:
        """Names of finished parts (records parquet present and readable), in natural name order."""
        return list(self._good_parts())

    def has_part(self, name: str) -> bool:
        p = self.records_path(name)
        if not p.is_file():
            return False
        try:
            _parquet_rows(p)
        except Exception:  # noqa: BLE001
            return False
        return True

    def write_part(self, name: str, records: pd.DataFrame,
                   params: Mapping[str, np.ndarray] | None = None,
                   checkpoints: Mapping[str, np.ndarray] | None = None) -> Path:
        """Commit one finished chunk: checkpoints and params (if any) first, then the records parquet (the marker).

        Missing ``run``/``experiment`` columns are filled from the handle. ``params`` arrays have the
        chunk's lanes on axis 0; unless a ``lane`` array is given it is taken as the sorted distinct
        ``lane`` values of ``records``. ``checkpoints`` (``params/ckpt-<name>.npz``) are parameter arrays
        ``[lanes, steps, ...]`` with a ``step`` array ``[steps]`` (and the same ``lane`` array).
        """
        rpath = self.records_path(name)
        table = _records_table(records, self.run_id, self.experiment)
        if checkpoints is not None:
            arrays = {str(k): np.asarray(v) for k, v in checkpoints.items()}
            if "lane" not in arrays:
                arrays["lane"] = np.unique(table.column("lane").to_numpy()).astype(np.int64)
            if "step" not in arrays or arrays["step"].ndim != 1:
                raise ValueError(f"part {name!r}: checkpoints need a 1-d 'step' array")
            n, m = arrays["lane"].shape[0], arrays["step"].shape[0]
            bad = [k for k, v in arrays.items() if k not in ("lane", "step") and v.shape[:2] != (n, m)]
            if bad:
                raise ValueError(f"part {name!r}: checkpoints {bad} must have shape [{n} lanes, {m} steps, ...]")
            with _atomic_file(self.checkpoints_path(name)) as f:
                np.savez(f, **arrays)
        if params is not None:
            arrays = {str(k): np.asarray(v) for k, v in params.items()}
            if "lane" not in arrays:
                arrays["lane"] = np.unique(table.column("lane").to_numpy()).astype(np.int64)
            n = arrays["lane"].shape[0] if arrays["lane"].ndim == 1 else -1
            bad = [k for k, v in arrays.items() if v.ndim == 0 or v.shape[0] != n]
            if n < 0 or bad:
                raise ValueError(f"part {name!r}: params {bad or ['lane']} must have the {n} lanes "
                                 "on axis 0 (pass an explicit 'lane' array if records do not list them)")
            if any(v.dtype == object for v in arrays.values()):
                raise ValueError(f"part {name!r}: params must be numeric arrays, not object arrays")
            with _atomic_file(self.params_path(name)) as f:
                np.savez(f, **arrays)
        with _atomic_file(rpath) as f:
            pq.write_table(table, f)
        return rpath

    def records(self) -> pd.DataFrame:
        """All finished parts concatenated, sorted by lane, step, metric (stable, parts in name order)."""
        tables = []
        for name, (p, _) in self._good_parts().items():
            try:
                tables.append(pq.read_table(p).replace_schema_metadata(None))
            except Exception as e:  # noqa: BLE001
                self._problem(f"{p}: unreadable parquet part skipped ({type(e).__name__}: {e})")
        if not tables:
            return _empty_records()
        table = pa.concat_tables(tables, promote_options="permissive")
        df = table.to_pandas()
        df = df.sort_values(["lane", "step", "metric"], kind="mergesort").reset_index(drop=True)
        return df

    def _npz_parts(self, path_of, what: str) -> list[dict[str, np.ndarray]]:
        """The arrays of each finished part's ``path_of(part)`` file; an unreadable file is reported and skipped."""
        chunks: list[dict[str, np.ndarray]] = []
        for name in self.parts():
            p = path_of(name)
            if not p.is_file():
                continue
            try:
                with np.load(p, allow_pickle=False) as z:
                    chunks.append({k: z[k] for k in z.files})
            except Exception as e:  # noqa: BLE001
                self._problem(f"{p}: unreadable {what} skipped ({type(e).__name__}: {e})")
        return chunks

    def params(self) -> dict[str, np.ndarray]:
        """Params of finished parts, concatenated on axis 0 in part-name order, with a ``lane`` array."""
        chunks = self._npz_parts(self.params_path, "params")
        if not chunks:
            return {}
        keys = list(chunks[0])
        for c in chunks[1:]:
            if set(c) != set(keys):
                raise ValueError(f"run {self.run_id}: params parts have different keys "
                                 f"({sorted(keys)} vs {sorted(c)})")
        return {k: np.concatenate([c[k] for c in chunks], axis=0) for k in keys}

    def checkpoints(self) -> dict[str, np.ndarray]:
        """Checkpoints of finished parts (``train.save_every``): each parameter ``[lanes, steps, ...]``
        concatenated over parts on axis 0, a ``lane`` array and the ``step`` array; empty if none were kept."""
        chunks = self._npz_parts(self.checkpoints_path, "checkpoints")
        if not chunks:
            return {}
        keys, step = list(chunks[0]), chunks[0]["step"]
        for c in chunks[1:]:
            if set(c) != set(keys) or not np.array_equal(c["step"], step):
                raise ValueError(f"run {self.run_id}: checkpoint parts differ in their keys or steps "
                                 "(programs with different train.steps or train.save_every)")
        out = {k: np.concatenate([c[k] for c in chunks], axis=0) for k in keys if k != "step"}
        out["step"] = step
        return out

    # json / status
    def _json_path(self, name: str) -> Path:
        if not name.endswith(".json"):
            name += ".json"
        return self.path / _check_name("json name", name)

    def write_json(self, name: str, obj: Any) -> Path:
        p = self._json_path(name)
        atomic_write_text(p, _dumps(obj))
        return p

    def read_json(self, name: str) -> Any:
        with open(self._json_path(name), encoding="utf-8") as f:
            return json.load(f)

    def status(self) -> dict:
        """Stored status.json, with ``parts_done`` refreshed from the records on disk."""
        try:
            st = self.read_json("status.json")
            if not isinstance(st, dict):
                raise ValueError("status.json is not an object")
        except FileNotFoundError:
            st = {"status": "unknown"}
        except ValueError as e:
            self._problem(f"{self.path / 'status.json'}: invalid ({e})")
            st = {"status": "unknown"}
        st["parts_done"] = self.parts()
        return st

    def is_locked(self) -> bool:
        """Whether a process holds the run's lock right now (it is being computed)."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            return False
        path = self.path / ".lock"
        if not path.exists():
            return False
        with open(path, "a+b") as f:
            try:
                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return True
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)
            return False

    @contextlib.contextmanager
    def try_lock(self) -> Iterator[bool]:
        """Hold the run's lock if nobody else does: yields True (held until the block exits) or False (a process
        is computing the run)."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            yield True
            return
        if not self.path.is_dir():
            yield True
            return
        with open(self.path / ".lock", "a+b") as f:
            try:
                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(f.fileno(), fcntl.LOCK_UN)

    # tags and note (tags.json, read-modify-write under .tags.lock, written atomically)
    def tags(self) -> dict:
        """``{"tags": [...], "note": str}`` of the run (empty if it has none; an unreadable file is skipped)."""
        path = self.path / "tags.json"
        try:
            with open(path, encoding="utf-8") as f:
                t = json.load(f)
            if not isinstance(t, dict) or not isinstance(t.get("tags", []), list):
                raise ValueError("not a tags object")
        except FileNotFoundError:
            return {"tags": [], "note": ""}
        except (OSError, ValueError) as e:
            self._problem(f"{path}: invalid tags skipped ({type(e).__name__})")
            return {"tags": [], "note": ""}
        return {"tags": [str(x) for x in t.get("tags", [])], "note": str(t.get("note") or "")}

    def tag(self, add: Any = (), remove: Any = (), note: str | None = None) -> dict:
        """Add and remove tags (and set the note, ``""`` clears it); returns the new tags. Safe against
        concurrent taggers (a lock of its own: tagging never waits for a run being computed)."""
        add, remove = [check_tag(t) for t in add], list(remove)
        if note is not None and (not isinstance(note, str) or "\n" in note or len(note) > 1000):
            raise ValueError("a note is one line of at most 1000 characters")
        self.path.mkdir(parents=True, exist_ok=True)
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            fcntl = None
        with open(self.path / ".tags.lock", "a+b") as f:
            if fcntl is not None:
                fcntl.flock(f.fileno(), fcntl.LOCK_EX)
            t = self.tags()
            tags = [x for x in t["tags"] if x not in remove]
            tags += [x for x in dict.fromkeys(add) if x not in tags]
            t = {"tags": tags, "note": t["note"] if note is None else note}
            self.write_json("tags.json", t)
        return t

    def write_table(self, name: str, df: pd.DataFrame) -> Path:
        """A DataFrame as ``<name>.parquet`` in the run directory (atomic)."""
        path = self.path / f"{_check_name('table name', name)}.parquet"
        table = pa.Table.from_pandas(df, preserve_index=False).replace_schema_metadata(None)
        with _atomic_file(path) as f:
            pq.write_table(table, f)
        return path

    def clear(self) -> None:
        """Forget everything computed for this run (parts, params, summary, figures, derived tables), keeping its
        config: the next computation starts from scratch (``--force``)."""
        import shutil

        for d in (self.records_dir, self.params_dir, self.path / "figures"):
            shutil.rmtree(d, ignore_errors=True)
        for f in self.path.iterdir():
            if f.is_file() and f.name not in ("config.json", ".lock", "tags.json", ".tags.lock"):
                with contextlib.suppress(OSError):
                    f.unlink()
        self.write_json("status.json", {"status": "running", "started": _now_iso(), "parts_done": []})

    def set_status(self, status: str, **extra: Any) -> dict:
        """Update status.json: sets ``started`` if absent and ``finished`` on done/failed."""
        if status not in STATUSES:
            raise ValueError(f"status must be one of {list(STATUSES)}, got {status!r}")
        st = self.status()
        if status == "running":
            st.pop("finished", None)
        st["status"] = status
        st.setdefault("started", _now_iso())
        if status in ("done", "failed"):
            st["finished"] = _now_iso()
        st.update(extra)
        st["parts_done"] = self.parts()
        self.write_json("status.json", st)
        return st


# --- run store ------------------------------------------------------------------------------------

class RunStore:
    """A directory of runs (``root`` argument, else ``$SSLAB_RUNS``, else ``./runs``)."""

    def __init__(self, root: str | os.PathLike | None = None):
        if root is None:
            root = os.environ.get(ENV_ROOT) or DEFAULT_ROOT
        self._root = Path(root).expanduser()
        #: messages about skipped run dirs / files from the latest scan (runs, query, records)
        self.problems: list[str] = []

    def __repr__(self) -> str:
        return f"RunStore({str(self._root)!r})"

    @property
    def root(self) -> Path:
        return self._root

    def _problem(self, msg: str) -> None:
        if msg not in self.problems:
            self.problems.append(msg)
            log.warning(msg)

    def _run_dir(self, run_id: str) -> Path:
        return self._root / _check_name("run id", run_id)

    def _handle(self, run_id: str) -> RunHandle:
        return RunHandle(run_id, self._run_dir(run_id), self.problems)

    def create(self, run_id: str, config: Mapping[str, Any]) -> RunHandle:
        """Create (or resume, if the stored config is identical) the run ``run_id``."""
        d = self._run_dir(run_id)
        cfg = json.loads(canonical_json(config))
        cpath = d / "config.json"
        if cpath.exists():
            try:
                with open(cpath, encoding="utf-8") as f:
                    old = json.load(f)
            except (OSError, ValueError) as e:
                raise ValueError(f"run {run_id!r} exists but its config.json is unreadable "
                                 f"({type(e).__name__}); fix or remove {d}") from None
            ident = lambda c: canonical_json(identity(c))  # noqa: E731
            if ident(old) != ident(cfg):
                diff = _config_diff(old, cfg)
                shown = ", ".join(diff[:5]) + (f" (+{len(diff) - 5} more)" if len(diff) > 5 else "")
                raise ValueError(f"run {run_id!r} already exists with a different config (differs at: "
                                 f"{shown}); use a new run id or the identical config to resume")
        else:
            d.mkdir(parents=True, exist_ok=True)
            atomic_write_text(cpath, json.dumps(cfg, indent=2, sort_keys=True) + "\n")
        h = self._handle(run_id)
        if not (d / "status.json").exists():
            h.write_json("status.json", {"status": "running", "started": _now_iso(), "parts_done": []})
        return h

    def _run_ids(self) -> list[str]:
        try:
            entries = list(os.scandir(self._root))
        except (FileNotFoundError, NotADirectoryError):
            return []
        return sorted(e.name for e in entries if not e.name.startswith(".") and e.is_dir()
                      and _SAFE_NAME.match(e.name))

    def open(self, run_id: str) -> RunHandle:
        d = self._root / run_id if isinstance(run_id, str) else None
        if (d is None or not _SAFE_NAME.match(run_id) or ".." in run_id
                or not (d / "config.json").is_file()):
            valid = [r for r in self._run_ids() if (self._root / r / "config.json").is_file()]
            raise KeyError(f"no run {run_id!r} in {self._root}; valid run ids: "
                           f"{', '.join(valid) if valid else '(none)'}")
        return self._handle(run_id)

    def _scan(self) -> list[dict]:
        rows = []
        for rid in self._run_ids():
            d = self._root / rid
            cpath = d / "config.json"
            try:
                with open(cpath, encoding="utf-8") as f:
                    cfg = json.load(f)
                if not isinstance(cfg, dict):
                    raise ValueError("not a JSON object")
            except FileNotFoundError:
                self._problem(f"{d}: run skipped (config.json missing)")
                continue
            except (OSError, ValueError) as e:
                self._problem(f"{d}: run skipped (config.json invalid: {type(e).__name__}: "
                              f"{str(e).splitlines()[0] if str(e) else ''})")
                continue
            h = self._handle(rid)
            st = h.status()
            status = str(st.get("status", "unknown"))
            if status == "running" and not h.is_locked():
                status = "interrupted"
            parts = h._good_parts()
            started = st.get("started")
            if not started:
                started = datetime.fromtimestamp(cpath.stat().st_mtime).astimezone().isoformat(
                    timespec="seconds")
            prov = cfg.get("provenance") if isinstance(cfg.get("provenance"), dict) else {}
            mach = cfg.get("machine") if isinstance(cfg.get("machine"), dict) else {}
            axes = cfg.get("axes") if isinstance(cfg.get("axes"), dict) else {}
            overrides = cfg.get("overrides")
            tags = h.tags()
            rows.append({
                "run_id": rid, "experiment": _experiment_of(rid, cfg),
                "status": status, "started": str(started),
                "n_parts": len(parts), "n_records": int(sum(n for _, n in parts.values())),
                "path": str(d), "sslab": prov.get("sslab"), "code": prov.get("code"), "jax": prov.get("jax"),
                "git": mach.get("git"), "cpu": mach.get("cpu"), "isa": " ".join(mach.get("isa") or []) or None,
                "device": mach.get("device"),
                "lanes": math.prod(len(v) if isinstance(v, list) else 1 for v in axes.values()),
                "axes": " ".join(f"{k}×{len(v) if isinstance(v, list) else 1}" for k, v in axes.items()),
                # runs stored before the command's words were recorded: None (their axes are still shown)
                "overrides": " ".join(map(str, overrides)) if isinstance(overrides, list) else None,
                "finished": st.get("finished") if status in ("done", "failed") else None,
                "tags": ",".join(tags["tags"]), "note": tags["note"],
                "_files": [str(p) for p, _ in parts.values()], "_config": cfg,
            })
        rows.sort(key=lambda r: (_parse_time(r["started"]), r["started"], r["run_id"]))
        return rows

    def runs(self) -> list[dict]:
        """One dict per valid run (run_id, experiment, status, started, n_parts, n_records, path),
        sorted by start time; corrupt run dirs and parts are skipped and described in ``problems``."""
        self.problems.clear()
        return [{k: v for k, v in r.items() if not k.startswith("_")} for r in self._scan()]

    def remove(self, run_id: str) -> Path:
        """Delete a stored run: refused (:class:`RunLocked`) while a process holds its lock; a KeyError if there is
        no such run. The folder is first renamed to a dot-name that readers ignore, then deleted, so a crash
        midway never leaves a half-deleted run that looks valid."""
        import shutil

        d = self._run_dir(run_id)
        if not d.is_dir():
            self.open(run_id)  # the KeyError that lists the valid run ids
        handle = self._handle(run_id)
        with handle.try_lock() as held:
            if not held:
                raise RunLocked(f"run {run_id!r} is being computed right now (its lock is held); not removed")
            trash = self._root / f".{run_id}.rm-{os.getpid()}-{secrets.token_hex(4)}"
            os.replace(d, trash)
        shutil.rmtree(trash, ignore_errors=True)
        _fsync_dir(self._root)
        return d

    def collectable(self, older_than: float | None = None, now: float | None = None) -> list[dict]:
        """Runs ``gc`` would remove: failed or interrupted (lock free), started more than ``older_than`` seconds
        ago (any age if None)."""
        import time as _time

        now = _time.time() if now is None else now
        out = []
        for r in self.runs():
            if r["status"] not in ("failed", "interrupted"):
                continue
            if older_than is not None and not now - _parse_time(r["started"]) > older_than:
                continue
            out.append(r)
        return out

    def tags_table(self, rows: list[dict] | None = None) -> pd.DataFrame:
        """One row per (run, tag): the ``tags`` view."""
        rows = rows if rows is not None else self._scan()
        return pd.DataFrame([{"run_id": r["run_id"], "tag": t} for r in rows for t in (r["tags"] or "").split(",")
                             if t], columns=["run_id", "tag"])

    def lane_index(self, exclude: str | None = None) -> dict[str, tuple[str, int]]:
        """``lane_key -> (run id, lane)`` over the finished runs' lane tables: where a lane with the same config,
        block size and code was already computed (another run may copy it instead of recomputing it)."""
        index: dict[str, tuple[str, int]] = {}
        for r in self._scan():
            if r["run_id"] == exclude or r["status"] != "done":
                continue
            path = Path(r["path"]) / "lanes.parquet"
            try:
                t = pq.read_table(path, columns=["lane", "lane_key"]).to_pandas()
            except Exception:  # noqa: BLE001 - no table or no keys (an older run): nothing to reuse
                continue
            for lane, key in zip(t["lane"], t["lane_key"]):
                if isinstance(key, str):
                    index.setdefault(key, (r["run_id"], int(lane)))
        return index

    def configs(self, rows: list[dict] | None = None) -> pd.DataFrame:
        """One row per (run, lane) with every resolved config field (``lanes.parquet`` of each run; for runs
        stored before it existed, the stored base config and the lane's axis values, not resolved)."""
        frames = []
        for r in rows if rows is not None else self._scan():
            path = Path(r["path"]) / "lanes.parquet"
            if path.is_file():
                try:
                    frames.append(pd.read_parquet(path))
                    continue
                except Exception as e:  # noqa: BLE001 - an unreadable table falls back to config.json
                    self._problem(f"{path}: unreadable lane table skipped ({type(e).__name__})")
            frames.append(_lanes_from_config(r["run_id"], r["_config"]))
        frames = [f for f in frames if len(f)]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame({"run": [], "lane": []})

    def query(self, sql: str) -> pd.DataFrame:
        """Run one read-only DuckDB SELECT over the views ``records`` (all good parquet parts), ``runs`` (one row
        per run, with its provenance), ``configs`` (every resolved config field of every lane; join on
        ``run, lane``) and ``tags`` (``run_id, tag``, one row per tag of a run). File access is limited to the runs folder and the configuration is locked, so SQL can
        neither read nor write other files (write results with ``export``)."""
        import duckdb

        if not isinstance(sql, str) or not sql.strip():
            raise ValueError("empty query; e.g. SELECT metric, count(*) FROM records GROUP BY 1")
        self.problems.clear()
        con = duckdb.connect(":memory:")
        try:
            statements = con.extract_statements(sql)
            if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
                kinds = ", ".join(str(st.type).split(".")[-1] for st in statements) or "none"
                raise ValueError(f"only one read-only SELECT is allowed (got: {kinds}); write results with "
                                 "--csv/--parquet")
            rows = self._scan()
            files = [f for r in rows for f in r["_files"]]
            if files:
                lst = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
                con.execute(f"CREATE VIEW records AS SELECT * FROM read_parquet([{lst}], union_by_name=true)")
            else:
                sql_types = {pa.string(): "VARCHAR", pa.int64(): "BIGINT", pa.float64(): "DOUBLE"}
                cols = ", ".join(f"CAST(NULL AS {sql_types[t]}) AS {c}" for c, t in BASE_COLUMNS.items())
                con.execute(f"CREATE VIEW records AS SELECT {cols} WHERE false")
            runs = pd.DataFrame([{k: v for k, v in r.items() if not k.startswith("_")} for r in rows],
                                columns=list(RUN_COLUMNS))
            con.register("_runs", runs)
            con.execute("CREATE VIEW runs AS SELECT * FROM _runs")
            con.register("_configs", self.configs(rows))
            con.execute("CREATE VIEW configs AS SELECT * FROM _configs")
            con.register("_tags", self.tags_table(rows))
            con.execute("CREATE VIEW tags AS SELECT * FROM _tags")
            root = str(self._root.resolve()).replace("'", "''")
            con.execute(f"SET allowed_directories = ['{root}/']")
            con.execute("SET enable_external_access = false")
            con.execute("SET lock_configuration = true")
            return con.execute(sql).df()
        finally:
            con.close()

    def export(self, sql: str, path: str | os.PathLike) -> Path:
        """Write the result of :meth:`query` to ``path`` (.csv or .parquet/.pq), atomically."""
        path = Path(path)
        ext = path.suffix.lower()
        if ext not in (".csv", ".parquet", ".pq"):
            raise ValueError(f"export path must end in .csv, .parquet or .pq, got {path.name!r}")
        df = self.query(sql)
        if ext == ".csv":
            atomic_write_text(path, df.to_csv(index=False))
        else:
            table = pa.Table.from_pandas(df, preserve_index=False).replace_schema_metadata(None)
            with _atomic_file(path) as f:
                pq.write_table(table, f)
        return path


def _lanes_from_config(run_id: str, cfg: Any) -> pd.DataFrame:
    """Lane configs of a run stored before ``lanes.parquet``: the base config flattened, with each lane's axis
    values (lanes are the axes' product in row-major order, as the runner numbers them)."""
    import itertools

    if not isinstance(cfg, dict) or not isinstance(cfg.get("config"), dict):
        return pd.DataFrame()
    flat: dict[str, Any] = {}

    def walk(d: Any, prefix: str) -> None:
        for k, v in d.items():
            if isinstance(v, dict):
                walk(v, f"{prefix}{k}.")
            else:
                flat[f"{prefix}{k}"] = v

    walk(cfg["config"], "")
    axes = cfg.get("axes") or {}
    rows = []
    for lane, combo in enumerate(itertools.product(*axes.values())):
        rows.append({"run": run_id, "lane": lane, **flat, **dict(zip(axes, combo))})
    return pd.DataFrame(rows)


# --- statistics -----------------------------------------------------------------------------------

def mean_std(df: pd.DataFrame, metric: str, by: list[str] | tuple[str, ...] = (),
             step: int | None = None) -> pd.DataFrame:
    """Mean, std (ddof=1), count and 95% t-interval half-width ``ci95`` of ``metric`` over lanes.

    Uses the rows at ``step`` or, by default, each lane's last step (a lane is ``(run, lane)`` when a
    ``run`` column exists). Groups by the ``by`` columns (all rows in one group if empty). NaN values
    are left out; groups with fewer than two values get NaN std and ci95.

    A seed counts once per group: the same (``by`` setting, seed) stored by two runs with equal values (the
    same lane computed twice, identical config and code) is counted once; with different values the lanes
    differ in something ``by`` does not name, and pooling them would count a seed twice, so it raises.
    """
    from scipy import stats

    by = list(by)
    missing = [c for c in ["metric", "step", "lane", "value", *by] if c not in df.columns]
    if missing:
        raise KeyError(f"mean_std: columns {missing} not in records (have {list(df.columns)})")
    d = df[df["metric"] == metric]
    if step is not None:
        d = d[d["step"] == step]
    else:
        lane_key = ["run", "lane"] if "run" in d.columns else ["lane"]
        last = d.groupby(lane_key, dropna=False)["step"].transform("max")
        d = d[d["step"] == last]
    d = d[d["value"].notna()]
    if "seed" in d.columns:
        key = by + ["seed"]
        dup = d.duplicated(key, keep=False)
        if dup.any():
            spread = d[dup].groupby(key, dropna=False)["value"].nunique()
            if (spread > 1).any():
                where = dict(zip(key, spread[spread > 1].index[0] if len(key) > 1 else (spread[spread > 1].index[0],)))
                raise ValueError(f"mean_std: {where} appears in several lanes with different {metric!r} values: they "
                                 "differ in a setting or in code that by= does not name; add that column to by= "
                                 "(e.g. from the configs view) or select one run")
            d = d.drop_duplicates(key)
    if by:
        g = d.groupby(by, dropna=False, sort=True)["value"]
        out = g.agg(mean="mean", std=lambda s: s.std(ddof=1), count="count").reset_index()
    else:
        v = d["value"]
        out = pd.DataFrame({"mean": [v.mean() if len(v) else np.nan],
                            "std": [v.std(ddof=1) if len(v) > 1 else np.nan], "count": [len(v)]})
    n = out["count"].to_numpy(dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        tq = np.where(n > 1, stats.t.ppf(0.975, np.maximum(n - 1, 1)), np.nan)
        out["ci95"] = tq * out["std"].to_numpy(dtype=np.float64) / np.sqrt(n)
    out["count"] = out["count"].astype(np.int64)
    return out
