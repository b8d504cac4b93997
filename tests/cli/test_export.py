"""`sslab export` (issue 22): TensorBoard event files, read back record by record (TFRecord framing with masked
CRC32C checked by an independent reader), and an offline W&B run (the wandb library's, or JSON-lines without it)."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import sys

import numpy as np
import pytest
from typer.testing import CliRunner

import sslab
from sslab.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    res = sslab.run("yang2024", ["seed=0:3", "train.steps=20", "train.log_every=10", "data.tau=3,5"], store=root,
                    figures=False)
    return root, res


# --- an independent TFRecord reader: CRC32C (Castagnoli) masked as TensorFlow does -----------------------------

def _crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_TABLE = _crc32c_table()


def crc32c(data: bytes) -> int:
    c = 0xFFFFFFFF
    for b in data:
        c = _TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def masked(crc: int) -> int:
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def test_crc32c_reference_value():
    assert crc32c(b"123456789") == 0xE3069283  # the standard check value of CRC-32C


def read_records(path) -> list[bytes]:
    data, out, i = path.read_bytes(), [], 0
    while i < len(data):
        header = data[i:i + 8]
        (n,) = struct.unpack("<Q", header)
        (hcrc,) = struct.unpack("<I", data[i + 8:i + 12])
        assert hcrc == masked(crc32c(header)), "length CRC"
        body = data[i + 12:i + 12 + n]
        (bcrc,) = struct.unpack("<I", data[i + 12 + n:i + 16 + n])
        assert bcrc == masked(crc32c(body)), "data CRC"
        out.append(body)
        i += 16 + n
    return out


def test_tensorboard_event_files_hold_every_series(run, tmp_path):
    pytest.importorskip("tensorboardX")
    from tensorboardX.proto.event_pb2 import Event

    root, res = run
    r = runner.invoke(app, ["export", res.run_id, "--tensorboard", str(tmp_path / "tb"), "--runs", str(root)])
    assert r.exit_code == 0, r.output
    (events,) = (tmp_path / "tb" / res.run_id).glob("events.out.tfevents.*")
    scalars: dict[str, dict[int, float]] = {}
    records = read_records(events)
    first = Event.FromString(records[0])
    assert first.file_version.startswith("brain.Event:")
    for raw in records[1:]:
        ev = Event.FromString(raw)
        for v in ev.summary.value:
            if v.HasField("simple_value"):
                scalars.setdefault(v.tag, {})[ev.step] = v.simple_value
    recs = res.records
    # one series per metric and lane, at every logged step, with the stored values (float32 in the event file)
    lane = recs[(recs.metric == "w11") & (recs.lane == 4)].sort_values("step")
    assert scalars["w11/lane_4"] == pytest.approx(dict(zip(lane.step, lane.value)), rel=1e-6)
    assert set(scalars["loss/lane_0"]) == {10, 20} and set(scalars["w11/lane_0"]) == {0, 10, 20}
    # and the mean over the lanes of each setting, never pooled across settings
    at = recs[(recs.metric == "w11") & (recs.step == 20)]
    for tau in (3.0, 5.0):
        assert scalars[f"w11/mean/data.tau_{tau}"][20] == pytest.approx(at[at["data.tau"] == tau].value.mean(), rel=1e-6)
    assert not any(t.startswith("diverged_at") for t in scalars)
    assert len({t for t in scalars if t.startswith("w11/lane_")}) == 6


def test_wandb_offline_without_the_library_is_json_lines_with_a_note(run, tmp_path, monkeypatch):
    root, res = run
    monkeypatch.setitem(sys.modules, "wandb", None)  # `import wandb` raises ImportError
    r = runner.invoke(app, ["export", res.run_id, "--wandb-offline", str(tmp_path / "wb"), "--series", "means",
                            "--runs", str(root)])
    assert r.exit_code == 0, r.output
    assert "will not accept" in r.output
    (folder,) = (tmp_path / "wb" / "wandb").glob("offline-run-*")
    assert folder.name.endswith(res.run_id)
    history = [json.loads(line) for line in (folder / "files" / "wandb-history.jsonl").read_text().splitlines()]
    assert [h["_step"] for h in history] == [0, 10, 20]
    assert all(k.startswith(("w", "loss", "b", "r", "P", "c", "_")) and "lane_" not in k for k in history[-1])
    at = res.records[(res.records.metric == "w22") & (res.records.step == 20)]
    assert history[-1]["w22/mean/data.tau_5.0"] == pytest.approx(at[at["data.tau"] == 5.0].value.mean())
    assert "wandb sync` does NOT accept" in (folder / "NOTE.txt").read_text()
    assert json.loads((folder / "files" / "config.json").read_text())["experiment"] == "yang2024"


def test_wandb_offline_run_is_one_wandb_sync_accepts(run, tmp_path):
    pytest.importorskip("wandb")
    root, res = run
    r = runner.invoke(app, ["export", res.run_id, "--wandb-offline", str(tmp_path / "wb"), "--runs", str(root)])
    assert r.exit_code == 0, r.output
    (log,) = (tmp_path / "wb" / "wandb").glob("offline-run-*/run-*.wandb")
    data = log.read_bytes()
    assert data.startswith(b":W&B") and b"w11/lane_5" in data and b"w11/mean/data.tau_3.0" in data
    exe = shutil.which("wandb") or str(__import__("pathlib").Path(sys.executable).parent / "wandb")
    out = subprocess.run([exe, "sync", "--dry-run", str(log.parent)], capture_output=True, text=True, timeout=120)
    assert "Would sync 1 run" in out.stdout + out.stderr, out.stdout + out.stderr


def test_export_errors_are_one_line(run, tmp_path):
    root, res = run
    for args in (["export", res.run_id], ["export", "nope", "--tensorboard", str(tmp_path)],
                 ["export", res.run_id, "--tensorboard", str(tmp_path), "--series", "all"]):
        r = runner.invoke(app, [*args, "--runs", str(root)])
        lines = [line for line in r.output.strip().splitlines() if line.strip()]
        assert r.exit_code == 2 and len(lines) == 1 and lines[0].startswith("error:"), (args, r.output)
