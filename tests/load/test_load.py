"""CopyToTable on both backends: the same cases against PostgreSQL and SQLite."""

from __future__ import annotations

import tracemalloc

import pytest

from streamflow.errors import DatabaseError, TaskDefinitionError
from streamflow.load import copytext
from tests.load.tasks import (
    LoadPlays,
    LoadPlaysIndexed,
    LoadPlaysTagged,
    LoadValues,
    ReloadPlaysTagged,
    bind,
)


def write_tsv(path, rows) -> str:
    path.write_text("".join("\t".join(map(str, row)) + "\n" for row in rows), encoding="utf-8")
    return str(path)


PLAYS = [("Abba", 3), ("Bach", 12), ("Cure", 7)]


def test_load_creates_the_table_and_inserts_every_line(db, tmp_path):
    task = bind(LoadPlays(path=write_tsv(tmp_path / "plays.tsv", PLAYS)), db.url)
    assert not task.complete()
    task.run()
    assert db.rows("plays") == PLAYS
    assert db.markers() == [(task.task_id, "plays")]
    assert task.complete()


def test_rerun_loads_nothing_more(db, tmp_path):
    path = write_tsv(tmp_path / "plays.tsv", PLAYS)
    bind(LoadPlays(path=path), db.url).run()
    again = bind(LoadPlays(path=path), db.url)
    assert again.complete()
    again.run()  # even when run() is called anyway, the marker makes it a no-op
    assert db.rows("plays") == PLAYS
    assert len(db.markers()) == 1


def test_rerun_is_a_no_op_even_after_the_table_was_altered(db, tmp_path):
    path = write_tsv(tmp_path / "plays.tsv", PLAYS)
    bind(LoadPlays(path=path), db.url).run()
    db.execute("ALTER TABLE plays ADD COLUMN country TEXT")
    bind(LoadPlays(path=path), db.url).run()  # its rows are in: nothing to check or load
    assert db.query("SELECT artist, streams FROM plays ORDER BY 1") == PLAYS


def test_two_tasks_append_to_one_table_each_with_its_marker(db, tmp_path):
    first = bind(LoadPlays(path=write_tsv(tmp_path / "a.tsv", PLAYS[:1])), db.url)
    second = bind(LoadPlays(path=write_tsv(tmp_path / "b.tsv", PLAYS[1:])), db.url)
    first.run()
    assert not second.complete()
    second.run()
    assert db.rows("plays") == PLAYS
    assert sorted(db.markers()) == sorted([(first.task_id, "plays"), (second.task_id, "plays")])


def test_last_line_without_newline_is_loaded(db, tmp_path):
    path = tmp_path / "plays.tsv"
    path.write_text("Abba\t3\nBach\t12", encoding="utf-8")
    bind(LoadPlays(path=str(path)), db.url).run()
    assert db.rows("plays") == [("Abba", 3), ("Bach", 12)]


def test_output_directory_of_part_files_is_loaded_whole(db, tmp_path):
    out = tmp_path / "job-output"
    out.mkdir()
    write_tsv(out / "part-00000", PLAYS[:2])
    write_tsv(out / "part-00001", PLAYS[2:])
    (out / "_SUCCESS").write_text("")
    bind(LoadPlays(path=str(out)), db.url).run()
    assert db.rows("plays") == PLAYS


def test_file_values_are_taken_literally(db, tmp_path):
    # Backslashes, a literal \N, a carriage return and non-ASCII text come back unchanged.
    labels = ["C:\\temp\\x", "\\N", "a\rb", "Björk 🎵", "\\.", ""]
    path = tmp_path / "odd.tsv"
    path.write_bytes("".join(f"{label}\t{i}\n" for i, label in enumerate(labels)).encode())
    bind(LoadPlays(path=str(path)), db.url).run()
    assert db.rows("plays", order_by="streams") == [(label, i) for i, label in enumerate(labels)]


