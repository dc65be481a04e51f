"""Keep a job's whole output in a log file; show its progress on the terminal.

    COMMAND 2>&1 | python -m projects.demo.demo_progress LOG_FILE LABEL

Every line goes to LOG_FILE; the terminal gets the lines
:func:`projects.common.log_progress.progress_line` picks (stage, epoch/iteration,
ETA, losses, metrics, errors).
"""
import sys

from projects.common.log_progress import follow


def main():
    log_file, label = sys.argv[1], sys.argv[2]
    with open(log_file, 'w', encoding='utf-8') as log:
        follow(sys.stdin, log, label)


if __name__ == '__main__':
    main()
