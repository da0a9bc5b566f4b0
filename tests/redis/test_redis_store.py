"""RedisStore on a real Redis: what the workflow saves is what it loads, and races lose cleanly."""

from __future__ import annotations

import threading

import pytest
import redis

from adapters.redis import RedisJobQueue, RedisStore, connect
from chatbot.audit import GENESIS, verify
from chatbot.model import AccountState, FollowState, State
from chatbot.ports import Changes, ConcurrentModification, Job
from tests.redis.builders import (
    ACCOUNT,
    T0,
    approve,
    at,
    audit,
    event,
    follow,
    proposal,
    report,
)

pytestmark = pytest.mark.redis


def saved(store: RedisStore, *props) -> None:
    store.commit(Changes(proposals=list(props)))


def test_ids_count_up_per_kind_and_can_be_said_aloud(store):
    assert [store.next_id("P"), store.next_id("P"), store.next_id("F"), store.next_id("I")] == [
        "P-0001", "P-0002", "F-0001", "I-0001"]


def test_every_object_kind_loads_as_saved_with_its_revision_bumped(store):
    p, f, r = proposal("P-0001"), follow("F-0001"), report("I-0001")
    state = AccountState(account=ACCOUNT, suspended=True, suspended_reason="なりすまし")
    store.commit(Changes(proposals=[p], follows=[f], reports=[r], account_state=state))

    assert (p.revision, f.revision, state.revision) == (1, 1, 1)
    assert store.get_proposal("P-0001") == p
    assert store.get_follow("F-0001") == f
    assert store.list_reports() == [r]
    assert store.get_account_state() == state
    assert store.get_proposal("P-0404") is None and store.get_follow("F-0404") is None


def test_account_state_defaults_before_anything_is_saved(store):
    assert store.get_account_state() == AccountState(account=ACCOUNT)


def test_proposals_list_newest_first_filtered_and_limited(store):
    saved(store, *[proposal(f"P-000{n}", created=at(n)) for n in range(1, 6)])
    published = store.get_proposal("P-0002")
    assert published is not None
    published.state = State.PUBLISHED
    saved(store, published)

    assert [p.id for p in store.list_proposals()] == ["P-0005", "P-0004", "P-0003", "P-0002",
                                                     "P-0001"]
    assert [p.id for p in store.list_proposals(limit=2)] == ["P-0005", "P-0004"]
    assert [p.id for p in store.list_proposals({State.PUBLISHED})] == ["P-0002"]
    assert [p.id for p in store.list_proposals({State.PENDING}, limit=3)] == [
        "P-0005", "P-0004", "P-0003"]


def test_list_proposals_pages_past_the_first_two_hundred(store):
    saved(store, *[proposal(f"P-{n:04d}", created=at(n)) for n in range(1, 251)])
    old = store.get_proposal("P-0001")
    assert old is not None
    old.state = State.REJECTED
    saved(store, old)
    assert [p.id for p in store.list_proposals({State.REJECTED})] == ["P-0001"]
    assert len(store.list_proposals(limit=1000)) == 250


def test_follows_filter_by_state(store):
    store.commit(Changes(follows=[follow("F-0001", requested=at(1)),
                                  follow("F-0002", requested=at(2))]))
    first = store.get_follow("F-0001")
    assert first is not None
    first.state = FollowState.APPROVED
    store.commit(Changes(follows=[first]))
    assert [f.id for f in store.list_follows()] == ["F-0002", "F-0001"]
    assert [f.id for f in store.list_follows({FollowState.APPROVED})] == ["F-0001"]


def test_a_stale_revision_is_refused_and_nothing_of_the_commit_is_written(store, queue):
    saved(store, proposal("P-0001"))
    mine, theirs = store.get_proposal("P-0001"), store.get_proposal("P-0001")
    assert mine is not None and theirs is not None
    approve(theirs)
    saved(store, theirs)

    approve(mine)
    with pytest.raises(ConcurrentModification):
        store.commit(Changes(
            proposals=[mine], audit=[audit("approve", "P-0001")], events=[event("approved")],
            enqueue=[Job(op="publish", subject="P-0001")],
            schedule=[(Job(op="publish", subject="P-0001"), at(60))],
            published_texts=[("text", "P-0001", T0)],
        ))

    assert mine.revision == 1  # unchanged: the caller reloads and decides again
    assert store.get_proposal("P-0001").revision == 2  # type: ignore[union-attr]
    assert list(store.audit_entries()) == []
    assert store.audit_head() == (0, GENESIS)
    assert queue.counts() == {"queued": 0, "scheduled": 0, "held": 0}
    assert store.client.xlen(store.keys.events) == 0
    assert store.find_published_text("text", T0) is None


