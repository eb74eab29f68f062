package dev.procshare.redis;

import dev.procshare.manager.ManagerException;

/** Makes the proxy a {@link RedisRef} names. */
final class RedisObjects {
    private RedisObjects() {
    }

    static Object make(RedisLink link, RedisRef ref) {
        return switch (ref.kind()) {
            case "namespace" -> new RedisNamespace(link, ref);
            case "map" -> new RedisMap<>(link, ref);
            case "list" -> new RedisList<>(link, ref);
            case "set" -> new RedisSet<>(link, ref);
            case "value" -> new RedisValue<>(link, ref);
            case "doubleArray" -> new RedisArrays.Doubles(link, ref);
            case "intArray" -> new RedisArrays.Ints(link, ref);
            case "longArray" -> new RedisArrays.Longs(link, ref);
            case "queue" -> new RedisQueue<>(link, ref);
            case "joinableQueue" -> new RedisJoinableQueue<>(link, ref);
            case "lock", "rlock" -> new RedisLock(link, ref);
            case "condition" -> new RedisCondition(link, ref);
            case "semaphore", "boundedSemaphore" -> new RedisSemaphore(link, ref);
            case "event" -> new RedisEvent(link, ref);
            case "barrier" -> new RedisBarrier(link, ref);
            case "object" -> RedisHost.proxy(link, ref);
            default -> throw new ManagerException("unknown kind of managed object: " + ref.kind());
        };
    }
}
