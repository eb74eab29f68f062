package dev.procshare.manager;

import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.TimeoutException;

/**
 * A cyclic barrier with {@code CyclicBarrier}'s rules: a party that times out, is cancelled or whose client
 * dies breaks the barrier for the others, who get {@link BrokenBarrierException}; {@code reset} starts a new
 * generation.
 */
final class ServedBarrier implements Served {
    private final int parties;
    private int waiting;
    private Generation generation = new Generation();

    private static final class Generation {
        boolean broken;
    }

    ServedBarrier(int parties) {
        if (parties <= 0) {
            throw new IllegalArgumentException("parties must be positive: " + parties);
        }
        this.parties = parties;
    }

    @Override
    public synchronized Object call(String op, List<Object> args, Caller caller) throws Exception {
        switch (op) {
            case "await":
                return await(caller, Caller.deadline((Long) args.get(0)));
            case "parties":
                return parties;
            case "waiting":
                return waiting;
            case "isBroken":
                return generation.broken;
            case "reset":
                breakBarrier();
                generation = new Generation();
                return null;
            default:
                throw Served.unknown("a barrier", op);
        }
    }

    private int await(Caller caller, long deadline) throws Exception {
        Generation mine = generation;
        if (mine.broken) {
            throw new BrokenBarrierException();
        }
        int index = parties - 1 - waiting;
        if (index == 0) {
            waiting = 0;
            generation = new Generation();
            notifyAll();
            return 0;
        }
        waiting++;
        try {
            while (generation == mine && !mine.broken) {
                if (!caller.await(this, deadline)) {
                    breakBarrier();
                    throw new TimeoutException("barrier not tripped in time");
                }
            }
        } catch (InterruptedException | RuntimeException e) {
            if (generation == mine) {
                breakBarrier();
            }
            throw e;
        }
        if (mine.broken) {
            throw new BrokenBarrierException();
        }
        return index;
    }

    private void breakBarrier() {
        generation.broken = true;
        waiting = 0;
        notifyAll();
    }
}
