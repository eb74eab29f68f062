package dev.procshare.manager;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class HandshakeTest {
    @Test
    void handMadeHmacMatchesTheJce() throws Exception {
        Random random = new Random(7);
        for (int keyLength : new int[] {1, 16, 32, 63, 64, 65, 200}) {
            byte[] key = new byte[keyLength];
            byte[] data = new byte[random.nextInt(100)];
            random.nextBytes(key);
            random.nextBytes(data);
            Mac jce = Mac.getInstance("HmacSHA256");
            jce.init(new SecretKeySpec(key, "HmacSHA256"));
            jce.update("client".getBytes(StandardCharsets.US_ASCII));
            assertArrayEquals(jce.doFinal(data), Handshake.mac(key, "client", data), "key length " + keyLength);
        }
    }
}
