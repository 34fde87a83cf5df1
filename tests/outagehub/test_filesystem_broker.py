"""The embedded broker: messages appear in the queue folder whole, or not at all."""

import os

from kombu import Connection

from outagehub.celery import app


def connection(folder) -> Connection:
    options = {"data_folder_in": str(folder), "data_folder_out": str(folder), "store_processed": False}
    return Connection("filesystem://", transport="outagehub.filesystem_broker:Transport",
                      transport_options=options)


def test_the_app_uses_the_atomic_transport_on_the_embedded_broker_and_redis_otherwise():
    transport = app.connection_for_write().transport_cls
    if app.conf.broker_url.startswith("filesystem://"):
        assert transport == "outagehub.filesystem_broker:Transport"
    else:  # CI's second run, on Redis
        assert transport == "redis"


def test_a_message_goes_through_and_leaves_no_partial_file(tmp_path):
    with connection(tmp_path) as conn:
        queue = conn.SimpleQueue("jobs")
        queue.put({"task": "write_summary", "incident": 7})
        assert [name for name in os.listdir(tmp_path) if name.endswith(".partial")] == []
        assert queue.get(timeout=1).payload == {"task": "write_summary", "incident": 7}
        queue.close()


def test_a_message_still_being_written_is_not_taken(tmp_path):
    # What a publisher leaves while it writes: the reader must skip it, not decode half a message.
    (tmp_path / ".1_abc.jobs.msg.partial").write_bytes(b'{"task": "wri')
    with connection(tmp_path) as conn:
        queue = conn.SimpleQueue("jobs")
        assert queue.qsize() == 0
        queue.put({"task": "next"})
        assert queue.get(timeout=1).payload == {"task": "next"}
        queue.close()


def test_connecting_logs_no_warning_about_a_missing_host_name(tmp_path, caplog):
    # A folder has no host; kombu used to warn "No hostname was supplied" on every connection.
    with connection(tmp_path) as conn:
        conn.ensure_connection(max_retries=1)
        assert conn.info()["hostname"] is None
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == []
