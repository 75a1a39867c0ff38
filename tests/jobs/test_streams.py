import datetime
import hashlib
import io
import subprocess
import sys
from collections import Counter

from jobs.streams import write_streams

DAY = datetime.date(2012, 6, 1)


def digest(day, lines):
    buffer = io.StringIO()
    write_streams(day, lines, buffer)
    return hashlib.sha256(buffer.getvalue().encode()).hexdigest()


def test_same_date_gives_the_same_file_in_another_process():
    code = (
        "import datetime; from tests.jobs.test_streams import digest;"
        "print(digest(datetime.date(2012, 6, 1), 5000))"
    )
    other = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert other == digest(DAY, 5000)
    assert digest(DAY + datetime.timedelta(days=1), 5000) != other


def test_lines_have_three_fields_and_increasing_timestamps_within_the_day():
    buffer = io.StringIO()
    write_streams(DAY, 3000, buffer)
    rows = [line.split("\t") for line in buffer.getvalue().splitlines()]
    assert len(rows) == 3000 and all(len(row) == 3 for row in rows)
    stamps = [int(row[0]) for row in rows]
    midnight = int(datetime.datetime(2012, 6, 1, tzinfo=datetime.UTC).timestamp())
    assert stamps == sorted(stamps)
    assert midnight <= stamps[0] and stamps[-1] < midnight + 86_400
    assert all(track.startswith(artist + "/") for _, artist, track in rows)


def test_popularity_is_skewed_so_the_top_ten_stands_out():
    buffer = io.StringIO()
    write_streams(DAY, 100_000, buffer)
    counts = Counter(line.split("\t")[1] for line in buffer.getvalue().splitlines())
    ranked = [n for _, n in counts.most_common()]
    assert len(counts) > 1000
    # Zipf-like: the top artist has several times the 10th, the 10th well above the median.
    assert ranked[0] > 5 * ranked[9] and ranked[9] > 10 * ranked[len(ranked) // 2]
