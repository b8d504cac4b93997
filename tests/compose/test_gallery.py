"""The composition gallery: cells are stored compose runs; rejected cells carry their error, never a number."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sslab
from sslab.compose.gallery import run_gallery
from sslab.compose.gallery_figures import heatmap


def test_gallery_cells_match_their_runs_and_draw(tmp_path):
    g = run_gallery(store=tmp_path / "runs", out=tmp_path / "out", data=["yang2024"], losses=["infonce"],
                    steps=4, seeds=2)
    assert list(g.table.loss) == ["infonce"] and (g.table.error == "").all()
    for row in g.table.itertuples():
        res = sslab.load(row.run, tmp_path / "runs")
        final = res.metric("recovery").to_numpy()  # recomputed from the stored records
        assert row.recovery == pytest.approx(final.mean()) and row.std == pytest.approx(final.std(ddof=1))
        assert 0.0 <= row.recovery <= 1.0
    assert g.figure.exists() and g.figure.stat().st_size > 10_000
    page = g.page.read_text()
    assert page.count("<tr>") == 2 and "<img" in page and "min(‖P e1‖, ‖P e2‖)" in page


def test_heatmap_marks_rejected_and_diverged_cells(tmp_path):
    table = pd.DataFrame([
        {"data": "yang2024", "loss": "infonce", "model": "yang", "recovery": 0.9, "std": 0.01, "error": ""},
        {"data": "yang2024", "loss": "simsiam", "model": "yang", "recovery": np.nan, "std": np.nan, "error": ""},
        {"data": "tian2022", "loss": "infonce", "model": "", "recovery": np.nan, "std": np.nan,
         "error": "model=tian_rf needs ..."},
    ])
    path = heatmap(table, tmp_path / "h.png", title="test")
    assert path.exists()
    with pytest.raises(Exception):
        run_gallery(size="huge")
