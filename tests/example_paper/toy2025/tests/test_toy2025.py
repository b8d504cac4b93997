"""toy2025: the paper is found through its entry point, and its claims pass at quick size."""

import sslab
from sslab.papers import papers


def test_paper_is_declared():
    assert "toy2025" in papers()


def test_claims_pass(tmp_path):
    results = sslab.check("toy2025", size="quick", store=tmp_path)
    assert results and all(r.verdict == "PASS" for r in results), [r.rows for r in results]
