"""Whether a failed send is tried again, and when (pure)."""

# The longest wait before a retry: with the hard time limit it stays below the broker's visibility
# timeout (300 s), or Redis would hand a task still waiting to a second worker.
MAX_DELAY = 120


def worth_retrying(http_status: int | None, transient: bool) -> bool:
    """5xx, timeouts and connection errors: yes. A 4xx (429 included) says the request itself is refused."""
    if http_status is not None and http_status < 500:
        return False
    return transient


def retry_delay(attempt: int) -> int:
    """Seconds before attempt `attempt` + 1: 5, 10, 20, 40, 80, 120…"""
    return min(5 * 2 ** max(attempt - 1, 0), MAX_DELAY)