def test_rows_override_encodes_specials_null_and_unicode(db):
    values = [
        ("tab\there", 1),
        ("new\nline", 2),
        ("back\\slash \\N \\t", 3),
        ("cr\r\nlf", 4),
        (None, 5),
        ("ünïcødé ✓ 漢字", None),
        ("", 7),
        ("\\.", 8),
    ]
    task = bind(type("LoadOdd", (LoadValues,), {"values": values})(name="odd"), db.url)
    task.run()
    got = db.query("SELECT label, n FROM items ORDER BY label IS NULL, label")
    expected = sorted(values, key=lambda row: (row[0] is None, (row[0] or "").encode()))
    assert got == expected


def test_wrong_field_count_names_file_and_line_and_commits_nothing(db, tmp_path):
    path = tmp_path / "bad.tsv"
    path.write_text("Abba\t3\nBach\t12\nCure\n", encoding="utf-8")
    task = bind(LoadPlays(path=str(path)), db.url)
    with pytest.raises(DatabaseError) as caught:
        task.run()
    assert f"{path}, line 3" in str(caught.value)
    assert "found 1 tab-separated fields, expected 2" in str(caught.value)
    assert not db.table_exists("plays")
    assert db.markers() == []
    assert not task.complete()


def test_bad_line_far_into_a_large_file_is_found_by_number(db, tmp_path):
    # Past the first read chunk, so line numbers must carry across chunks.
    path = tmp_path / "big.tsv"
    lines = [f"artist {i}\t{i}\n" for i in range(120_000)]
    lines[100_000] = "artist\twith\textra tabs\n"
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(DatabaseError, match=r"big.tsv, line 100001: found 3"):
        bind(LoadPlays(path=str(path)), db.url).run()
    assert not db.table_exists("plays")


@pytest.mark.parametrize("short_row", [("b",), ("b\t2",)])
def test_rows_of_wrong_length_fail_before_commit(db, short_row):
    cls = type("LoadShort", (LoadValues,), {"values": [("a", 1), short_row]})
    with pytest.raises(DatabaseError, match=r"row 2: found 1 values, expected 2"):
        bind(cls(name="short"), db.url).run()
    assert db.markers() == []
    assert not db.table_exists("items")


def test_existing_table_with_other_columns_is_refused_naming_both(db, tmp_path):
    db.execute("CREATE TABLE plays (artist TEXT, plays_count INTEGER, country TEXT)")
    task = bind(LoadPlays(path=write_tsv(tmp_path / "plays.tsv", PLAYS)), db.url)
    with pytest.raises(DatabaseError) as caught:
        task.run()
    message = str(caught.value)
    assert "plays_count" in message and "country" in message  # what the table has
    assert "streams" in message  # what the task declares
    assert "DROP TABLE" in caught.value.hint
    assert db.rows("plays") == []
    assert db.markers() == []


def test_existing_table_with_a_different_column_type_is_refused(db, tmp_path):
    db.execute("CREATE TABLE plays (artist TEXT, streams TEXT)")
    with pytest.raises(DatabaseError, match="exists with columns"):
        bind(LoadPlays(path=write_tsv(tmp_path / "p.tsv", PLAYS)), db.url).run()


def test_existing_table_with_matching_columns_is_used(db, tmp_path):
    db.execute("CREATE TABLE plays (artist TEXT, streams INTEGER)")
    db.execute("INSERT INTO plays VALUES ('Older', 1)")
    bind(LoadPlays(path=write_tsv(tmp_path / "p.tsv", PLAYS)), db.url).run()
    assert db.rows("plays") == sorted([("Older", 1), *PLAYS])


def test_replace_deletes_only_this_tasks_earlier_rows(db, tmp_path):
    mine = tmp_path / "mine.tsv"
    write_tsv(mine, [("Abba", 1), ("Bach", 2)])
    other = bind(LoadPlaysTagged(path=write_tsv(tmp_path / "other.tsv", [("Cure", 9)])), db.url)
    bind(LoadPlaysTagged(path=str(mine)), db.url).run()
    other.run()
    write_tsv(mine, [("Abba", 10), ("Dido", 4)])  # corrected data for the same task
    reload = bind(ReloadPlaysTagged(path=str(mine)), db.url)
    assert reload.task_id == LoadPlaysTagged(path=str(mine)).task_id
    reload.run()
    assert db.query("SELECT artist, streams FROM plays ORDER BY artist") == [
        ("Abba", 10),
        ("Cure", 9),
        ("Dido", 4),
    ]
    assert db.query("SELECT DISTINCT loaded_by FROM plays ORDER BY 1") == sorted(
        [(reload.task_id,), (other.task_id,)]
    )
    assert sorted(db.markers()) == sorted([(reload.task_id, "plays"), (other.task_id, "plays")])


