package dev.procshare.manager.contract;

import dev.procshare.manager.Manager;
import dev.procshare.testkit.NoLeaks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/** The manager contract against the socket manager, its server started in its own JVM ({@code Manager.start()}). */
@ExtendWith(NoLeaks.class)
class SocketManagerContractTest extends ManagerContract {
    private static Manager manager;

    @BeforeAll
    static void startManager() {
        manager = ManagerContract.configure(Manager.builder()).start();
    }

    @AfterAll
    static void closeManager() {
        if (manager != null) {
            manager.close();
        }
    }

    @Override
    protected Manager manager() {
        return manager;
    }
}
