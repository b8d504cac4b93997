"""Collection settings: tests/example_paper is a paper plugin's source tree (its own tests run in
tests/test_example_paper.py and tests/test_plugins.py, once the paper is declared), not part of this suite."""

collect_ignore = ["example_paper"]
