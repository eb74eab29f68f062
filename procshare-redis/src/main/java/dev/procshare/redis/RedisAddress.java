package dev.procshare.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.redisson.client.codec.ByteArrayCodec;
import org.redisson.config.BaseConfig;
import org.redisson.config.Config;

/**
 * A manager address on Redis, parsed: {@code redis://host:port[/db]} (or {@code rediss://} for TLS),
 * {@code redis-sentinel://host:port,host:port/master[/db]} and {@code redis-cluster://host:port,host:port},
 * each with optional {@code ?manager=NAME&lease=10s&timeout=3s&user=NAME}.
 *
 * <p>{@code manager} names the set of objects (keys start {@code ps:{NAME/}), so that unrelated applications
 * can share one Redis; {@code lease} bounds how long a dead process's locks, permits and hosted objects
 * stay taken; {@code timeout} bounds each command while Redis is unreachable.
 */
record RedisAddress(String text, String kind, boolean tls, List<String> hosts, String master, int database,
        String manager, Duration lease, Duration timeout, String user) {

    static final Set<String> SCHEMES = Set.of("redis", "rediss", "redis-sentinel", "rediss-sentinel",
            "redis-cluster", "rediss-cluster");

    static RedisAddress parse(String text) {
        int sep = text.indexOf("://");
        if (sep < 0 || !SCHEMES.contains(text.substring(0, sep))) {
            throw new IllegalArgumentException("'" + text + "' is not a Redis manager address; use one of "
                    + "redis://host:port, rediss://host:port, redis-sentinel://host:port,.../master, "
                    + "redis-cluster://host:port,...");
        }
        String scheme = text.substring(0, sep);
        boolean tls = scheme.startsWith("rediss");
        String kind = scheme.endsWith("-sentinel") ? "sentinel" : scheme.endsWith("-cluster") ? "cluster" : "single";
        String rest = text.substring(sep + 3);
        Map<String, String> params = new LinkedHashMap<>();
        int q = rest.indexOf('?');
        if (q >= 0) {
            for (String pair : rest.substring(q + 1).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("'" + pair + "' in " + text + " is not name=value");
                }
                params.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
            rest = rest.substring(0, q);
        }
        for (String name : params.keySet()) {
            if (!Set.of("manager", "lease", "timeout", "user").contains(name)) {
                throw new IllegalArgumentException("unknown option '" + name + "' in " + text
                        + " (known: manager, lease, timeout, user)");
            }
        }
        String[] path = rest.split("/", -1);
        List<String> hosts = new ArrayList<>();
        if (path[0].contains("@")) {
            throw new IllegalArgumentException(text + " holds credentials: the password is the manager's auth key "
                    + "(Manager.connect(address, key)) and an ACL user goes in ?user=NAME; addresses travel with "
                    + "every proxy, so they must not carry secrets");
        }
        for (String h : path[0].split(",")) {
            if (h.isEmpty()) {
                continue;
            }
            boolean bracketed = h.startsWith("[");
            int close = h.indexOf(']');
            int colon = h.lastIndexOf(':');
            if (bracketed ? close < 0 : h.indexOf(':') != colon) {
                throw new IllegalArgumentException("'" + h + "' in " + text + " is not host:port (an IPv6 host goes in"
                        + " brackets: [::1]:6379)");
            }
            if (colon < 0 || bracketed && colon < close) {
                h = h + ":" + (kind.equals("sentinel") ? 26379 : 6379);
            } else {
                try {
                    int port = Integer.parseInt(h.substring(colon + 1));
                    if (port < 1 || port > 65535) {
                        throw new NumberFormatException();
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + h + "' in " + text + " has no port from 1 to 65535");
                }
            }
            hosts.add(h);
        }
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("no host in " + text);
        }
        if (!kind.equals("single") && !kind.equals("cluster") && path.length < 2) {
            throw new IllegalArgumentException(text + " names no master: use redis-sentinel://host:port,.../MASTER");
        }
        if (kind.equals("single") && hosts.size() > 1) {
            throw new IllegalArgumentException(text + " names several hosts: use redis-cluster:// or redis-sentinel://");
        }
        String master = kind.equals("sentinel") ? path[1] : null;
        if (kind.equals("sentinel") && master.isEmpty()) {
            throw new IllegalArgumentException(text + " names no master: use redis-sentinel://host:port,.../MASTER");
        }
        if (path.length > (kind.equals("sentinel") ? 3 : 2)) {
            throw new IllegalArgumentException(text + " has more path than /" + (kind.equals("sentinel") ? "MASTER/" : "")
                    + "DATABASE");
        }
        int dbIndex = kind.equals("sentinel") ? 2 : 1;
        int database = 0;
        if (path.length > dbIndex && !path[dbIndex].isEmpty()) {
            if (kind.equals("cluster")) {
                throw new IllegalArgumentException("a Redis Cluster has only database 0: " + text);
            }
            try {
                database = Integer.parseInt(path[dbIndex]);
                if (database < 0) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + path[dbIndex] + "' in " + text + " is not a database number");
            }
        }
        String manager = params.getOrDefault("manager", "default");
        // no glob characters either: shutdown() deletes the keys matching ps:{NAME/*
        if (manager.isEmpty() || manager.chars().anyMatch(c -> "{}/*?[]\\".indexOf(c) >= 0 || c <= ' ')) {
            throw new IllegalArgumentException("manager name '" + manager + "' may not be empty or hold spaces or any"
                    + " of { } / * ? [ ] \\");
        }
        Duration lease = duration(params.getOrDefault("lease", "10s"), "lease", text);
        Duration timeout = duration(params.getOrDefault("timeout", "3s"), "timeout", text);
        if (lease.toMillis() < 300 || lease.toDays() > 1) {
            throw new IllegalArgumentException("lease must be from 300ms to 1 day: " + text);
        }
        if (timeout.toMillis() < 1 || timeout.toMinutes() > 60) {
            throw new IllegalArgumentException("timeout must be from 1ms to 60m: " + text);
        }
        return new RedisAddress(text, kind, tls, List.copyOf(hosts), master, database, manager, lease, timeout,
                params.get("user"));
    }

    private static Duration duration(String value, String name, String text) {
        try {
            if (value.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
            }
            if (value.endsWith("s")) {
                double seconds = Double.parseDouble(value.substring(0, value.length() - 1));
                if (Double.isFinite(seconds) && seconds >= 0 && seconds < 1e9) {
                    return Duration.ofMillis(Math.round(seconds * 1000));
                }
            }
            if (value.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(value.substring(0, value.length() - 1)));
            }
        } catch (NumberFormatException e) {
            // falls through to the message below
        }
        throw new IllegalArgumentException(name + "=" + value + " in " + text + " is not a duration such as 500ms, 10s or 1m");
    }

    /** The Redisson configuration: small pools (a process rarely needs many connections), bounded retries. */
    Config config(byte[] authKey) {
        String password = new String(authKey, StandardCharsets.UTF_8);
        String prefix = tls ? "rediss://" : "redis://";
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        Config config = new Config();
        config.setCodec(ByteArrayCodec.INSTANCE);
        config.setUseScriptCache(true);
        BaseConfig<?> base;
        switch (kind) {
            case "cluster" -> {
                var c = config.useClusterServers();
                for (String h : hosts) {
                    c.addNodeAddress(prefix + h);
                }
                c.setMasterConnectionMinimumIdleSize(1).setMasterConnectionPoolSize(32)
                        .setSlaveConnectionMinimumIdleSize(1).setSlaveConnectionPoolSize(32)
                        .setSubscriptionConnectionMinimumIdleSize(1).setSubscriptionConnectionPoolSize(8);
                c.setScanInterval(1000);
                base = c;
            }
            case "sentinel" -> {
                var c = config.useSentinelServers();
                for (String h : hosts) {
                    c.addSentinelAddress(prefix + h);
                }
                c.setMasterName(master).setDatabase(database).setCheckSentinelsList(false);
                c.setMasterConnectionMinimumIdleSize(1).setMasterConnectionPoolSize(32)
                        .setSlaveConnectionMinimumIdleSize(1).setSlaveConnectionPoolSize(32)
                        .setSubscriptionConnectionMinimumIdleSize(1).setSubscriptionConnectionPoolSize(8);
                base = c;
            }
            default -> {
                var c = config.useSingleServer();
                c.setAddress(prefix + hosts.get(0)).setDatabase(database);
                c.setConnectionMinimumIdleSize(1).setConnectionPoolSize(32)
                        .setSubscriptionConnectionMinimumIdleSize(1).setSubscriptionConnectionPoolSize(8);
                base = c;
            }
        }
        // one resolver for every node: the same user and password (the manager's auth key) everywhere
        org.redisson.config.Credentials credentials = new org.redisson.config.Credentials(user, password);
        config.setCredentialsResolver(node -> java.util.concurrent.CompletableFuture.completedFuture(credentials));
        base.setTimeout(timeoutMs);
        base.setConnectTimeout(timeoutMs);
        // no resending: a script whose reply timed out may have run, and a second run would apply it twice
        base.setRetryAttempts(0);
        return config;
    }

    @Override
    public String toString() {
        return text;
    }
}
