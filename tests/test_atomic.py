import os

import pytest

from spinncer.atomic import atomic_path


def test_success_renames_and_failure_leaves_nothing(tmp_path):
    target = tmp_path / "out.csv"
    with atomic_path(target) as tmp:
        tmp.write_text("a,b\n")
        assert not target.exists()
    assert target.read_text() == "a,b\n"
    with pytest.raises(RuntimeError):
        with atomic_path(tmp_path / "other.csv") as tmp:
            tmp.write_text("half")
            raise RuntimeError("killed")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_stale_parts_of_a_killed_writer_are_removed(tmp_path):
    stale = tmp_path / ".spikes.h5.abc123.part.h5"
    stale.write_bytes(b"half-written")
    other = tmp_path / ".stats.csv.x.part.csv"
    other.write_text("someone else's")
    with atomic_path(tmp_path / "spikes.h5") as tmp:
        tmp.write_bytes(b"done")
    assert not stale.exists() and other.exists()
    assert (tmp_path / "spikes.h5").read_bytes() == b"done"
    assert os.listdir(tmp_path).count("spikes.h5") == 1


def test_outputs_get_the_usual_permissions(tmp_path):
    target = tmp_path / "shared.csv"
    with atomic_path(target) as tmp:
        tmp.write_text("x")
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_write_csv_has_one_number_format_for_rows_and_frames(tmp_path):
    import pandas as pd

    from spinncer.atomic import write_csv
    rows = [{"population": "granule", "n": 3, "rate": 1 / 3, "tiny": 1.234567e-7}]
    write_csv(rows, tmp_path / "rows.csv")
    write_csv(pd.DataFrame(rows), tmp_path / "frame.csv")
    expected = "population,n,rate,tiny\ngranule,3,0.333333,1.23457e-07\n"
    assert (tmp_path / "rows.csv").read_text() == (tmp_path / "frame.csv").read_text() == expected
