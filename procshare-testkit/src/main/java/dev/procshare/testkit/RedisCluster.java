package dev.procshare.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A real Redis Cluster for tests: N (default 3) cluster-enabled {@link RedisServer} masters with one
 * password, no replicas, the 16384 slots split into N contiguous ranges (node 0 has the lowest).
 *
 * <p>The cluster is formed over RESP by the fixture itself ({@code CLUSTER ADDSLOTSRANGE},
 * {@code CLUSTER MEET}), so {@code redis-cli} is not needed. {@link Builder#start()} returns once every node
 * reports {@code cluster_state:ok} and knows all N nodes, waiting at most {@link #READY_TIMEOUT}; if anything
 * fails, every node started so far is closed. Node timeout is 2 s: a node {@link RedisServer#pause() paused}
 * for longer is marked failed by the others.
 */
public final class RedisCluster implements AutoCloseable {
    /** How long {@link Builder#start()} waits for the nodes to agree that the cluster is up. */
    public static final Duration READY_TIMEOUT = Duration.ofSeconds(20);

    private static final int SLOTS = 16384;

    private final List<RedisServer> nodes;
    private final String password;
    private volatile boolean closed;

    private RedisCluster(List<RedisServer> nodes, String password) {
        this.nodes = List.copyOf(nodes);
        this.password = password;
    }

    /** Starts a 3-master cluster with a random password; see {@link Builder#start()}. */
    public static RedisCluster start() {
        return builder().start();
    }

    /** Options for a cluster; {@link Builder#start()} starts it. */
    public static Builder builder() {
        return new Builder();
    }

    /** The nodes, in slot order: node {@code i} owns the {@code i}-th range of slots. */
    public List<RedisServer> nodes() {
        return nodes;
    }

    /** The password of every node (clients' {@code AUTH} and the nodes' {@code masterauth}). */
    public String password() {
        return password;
    }

    /** {@code redis-cluster://127.0.0.1:p1,127.0.0.1:p2,...}: every node, in slot order, without the password. */
    public String url() {
        return "redis-cluster://" + nodes.stream().map(n -> n.host() + ":" + n.port()).collect(Collectors.joining(","));
    }

    /** Closes every node (kills it and deletes its directory). Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeAll(nodes);
    }

    @Override
    public String toString() {
        return "RedisCluster[" + url() + (closed ? " closed" : "") + "]";
    }

    private static void closeAll(List<RedisServer> nodes) {
        RuntimeException first = null;
        for (RedisServer node : nodes) {
            try {
                node.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Options for a {@link RedisCluster}. */
    public static final class Builder {
        private int masters = 3;
        private String password;
        private boolean appendOnly;

        private Builder() {
        }

        /** How many masters (default 3); each gets a contiguous range of about 16384 / N slots. */
        public Builder masters(int masters) {
            if (masters < 1 || masters > SLOTS) {
                throw new IllegalArgumentException("a cluster needs 1 to " + SLOTS + " masters, not " + masters);
            }
            this.masters = masters;
            return this;
        }

        /** The password of every node; by default 24 random letters and digits. */
        public Builder password(String password) {
            if (password == null || password.isEmpty()) {
                throw new IllegalArgumentException("the password must not be empty");
            }
            this.password = password;
            return this;
        }

        /** Append-only persistence on every node, as {@link RedisServer.Builder#appendOnly(boolean)}. */
        public Builder appendOnly(boolean appendOnly) {
            this.appendOnly = appendOnly;
            return this;
        }

        /**
         * Starts the nodes (each as {@link RedisServer.Builder#start()}), assigns the slots, joins the nodes
         * and waits at most {@link #READY_TIMEOUT} until every node reports {@code cluster_state:ok} and
         * {@code cluster_known_nodes:N}.
         *
         * @throws IllegalStateException if a node does not start or the cluster does not form in time; the
         *                               message shows each node's {@code CLUSTER INFO}
         */
        public RedisCluster start() {
            List<RedisServer> nodes = new ArrayList<>();
            try {
                RedisServer.Builder first = RedisServer.builder().clusterEnabled(true).appendOnly(appendOnly);
                if (password != null) {
                    first.password(password);
                }
                nodes.add(first.start());
                String shared = nodes.get(0).password();
                for (int i = 1; i < masters; i++) {
                    nodes.add(RedisServer.builder().clusterEnabled(true).appendOnly(appendOnly).password(shared)
                            .start());
                }
                for (int i = 0; i < masters; i++) {
                    int from = (int) ((long) SLOTS * i / masters);
                    int to = (int) ((long) SLOTS * (i + 1) / masters) - 1;
                    nodes.get(i).command("CLUSTER", "ADDSLOTSRANGE", Integer.toString(from), Integer.toString(to));
                }
                for (RedisServer node : nodes.subList(1, masters)) {
                    nodes.get(0).command("CLUSTER", "MEET", node.host(), Integer.toString(node.port()),
                            Integer.toString(node.clusterBusPort()));
                }
                awaitReady(nodes);
                return new RedisCluster(nodes, shared);
            } catch (RuntimeException e) {
                try {
                    closeAll(nodes);
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }

        private void awaitReady(List<RedisServer> nodes) {
            long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
            while (!allReady(nodes)) {
                if (System.nanoTime() > deadline) {
                    StringBuilder state = new StringBuilder();
                    for (RedisServer node : nodes) {
                        state.append("\n--- ").append(node).append(" ---\n").append(info(node));
                    }
                    throw new IllegalStateException("the Redis cluster did not reach cluster_state:ok with "
                            + nodes.size() + " known nodes on every node within " + READY_TIMEOUT.toSeconds()
                            + " s:" + state);
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the Redis cluster", e);
                }
            }
        }

        private static boolean allReady(List<RedisServer> nodes) {
            for (RedisServer node : nodes) {
                String info = info(node);
                boolean knowsAll = info.contains("cluster_known_nodes:" + nodes.size() + "\r");
                if (!info.contains("cluster_state:ok") || !knowsAll) {
                    return false;
                }
            }
            return true;
        }

        private static String info(RedisServer node) {
            try {
                return String.valueOf(node.command("CLUSTER", "INFO"));
            } catch (RuntimeException e) {
                return "(CLUSTER INFO failed: " + e.getMessage() + ")";
            }
        }
    }
}
