"""Seed section 3 as a whole program, the same steps as procshare's RegisteredClassDemo.

BaseManager.register('Test', Test); a viewer process prints the shared object's data every INTERVAL
seconds (argument 1, default 2) until an event is set, a modifier process changes the data, then the main
process does; after each change the main process waits until the viewer has reported the new value on
a queue (as the Java program does). Exits 1 unless the viewer saw init, then the modifier's change, then main's.
"""
import multiprocessing
import sys
import time
from multiprocessing.managers import BaseManager, SyncManager


class Test:
    def __init__(self):
        self.test_data = "init"

    def print_test_list(self, process_name):
        line = f"{process_name} : Data is : {self.test_data}"
        print(f"[manager] {line}")
        return line

    def set_test_list(self, process_name, data):
        print(f"[manager] {process_name} : modify var")
        self.test_data = data


class TestManager(SyncManager):
    pass


TestManager.register('Test', Test)


def view_var(process_name, obj, stop, interval, shown, seen_out):
    seen = []
    while True:
        line = obj.print_test_list(process_name)
        print(f"[{process_name}] {line}")
        data = line[line.rfind(": ") + 2:]
        if not seen or seen[-1] != data:
            seen.append(data)
            shown.put(data)
        if stop.wait(interval):
            break
    seen_out.put(seen)


def modify_var(process_name, obj):
    obj.set_test_list(process_name, "process modify")


def await_shown(shown, value):
    reported = shown.get(timeout=60)
    if reported != value:
        raise RuntimeError(f"the viewer showed {reported}, expected {value}")


if __name__ == '__main__':
    interval = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
    with TestManager() as manager:
        obj = manager.Test()
        stop = manager.Event()
        shown = manager.Queue()
        seen_out = manager.Queue()
        viewer = multiprocessing.Process(target=view_var,
                                         args=("process 1", obj, stop, interval, shown, seen_out),
                                         name="process 1")
        viewer.start()
        await_shown(shown, "init")
        time.sleep(interval * 1.5)
        modifier = multiprocessing.Process(target=modify_var, args=("process 2", obj), name="process 2")
        modifier.start()
        modifier.join(60)
        await_shown(shown, "process modify")
        time.sleep(interval * 1.5)
        obj.set_test_list("main process", "main")
        await_shown(shown, "main")
        time.sleep(interval * 1.5)
        stop.set()
        seen = seen_out.get(timeout=60)
        viewer.join(60)
        print(f"[main] the viewer saw: {seen}")
    sys.exit(0 if seen == ["init", "process modify", "main"] else 1)
