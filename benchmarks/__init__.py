"""Repeatable benchmarks: each prints its figure as a ratio to a floor measured in the same run.

Run them all with ``make bench`` (``python -m benchmarks.run_all``); see ``benchmarks/RESULTS.md``.
Nothing here asserts on time: timings belong in a report, not in a test that flakes on a busy machine.
"""
