"""Keep a job's whole output in a log file; show its progress on the terminal.

    COMMAND 2>&1 | python scripts/demo_progress.py LOG_FILE LABEL

Every line goes to LOG_FILE. The terminal gets one short line per MMEngine training
log line (label, epoch/iteration, ETA, losses), the validation/test metric lines,
warnings that name a problem, and the job's own summary lines (those starting with
``anchor/``, ``oclip/`` or ``icdar/`` metrics, or ``[...]`` tags of our tools).
"""
import re
import sys

PROGRESS = re.compile(r'(Epoch|Iter)\((train|val|test)\)\s*((?:\[\s*\d+\])?)'
                      r'\s*\[\s*(\d+)/(\d+)\]\s*(.*)')
NUMBER = re.compile(r'([\w/@.]+):\s*(-?[\d.]+(?:e-?\d+)?)')
SHOWN = ('error', 'Error', 'Traceback', 'WARNING', 'bad sample', 'skipped', 'rendered',
         'heatmap', 'wrote')


def short(line, label):
    """The terminal line for one log line, or None."""
    match = PROGRESS.search(line)
    if match:
        kind, mode, epoch, step, total, rest = match.groups()
        values = dict(NUMBER.findall(rest))
        where = f'epoch {epoch.strip("[] ")} ' if epoch else ''
        where += f'{"iter" if kind == "Iter" or mode == "train" else "batch"} ' \
                 f'{step}/{total}'
        if mode == 'train':
            eta = re.search(r'eta:\s*(\S+)', rest)
            losses = ' '.join(f'{k} {float(v):.3f}' for k, v in values.items()
                              if k.startswith('loss') or k.startswith('acc'))
            return (f'  [{label}] {where}  eta {eta.group(1) if eta else "?"}  '
                    f'{losses}')
        metrics = {k: v for k, v in values.items() if '/' in k}
        if metrics:
            return (f'  [{label}] {mode} after {where.split(" batch")[0] or "run"}: ' +
                    ', '.join(f'{k} {float(v):.3f}' for k, v in metrics.items()))
        return None
    stripped = line.strip()
    tagged = stripped.startswith(('anchor/', 'oclip/', 'icdar/', '['))
    if tagged or any(word in line for word in SHOWN):
        return f'  [{label}] {stripped}'
    return None


def main():
    log_file, label = sys.argv[1], sys.argv[2]
    with open(log_file, 'w', encoding='utf-8') as log:
        for line in sys.stdin:
            log.write(line)
            log.flush()
            shown = short(line, label)
            if shown:
                print(shown[:160], flush=True)


if __name__ == '__main__':
    main()
