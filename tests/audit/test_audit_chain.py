"""The hash chain catches every way an export can be altered, and names the first bad entry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from chatbot.audit import GENESIS, chain, export_line, parse_head, verify
from chatbot.model import AuditEntry

T0 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
ACTIONS = ["proposed", "approved", "rejected", "x_published", "account_suspended"]


def entries(actions: list[str], details: list[dict] | None = None) -> list[AuditEntry]:
    linked, prev = [], GENESIS
    for n, action in enumerate(actions, start=1):
        entry = AuditEntry(at=T0 + timedelta(minutes=n), account="komae_kosodate",
                           actor="slack:U_CHIEF", actor_name="子ども若者政策課長", role="chief",
                           action=action, subject=f"P-{n:04d}",
                           details=(details or [{}] * len(actions))[n - 1])
        entry = chain(entry, n, prev)
        prev = entry.hash
        linked.append(entry)
    return linked


def exported(count: int = 6) -> list[str]:
    return [export_line(e) for e in entries([ACTIONS[n % len(ACTIONS)] for n in range(count)])]


def head_of(lines: list[str]) -> tuple[int, str]:
    last = verify(lines)
    return last.count, last.head_hash


def test_an_untouched_export_is_ok():
    lines = exported()
    result = verify(lines, head=head_of(lines))
    assert (result.ok, result.count, result.first_bad_seq) == (True, 6, None)


def test_one_byte_changed_names_that_entry():
    lines = exported()
    lines[2] = lines[2].replace("子ども若者政策課長", "子ども若者政策課員")
    assert (verify(lines).first_bad_seq, verify(lines).problem) == (3, "changed")


def test_a_changed_entry_whose_hash_was_recomputed_is_caught_by_the_next_link():
    records = entries(ACTIONS)
    forged = records[1].model_copy(update={"action": "rejected"})
    records[1] = chain(forged, 2, records[0].hash)
    result = verify([export_line(e) for e in records])
    assert (result.ok, result.first_bad_seq, result.problem) == (False, 2, "changed")


def test_an_entry_removed_is_named():
    lines = exported()
    del lines[3]
    result = verify(lines)
    assert (result.ok, result.first_bad_seq, result.problem) == (False, 4, "removed")


def test_two_entries_swapped_are_named():
    lines = exported()
    lines[1], lines[2] = lines[2], lines[1]
    result = verify(lines)
    assert (result.ok, result.first_bad_seq, result.problem) == (False, 2, "reordered")


def test_an_entry_inserted_is_named():
    lines = exported()
    lines.insert(4, lines[1])
    result = verify(lines)
    assert (result.ok, result.first_bad_seq, result.problem) == (False, 5, "inserted")


def test_a_forged_entry_slipped_in_with_a_valid_hash_is_named():
    records = entries(ACTIONS)
    forged = chain(records[2].model_copy(update={"action": "approved"}), 3, records[1].hash)
    lines = [export_line(e) for e in records]
    lines.insert(2, export_line(forged))
    result = verify(lines)
    assert (result.ok, result.first_bad_seq, result.problem) == (False, 3, "inserted")


def test_a_cut_tail_is_caught_with_the_announced_head():
    lines = exported()
    head = head_of(lines)
    assert verify(lines[:-2]).ok  # without the head a cut tail looks complete
    result = verify(lines[:-2], head=head)
    assert (result.ok, result.first_bad_seq, result.problem) == (False, 5, "truncated")


def test_a_consistently_rewritten_chain_is_caught_by_the_head():
    lines = exported()
    head = head_of(lines)
    rewritten = entries(["proposed"] * 6)
    result = verify([export_line(e) for e in rewritten], head=head)
    assert (result.ok, result.first_bad_seq, result.problem) == (False, 6, "head")


def test_a_renamed_key_is_a_change_even_when_its_value_was_the_default():
    lines = exported()
    lines[0] = lines[0].replace('"details":{}', '"detailz":{}')
    assert verify(lines).first_bad_seq == 1


def test_an_excerpt_verifies_only_when_asked_to():
    lines = exported()[2:]
    assert verify(lines).problem == "removed"
    result = verify(lines, partial=True)
    assert (result.ok, result.first_seq, result.last_seq) == (True, 3, 6)


def test_parse_head():
    assert parse_head(f"12:{'A' * 64}") == (12, "a" * 64)
    for bad in ("12", "x:" + "a" * 64, "3:abc"):
        try:
            parse_head(bad)
        except ValueError:
            continue
        raise AssertionError(bad)


# -- every random single edit is caught, at the entry it touched ------------------

events = st.lists(
    st.tuples(st.sampled_from(ACTIONS),
              st.dictionaries(st.sampled_from(["reason", "x_url", "urgent", "usd"]),
                              st.one_of(st.text(max_size=12), st.booleans(),
                                        st.floats(allow_nan=False, allow_infinity=False),
                                        st.integers()), max_size=2)),
    min_size=2, max_size=12)


@settings(max_examples=300, deadline=None)
@given(events, st.data())
def test_any_single_edit_is_caught_at_the_entry_it_touched(sequence, data):
    lines = [export_line(e) for e in entries([a for a, _ in sequence], [d for _, d in sequence])]
    head = head_of(lines)
    assert verify(lines, head=head).ok
    edit = data.draw(st.sampled_from(["byte", "remove", "swap", "insert", "cut"]))
    n = len(lines)
    if edit == "byte":
        i = data.draw(st.integers(0, n - 1))
        raw = bytearray(lines[i].encode())
        pos = data.draw(st.integers(0, len(raw) - 1))
        new = data.draw(st.integers(0, 255).filter(lambda b: b != raw[pos]))
        raw[pos] = new
        altered: list[str | bytes] = [*lines[:i], bytes(raw), *lines[i + 1:]]
        expected = {i + 1}
        if not bytes(raw).strip():
            return  # a line blanked out to whitespace: counted as a removal below
    elif edit == "remove":
        i = data.draw(st.integers(0, n - 1))
        altered = lines[:i] + lines[i + 1:]
        expected = {i + 1}
    elif edit == "swap":
        i = data.draw(st.integers(0, n - 2))
        j = data.draw(st.integers(i + 1, n - 1))
        altered = list(lines)
        altered[i], altered[j] = altered[j], altered[i]
        expected = {i + 1}
    elif edit == "insert":
        i = data.draw(st.integers(0, n))
        altered = [*lines[:i], lines[data.draw(st.integers(0, n - 1))], *lines[i:]]
        expected = {i + 1, i}  # a copy of the entry just before reads as its twin
    else:
        keep = data.draw(st.integers(0, n - 1))
        altered = lines[:keep]
        expected = {keep + 1}
    result = verify(altered, head=head)
    assert not result.ok
    assert result.first_bad_seq in expected, (edit, result)
