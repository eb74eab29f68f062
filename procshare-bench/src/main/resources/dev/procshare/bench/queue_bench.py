"""Python's multiprocessing queues, measured for procshare's side-by-side report.

usage: queue_bench.py ITEMS MANAGER_ITEMS WARM_UP
One producer process passes ints 0..n-1 to one consumer process, which times from a common start to its
last item and checks the order. Prints "key value" lines: items per second through a bounded
multiprocessing.Queue and through a Manager().Queue.
"""
import multiprocessing as mp
import sys
import time

CAPACITY = 1024


def produce(q, items, warm_up, ready, go):
    for i in range(warm_up):
        q.put(i)
    ready.put(1)
    go.wait()
    for i in range(items):
        q.put(i)


def consume(q, items, warm_up, ready, go, result):
    for _ in range(warm_up):
        q.get()
    ready.put(1)
    go.wait()
    t = time.perf_counter()
    for i in range(items):
        if q.get() != i:
            raise SystemExit("item %d out of order" % i)
    result.put(time.perf_counter() - t)


def items_per_second(q, items, warm_up):
    ready, result = mp.Queue(), mp.Queue()
    go = mp.Event()
    procs = [mp.Process(target=produce, args=(q, items, warm_up, ready, go)),
             mp.Process(target=consume, args=(q, items, warm_up, ready, go, result))]
    for p in procs:
        p.start()
    ready.get()
    ready.get()
    go.set()
    seconds = result.get()
    for p in procs:
        p.join()
        if p.exitcode != 0:
            raise SystemExit("a queue benchmark process failed")
    return items / seconds


def main():
    items, manager_items, warm_up = (int(a) for a in sys.argv[1:4])
    print("start_method", mp.get_start_method())
    print("queue_items_per_s", items_per_second(mp.Queue(CAPACITY), items, warm_up))
    with mp.Manager() as manager:
        print("manager_queue_items_per_s", items_per_second(manager.Queue(CAPACITY), manager_items, warm_up))


if __name__ == "__main__":
    main()
