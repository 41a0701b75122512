"""Load the MNIST IDX files shipped in data/ into the course's dset (numpy only).

    dset = load_dset()   # ((train_x, train_y), (val_x, val_y), (test_x, test_y))

Images are flattened to 784 float64 values and each partition is
normalised by its own mean and standard deviation; labels are one-hot
(n, 10).  Every file's MD5 (of its uncompressed bytes) is checked first.
"""
import gzip
import hashlib
import os
import zlib

import numpy as np

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
# name -> (MD5 of the uncompressed file, IDX magic number, shape)
FILES = {
    "train-images-idx3-ubyte.gz": ("6bbc9ace898e44ae57da46a324031adb", 0x803, (60000, 28, 28)),
    "train-labels-idx1-ubyte.gz": ("a25bea736e30d166cdddb491f175f624", 0x801, (60000,)),
    "t10k-images-idx3-ubyte.gz": ("2646ac647ad5339dbf082846283269ea", 0x803, (10000, 28, 28)),
    "t10k-labels-idx1-ubyte.gz": ("27ae3e4e09519cfbb04c329615203637", 0x801, (10000,)),
}
N_TRAIN = 50000
PIXELS, CLASSES = 28 * 28, 10   # the values of one image, the digits
TARGET = 0.9   # the course's target: final validation accuracy of hw1/mnist.py's model
# The handout's network and its training: test.py's default run, the one expected_graphs/ shows
# (dev/generate_expected_graphs.py); numpy's seed before it is cases/seeds.py's SEED.
HANDOUT_RUN = dict(epochs=200, batch_size=100, lr=1e-3, momentum=0.856, hiddens=[32, 32, 32])


class MnistDataError(Exception):
    """A data file is missing, truncated or altered; the message names it."""


def read_idx(path):
    """Verify and parse one gzip-compressed IDX file -> uint8 array of its shape."""
    name = os.path.basename(path)
    md5, magic, shape = FILES[name]
    if not os.path.isfile(path):
        raise MnistDataError(f"{path}: missing (expected the MNIST file {name})")
    size = 4 * (1 + len(shape)) + int(np.prod(shape))
    raw = bytearray(size + 1)  # one spare byte to notice a file that is too long
    got = 0
    try:
        with gzip.open(path, "rb") as f:
            view = memoryview(raw)
            while got < len(raw):
                n = f.readinto(view[got:])
                if not n:
                    break
                got += n
    except (OSError, EOFError, zlib.error) as e:
        raise MnistDataError(f"{path}: not a complete gzip file ({e}); expected MD5 {md5} "
                             f"after decompression") from None
    found = hashlib.md5(memoryview(raw)[:got]).hexdigest()
    if found != md5:
        raise MnistDataError(f"{path}: altered or truncated: expected {size} bytes with MD5 {md5} "
                             f"after decompression, found {got} bytes with MD5 {found}")
    header = np.frombuffer(raw, dtype=">u4", count=1 + len(shape))
    if header[0] != magic or tuple(header[1:]) != shape:
        raise MnistDataError(f"{path}: IDX header {header.tolist()}, expected magic {magic:#x} "
                             f"and shape {shape}")
    return np.frombuffer(raw, dtype=np.uint8, count=size - 4 * len(header),
                         offset=4 * len(header)).reshape(shape)


def _partition(images, labels):
    """Flatten, normalise by the partition's own mean and std, one-hot the labels."""
    # Mean and std from the histogram of the 256 pixel values: exact, and no
    # temporary the size of the images (std of a float copy would need one).
    counts = np.bincount(images.ravel(), minlength=256).astype(np.float64)
    values = np.arange(256.0)
    mean = counts @ values / counts.sum()
    std = np.sqrt(counts @ (values - mean) ** 2 / counts.sum())
    x = images.reshape(len(images), -1).astype(np.float64)
    x -= mean
    x /= std
    return x, np.eye(10)[labels]


def load_dset(data_dir=DATA_DIR):
    """-> ((train_x, train_y), (val_x, val_y), (test_x, test_y)); raises MnistDataError."""
    arrays = {name: read_idx(os.path.join(data_dir, name)) for name in FILES}
    images, labels = arrays["train-images-idx3-ubyte.gz"], arrays["train-labels-idx1-ubyte.gz"]
    return (_partition(images[:N_TRAIN], labels[:N_TRAIN]),
            _partition(images[N_TRAIN:], labels[N_TRAIN:]),
            _partition(arrays["t10k-images-idx3-ubyte.gz"], arrays["t10k-labels-idx1-ubyte.gz"]))


def load_validation(data_dir=DATA_DIR):
    """-> (val_x, val_y) alone, as load_dset() gives them (the grader's parent measures accuracy on it)."""
    images = read_idx(os.path.join(data_dir, "train-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(data_dir, "train-labels-idx1-ubyte.gz"))
    return _partition(images[N_TRAIN:], labels[N_TRAIN:])
