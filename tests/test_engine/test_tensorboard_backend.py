"""TensorBoard: the config snippet README gives builds our visualizer with MMEngine's
TensorboardVisBackend, and training scalars land in an event file."""
import glob

from mmocr.registry import VISUALIZERS

from mmocr_oclip.utils import load_config

SNIPPET = '''_base_ = ['mmocr_oclip::pretrain/oclip_rn50-w16_1xb16-8e_synthetic.py']
visualizer = dict(vis_backends=[
    dict(type='LocalVisBackend'),
    dict(type='TensorboardVisBackend'),
])
'''


def test_readme_snippet_writes_tensorboard_events(tmp_path):
    config = tmp_path / 'oclip_tensorboard.py'
    config.write_text(SNIPPET)
    cfg = load_config(str(config))
    assert [b['type'] for b in cfg.visualizer.vis_backends
            ] == ['LocalVisBackend', 'TensorboardVisBackend']
    visualizer = VISUALIZERS.build(
        dict(cfg.visualizer, name='tensorboard_test', save_dir=str(tmp_path / 'vis')))
    visualizer.add_scalars(dict(loss=1.5, acc_mask=0.25), step=3)
    visualizer.close()
    assert glob.glob(str(tmp_path / 'vis' / '**' / 'events.out.tfevents.*'),
                     recursive=True)
