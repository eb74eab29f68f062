package dev.procshare.manager;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.procshare.manager.contract.ContractFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Addresses the socket manager does not serve go to a backend module, or fail saying which one to add. */
@Timeout(30)
class ManagerBackendTest {
    @Test
    void anEngineAddressWithoutItsModuleOnTheClasspathNamesTheModule() {
        ManagerException e = assertThrows(ManagerException.class,
                () -> Manager.connect("redis://127.0.0.1:6379", new byte[] {1, 2, 3}));
        assertTrue(e.getMessage().contains("procshare-redis"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Manager.connect("", new byte[] {1}));
    }

    @Test
    void registrationsBelongToTheServerNotToASocketClient() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Manager.builder()
                .register("Counter", ContractFixtures.CounterApi.class, ContractFixtures.Counter::new)
                .connect("unix:/nonexistent/procshare.sock"));
        assertTrue(e.getMessage().contains("Manager.start()"), e.getMessage());
    }
}
