"""Python's multiprocessing managers, measured for procshare's side-by-side report.

usage: manager_bench.py CALLS STARTS THROUGHPUT_CALLS
Prints "key value" lines: proxy call latencies (median/p99 in µs), throughput with 1 and 2 client
processes (calls/s), and Manager() start times with the fork and spawn start methods (ms).
"""
import multiprocessing as mp
import sys
import time
from multiprocessing.managers import BaseManager


class Test:
    def __init__(self):
        self.total = 0

    def add(self, n):
        self.total += n
        return self.total


class TestManager(BaseManager):
    pass


TestManager.register('Test', Test)


def percentiles(samples):
    samples.sort()
    return samples[len(samples) // 2] * 1e6, samples[len(samples) * 99 // 100] * 1e6


def timed(fn, calls):
    for _ in range(min(calls, 2000)):
        fn()
    samples = []
    clock = time.perf_counter
    for _ in range(calls):
        t = clock()
        fn()
        samples.append(clock() - t)
    return percentiles(samples)


def client_loop(ns, calls, ready, go, results):
    for _ in range(200):
        ns.x
    ready.put(1)
    go.wait()
    start_at = ns.start_at
    for _ in range(min(calls // 2, 50000)):  # the settling calls the Java clients make after the start signal
        ns.x
    while time.monotonic() < start_at:  # all clients start timing together, reading until then
        ns.x
    t = time.monotonic()  # one clock for all processes: the span runs from the first start to the last end
    for _ in range(calls):
        ns.x
    results.put((t, time.monotonic()))


def throughput(manager, clients, calls):
    ns = manager.Namespace()
    ns.x = 1
    ready, results = mp.Queue(), mp.Queue()
    go = mp.Event()
    procs = [mp.Process(target=client_loop, args=(ns, calls, ready, go, results)) for _ in range(clients)]
    for p in procs:
        p.start()
    for _ in procs:
        ready.get()
    ns.start_at = time.monotonic() + 0.5 + min(calls // 2, 50000) * 60e-6  # after the settling calls, with room
    go.set()
    spans = [results.get() for _ in procs]
    for p in procs:
        p.join()
    return clients * calls / (max(end for _, end in spans) - min(start for start, _ in spans))


def start_ms(method, starts):
    ctx = mp.get_context(method)
    samples = []
    for _ in range(starts):
        t = time.perf_counter()
        m = ctx.Manager()
        samples.append(time.perf_counter() - t)
        m.shutdown()
    samples.sort()
    return samples[len(samples) // 2] * 1e3


def main():
    calls, starts, tput_calls = (int(a) for a in sys.argv[1:4])
    mp.set_start_method('fork')
    with mp.Manager() as manager:
        ns = manager.Namespace()
        ns.x = 1
        value = manager.Value('i', 0)
        d = manager.dict()
        lst = manager.list()
        ops = {
            'namespace_set': lambda: setattr(ns, 'x', 1),
            'namespace_get': lambda: ns.x,
            'value_get': lambda: value.value,
            'value_set': lambda: setattr(value, 'value', 1),
            'map_put': lambda: d.__setitem__('k', 1),
            'map_get': lambda: d['k'],
        }
        for name, fn in ops.items():
            med, p99 = timed(fn, calls)
            print(f'{name}_median_us {med:.2f}')
            print(f'{name}_p99_us {p99:.2f}')
        med, p99 = timed(lambda: lst.append(1), calls)
        print(f'list_append_median_us {med:.2f}')
        print(f'list_append_p99_us {p99:.2f}')
        print(f'throughput_1_client {throughput(manager, 1, tput_calls):.0f}')
        print(f'throughput_2_clients {throughput(manager, 2, tput_calls):.0f}')
    with TestManager() as tm:
        obj = tm.Test()
        med, p99 = timed(lambda: obj.add(1), calls)
        print(f'user_call_median_us {med:.2f}')
        print(f'user_call_p99_us {p99:.2f}')
    print(f'start_fork_ms {start_ms("fork", starts):.2f}')
    print(f'start_spawn_ms {start_ms("spawn", starts):.2f}')


if __name__ == '__main__':
    main()