def test_replace_by_a_predicate_the_task_gives(db, tmp_path):
    class ReloadAbba(LoadPlays):
        replace = True

        def replace_where(self):
            return {"artist": "Abba"}

    bind(LoadPlays(path=write_tsv(tmp_path / "old.tsv", PLAYS)), db.url).run()
    bind(ReloadAbba(path=write_tsv(tmp_path / "new.tsv", [("Abba", 99)])), db.url).run()
    assert db.rows("plays") == [("Abba", 99), ("Bach", 12), ("Cure", 7)]


def test_replace_without_a_way_to_find_own_rows_is_a_definition_error(db, tmp_path):
    class Careless(LoadPlays):
        replace = True

    with pytest.raises(TaskDefinitionError, match="which rows are its own"):
        bind(Careless(path=write_tsv(tmp_path / "p.tsv", PLAYS)), db.url).run()


def test_post_load_sql_runs_in_the_load(db, tmp_path):
    bind(LoadPlaysIndexed(path=write_tsv(tmp_path / "p.tsv", PLAYS)), db.url).run()
    if db.kind == "postgresql":
        indexes = db.query(
            "SELECT indexname FROM pg_indexes "
            "WHERE schemaname = current_schema() AND tablename = 'plays'"
        )
    else:
        indexes = db.query(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'plays'"
        )
    assert indexes == [("plays_by_artist",)]


def test_post_load_hook_gets_the_open_transaction(db, tmp_path):
    seen = []

    class Counting(LoadPlays):
        def post_load(self, connection):
            cursor = connection.cursor()
            cursor.execute("SELECT count(*) FROM plays")
            seen.append(cursor.fetchone()[0])

    bind(Counting(path=write_tsv(tmp_path / "p.tsv", PLAYS)), db.url).run()
    assert seen == [len(PLAYS)]


def test_failing_post_load_hook_commits_nothing(db, tmp_path):
    class Broken(LoadPlays):
        post_load_sql = ["CREATE INDEX i1 ON plays (artist)", "CREATE INDEX i2 ON nowhere (x)"]

    task = bind(Broken(path=write_tsv(tmp_path / "p.tsv", PLAYS)), db.url)
    with pytest.raises(DatabaseError):
        task.run()
    assert not db.table_exists("plays")
    assert db.markers() == []
    assert not task.complete()


def test_default_rows_are_the_input_lines_split_on_tabs(db, tmp_path):
    task = bind(LoadPlays(path=write_tsv(tmp_path / "p.tsv", PLAYS)), db.url)
    assert list(task.rows()) == [[artist, str(n)] for artist, n in PLAYS]


def test_two_inputs_without_rows_override_is_a_definition_error(db, tmp_path):
    class TwoInputs(LoadPlays):
        def requires(self):
            return [LoadPlays.requires(self), LoadPlays.requires(self)]

    with pytest.raises(TaskDefinitionError, match="one input file"):
        bind(TwoInputs(path=write_tsv(tmp_path / "p.tsv", PLAYS)), db.url).run()


def test_memory_stays_flat_whatever_the_file_size(db, tmp_path, monkeypatch):
    # With a small read chunk, a file 20 times its size shows whether memory follows the file.
    monkeypatch.setattr(copytext, "CHUNK_BYTES", 64 * 1024)
    path = tmp_path / "big.tsv"
    path.write_text("".join(f"artist number {i}\t{i}\n" for i in range(60_000)))
    size = path.stat().st_size
    task = bind(LoadPlays(path=str(path)), db.url)
    assert not task.complete()  # imports and first connection happen before measuring
    tracemalloc.start()
    try:
        task.run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert db.query("SELECT count(*) FROM plays") == [(60_000,)]
    assert peak < size / 4, f"peak {peak} bytes while loading a {size}-byte file"
