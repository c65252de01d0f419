"""The integer-array idioms of spinncer.arrays on hand-written examples."""
import numpy as np

from spinncer.arrays import distinct, distinct_counts, expand_ranges


def test_distinct_and_counts_are_sorted_with_multiplicities():
    keys = np.array([7, 3, 7, 1, 3, 7], np.int64)
    assert distinct(keys.copy()).tolist() == [1, 3, 7]
    values, counts = distinct_counts(keys.copy())
    assert (values.tolist(), counts.tolist()) == ([1, 3, 7], [1, 2, 3])
    empty = distinct_counts(np.zeros(0, np.int64))
    assert (len(empty[0]), len(empty[1])) == (0, 0)


def test_expand_ranges_concatenates_csr_rows_and_skips_empty_ones():
    assert expand_ranges([5, 0, 2], [2, 0, 3]).tolist() == [5, 6, 2, 3, 4]
    assert expand_ranges([], []).tolist() == []
