import numpy as np
import pytest
from mmocr.registry import TRANSFORMS

from mmocr_oclip.datasets.transforms import random_blur
from mmocr_oclip.datasets.transforms.random_blur import BLUR_METHODS, RandomBlur

# the per-method functions, taken before any test replaces them in the module
average_blur = random_blur.average_blur
bilateral_blur = random_blur.bilateral_blur
gaussian_blur = random_blur.gaussian_blur
gaussian_kernel_size = random_blur.gaussian_kernel_size
median_blur = random_blur.median_blur
motion_blur = random_blur.motion_blur
motion_blur_kernel = random_blur.motion_blur_kernel

# one fixed parameter per method, for the tests that loop over the methods
BLURS = dict(gaussian=lambda img: gaussian_blur(img, 1.5),
             average=lambda img: average_blur(img, 5),
             median=lambda img: median_blur(img, 5),
             bilateral=lambda img: bilateral_blur(img, 5, 250, 250),
             motion=lambda img: motion_blur(img, 5))

# the exact values below are imgaug 0.4.0's outputs (iaa.GaussianBlur(sigma=1.0),
# iaa.AverageBlur(k=4), iaa.MedianBlur(k=4) (drawn as 4, used as 5),
# iaa.MotionBlur(k=4, angle=0, direction=0.0), iaa.BilateralBlur(d=5,
# sigma_color=250, sigma_space=250)), which these functions reproduce bit for bit
TINY = np.array([[0, 37, 74, 111, 148], [185, 222, 3, 40, 77], [114, 151, 188, 225, 6],
                 [43, 80, 117, 154, 191], [228, 9, 46, 83, 120]],
                dtype=np.uint8)
TINY_EXPECTED = {
    'gaussian': [[115, 106, 87, 85, 89], [128, 121, 103, 96, 94],
                 [125, 126, 125, 123, 118], [100, 103, 115, 129, 134],
                 [90, 88, 100, 122, 133]],
    'average': [[126, 126, 113, 102, 88], [126, 126, 113, 102, 88],
                [107, 107, 109, 114, 117], [116, 116, 118, 107, 110],
                [96, 96, 115, 120, 138]],
    'median': [[37, 74, 77, 111, 111], [74, 80, 111, 111, 117],
               [114, 111, 111, 111, 117], [117, 114, 114, 83, 117],
               [114, 114, 114, 117, 120]],
    'motion': [[120, 157, 91, 128, 63], [105, 142, 77, 114, 100],
               [114, 100, 86, 123, 108], [123, 108, 94, 131, 117],
               [108, 94, 131, 168, 103]],
}
TINY_RGB = np.array(
    [[[153, 39, 38], [46, 191, 142], [124, 17, 80], [84, 252, 4], [91, 28, 43]],
     [[170, 81, 125], [149, 118, 183], [143, 177, 49], [13, 69, 149], [185, 76, 225]],
     [[32, 237, 161], [118, 146, 107], [71, 194, 236], [26, 82, 243], [68, 124, 24]],
     [[79, 200, 57], [109, 154, 69], [3, 92, 150], [118, 229, 176], [98, 196, 124]],
     [[253, 158, 128], [211, 160, 61], [26, 241, 45], [143, 194, 23], [236, 180, 205]]],
    dtype=np.uint8)
TINY_RGB_BILATERAL_D5 = [[[134, 90, 126], [117, 145, 108], [103, 105, 104],
                          [93, 160, 73], [79, 87, 90]],
                         [[126, 136, 114], [115, 126, 135], [109, 139, 115],
                          [72, 99, 142], [96, 103, 158]],
                         [[108, 164, 141], [104, 153, 122], [76, 154, 143],
                          [68, 125, 169], [77, 128, 151]],
                         [[114, 159, 93], [110, 170, 108], [72, 154, 129],
                          [97, 183, 143], [101, 164, 134]],
                         [[132, 176, 81], [130, 165, 78], [99, 180, 119],
                          [115, 187, 107], [125, 204, 130]]]


def noise_image(shape=(23, 31, 3), seed=0):
    return np.random.RandomState(seed).randint(0, 256, shape, dtype=np.uint8)


def test_imgaug_regression_values():
    np.testing.assert_array_equal(gaussian_blur(TINY, 1.0), TINY_EXPECTED['gaussian'])
    np.testing.assert_array_equal(average_blur(TINY, 4), TINY_EXPECTED['average'])
    np.testing.assert_array_equal(median_blur(TINY, 4), TINY_EXPECTED['median'])
    np.testing.assert_array_equal(motion_blur(TINY, 4), TINY_EXPECTED['motion'])
    np.testing.assert_array_equal(bilateral_blur(TINY_RGB, 5, 250, 250),
                                  TINY_RGB_BILATERAL_D5)
    # (H, W, 1) gives the same values with the channel axis kept
    np.testing.assert_array_equal(
        gaussian_blur(TINY[..., None], 1.0)[..., 0], TINY_EXPECTED['gaussian'])


