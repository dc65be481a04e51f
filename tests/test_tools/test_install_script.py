"""scripts/install.sh: a failed step names itself and its log, and a venv whose install
did not finish is never taken as installed."""
import os
import os.path as osp
import stat
import subprocess

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

FAKE_PYTHON = '''#!/usr/bin/env bash
# answers `-m pip --version` like a working venv; every other call fails
if [ "$1 $2 $3" = "-m pip --version" ]; then echo "pip 23.2.1"; exit 0; fi
echo "simulated failure of: $*" >&2
exit 3
'''


def fake_venv(tmp_path):
    venv = tmp_path / 'venv'
    (venv / 'bin').mkdir(parents=True)
    (venv / 'pyvenv.cfg').write_text('home = /usr/bin\n')
    python = venv / 'bin' / 'python'
    python.write_text(FAKE_PYTHON)
    python.chmod(python.stat().st_mode | stat.S_IXUSR)
    return venv


def install(venv, logs):
    env = dict(os.environ, VENV=str(venv), INSTALL_LOG_DIR=str(logs))
    return subprocess.run(['bash', osp.join(REPO, 'scripts', 'install.sh')],
                          capture_output=True,
                          text=True,
                          env=env,
                          timeout=120)


def test_failed_step_names_itself_and_its_log(tmp_path):
    venv, logs = fake_venv(tmp_path), tmp_path / 'logs'
    proc = install(venv, logs)
    assert proc.returncode == 3
    log = logs / 'build-requirements.log'
    assert (f"[install] FAILED at step 'build-requirements' (exit 3); full log: {log}"
            in proc.stderr)
    assert 'simulated failure of: -m pip' in log.read_text()
    # the end of the log is shown too, and the venv is said not to be installed
    assert 'simulated failure of' in proc.stderr
    assert 'is not marked installed' in proc.stderr


def test_stale_stamp_is_dropped_by_an_unfinished_run(tmp_path):
    venv, logs = fake_venv(tmp_path), tmp_path / 'logs'
    stamp = venv / '.mmocr_oclip-install'
    stamp.write_text('an earlier install\n')
    assert install(venv, logs).returncode != 0
    assert not stamp.exists()


def test_a_folder_that_is_not_a_venv_is_left_alone(tmp_path):
    folder = tmp_path / 'not_a_venv'
    folder.mkdir()
    (folder / 'precious.txt').write_text('keep me')
    proc = install(folder, tmp_path / 'logs')
    assert proc.returncode == 1
    assert 'is not a virtual environment (no pyvenv.cfg)' in proc.stderr
    assert (folder / 'precious.txt').read_text() == 'keep me'


def test_every_pip_call_is_constrained():
    script = open(osp.join(REPO, 'scripts', 'install.sh')).read()
    constraints = open(osp.join(REPO, 'requirements', 'constraints.txt')).read()
    assert 'setuptools>=77.0.3,<81' in constraints
    # pip is only ever called through pip_, which adds -c requirements/constraints.txt
    assert script.count('-m pip') == 2  # the --version probe and pip_ itself
    assert ('pip_() { "$PY" -m pip --disable-pip-version-check "$@" '
            '-c "$CONSTRAINTS"; }') in script
