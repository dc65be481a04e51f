"""Learning curves over several seeds, as both studies draw them: each seed a thin
line, the mean over the seeds a thick one, one colour per variant."""
import statistics


def mean_curve(series):
    """(x, mean y) at the x values every series of ``series`` (lists of (x, y))
    has."""
    common = set.intersection(*({x for x, _ in points} for points in series))
    return [(x, statistics.fmean(dict(points)[x] for points in series))
            for x in sorted(common)]


def plot_seed_curves(ax, series, colour, mean_style='o-'):
    """Draw each of ``series`` (lists of (x, y), one per seed) thin and their
    :func:`mean_curve` thick on the matplotlib axes ``ax``."""
    for points in series:
        ax.plot(*zip(*points), color=colour, linewidth=0.8, alpha=0.45)
    ax.plot(*zip(*mean_curve(series)), mean_style, color=colour, linewidth=2.5)


def seed_legend_handles(entries):
    """Legend handles: one thick line per ``(colour, name, seeds)`` of
    ``entries`` ("NAME: mean of N seeds (0, 1, 2)") and one thin grey line for
    the single seeds."""
    from matplotlib.lines import Line2D
    handles = []
    for colour, name, seeds in entries:
        plural = 's' if len(seeds) > 1 else ''
        handles.append(
            Line2D([], [],
                   color=colour,
                   linewidth=2.5,
                   label=f'{name}: mean of {len(seeds)} seed{plural} '
                   f'({", ".join(map(str, seeds))})'))
    handles.append(
        Line2D([], [], color='0.4', linewidth=0.8, label='thin lines: one seed each'))
    return handles
