"""Python's multiprocessing doing the process/pool work of procshare's side-by-side run.

Prints "key value" lines. Usage: python3 process_bench.py STARTS MAP_SMALL MAP_LARGE CALLS
"""
import multiprocessing as mp
import statistics
import sys
import time


def trivial():
    pass


def square(x):
    return x * x


def start_join_ms(method, n):
    ctx = mp.get_context(method)
    times = []
    for _ in range(n):
        start = time.perf_counter()
        p = ctx.Process(target=trivial)
        p.start()
        p.join()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main():
    starts, small, large, calls = (int(a) for a in sys.argv[1:5])
    for method in ("fork", "forkserver", "spawn"):
        start_join_ms(method, 2)  # warm the start method's machinery
        print(f"start_join_{method}_ms", start_join_ms(method, starts))
    with mp.Pool(2) as pool:
        pool.apply(square, (1,))  # the workers are up
        start = time.perf_counter()
        pool.map(square, range(small))
        print("first_map_ms", (time.perf_counter() - start) * 1000)
        # The same warm-up runs as on the Java side (whose workers compile the loop meanwhile), then a median of 5.
        for n, key, warmups in ((small, "map_small", 100), (large, "map_large", 5)):
            rates = []
            for run in range(warmups + 5):
                start = time.perf_counter()
                result = pool.map(square, range(n))
                elapsed = time.perf_counter() - start
                assert result[-1] == (n - 1) * (n - 1)
                if run >= warmups:
                    rates.append(n / elapsed)
            print(f"{key}_items_per_s", statistics.median(rates))
        for _ in range(200):
            pool.apply_async(square, (3,)).get()
        latencies = []
        for _ in range(calls):
            start = time.perf_counter()
            pool.apply_async(square, (3,)).get()
            latencies.append((time.perf_counter() - start) * 1e6)
        latencies.sort()
        print("apply_async_median_us", statistics.median(latencies))
        print("apply_async_p99_us", latencies[int(len(latencies) * 0.99) - 1])
        latencies = []
        for _ in range(calls):
            start = time.perf_counter()
            pool.apply(square, (3,))
            latencies.append((time.perf_counter() - start) * 1e6)
        latencies.sort()
        print("apply_median_us", statistics.median(latencies))
        print("apply_p99_us", latencies[int(len(latencies) * 0.99) - 1])


if __name__ == "__main__":
    main()
