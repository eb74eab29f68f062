package dev.procshare.manager;

import dev.procshare.codec.AllowList;
import java.util.List;

/**
 * What a {@link Manager.Builder} says about a manager that a {@link ManagerBackend} needs: the user types this
 * process registers (and so hosts, on engines without a server of ours) and the classes values may be.
 *
 * @param registrations the types registered with {@link Manager.Builder#register}, in order
 * @param allowList the defaults plus the classes and packages the builder allowed
 */
public record ManagerOptions(List<Registration> registrations, AllowList allowList) {
    public ManagerOptions {
        registrations = List.copyOf(registrations);
    }

    /** No registrations, the default allow-list: what {@link Manager#connect(String, byte[])} passes. */
    public static ManagerOptions defaults() {
        return new ManagerOptions(List.of(), AllowList.defaults());
    }
}