@pytest.mark.parametrize('method', BLUR_METHODS)
@pytest.mark.parametrize('shape', [(19, 27), (19, 27, 1), (19, 27, 3)])
def test_shape_and_dtype_kept(method, shape):
    img = noise_image(shape)
    before = img.copy()
    out = BLURS[method](img)
    assert out.shape == shape and out.dtype == np.uint8
    assert not np.array_equal(out, img)
    np.testing.assert_array_equal(img, before)  # the input is not modified


@pytest.mark.parametrize('method', BLUR_METHODS)
def test_constant_image_stays_constant(method):
    img = np.full((15, 17, 3), 77, dtype=np.uint8)
    np.testing.assert_array_equal(BLURS[method](img), img)


def test_average_blur_is_box_mean_with_reflect_101_border():
    img = np.zeros((7, 7), dtype=np.uint8)
    img[3, 3] = 90
    out = average_blur(img, 3)
    expected = np.zeros((7, 7), dtype=np.uint8)
    expected[2:5, 2:5] = 10
    np.testing.assert_array_equal(out, expected)
    # a bright top-left corner is mirrored without repeating the edge row/column
    img = np.zeros((7, 7), dtype=np.uint8)
    img[0, 0] = 90
    assert average_blur(img, 3)[0, 0] == 10


def test_median_blur_removes_impulse_and_rounds_even_k_up():
    img = np.zeros((9, 9), dtype=np.uint8)
    img[4, 4] = 255
    np.testing.assert_array_equal(median_blur(img, 3), np.zeros_like(img))
    # a 3x3 median of a 3x3 bright block drops its corners (4 of 9 bright), a 7x7
    # one the whole block
    img[3:6, 3:6] = 255
    np.testing.assert_array_equal(
        median_blur(img, 3)[3:6, 3:6], [[0, 255, 0], [255, 255, 255], [0, 255, 0]])
    assert median_blur(img, 3).sum() == 5 * 255
    np.testing.assert_array_equal(median_blur(img, 7), np.zeros_like(img))
    img = noise_image()
    np.testing.assert_array_equal(median_blur(img, 4), median_blur(img, 5))
    assert not np.array_equal(median_blur(img, 3), median_blur(img, 5))


@pytest.mark.parametrize('k,side', [(3, 3), (4, 5), (5, 5), (6, 7), (7, 7), (8, 9),
                                    (9, 9)])
