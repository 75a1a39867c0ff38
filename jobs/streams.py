"""Generated daily stream logs: the same date gives the same file on any machine.

Artist popularity follows a Zipf-like law, as real listening does, so the top artists of
a month stand clearly above the rest.
"""

from __future__ import annotations

import datetime
import functools
import random
from typing import TextIO

ARTISTS = 5_000
TRACKS_PER_ARTIST = 40
ZIPF_EXPONENT = 1.1
_CHUNK = 50_000


@functools.cache
def catalogue() -> tuple[list[str], list[float]]:
    """Artist names (``artist-00042``) ordered by popularity, with cumulative weights."""
    names = [f"artist-{i:05d}" for i in range(ARTISTS)]
    # The most popular artists are not simply the lowest ids.
    random.Random("streamflow-catalogue").shuffle(names)
    cumulative, total = [], 0.0
    for rank in range(1, ARTISTS + 1):
        total += rank**-ZIPF_EXPONENT
        cumulative.append(total)
    return names, cumulative


def write_streams(day: datetime.date, lines: int, out: TextIO) -> None:
    """Write one day of ``timestamp<TAB>artist<TAB>track`` lines (Unix seconds, in order)."""
    rng = random.Random(f"streamflow-streams-{day.isoformat()}")
    names, cumulative = catalogue()
    tracks = [f"track-{i:02d}" for i in range(TRACKS_PER_ARTIST)]
    midnight = datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.UTC)
    start = int(midnight.timestamp())
    for first in range(0, lines, _CHUNK):
        count = min(_CHUNK, lines - first)
        artists = rng.choices(names, cum_weights=cumulative, k=count)
        picked = rng.choices(tracks, k=count)
        out.write(
            "".join(
                f"{start + (first + i) * 86_400 // lines}\t{artist}\t{artist}/{track}\n"
                for i, (artist, track) in enumerate(zip(artists, picked))
            )
        )
