"""The SVG charts' geometry: axis labels a reader takes in at a glance."""

from app.web.analysis.charts import grouped_bars


def labels(top, low):
    values = {("disk", "io_operation"): top, ("disk", "device_driver"): low}
    chart = grouped_bars("t", "µs", ["disk"], ["io_operation", "device_driver"], values)
    return [tick["label"] for tick in chart.ticks]


def test_a_linear_axis_is_labelled_to_three_figures_without_exponents():
    assert labels(11.8913, 1.0) == ["0", "5.95", "11.9"]
    assert labels(4597.3, 4000.0) == ["0", "2.3k", "4.6k"]
    assert labels(1999.4, 1500.0) == ["0", "1000", "2k"]


def test_a_log_axis_is_labelled_in_powers_of_ten():
    assert labels(250_000.0, 3.0) == ["1", "10", "100", "1k", "10k", "100k"]