def test_a_new_object_whose_id_is_taken_is_refused(store):
    saved(store, proposal("P-0001", text="first"))
    with pytest.raises(ConcurrentModification):
        saved(store, proposal("P-0001", text="second"))
    assert store.get_proposal("P-0001").current.text == "first"  # type: ignore[union-attr]


def test_fifty_chiefs_approving_at_once_publish_once(store, queue):
    saved(store, proposal("P-0001"))
    outcomes: list[str] = []
    start = threading.Barrier(50)

    def approve_and_commit() -> None:
        mine = store.get_proposal("P-0001")
        assert mine is not None
        approve(mine)
        start.wait()
        try:
            store.commit(Changes(proposals=[mine], audit=[audit("approve", "P-0001")],
                                 enqueue=[Job(op="publish", subject="P-0001")]))
            outcomes.append("ok")
        except ConcurrentModification:
            outcomes.append("conflict")

    run_threads(approve_and_commit, 50)

    assert outcomes.count("ok") == 1 and outcomes.count("conflict") == 49
    assert queue.counts()["queued"] == 1
    assert [e.action for e in store.audit_entries()] == ["approve"]
    assert store.get_proposal("P-0001").state is State.APPROVED  # type: ignore[union-attr]


def test_concurrent_commits_build_one_gap_free_verifiable_chain(redis_client):
    # Each thread its own client: connection-level contention as in web + worker.
    db = redis_client.connection_pool.connection_kwargs["db"]
    port = redis_client.connection_pool.connection_kwargs["port"]
    errors: list[BaseException] = []

    def commit_many(n: int) -> None:
        store = RedisStore(connect(f"redis://127.0.0.1:{port}/{db}"), ACCOUNT)
        try:
            for k in range(4):
                store.commit(Changes(proposals=[proposal(f"P-{n:02d}{k}")],
                                     audit=[audit("propose", f"P-{n:02d}{k}"),
                                            audit("submit", f"P-{n:02d}{k}")]))
        except BaseException as error:  # reported below, in the main thread
            errors.append(error)

    threads = [threading.Thread(target=commit_many, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    store = RedisStore(redis_client, ACCOUNT)
    entries = list(store.audit_entries())
    assert [e.seq for e in entries] == list(range(1, 401))
    head = store.audit_head()
    assert verify(entries, head=head).ok and head[0] == 400
    # Each commit's two entries sit together, in order.
    for first, second in zip(entries[::2], entries[1::2], strict=True):
        assert (first.action, second.action, first.subject) == ("propose", "submit",
                                                               second.subject)


def test_audit_entries_are_numbered_in_place_and_read_from_any_point(store):
    first, second = audit("propose", "P-0001"), audit("submit", "P-0001")
    store.commit(Changes(audit=[first, second]))
    store.commit(Changes(audit=[audit("approve", "P-0001")]))

    assert (first.seq, second.seq, second.prev_hash) == (1, 2, first.hash)
    assert [e.seq for e in store.audit_entries(since_seq=1)] == [2, 3]
    assert list(store.audit_entries(since_seq=3)) == []
    assert store.audit_head()[0] == 3
    assert verify(store.audit_entries(), head=store.audit_head()).ok


def test_a_tampered_audit_entry_is_caught_by_verify(store):
    store.commit(Changes(audit=[audit("propose", "P-0001"), audit("approve", "P-0001")]))
    raw = store.client.lindex(store.keys.audit_log, 0)
    store.client.lset(store.keys.audit_log, 0, raw.replace(b"propose", b"withdraw"))
    result = verify(store.audit_entries(), head=store.audit_head())
    assert (result.ok, result.first_bad_seq, result.problem) == (False, 1, "changed")


def test_published_text_is_found_only_since_the_given_time(store):
    store.commit(Changes(published_texts=[("こども食堂のお知らせです", "P-0001", at(0))]))
    store.commit(Changes(published_texts=[("こども食堂のお知らせです", "P-0007", at(30))]))

    assert store.find_published_text("こども食堂のお知らせです", at(-60)) == "P-0007"
    assert store.find_published_text("こども食堂のお知らせです", at(30)) == "P-0007"
    assert store.find_published_text("こども食堂のお知らせです", at(31)) is None
    assert store.find_published_text("別の文", at(-60)) is None


def test_media_is_kept_once_under_its_sha256(store):
    data = bytes(range(256)) * 10
    sha = store.put_media(data)
    assert store.put_media(data) == sha
    assert store.get_media(sha) == data
    assert store.get_media("0" * 64) is None
    assert len(list(store.client.scan_iter(match=f"{store.keys.prefix}media:*"))) == 1


def test_rescheduling_replaces_and_unscheduling_removes(store, queue):
    job = Job(op="publish", subject="P-0001")
    store.commit(Changes(schedule=[(job, at(60))]))
    store.commit(Changes(schedule=[(job, at(120))]))
    assert queue.counts()["scheduled"] == 1
    assert queue.release_due(at(60)) == 0
    assert queue.release_due(at(120)) == 1

    store.commit(Changes(schedule=[(job, at(180)), (Job(op="delete", subject="P-0001"), at(200))]))
    store.commit(Changes(unschedule=["P-0001"]))
    assert queue.counts()["scheduled"] == 0
    assert queue.release_due(at(10_000)) == 0


def test_release_held_moves_every_held_job_into_the_queue(store, queue):
    for n in (1, 2):
        store.commit(Changes(enqueue=[Job(op="publish", subject=f"P-000{n}")]))
    for claimed in [*queue.claim("w1", block_ms=0), *queue.claim("w1", block_ms=0)]:
        queue.hold(claimed.entry_id, claimed.job)
    assert queue.counts() == {"queued": 0, "scheduled": 0, "held": 2}

    store.commit(Changes(release_held=True, audit=[audit("resume")]))

    assert queue.counts() == {"queued": 2, "scheduled": 0, "held": 0}
    subjects = [c.job.subject for _ in range(2) for c in queue.claim("w1", block_ms=0)]
    assert subjects == ["P-0001", "P-0002"]


def test_every_key_carries_the_account_and_accounts_do_not_mix(redis_client):
    komae = RedisStore(redis_client, ACCOUNT)
    other = RedisStore(redis_client, "other_account")
    komae.next_id("P")
    komae.put_media(b"png")
    komae.commit(Changes(
        proposals=[proposal("P-0001")], follows=[follow("F-0001")], reports=[report("I-0001")],
        account_state=AccountState(account=ACCOUNT), audit=[audit("propose")],
        events=[event("proposed")], enqueue=[Job(op="publish", subject="P-0001")],
        schedule=[(Job(op="delete", subject="P-0001"), at(5))],
        published_texts=[("t", "P-0001", T0)],
    ))
    RedisJobQueue(redis_client, ACCOUNT).claim("w1", block_ms=0)

    keys = [k.decode() for k in redis_client.scan_iter()]
    assert keys and all(k.startswith("xpost:komae_kosodate:") for k in keys)
    assert other.next_id("P") == "P-0001"
    assert other.list_proposals() == [] and list(other.audit_entries()) == []


def test_an_object_of_another_account_is_refused(store):
    stranger = proposal("P-0001").model_copy(update={"account": "someone_else"})
    with pytest.raises(ValueError, match="someone_else"):
        saved(store, stranger)


def test_a_naive_datetime_is_refused_rather_than_read_as_local_time(store):
    with pytest.raises(ValueError, match="naive"):
        store.find_published_text("t", T0.replace(tzinfo=None))


def test_a_decoding_client_is_refused_because_media_is_binary(redis_client):
    kwargs = redis_client.connection_pool.connection_kwargs
    decoding = redis.Redis(host=kwargs["host"], port=kwargs["port"], db=kwargs["db"],
                           decode_responses=True)
    with pytest.raises(ValueError, match="decode_responses"):
        RedisStore(decoding, ACCOUNT)


def run_threads(target, count: int) -> None:
    threads = [threading.Thread(target=target) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)




def test_a_commit_whose_reply_was_lost_is_not_reported_as_a_conflict(store, queue):
    """The reply to the commit script is lost and the client's retry runs it again: the
    second run finds the commit's own writes. It did land, so it is no conflict."""
    saved(store, proposal("P-0001"))
    mine = store.get_proposal("P-0001")
    assert mine is not None
    approve(mine)
    real_apply = store._apply

    def run_twice_as_a_retry_would(**kwargs):
        real_apply(**kwargs)  # ran, but its reply never arrived
        return real_apply(**kwargs)

    store._apply = run_twice_as_a_retry_would
    entry = audit("approve", "P-0001")
    store.commit(Changes(proposals=[mine], audit=[entry],
                         enqueue=[Job(op="publish", subject="P-0001")]))
    store._apply = real_apply

    assert mine.revision == 2 and entry.seq == 1
    assert [e.action for e in store.audit_entries()] == ["approve"]
    assert queue.counts()["queued"] == 1
