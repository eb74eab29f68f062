"""Python's multiprocessing doing the same shared-memory work as procshare's SideBySide run.

Prints one "key value" line per figure. Usage: python3 shared_memory_bench.py INCREMENTS_1 INCREMENTS_2 REPEATS
"""
import array
import multiprocessing as mp
import statistics
import sys
import time
from ctypes import c_double


def locked_increments(value, n, ready, go, out):
    ready.release()
    go.wait()
    start = time.perf_counter()
    for _ in range(n):
        with value.get_lock():
            value.value += 1
    out.put(time.perf_counter() - start)


def raw_increments(value, n, ready, go, out):
    ready.release()
    go.wait()
    for _ in range(n):
        value.value += 1
    out.put(0.0)


def run_counter(make_value, target, processes, n):
    value = make_value()
    ready, go, out = mp.Semaphore(0), mp.Event(), mp.Queue()
    workers = [mp.Process(target=target, args=(value, n, ready, go, out)) for _ in range(processes)]
    for w in workers:
        w.start()
    for _ in workers:
        ready.acquire()
    go.set()
    elapsed = max(out.get() for _ in workers)
    for w in workers:
        w.join()
    return elapsed, value.value


def bulk_write(shared, repeats, out):
    src = array.array('d', (i * 0.5 for i in range(len(shared))))
    view = memoryview(shared).cast('B').cast('d')
    start = time.perf_counter()
    view[:] = src
    first = time.perf_counter() - start
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        view[:] = src
        times.append(time.perf_counter() - start)
    out.put((first, statistics.median(times)))


def main():
    n1, n2, repeats = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    elapsed, final = run_counter(lambda: mp.Value('q', 0), locked_increments, 1, n1)
    print("value_lock_1proc_ops_per_s", n1 / elapsed)
    print("value_lock_1proc_exact", int(final == n1))
    elapsed, final = run_counter(lambda: mp.Value('q', 0), locked_increments, 2, n2)
    print("value_lock_2proc_ops_per_s", 2 * n2 / elapsed)
    print("value_lock_2proc_exact", int(final == 2 * n2))
    _, final = run_counter(lambda: mp.RawValue('q', 0), raw_increments, 2, n2)
    print("rawvalue_2proc_lost_fraction", 1 - final / (2 * n2))
    shared = mp.Array(c_double, 1_000_000, lock=False)
    out = mp.Queue()
    child = mp.Process(target=bulk_write, args=(shared, repeats, out))
    child.start()
    first, median = out.get()
    child.join()
    print("array_bulk_write_first_s", first)
    print("array_bulk_write_median_s", median)
    print("array_bulk_write_ok", int(shared[999_999] == 999_999 * 0.5))
    print("start_method", mp.get_start_method())


if __name__ == "__main__":
    main()
