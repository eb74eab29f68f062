"""Seed section 2 as a whole program, the same steps as procshare's NamespacePoolDemo.

A Manager namespace holding a MyClass, updated by a Pool(4) (under a manager lock: Python's namespace has
no atomic update, and without it the seed's read-modify-write loses updates); then a manager Value and a
manager list of MyClass updated by the same pool. Exits 1 unless all three counts are 4.
"""
import multiprocessing as mp
import os
import sys


class MyClass:
    def __init__(self):
        self.value = 0

    def increment(self):
        self.value += 1

    def __getstate__(self):
        return {'value': self.value}

    def __setstate__(self, state):
        self.value = state['value']

    def __repr__(self):
        return f"MyClass(value={self.value})"


def my_function():
    return f"my_function ran in {mp.current_process().name} (pid {os.getpid()})"


def worker_func(shared_namespace, lock):
    with lock:
        my_object = shared_namespace.my_object
        my_object.increment()
        shared_namespace.my_object = my_object
    return my_function()


def worker_value_list(shared_value, shared_list, list_lock):
    with list_lock:  # Manager().Value has no atomic update either
        shared_value.value = shared_value.value + 1
        o = shared_list[0]
        o.increment()
        shared_list[0] = o
    return my_function()


if __name__ == '__main__':
    with mp.Manager() as manager, mp.Pool(processes=4) as pool:
        shared_namespace = manager.Namespace()
        shared_namespace.my_object = MyClass()
        lock = manager.Lock()
        calls = pool.starmap(worker_func, [(shared_namespace, lock)] * 4, 1)
        for c in calls:
            print(f"[worker] {c}")
        my_object = shared_namespace.my_object
        print(f"[main] namespace: {my_object}")

        shared_value = manager.Value('i', 0)
        shared_list = manager.list()
        shared_list.append(MyClass())
        list_lock = manager.Lock()
        pool.starmap(worker_value_list, [(shared_value, shared_list, list_lock)] * 4, 1)
        print(f"[main] managed value: {shared_value.value}, managed list: {list(shared_list)}")
        ok = my_object.value == 4 and shared_value.value == 4 and shared_list[0].value == 4
    sys.exit(0 if ok else 1)