def test_motion_blur_kernel(k, side):
    kernel = motion_blur_kernel(k)
    assert kernel.shape == (side, side) and kernel.dtype == np.float32
    column = kernel[:, side // 2]
    assert np.all(column == column[0])
    assert np.count_nonzero(kernel) == side
    assert column.sum(dtype=np.float64) == pytest.approx(1.0, abs=1e-6)
    if side == 3:
        assert column[0] == np.float32(0.33333334)


@pytest.mark.parametrize('k,side', [(3, 3), (4, 5), (9, 9)])
def test_motion_blur_is_vertical_line(k, side):
    img = np.zeros((11, 11, 3), dtype=np.uint8)
    img[5, 5] = 255
    out = motion_blur(img, k)
    value = round(255 / side)
    expected = np.zeros_like(img)
    expected[5 - side // 2:5 + side // 2 + 1, 5] = value
    np.testing.assert_array_equal(out, expected)
    assert out.sum() == 3 * side * value


def test_gaussian_blur_eps_and_kernel_size():
    img = noise_image()
    for sigma in (0.0, 0.0005, 1e-3):
        assert gaussian_blur(img, sigma) is img
    assert not np.array_equal(gaussian_blur(img, 0.8), img)
    # 3.3 sigma truncated (2.9 sigma from 3, 2.6 sigma from 5), >= 5, made odd
    sizes = {
        0.01: 5,
        1.5: 5,
        1.82: 7,
        2.4: 7,
        2.5: 9,
        2.99: 9,
        3.0: 9,
        4.0: 11,
        6.0: 15
    }
    assert {s: gaussian_kernel_size(s) for s in sizes} == sizes
    assert gaussian_kernel_size(np.float32(2.5)) == 9


def test_bilateral_blur_gray_and_even_d():
    img = noise_image((21, 25))
    out = bilateral_blur(img, 5)
    assert out.shape == img.shape and not np.array_equal(out, img)
    # OpenCV's neighbourhood radius is d // 2
    np.testing.assert_array_equal(bilateral_blur(img, 4), out)


def test_prob_zero_leaves_results_untouched():
    img = noise_image()
    results = dict(img=img, img_shape=img.shape[:2], other='x')
    out = RandomBlur(prob=0.0)(results)
    assert out['img'] is img
    assert out == dict(img=img, img_shape=(23, 31), other='x')


def test_prob_one_always_blurs_and_keeps_other_keys():
    transform = RandomBlur(prob=1.0, sigma=(1.0, 3.0))
    np.random.seed(0)
    for seed in range(60):
        img = noise_image(seed=seed)
        results = transform(dict(img=img.copy(), img_shape=(23, 31), other='x'))
        assert set(results) == {'img', 'img_shape', 'other'}
        assert results['img_shape'] == (23, 31) and results['other'] == 'x'
        assert results['img'].shape == img.shape and results['img'].dtype == np.uint8
        assert not np.array_equal(results['img'], img)


@pytest.fixture
def recorded_calls(monkeypatch):
    """Replace the five blur functions by recorders of (method, parameter)."""
    calls = []

    def recorder(method):

        def blur(img, param, *args):
            calls.append((method, param, args))
            return img

        return blur

    for method in BLUR_METHODS:
        monkeypatch.setattr(random_blur, f'{method}_blur', recorder(method))
    return calls


def test_method_subset_and_parameter_ranges(recorded_calls):
    transform = RandomBlur(prob=1.0, methods=('median', 'motion'), kernel_size=(4, 6))
    np.random.seed(1)
    for _ in range(300):
        transform(dict(img=np.zeros((4, 4, 3), np.uint8)))
    assert {c[0] for c in recorded_calls} == {'median', 'motion'}
    assert {c[1] for c in recorded_calls} == {4, 5, 6}

    recorded_calls.clear()
    transform = RandomBlur(prob=1.0,
                           methods=('gaussian', 'bilateral'),
                           sigma=(0.5, 2.0),
                           bilateral_sigma_color=100,
                           bilateral_sigma_space=50)
    for _ in range(300):
        transform(dict(img=np.zeros((4, 4, 3), np.uint8)))
    sigmas = [c[1] for c in recorded_calls if c[0] == 'gaussian']
    assert all(type(s) is np.float32 and 0.5 <= s <= 2.0 for s in sigmas)
    assert min(sigmas) < 0.6 and max(sigmas) > 1.9
    bilateral = [c for c in recorded_calls if c[0] == 'bilateral']
    assert bilateral and all(c[2] == (100, 50) for c in bilateral)
    assert {c[1] for c in bilateral} == set(range(3, 10))


def test_draw_order_follows_the_authors(recorded_calls):
    """random() < prob, then choice(methods), then the method's parameter."""
    transform = RandomBlur(prob=0.5)
    np.random.seed(3)
    for _ in range(100):
        transform(dict(img=np.zeros((4, 4, 3), np.uint8)))
    np.random.seed(3)
    expected = []
    for _ in range(100):
        if np.random.random() < 0.5:
            method = np.random.choice(BLUR_METHODS)
            if method == 'gaussian':
                expected.append((method, np.float32(np.random.uniform(0.0, 3.0))))
            else:
                expected.append((method, np.random.randint(3, 10)))
    assert [c[:2] for c in recorded_calls] == expected
    assert 30 < len(expected) < 70


@pytest.mark.parametrize('kwargs,match', [
    (dict(prob=1.5), 'prob'),
    (dict(methods=()), 'methods'),
    (dict(methods='median'), 'methods'),
    (dict(methods=('median', 'box')), "unknown blur methods \\['box'\\]"),
    (dict(sigma=(2.0, 1.0)), 'sigma'),
    (dict(sigma=(-1.0, 1.0)), 'sigma'),
    (dict(kernel_size=(1, 9)), 'kernel_size'),
    (dict(kernel_size=(9, 3)), 'kernel_size'),
    (dict(kernel_size=(3.0, 9)), 'kernel_size'),
    (dict(bilateral_sigma_color=0), 'bilateral sigmas'),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        RandomBlur(**kwargs)


def test_registry_and_repr():
    transform = TRANSFORMS.build(dict(type='RandomBlur', methods=['median']))
    assert isinstance(transform, RandomBlur)
    assert repr(transform) == (
        "RandomBlur(prob=0.1, methods=('median',), sigma=(0.0, 3.0), "
        'kernel_size=(3, 9), bilateral_sigma_color=250, bilateral_sigma_space=250)')
