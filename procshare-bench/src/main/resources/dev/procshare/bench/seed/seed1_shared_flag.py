"""Seed section 1 as a whole program, the same steps as procshare's SharedFlagDemo.

A Value(c_bool) flag and a Value('q') counter handed to a daemon child process named "ttt", which counts
three tasks and sets the flag; the parent joins it and reads both. Exits 1 if the flag was not seen.
"""
import multiprocessing
import os
import sys
from ctypes import c_bool


def run_task(report_executor_end, tasks_done):
    me = multiprocessing.current_process()
    for _ in range(3):
        with tasks_done.get_lock():
            tasks_done.value += 1
    print(f"[{me.name}] pid {os.getpid()} (parent {os.getppid()}, daemon {me.daemon}) "
          f"did {tasks_done.value} tasks, setting the flag")
    report_executor_end.value = True


if __name__ == '__main__':
    report_executor_end = multiprocessing.Value(c_bool, False)
    tasks_done = multiprocessing.Value('q', 0)
    print(f"[main] created {report_executor_end}")
    ttt = multiprocessing.Process(target=run_task, args=(report_executor_end, tasks_done), name="ttt", daemon=True)
    ttt.start()
    ttt.join(60)
    print(f"[main] {ttt}; flag = {report_executor_end.value}, tasks done = {tasks_done.value}")
    sys.exit(0 if report_executor_end.value else 1)
