package dev.procshare.connection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HmacTest {

    @Test
    void sha256MatchesTheJdksForEveryLengthAroundTheBlockBoundaries() throws Exception {
        Random random = new Random(42);
        for (int length = 0; length <= 300; length++) {
            byte[] data = new byte[length];
            random.nextBytes(data);
            assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(data), Sha256.of(data), "length " + length);
        }
        Sha256 pieces = new Sha256(); // fed in parts, as HMAC does
        pieces.update("abc".getBytes(StandardCharsets.US_ASCII));
        pieces.update(new byte[0]);
        pieces.update("dbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".getBytes(StandardCharsets.US_ASCII));
        assertEquals("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", // FIPS 180-2 example
                HexFormat.of().formatHex(pieces.digest()));
    }

    @Test
    void hmacMatchesRfc4231() throws Exception {
        assertEquals("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
                hex(Hmac.sha256(repeat((byte) 0x0b, 20), "", "Hi There".getBytes(StandardCharsets.US_ASCII))));
        assertEquals("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                hex(Hmac.sha256("Jefe".getBytes(StandardCharsets.US_ASCII), "",
                        "what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII))));
        assertEquals("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54", // key longer than a block
                hex(Hmac.sha256(repeat((byte) 0xaa, 131), "",
                        "Test Using Larger Than Block-Size Key - Hash Key First".getBytes(StandardCharsets.US_ASCII))));
        // against the JDK's Mac for keys around the block size: HandshakeTest
    }

    @Test
    void equalComparesWholeArrays() {
        assertTrue(Hmac.equal(new byte[] {1, 2, 3}, new byte[] {1, 2, 3}));
        assertFalse(Hmac.equal(new byte[] {1, 2, 3}, new byte[] {1, 2, 4}));
        assertFalse(Hmac.equal(new byte[] {1, 2, 3}, new byte[] {1, 2}));
        assertTrue(Hmac.equal(new byte[0], new byte[0]));
    }

    private static byte[] repeat(byte b, int n) {
        byte[] out = new byte[n];
        java.util.Arrays.fill(out, b);
        return out;
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
