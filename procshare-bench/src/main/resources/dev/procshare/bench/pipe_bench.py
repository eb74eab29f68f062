"""Python's multiprocessing.Pipe() doing the round trips of procshare's pipe benchmark.

Prints "key value" lines. Usage: python3 pipe_bench.py ROUND_TRIPS
"""
import multiprocessing as mp
import statistics
import sys
import time


def echo(conn):
    while True:
        message = conn.recv()
        if message is None:
            return
        conn.send(message)


def main():
    calls = int(sys.argv[1])
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe()
    p = ctx.Process(target=echo, args=(child,))
    p.start()
    for i in range(min(20_000, 40 * calls)):
        parent.send(i)
        parent.recv()
    latencies = []
    for i in range(calls):
        start = time.perf_counter()
        parent.send(i)
        assert parent.recv() == i
        latencies.append((time.perf_counter() - start) * 1e6)
    parent.send(None)
    p.join()
    latencies.sort()
    print("pipe_round_trip_median_us", statistics.median(latencies))
    print("pipe_round_trip_p99_us", latencies[int(len(latencies) * 0.99) - 1])


if __name__ == "__main__":
    main()
