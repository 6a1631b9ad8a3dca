"""A stop requested by a signal is seen however often signals arrive while the loop waits.

`threading.Event` fails this: its `set()` in a signal handler waits for the lock the interrupted
`wait()` holds in the same thread, and the process hangs (the supervisor once ignored SIGTERM in CI).
"""
import subprocess
import sys
import textwrap

LOOP_UNDER_SIGNALS = textwrap.dedent("""
    import signal, sys, time
    from bot.stop_request import StopRequest
    stop = StopRequest()
    signal.signal(signal.SIGALRM, stop.request)
    signal.setitimer(signal.ITIMER_REAL, 0.0007, 0.0007)  # a signal every 0.7 ms
    end = time.monotonic() + 3
    rounds = 0
    while time.monotonic() < end:
        stop.wait(0.0001)
        stop._requested = False  # ask again: the next signal must be seen too
        rounds += 1
    signal.setitimer(signal.ITIMER_REAL, 0)
    assert rounds > 100, rounds
    print("ok")
""")


def test_a_loop_waiting_for_a_stop_survives_a_storm_of_signals():
    done = subprocess.run([sys.executable, "-c", LOOP_UNDER_SIGNALS], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


def test_wait_returns_at_once_when_a_stop_was_requested_and_times_out_otherwise():
    from bot.stop_request import StopRequest

    stop = StopRequest()
    assert stop.wait(0.05) is False
    stop.request(15, None)
    assert stop.is_requested() and stop.wait(60) is True
