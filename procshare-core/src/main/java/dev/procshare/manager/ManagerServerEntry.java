package dev.procshare.manager;

import dev.procshare.codec.FastCodec;
import dev.procshare.process.ProcessEntry;
import java.util.List;

/**
 * What a manager's own JVM runs ({@code Manager.start()}): serve until shut down, after writing the bound
 * address to the file the parent named. Its input is plain bytes (the configuration and that file), so the
 * new JVM spends no time on Java serialization before it listens. Not for direct use.
 */
public final class ManagerServerEntry implements ProcessEntry {
    public ManagerServerEntry() {
    }

    static byte[] input(ServerConfig config, String addressFile) throws java.io.IOException {
        return FastCodec.INSTANCE.encode(new java.util.ArrayList<>(List.of(config.toBytes(), addressFile)));
    }

    @Override
    public byte[] run(byte[] input) throws Exception {
        List<?> fields = (List<?>) FastCodec.INSTANCE.decode(input);
        ManagerLauncher.serveInThisJvm(ServerConfig.fromBytes((byte[]) fields.get(0)), (String) fields.get(1));
        return null;
    }
}
