"""The benchmark reports latencies; it never asserts on them (machines differ)."""
from safety import bench


def test_bench_run_reports_all_figures():
    result = bench.run(iterations=20)
    for key in ("message_p50_ms", "message_p99_ms", "message_cpu_p99_ms", "corpus_p50_ms", "corpus_p99_ms",
                "long_50kB_ms", "long_100kB_ms", "long_100kB_median_ms", "ratio_100kB_over_50kB"):
        assert isinstance(result[key], float), key
    assert result["message_chars"] == 400
