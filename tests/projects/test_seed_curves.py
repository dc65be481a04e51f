"""The seed-curve drawing both studies share."""
from matplotlib.figure import Figure

from projects.common.seed_curves import (mean_curve, plot_seed_curves,
                                         seed_legend_handles)


def test_mean_curve_at_the_x_every_seed_has():
    # seed 1 stopped early: the mean covers the x values both seeds have
    series = [[(0, 0.0), (10, 0.4), (20, 0.6)], [(0, 0.2), (10, 0.6)]]
    assert mean_curve(series) == [(0, 0.1), (10, 0.5)]


def test_thin_seed_lines_thick_mean_and_legend():
    ax = Figure().subplots()
    plot_seed_curves(ax, [[(0, 1.0), (1, 2.0)], [(0, 3.0), (1, 4.0)]], 'C1')
    widths = [line.get_linewidth() for line in ax.lines]
    assert widths == [0.8, 0.8, 2.5]
    assert list(ax.lines[-1].get_ydata()) == [2.0, 3.0]
    labels = [h.get_label() for h in seed_legend_handles([('C1', 'oCLIP', [0, 1])])]
    assert labels == ['oCLIP: mean of 2 seeds (0, 1)', 'thin lines: one seed each']
