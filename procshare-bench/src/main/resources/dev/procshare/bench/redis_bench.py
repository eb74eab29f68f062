"""Round trips of Python's manager over TCP on loopback: the calls RedisBench times on procshare's managers.

Prints 'name median_us p99_us' lines. A dict has no atomic merge: the closest is d[k] = d.get(k, 0) + 1,
two calls and not atomic, timed as one.
"""
import sys
import time
from multiprocessing.managers import SyncManager


def timed(calls, fn):
    for _ in range(min(calls, 2000)):
        fn()
    samples = []
    for _ in range(calls):
        t = time.perf_counter_ns()
        fn()
        samples.append(time.perf_counter_ns() - t)
    samples.sort()
    return samples[len(samples) // 2] / 1e3, samples[len(samples) * 99 // 100] / 1e3


def main():
    calls = int(sys.argv[1])
    manager = SyncManager(address=("127.0.0.1", 0), authkey=b"procshare-bench")
    manager.start()
    try:
        ns = manager.Namespace()
        ns.x = 1
        d = manager.dict()
        lock = manager.Lock()

        def merge():
            d["k"] = d.get("k", 0) + 1

        def lock_unlock():
            lock.acquire()
            lock.release()

        for name, fn in (("ns_get", lambda: ns.x), ("map_merge", merge), ("lock", lock_unlock)):
            median, p99 = timed(calls, fn)
            print(f"python_{name}_median {median:.2f}")
            print(f"python_{name}_p99 {p99:.2f}")
    finally:
        manager.shutdown()


if __name__ == "__main__":
    main()
